"""The command line: parse arguments, build the run, return an exit code.

Exit codes: 0 no errors, 1 errors found (or warnings with ``--strict``), 2 usage
error (unknown option, unknown rule code, unreadable or invalid configuration).
"""

from __future__ import annotations

import io
import os
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TextIO, cast

from fmlint.cli.commands import infer, list_rules, say, show_rule, show_schema
from fmlint.escape import printable
from fmlint.precedence import Run, UsageError, build_run

TYPE_CHECKING = False
if TYPE_CHECKING:
    from argparse import Namespace

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run fmlint with ``argv`` (default: ``sys.argv[1:]``) and return the exit code."""
    previous = _stop_on_sigterm()
    try:
        return _main(argv)
    except KeyboardInterrupt:
        return 130
    except _Terminated:
        return 143
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _main(argv: Sequence[str] | None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = plain_check(argv)
    if args is None:
        from fmlint.cli.arguments import parse

        try:
            args = parse(argv)
        except SystemExit as exit:  # argparse exits on --help, --version and usage errors
            return exit.code if isinstance(exit.code, int) else EXIT_USAGE
    if isinstance(sys.stdout, io.TextIOWrapper):
        # File text goes to the terminal: one a terminal cannot show must not end the run.
        sys.stdout.reconfigure(errors="backslashreplace")
    try:
        if args.command == "check":
            return _check(args, sys.stdout)
        if args.command == "rules":
            return list_rules(sys.stdout)
        if args.command == "rule":
            return show_rule(args.code, sys.stdout)
        if args.command == "server":
            from fmlint.server import serve

            return serve()
        if args.name == "infer":
            return infer(args, sys.stdout)
        return show_schema(args.name, sys.stdout)
    except UsageError as exc:
        say("error", str(exc))
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader went away (``fmlint check | head``): nothing more to say.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PROBLEMS


def plain_check(argv: Sequence[str]) -> Namespace | None:
    """``fmlint check PATH...`` without options (how pre-commit runs it), read as argparse reads
    it, or ``None`` for any other command line. A test holds the two readings equal.

    Everything after a ``--`` is a path, even when it starts with ``-``: the hooks end their
    entry with ``--`` so that a committed file named ``--config=x.md`` stays a file name.
    """
    if not argv or argv[0] != "check":
        return None
    arguments = list(argv[1:])
    paths = arguments
    if "--" in arguments:
        end = arguments.index("--")
        paths = [*arguments[:end], *arguments[end + 1 :]]
        arguments = arguments[:end]
    if any(arg.startswith("-") for arg in arguments):
        return None
    from types import SimpleNamespace

    namespace = SimpleNamespace(
        command="check",
        paths=paths,
        select=None,
        extend_select=[],
        ignore=[],
        per_file_ignores=None,
        extend_per_file_ignores=[],
        output_format=None,
        schema=None,
        config=None,
        isolated=False,
        strict=None,
        exit_zero=False,
        quiet=False,
        statistics=False,
        now=None,
        show_traceback=False,
        fix=False,
        unsafe_fixes=False,
        diff=False,
        no_cache=False,
        jobs=None,
        include=None,
        extend_include=[],
        show_settings=False,
        show_files=False,
        stdin_filename=None,
        verbose=False,
        links=False,
        offline=False,
    )
    return cast("Namespace", namespace)  # the same attributes


class _Terminated(BaseException):
    """SIGTERM: unwind like Ctrl-C (stop the workers, write no cache) instead of dying mid-write."""


def _raise_terminated(signum: int, frame: object) -> None:
    raise _Terminated


def _stop_on_sigterm() -> Any:
    try:
        return signal.signal(signal.SIGTERM, _raise_terminated)
    except ValueError:  # not the main thread: leave signals to the program that runs us
        return None


def _check(args: Namespace, stream: TextIO) -> int:
    from fmlint.pipeline.check import Linter
    from fmlint.pipeline.discover import discover
    from fmlint.report import RunResult
    from fmlint.report.lines import SourceLines
    from fmlint.run import lint_targets

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
        lines = SourceLines(known=cache.remembered_lines, record=True) if cache is not None else SourceLines()
        result = RunResult(
            tuple(diagnostics), tuple(checked_paths), unsafe_fixes=args.unsafe_fixes, lines=lines, strict=run.strict
        )
        _render(run, result, stream)
        stream.flush()
        if cache is not None:  # after the report: the lines it quoted are kept with the run's outcome
            cache.remember_lines(lines.quoted)
            cache.save()
    finally:
        if cache is not None:
            cache.close()  # an interrupted run leaves the cache as it was
    return _exit_code(run, result)


def _show(args: Namespace, run: Run, stream: TextIO) -> int:
    """``--show-settings`` and ``--show-files``: print what the run would use, lint nothing."""
    from fmlint.cli.show import show_files, show_settings
    from fmlint.pipeline.discover import discover

    if args.show_settings:
        show_settings(run, stream)
    if args.show_files:
        show_files(discover(run.paths, run.filters), stream, run.settings)
    return EXIT_OK


def _render(run: Run, result: Any, stream: TextIO) -> None:
    from fmlint.report import render, render_statistics

    if run.statistics:
        render_statistics(result, stream, quiet=run.quiet)
    else:
        render(run.output_format, result, stream, quiet=run.quiet)


def _exit_code(run: Run, result: Any) -> int:
    if run.exit_zero:
        return EXIT_OK
    if result.errors or (run.strict and result.warnings):
        return EXIT_PROBLEMS
    return EXIT_OK


def _fix(args: Namespace, run: Run, linter: Any, stream: TextIO) -> int:
    """``--fix`` (write the fixes, report what remains) and ``--diff`` (print them, write nothing)."""
    from fmlint.fix.engine import Fixer, Outcome
    from fmlint.pipeline.discover import discover
    from fmlint.report import RunResult
    from fmlint.report.diff import render_diff
    from fmlint.run import lint_targets

    fixer = Fixer(
        linter,
        unsafe=args.unsafe_fixes,
        write=not args.diff,
        trees=run.paths,
        found=_link_fixes(run, linter, args),
    )
    outcomes: list[Outcome] = []

    def fix_file(path: str) -> Any:
        outcome = fixer.fix_file(path)
        outcomes.append(outcome)
        return outcome.result

    with _terminate_as_exit():
        diagnostics, checked_paths = lint_targets(linter, discover(run.paths, run.filters), fix_file)
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
        noun = "problem" if count == 1 else "problems"
        files = "file" if len(fixed) == 1 else "files"
        print(f"Would fix {count} {noun} in {len(fixed)} {files}." if count else "No fixes to apply.", file=sys.stderr)
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
    _render(run, result, stream)
    stream.flush()
    if trouble and not run.exit_zero:
        return EXIT_PROBLEMS
    return _exit_code(run, result)


def _link_fixes(run: Run, linter: Any, args: Namespace) -> dict[str, tuple[Any, ...]]:
    """The moved links' fixes (unsafe, and found only once every file is read), by path."""
    if run.settings.links is None or not args.unsafe_fixes:
        return {}
    from fmlint.pipeline.discover import discover
    from fmlint.run import lint_targets

    diagnostics, _ = lint_targets(linter, discover(run.paths, run.filters))
    found: dict[str, tuple[Any, ...]] = {}
    for diagnostic in diagnostics:
        if diagnostic.code.startswith("FM8") and diagnostic.fix is not None:
            found[diagnostic.path] = (*found.get(diagnostic.path, ()), diagnostic)
    return found


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

    for line in setup_lines(run.settings, run.schema_file):
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
