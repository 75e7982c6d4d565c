"""``fmlint check``: build the run, lint or fix its files, report, and return the exit code."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from fmlint.cli.commands import say
from fmlint.cli.exit import EXIT_OK, EXIT_PROBLEMS
from fmlint.escape import printable
from fmlint.precedence import Run, build_run

TYPE_CHECKING = False
if TYPE_CHECKING:
    from argparse import Namespace


def check(args: Namespace, stream: TextIO) -> int:
    """``fmlint check``: lint (or fix) the files the arguments name, report, return the exit code."""
    from fmlint.pipeline.discover import discover
    from fmlint.pipeline.lint import Linter
    from fmlint.report import RunResult
    from fmlint.run.runner import lint_targets

    if args.stdin_filename is not None or args.paths == ["-"]:
        from fmlint.cli.stdin import check_stdin

        return check_stdin(args, build_run(args), stream)
    run = build_run(args)
    if args.show_settings or args.show_files:
        return _show(args, run, stream)
    linter = Linter(run.settings)
    verbose = args.verbose
    if args.fix or args.diff:
        if verbose:
            _say_setup(run, "fmlint: cache: not used by --fix and --diff")
        return _fix(args, run, linter, stream)  # files being fixed are linted from their bytes, not the cache
    cache, cache_note = _open_cache(run)
    if verbose:
        _say_setup(run, cache_note)
    try:
        diagnostics, checked_paths = lint_targets(linter, discover(run.paths, run.filters), cache=cache, jobs=run.jobs)
        if verbose:
            _say_cache_use(len(checked_paths), cache)
        lines = _quoted_lines(run, diagnostics, cache)
        result = RunResult(
            tuple(diagnostics), tuple(checked_paths), unsafe_fixes=args.unsafe_fixes, lines=lines, strict=run.strict
        )
        render_result(run, result, stream)
        stream.flush()
        if cache is not None:
            cache.save()
    finally:
        if cache is not None:
            cache.close()  # an interrupted run leaves the cache as it was
    return exit_code(run, result)


def _quoted_lines(run: Run, diagnostics: list[Any], cache: Any) -> Any:
    """The source lines the report quotes, read before it is rendered: the cache keeps them with the
    run's outcome, so a run whose files are all unchanged reads none (the report only renders)."""
    from fmlint.report import quotes_source
    from fmlint.report.lines import SourceLines, read_lines

    if run.statistics or not quotes_source(run.output_format):
        return SourceLines(max_bytes=0)
    quoted = read_lines(diagnostics, cache.remembered_lines if cache is not None else {})
    if cache is not None:
        cache.remember_lines(quoted)
    return SourceLines(known=quoted, max_bytes=0)


def _show(args: Namespace, run: Run, stream: TextIO) -> int:
    """``--show-settings`` and ``--show-files``: print what the run would use, lint nothing."""
    from fmlint.cli.show import show_files, show_settings
    from fmlint.pipeline.discover import discover

    if args.show_settings:
        show_settings(run, stream)
    if args.show_files:
        show_files(discover(run.paths, run.filters), stream, run.settings)
    return EXIT_OK


def render_result(run: Run, result: Any, stream: TextIO) -> None:
    from fmlint.report import render, render_statistics

    if run.statistics:
        render_statistics(result, stream, quiet=run.quiet)
    else:
        render(run.output_format, result, stream, quiet=run.quiet)


def exit_code(run: Run, result: Any) -> int:
    if run.exit_zero:
        return EXIT_OK
    if result.errors or (run.strict and result.warnings):
        return EXIT_PROBLEMS
    return EXIT_OK


def _fix(args: Namespace, run: Run, linter: Any, stream: TextIO) -> int:
    """``--fix`` (write the fixes, report what remains) and ``--diff`` (print them, write nothing)."""
    from fmlint.fix.buffer import summary
    from fmlint.fix.engine import Fixer
    from fmlint.fix.run import cross_file_fixes, fix_targets
    from fmlint.pipeline.discover import discover
    from fmlint.report import RunResult
    from fmlint.report.diff import render_diff

    found = {}
    if run.settings.links is not None and args.unsafe_fixes:  # moved links' fixes: unsafe, and cross-file
        found = cross_file_fixes(linter, discover(run.paths, run.filters))
    fixer = Fixer(linter, unsafe=args.unsafe_fixes, write=not args.diff, trees=run.paths, found=found)
    with _terminate_as_exit():
        diagnostics, checked_paths, outcomes = fix_targets(fixer, discover(run.paths, run.filters))
    if args.verbose:
        _say_cache_use(len(checked_paths), None)
    for outcome in outcomes:
        for note in outcome.notes:
            say("warning", note, outcome.path)
    fixed = [outcome for outcome in outcomes if outcome.fixed]
    count = sum(outcome.fixed for outcome in fixed)
    trouble = any(outcome.notes for outcome in outcomes)  # a fix reverted, or a file left alone
    if args.diff:
        for outcome in fixed:
            unsafe = render_diff(
                outcome.path, outcome.before + outcome.context, outcome.after + outcome.context, stream
            )
            if unsafe:
                say("warning", f"its fixes are not in the diff: {unsafe} (`--fix` applies them)", outcome.path)
        stream.flush()
        print(summary(count, len(fixed)), file=sys.stderr)
        return EXIT_OK if run.exit_zero or not (count or trouble) else EXIT_PROBLEMS
    result = RunResult(
        tuple(diagnostics),
        tuple(checked_paths),
        fixing=True,
        fixed=count,
        fixed_files=len(fixed),
        unsafe_fixes=args.unsafe_fixes,
        strict=run.strict,
    )
    render_result(run, result, stream)
    stream.flush()
    if trouble and not run.exit_zero:
        return EXIT_PROBLEMS
    return exit_code(run, result)


@contextmanager
def _terminate_as_exit() -> Iterator[None]:
    """While files are being replaced, SIGTERM unwinds like Ctrl-C, so no temporary file is left."""

    def terminate(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    try:
        previous = signal.signal(signal.SIGTERM, terminate)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _open_cache(run: Run) -> tuple[Any, str]:
    """The result cache of this run (``None``: none), and a line saying so for ``--verbose``.

    Without the user's own key (a cache directory that cannot be made, or that other
    users can write) there is no cache: a run without one is only slower."""
    if run.cache_dir is None:
        return None, "fmlint: cache: off (--no-cache)"
    if _leaves_its_folder(run.cache_dir, run.cache_root):
        # A committed `.fmlint_cache -> /elsewhere` would make fmlint write outside the tree.
        return None, f"fmlint: cache: off: {printable(run.cache_dir)} is a symbolic link out of its folder"
    from fmlint.run.cache import ResultCache, configuration_key
    from fmlint.run.cache.signing import KeyUnavailable, Signer

    try:
        signer = Signer.for_user()
    except KeyUnavailable as exc:
        return None, f"fmlint: cache: off: {printable(str(exc))}"
    key = configuration_key(run.settings, os.getcwd())
    cache = ResultCache(run.cache_dir, key, run.settings.now, signer, run.settings.schema_map.holds)
    return cache, f"fmlint: cache: {printable(cache.folder)} (signed with the key in {printable(signer.folder)})"


def _leaves_its_folder(path: str, root: str) -> bool:
    """Whether ``path`` (inside ``root`` as written) leads out of ``root`` through a symbolic link."""
    real_root = os.path.realpath(root)
    inside = os.path.join(real_root, os.path.relpath(os.path.abspath(path), os.path.abspath(root)))
    return os.path.realpath(path) != os.path.normpath(inside)


def _say_setup(run: Run, cache_note: str) -> None:
    """``--verbose``: the configuration file, the schema(s) and the cache of this run, on stderr."""
    print(f"fmlint: configuration: {printable(run.config_file) if run.config_file else 'none'}", file=sys.stderr)
    from fmlint.schema.mapping import setup_lines

    fetched = run.fetcher.sources if run.fetcher is not None else {}
    said = [line for line in setup_lines(run.settings, run.schema_file) if line not in fetched]  # said below
    for line in [*said, *(run.fetcher.report() if run.fetcher is not None else ())]:
        print(f"fmlint: schema: {printable(line)}", file=sys.stderr)
    print(cache_note, file=sys.stderr)


def _say_cache_use(files: int, cache: Any) -> None:
    """``--verbose``: how many files the cache answered, and what of it was refused."""
    answered = 0 if cache is None else (files if cache.whole_run else cache.from_cache)
    print(f"fmlint: {files} files, {answered} from the cache", file=sys.stderr)
    if cache is not None and cache.unsigned:
        print(
            f"fmlint: cache: refused {cache.unsigned} cache file(s) fmlint did not write for this user "
            "(not authenticated)",
            file=sys.stderr,
        )
    if cache is not None and cache.invalid:
        print(f"fmlint: cache: refused {cache.invalid} cache file(s) or entries that are not valid", file=sys.stderr)
