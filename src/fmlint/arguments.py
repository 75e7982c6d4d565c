"""The command line's grammar: argparse's parser for every command.

:func:`fmlint.cli.main` reads ``fmlint check PATH...`` without options (how
pre-commit runs it) without this module: importing argparse and building the
parser would cost as much as linting the file.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from fmlint import __version__


def _codes(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _jobs(value: str) -> int:
    if value == "auto":
        return 0
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"must be a positive number or `auto`, not {value!r}")
    return int(value)


COMMANDS = ("check", "rules", "rule", "schema")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line; ``only`` builds the parser of that one command and leaves the
    others out (``fmlint check`` on one file would spend a tenth of its time on them)."""
    parser = argparse.ArgumentParser(
        prog="fmlint",
        description="Validate and lint the YAML front-matter of article files.",
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"fmlint {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    if only in (None, "check"):
        summary = "lint files and directories (default: the current directory)"
        _add_check_arguments(commands.add_parser("check", help=summary, formatter_class=_Formatter))
    if only in (None, "rules"):
        commands.add_parser("rules", help="list every rule", formatter_class=_Formatter)
    if only in (None, "rule"):
        rule = commands.add_parser("rule", help="show the documentation of a rule", formatter_class=_Formatter)
        rule.add_argument("code", metavar="CODE", help="a rule code (FM201) or name (missing-field)")
    if only in (None, "schema"):
        schema = commands.add_parser("schema", help="print a built-in schema", formatter_class=_Formatter)
        schema.add_argument("name", choices=["article", "related-link", "diagnostics"])
    return parser


class _Formatter(argparse.HelpFormatter):
    """argparse's help formatter, given the terminal's width. Left to itself it imports
    shutil (with bz2 and lzma) to ask, for every argument added."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, width=_terminal_width() - 2)


def _terminal_width() -> int:
    """What ``shutil.get_terminal_size().columns`` says: ``$COLUMNS``, else the terminal's, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        stdout = sys.__stdout__
        try:
            columns = os.get_terminal_size(stdout.fileno()).columns if stdout is not None else 0
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def _add_check_arguments(check: argparse.ArgumentParser) -> None:
    from fmlint.report import FORMATS

    check.add_argument("paths", nargs="*", metavar="PATH", help="files or directories to lint")
    check.add_argument(
        "--select",
        type=_codes,
        action="extend",
        metavar="CODES",
        help="only these rule codes or prefixes (comma-separated)",
    )
    check.add_argument(
        "--extend-select",
        type=_codes,
        action="extend",
        default=[],
        metavar="CODES",
        help="add these rules to the selection",
    )
    check.add_argument(
        "--ignore",
        type=_codes,
        action="extend",
        default=[],
        metavar="CODES",
        help="leave out these rule codes or prefixes",
    )
    check.add_argument(
        "--per-file-ignores",
        action="append",
        metavar="GLOB:CODES",
        help="leave out these rules for files matching GLOB (repeatable; replaces the configured table)",
    )
    check.add_argument(
        "--extend-per-file-ignores",
        action="append",
        default=[],
        metavar="GLOB:CODES",
        help="like --per-file-ignores, added to the configured table",
    )
    check.add_argument("--output-format", metavar="FORMAT", help=f"one of: {', '.join(FORMATS)} (default: text)")
    check.add_argument(
        "--schema", metavar="PATH", help="validate against this JSON Schema instead of the built-in article schema"
    )
    check.add_argument(
        "--config", metavar="PATH", help="read settings from this file instead of the nearest pyproject.toml"
    )
    check.add_argument("--isolated", action="store_true", help="ignore configuration files")
    check.add_argument("--strict", action="store_true", default=None, help="warnings fail the run too")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when problems are found")
    check.add_argument("--quiet", "-q", action="store_true", help="print diagnostics only, no summary")
    check.add_argument(
        "--statistics", action="store_true", help="print the number of findings of each rule instead of the findings"
    )
    check.add_argument(
        "--now",
        metavar="DATETIME",
        help="the current time for date rules, RFC 3339 (default: $FMLINT_NOW or the clock)",
    )
    check.add_argument("--show-traceback", action="store_true", help="print the traceback of internal errors")
    check.add_argument("--fix", action="store_true", help="apply safe fixes to the files, then report what remains")
    check.add_argument(
        "--unsafe-fixes",
        action="store_true",
        help="with --fix, apply unsafe fixes too; without it, count them as fixable",
    )
    check.add_argument(
        "--diff", action="store_true", help="print what --fix would change as a unified diff, and change nothing"
    )
    check.add_argument(
        "--no-cache", action="store_true", help="lint every file, without reading or writing the result cache"
    )
    check.add_argument(
        "--links",
        action="store_true",
        help="check that the URLs answer (the FM8 rules; the same as --extend-select FM8); uses the network",
    )
    check.add_argument(
        "--offline", action="store_true", help="with --links, send no request: judge links from the link cache only"
    )
    check.add_argument(
        "--jobs",
        "-j",
        type=_jobs,
        metavar="N",
        help="processes to lint with (default: auto, one per core when there are enough files)",
    )


def parse(argv: Sequence[str]) -> argparse.Namespace:
    """The arguments of ``argv``; exits (``SystemExit``) on ``--help``, ``--version`` and usage errors."""
    # Options before the command (``fmlint --help check``) are the main parser's: build all.
    return build_parser(argv[0] if argv and argv[0] in COMMANDS else None).parse_args(argv)
