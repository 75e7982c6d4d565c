"""``fmlint check --stdin-filename PATH -``: lint text piped in, as if it were the file PATH.

Editors and tools that pipe a buffer get the findings ``fmlint check PATH`` would
report for it: the settings of PATH (``per-file-ignores``, ``include``/``exclude``),
and PATH as the name in the report. With ``--fix`` the fixed text goes to standard
output and the report of what remains to standard error; with ``--diff`` the diff
goes to standard output. Nothing is read from or written to the disk but settings.
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

TYPE_CHECKING = False
if TYPE_CHECKING:
    from argparse import Namespace


def check_stdin(args: Namespace, run: Any, stream: TextIO) -> int:
    from fmlint.cli.check import exit_code, render_result
    from fmlint.cli.commands import say
    from fmlint.cli.exit import EXIT_OK, EXIT_PROBLEMS
    from fmlint.fix.buffer import fix_data, summary
    from fmlint.pipeline.discover import wanted_by
    from fmlint.pipeline.lint import Linter
    from fmlint.precedence import UsageError
    from fmlint.report import RunResult

    if args.paths != ["-"]:
        raise UsageError("--stdin-filename lints standard input: give `-` as the only path")
    path = args.stdin_filename or "-"
    data = _read_stdin()
    linter = Linter(run.settings)
    wanted = path == "-" or wanted_by(run.filters, path)
    fixed = None
    if args.fix or args.diff:
        fixed = fix_data(linter, path, data, unsafe=args.unsafe_fixes) if wanted else None
        if args.diff:
            if fixed is not None and fixed.fixed:
                from fmlint.report.diff import render_diff

                render_diff(path, data, fixed.data, stream)
            print(summary(fixed.fixed if fixed is not None else 0, 1), file=sys.stderr)
            return EXIT_OK if run.exit_zero or fixed is None or not fixed.fixed else EXIT_PROBLEMS
        _write_bytes(fixed.data if fixed is not None else data)
        for note in fixed.notes if fixed is not None else ():
            say("warning", note, path)
        results = [fixed.result] if fixed is not None else []
        stream = sys.stderr  # standard output holds the fixed text
    else:
        results = [linter.lint_data(path, data)] if wanted else []
    diagnostics = [d for result in results for d in result.diagnostics]
    diagnostics.extend(linter.finish(results))  # the suppressions the cross-file rules might have needed
    diagnostics.sort(key=lambda d: d.sort_key())
    fixing = bool(args.fix)
    result = RunResult(
        tuple(diagnostics),
        (path,) if wanted else (),
        fixing=fixing,
        fixed=fixed.fixed if fixing and fixed is not None else 0,
        fixed_files=1 if fixing and fixed is not None and fixed.fixed else 0,
        unsafe_fixes=args.unsafe_fixes,
        lines=_piped_lines(path, fixed.data if fixed is not None else data),
    )
    render_result(run, result, stream)
    stream.flush()
    return exit_code(run, result)


def _read_stdin() -> bytes:
    stdin = sys.stdin
    if stdin is None:
        return b""
    buffer = getattr(stdin, "buffer", None)
    if buffer is not None:
        return bytes(buffer.read())
    return str(stdin.read()).encode("utf-8")


def _write_bytes(data: bytes) -> None:
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is not None:
        buffer.write(data)
        buffer.flush()
    else:
        sys.stdout.write(data.decode("utf-8", "replace"))


def _piped_lines(path: str, data: bytes) -> Any:
    """The report's source lines: those of the piped text, never of a file at PATH on disk."""
    from fmlint.report.lines import SourceLines

    text = data.decode("utf-8", "replace").splitlines()
    # max_bytes=0: a line the text lacks is not read from a file at PATH either.
    known = {(path, number): line for number, line in enumerate(text, 1)}
    return SourceLines(known=known, max_bytes=0)
