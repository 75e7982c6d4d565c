"""The command line: parse arguments, build the run, return an exit code.

Exit codes: 0 no errors, 1 errors found (or warnings with ``--strict``), 2 usage
error (unknown option, unknown rule code, unreadable or invalid configuration).
"""

from __future__ import annotations

import io
import os
import signal
import sys
from collections.abc import Sequence
from typing import Any, cast

from fmlint.cli.commands import infer, list_rules, say, show_rule, show_schema
from fmlint.cli.exit import EXIT_PROBLEMS, EXIT_USAGE
from fmlint.precedence import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from argparse import Namespace


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
            from fmlint.cli.check import check

            return check(args, sys.stdout)
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
