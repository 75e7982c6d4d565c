"""Drive a run: lint every discovered file, then the cross-file pass, and sort the findings.

Files stream through: each is answered from the result cache when it is unchanged,
or linted, in this process or, when enough files need linting to pay for starting
them, in a pool of worker processes. Either way the results are taken in discovery
order, so the output is the same whichever way a file was linted. Only each file's
diagnostics and its corpus-rule facts are kept until the end of the run.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator

from fmlint.diagnostic import Diagnostic
from fmlint.pipeline.discover import Target
from fmlint.pipeline.document import Position
from fmlint.pipeline.lint import Linter
from fmlint.pipeline.result import FileResult
from fmlint.rules import BY_NAME
from fmlint.rules.base import make_diagnostic
from fmlint.run import pool
from fmlint.run.clock import ClockUse

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from fmlint.run.cache import ResultCache
    from fmlint.run.pool import Item, Outcome

# Files that must be linted (not answered from the cache) before a pool is started.
# Measured on 2 cores (README, Performance): two workers take 0.63x the speed of one
# process on 100 files, 0.88x on 800 and 1.15x on 1,600; each worker compiles its
# checks and imports jsonschema again, which only pays from about a thousand files.
POOL_THRESHOLD = 1000


def lint_targets(
    linter: Linter,
    targets: Iterable[Target],
    *,
    cache: ResultCache | None = None,
    jobs: int | None = 1,
    pool_threshold: int = POOL_THRESHOLD,
    bypass_cache: Callable[[str], bool] | None = None,
) -> tuple[list[Diagnostic], list[str]]:
    """Lint ``targets``; return every diagnostic (sorted) and the paths of the files checked, in order
    (a folder that could not be listed is reported, but it is not a file checked).

    ``jobs`` is the number of processes (``None``: one per core,
    when at least ``pool_threshold`` files need linting). ``bypass_cache`` names the
    files whose result must not come from or go to the cache.
    """
    fingerprint = None
    shared: dict[tuple[int, ...], tuple[int, ...]] = {}
    clock = ClockUse()  # how the run's findings depend on ``now``, file by file, then across files
    run = _Run(linter, cache, bypass_cache)
    if cache is not None:
        targets = list(targets)
        if bypass_cache is None:
            fingerprint = _fingerprint(targets, cache)
            remembered = cache.remembered_run(fingerprint) if fingerprint is not None else None
            if remembered is not None:
                paths = [target.path for target in targets if target.file]
                return remembered, paths
        wanted = (target.path for target in targets if target.problem is None and not run.bypassed(target.path))
        run.cached = {path: _kept(result, path, shared, clock) for path, result in cache.take(wanted)}
        targets = _consumed(targets)
    items = run.classify(targets)
    workers = pool.workers(jobs)
    if workers > 1:
        outcomes = pool.parallel(run, items, workers, pool_threshold if jobs is None else 1)
    else:
        outcomes = run.serial(items)
    diagnostics, checked = collect(linter, outcomes, clock, shared)
    if cache is not None and fingerprint is not None:
        cache.remember_run(fingerprint, diagnostics, clock.window(linter.settings.now))
    return diagnostics, checked


def collect(
    linter: Linter,
    outcomes: Iterable[Item],
    clock: ClockUse | None = None,
    shared: dict[tuple[int, ...], tuple[int, ...]] | None = None,
) -> tuple[list[Diagnostic], list[str]]:
    """Every diagnostic of ``outcomes`` (each a target ``problem``, or a ``result`` linted or
    ``cached``) and of the cross-file pass over them, sorted; and the paths of the files checked."""
    clock = ClockUse() if clock is None else clock
    shared = {} if shared is None else shared
    diagnostics: list[Diagnostic] = []
    results: list[FileResult] = []
    checked: list[str] = []
    for kind, value in outcomes:
        if kind == "problem":
            assert isinstance(value, Target)
            diagnostics.extend(unreadable(linter, value))
            if value.file:  # a file that must not be read is still one of the files checked
                checked.append(value.path)
            continue
        assert isinstance(value, FileResult)
        checked.append(value.path)
        diagnostics.extend(value.diagnostics)
        clock.include(value.now_window)
        if value.facts or value.suppressions:
            # Only what the cross-file pass reads is kept to the end of the run, and compactly.
            facts = value.facts if kind == "cached" else _compact(value.facts, shared)
            results.append(FileResult(value.path, (), facts, value.suppressions))
    diagnostics.extend(linter.finish(results, clock))
    diagnostics.sort(key=Diagnostic.sort_key)
    return diagnostics, checked


def unreadable(linter: Linter, target: Target) -> list[Diagnostic]:
    """The FM006 finding of a target that cannot (or must not) be read, as the policy reports it."""
    rule = BY_NAME["unreadable-file"]
    if not linter.policy.reports(rule.code, target.path):
        return []
    assert target.problem is not None
    return linter.policy.with_severities([make_diagnostic(rule, target.path, Position(1, 1, 1, 2), "", target.problem)])


def _compact(value: Any, shared: dict[tuple[int, ...], tuple[int, ...]]) -> Any:
    """``value`` with its short strings interned and its tuples of numbers shared.

    The facts of every file are kept until the cross-file pass; across 100,000 files
    the same field names, pointers and positions come back again and again, and a
    third of what the facts weigh is copies of them. (Facts are flat tuples of
    strings, numbers and positions: the loop handles those itself, and calls itself
    only for deeper tuples.)"""
    kind = type(value)
    if kind is str:
        return sys.intern(value) if len(value) <= 64 else value
    if kind is not tuple:
        return value
    items = []
    numbers = True
    for item in value:
        kind = type(item)
        if kind is int:
            items.append(item)
            continue
        numbers = False
        if kind is str:
            items.append(sys.intern(item) if len(item) <= 64 else item)
        elif kind is tuple:
            items.append(_compact(item, shared))
        else:
            items.append(item)
    if numbers:
        return shared.setdefault(value, value)
    return tuple(items)


def _kept(result: FileResult, path: str, shared: dict[tuple[int, ...], tuple[int, ...]], clock: ClockUse) -> FileResult:
    """A cached ``result`` as the run keeps it until its turn: its facts compact, the run's own copy
    of its path, and the ``now`` values it holds for folded into the run's at once."""
    clock.include(result.now_window)
    return result._replace(path=path, facts=_compact(result.facts, shared), now_window=None)


def _consumed(targets: list[Target]) -> Iterator[Target]:
    """``targets`` in order, each let go of as it is taken: a path the run keeps is the copy its
    result carries, not a second one held by the list of targets to the end of the run."""
    targets.reverse()
    while targets:
        yield targets.pop()


def _fingerprint(targets: list[Target], cache: ResultCache) -> bytes | None:
    """A hash of every target's path and stat signature, in order; ``None`` when one was
    modified too recently for its signature to be trusted.

    When nothing changed since the last run, its whole outcome is reused, without
    reading a single per-file result (a warm run spends most of its time there)."""
    from fmlint.run.cache import new_hash

    hashed = new_hash()
    update = hashed.update
    trusted = cache.trusted_until()
    for target in targets:
        # Each field is preceded by its length: no two lists of targets hash alike.
        path = target.path.encode("utf-8", "surrogateescape")
        if target.problem is not None:
            problem = target.problem.encode("utf-8", "surrogateescape")
            update(b"!%d %s %d %s\n" % (len(path), path, len(problem), problem))
            continue
        try:
            info = os.stat(path)
        except OSError:
            update(b"?%d %s\n" % (len(path), path))
            continue
        if info.st_mtime_ns > trusted or info.st_ctime_ns > trusted:
            return None
        signature = (len(path), path, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
        update(b"=%d %s %d %d %d %d\n" % signature)
    return bytes(hashed.digest())


class _Run:
    """The per-run state shared by the serial and the parallel path."""

    def __init__(
        self,
        linter: Linter,
        cache: ResultCache | None,
        bypass: Callable[[str], bool] | None,
    ) -> None:
        self.linter = linter
        self.cache = cache
        self.bypass = bypass
        self.cached: dict[str, FileResult] = {}  # the results the cache had, until they are taken

    def bypassed(self, path: str) -> bool:
        return self.bypass is not None and self.bypass(path)

    def classify(self, targets: Iterable[Target]) -> Iterator[Item]:
        """Each target as a ``problem``, a ``cached`` result (compacted as it was taken) or a ``job`` (to lint)."""
        cache = self.cache
        for target in targets:
            path = target.path
            if target.problem is not None:
                yield "problem", target
            elif cache is None or self.bypassed(path):
                yield "job", (path, None)
            else:
                cached = self.cached.pop(path, None)
                if cached is not None:
                    yield "cached", cached
                else:
                    yield "job", (path, cache.known_digest(path))

    def serial(self, items: Iterable[Item]) -> Iterator[Item]:
        for kind, value in items:
            if kind == "job":
                assert not isinstance(value, (Target, FileResult))
                yield "result", self.settle(pool.lint_one(self.linter, value, self.cache is not None))
            else:
                yield kind, value

    def settle(self, outcome: Outcome) -> FileResult:
        """The result of a linted (or re-read) file, and what the cache keeps of it."""
        path, info, content, result, packed = outcome
        cache = self.cache
        if cache is None or info is None or content is None or self.bypassed(path):
            return result if result is not None else self.linter.lint_file(path)
        if result is None:
            result = cache.reuse(path, info, content)
            if result is None:  # pragma: no cover - the cache said it knew this content
                result = self.linter.lint_file(path)
            return result
        from fmlint.run.cache import pack

        cache.store(path, info, content, result, packed if packed is not None else pack(result))
        return result
