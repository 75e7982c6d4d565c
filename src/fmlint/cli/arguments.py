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
from typing import NoReturn

from fmlint import __version__


def _codes(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _jobs(value: str) -> int:
    from fmlint.config import max_jobs

    if value == "auto":
        return 0
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"must be a positive number or `auto`, not {value!r}")
    if int(value) > max_jobs():
        raise argparse.ArgumentTypeError(f"must be at most {max_jobs()} (4 per core on this machine), not {value}")
    return int(value)


def _globs(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


COMMANDS = ("check", "rules", "rule", "schema", "server")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line; ``only`` builds the parser of that one command and leaves the
    others out (``fmlint check`` on one file would spend a tenth of its time on them)."""
    parser = _Parser(
        prog="fmlint",
        description="Validate and lint the YAML front-matter of article files.",
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", "-V", action="version", version=f"fmlint {__version__}")
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
        schema = commands.add_parser(
            "schema",
            help="print a built-in schema, or infer one from files (`fmlint schema infer PATH...`)",
            formatter_class=_Formatter,
        )
        names = schema.add_subparsers(dest="name", metavar="NAME", required=True)
        for name in ("article", "article-fields", "related-link", "diagnostics"):
            names.add_parser(name, help=f"print the built-in {name} schema", formatter_class=_Formatter)
        infer = names.add_parser(
            "infer", help="write a schema that the files' front-matter fits", formatter_class=_Formatter
        )
        infer.add_argument("paths", nargs="*", metavar="PATH", help="files and directories to learn from")
        infer.add_argument("--config", metavar="PATH", help="the configuration that chooses the files")
        infer.add_argument("--isolated", action="store_true", help="ignore configuration files")
    if only in (None, "server"):
        summary = "run the language server on stdin and stdout, for editors"
        commands.add_parser("server", help=summary, formatter_class=_Formatter)
    return parser


class _Parser(argparse.ArgumentParser):
    """argparse's parser (its subparsers are of the same class), whose usage errors are
    one printable line: they quote arguments, and a file name a script passes on can
    hold a newline and a CI workflow command."""

    def error(self, message: str) -> NoReturn:
        from fmlint.escape import printable

        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {printable(message)}\n")


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
    _add_file_arguments(check)
    check.add_argument("--output-format", metavar="FORMAT", help=f"one of: {', '.join(FORMATS)} (default: text)")
    check.add_argument(
        "--schema",
        metavar="SCHEMA",
        help="validate every file against this JSON Schema (a path, an http(s) address or a built-in name), "
        "whatever `schema`, [tool.fmlint.schemas] or a file's $schema say",
    )
    check.add_argument(
        "--config", metavar="PATH", help="read settings from this file instead of the nearest pyproject.toml"
    )
    check.add_argument("--isolated", action="store_true", help="ignore configuration files")
    check.add_argument("--strict", action="store_true", default=None, help="warnings fail the run too")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when problems are found")
    check.add_argument("--quiet", "-q", action="store_true", help="print diagnostics only, no summary")
    check.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        help="say on stderr which configuration, schema and cache the run used, and how many files the cache answered",
    )
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
        "--diff",
        action="store_true",
        help="print what --fix would change as a git-style diff (git apply, patch -p1), and change nothing",
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
        "--offline",
        action="store_true",
        help="send no request: judge links (--links) from the link cache, read remote schemas from the schema cache",
    )
    check.add_argument(
        "--jobs",
        "-j",
        type=_jobs,
        metavar="N",
        help="processes to lint with (default: auto, one per core when there are enough files)",
    )
    check.add_argument(
        "--stdin-filename",
        metavar="PATH",
        help="with the path `-`: lint standard input as the file PATH (its settings, its name in the report)",
    )


def _add_file_arguments(check: argparse.ArgumentParser) -> None:
    """Which files a walk lints, and what ``fmlint check`` prints instead of linting them."""
    check.add_argument(
        "--include",
        type=_globs,
        action="extend",
        metavar="GLOBS",
        help="lint the walked files matching these globs (comma-separated; replaces `include`)",
    )
    check.add_argument(
        "--extend-include",
        type=_globs,
        action="extend",
        default=[],
        metavar="GLOBS",
        help="lint the walked files matching these globs too",
    )
    check.add_argument(
        "--show-settings",
        action="store_true",
        help="print the configuration file used and the resolved settings, then exit",
    )
    check.add_argument(
        "--show-files", action="store_true", help="print the files that would be linted, one per line, then exit"
    )


def parse(argv: Sequence[str]) -> argparse.Namespace:
    """The arguments of ``argv``; exits (``SystemExit``) on ``--help``, ``--version`` and usage errors."""
    # Options before the command (``fmlint --help check``) are the main parser's: build all.
    command = argv[0] if argv and argv[0] in COMMANDS else None
    parser = build_parser(command)
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        # argparse leaves what a command does not know to the main parser, whose usage says
        # nothing about the command's options: let the command report it, with its usage.
        wrong = f"unrecognized arguments: {' '.join(unknown)}"
        (parser if command is None else _command_parser(parser, command)).error(wrong)
    return args


def _command_parser(parser: argparse.ArgumentParser, command: str) -> argparse.ArgumentParser:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) and command in action.choices:
            found: argparse.ArgumentParser = action.choices[command]
            return found
    return parser
