"""The worker pool: files linted in several processes, each with its own linter built once.

The parent classifies files and hands the pool only the paths to lint; each worker
reads and lints its files, and packs each result for the cache in parallel. The
results come back in the order they were sent, so a run's output does not depend on
whether a pool was used.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from fmlint.pipeline.discover import Target
from fmlint.pipeline.lint import Linter
from fmlint.pipeline.result import FileResult
from fmlint.pipeline.source import ReadProblem, read_file_head

TYPE_CHECKING = False
if TYPE_CHECKING:
    from multiprocessing.pool import Pool
    from typing import Any

    from fmlint.pipeline.settings import Settings
    from fmlint.rules.base import Rule

Job = tuple[str, "str | None"]  # a path, and the content hash its cached result was made from
# A path, its stat and content hash (when the cache is on), its result (none when the
# cache knew the content), and that result packed for the cache by a worker
# (:func:`fmlint.run.cache.pack`), so that this process does not pack it again.
Outcome = tuple[str, "os.stat_result | None", "str | None", "FileResult | None", "str | None"]
Item = tuple[str, "Target | FileResult | Job"]

_BATCH = 2000  # files classified ahead of the pool: bounds the results held in flight
_CHUNK = 32  # files per task sent to a worker


def workers(jobs: int | None) -> int:
    if jobs is not None:
        return max(1, jobs)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def lint_one(linter: Linter, job: Job, hashed: bool) -> Outcome:
    """Read and lint one file; when what was read hashes as ``job``'s known content, skip the lint."""
    path, known = job
    head = read_file_head(path, linter.settings.limits.max_front_matter_bytes)
    if isinstance(head, ReadProblem):
        return path, None, None, linter.lint_source(path, head), None
    if not hashed:
        return path, None, None, linter.lint_data(path, head.data, head.complete), None
    from fmlint.run.cache import digest

    content = digest(head.data)
    if content == known:
        return path, head.info, content, None, None
    return path, head.info, content, linter.lint_data(path, head.data, head.complete), None


def parallel(run: Any, items: Iterator[Item], workers: int, threshold: int) -> Iterator[Item]:
    """Like ``run.serial`` (:class:`fmlint.run.runner._Run`), in ``workers`` processes once
    ``threshold`` files need linting."""
    first: list[Item] = []
    pending = 0
    for item in items:
        first.append(item)
        pending += item[0] == "job"
        if pending >= threshold:
            break
    else:  # too few files to lint for a pool to pay
        yield from run.serial(first)
        return
    from collections import deque
    from itertools import chain, islice

    pool = None
    try:
        with _signals_held():  # Ctrl-C while the workers start would leave them running
            pool = _start_pool(run.linter, workers, run.cache is not None)
        stream = chain(first, items)
        in_flight: deque[tuple[list[Item], Iterator[Outcome]]] = deque()
        while True:
            batch = list(islice(stream, _BATCH))
            if batch:
                jobs = [value for kind, value in batch if kind == "job"]
                in_flight.append((batch, pool.imap(_work, jobs, _CHUNK)))  # type: ignore[arg-type]
            if not in_flight:
                break
            if batch and len(in_flight) < 2:
                continue  # keep the workers fed while this process classifies the next batch
            done, outcomes = in_flight.popleft()
            for kind, value in done:
                yield ("result", run.settle(next(outcomes))) if kind == "job" else (kind, value)
        pool.close()
        pool.join()
    finally:
        if pool is not None:
            pool.terminate()


_linter: Linter | None = None  # each worker's own, built once from the run's settings
_hashed = False


def _start_pool(linter: Linter, workers: int, hashed: bool) -> Pool:
    import multiprocessing

    settings = linter.settings
    # fork starts a worker without re-importing fmlint; the settings reach each worker
    # once, through the initializer, never with each file.
    settings.compile_schemas()  # compiled once here, inherited by every worker
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    return context.Pool(workers, _init_worker, (settings, tuple(linter.rules), hashed))


class _signals_held:
    """Hold SIGINT and SIGTERM back while the pool starts; they arrive once it can be stopped."""

    def __enter__(self) -> None:
        import signal

        if hasattr(signal, "pthread_sigmask"):
            signal.pthread_sigmask(signal.SIG_BLOCK, (signal.SIGINT, signal.SIGTERM))

    def __exit__(self, *exc: object) -> None:
        import signal

        if hasattr(signal, "pthread_sigmask"):
            signal.pthread_sigmask(signal.SIG_UNBLOCK, (signal.SIGINT, signal.SIGTERM))


def _init_worker(settings: Settings, rules: tuple[Rule, ...], hashed: bool) -> None:
    import signal

    global _linter, _hashed
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops the pool
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # how the parent stops the pool
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(
            signal.SIG_UNBLOCK, (signal.SIGINT, signal.SIGTERM)
        )  # held back in the parent while this started
    _linter = Linter(settings, rules)
    _hashed = hashed


def _work(job: Job) -> Outcome:
    assert _linter is not None
    path, info, content, result, _ = lint_one(_linter, job, _hashed)
    if result is None or content is None:
        return path, info, content, result, None
    from fmlint.run.cache import pack

    # Packed here, in parallel: the parent hands the same text to the cache.
    return path, info, content, result, pack(result)
