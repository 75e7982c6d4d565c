"""The one place the editor server (and ``--stdin-filename``) meets the checking pipeline.

Everything here works on text held in memory, never on the file on disk: an editor's
buffer is newer than the file. Each function wraps one piece of today's pipeline
(the linter, the cross-file pass, the fix engine), so a change to that pipeline is a
change to this module alone.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fmlint.diagnostic import Diagnostic, Edit
from fmlint.pipeline.check import FileResult, Linter, Settings
from fmlint.pipeline.source import Source, split_front_matter


class ConfigProblem(Exception):
    """The settings for a folder cannot be used; the message says why, as ``fmlint check`` would."""


@dataclass(frozen=True)
class Profile:
    """How files under one folder are linted: the linter and the include/exclude filter."""

    linter: Linter
    filters: Any  # fmlint.pipeline.discover.FileFilter
    config_path: str | None  # the pyproject.toml the settings came from, if any

    def wants(self, path: str) -> bool:
        """Whether ``fmlint check`` on the folder would lint ``path`` (include/exclude, hidden folders)."""
        filters = self.filters
        root = os.path.abspath(filters.root)
        name = os.path.basename(path)
        if not filters.included(name, path) or filters.excluded(name, path):
            return False
        relative = os.path.relpath(os.path.abspath(path), root)
        if relative.startswith(".."):
            return True  # outside the folder: an explicitly named file is always linted
        parts = relative.replace(os.sep, "/").split("/")
        # The walk skips hidden entries and the folders the exclude list names.
        return not any(part.startswith(".") for part in parts[:-1]) and not any(
            filters.excluded(part, os.path.join(root, *parts[: index + 1])) for index, part in enumerate(parts[:-1])
        )


def load_profile(folder: str, *, isolated: bool = False) -> Profile:
    """The settings ``fmlint check`` run in ``folder`` would use: ``[tool.fmlint]`` of the nearest
    ``pyproject.toml``, else (or when ``isolated``) the defaults. Precedence stays in ``build_run``."""
    from fmlint.cli import plain_check
    from fmlint.config import find_config
    from fmlint.precedence import UsageError, build_run

    args = plain_check(["check"])
    assert args is not None
    found = None if isolated else find_config(folder)
    args.config = found
    args.isolated = found is None
    args.no_cache = True
    try:
        run = build_run(args)
    except UsageError as exc:
        raise ConfigProblem(str(exc)) from None
    filters = run.filters if found is not None else run.filters._replace(root=os.path.abspath(folder))
    return Profile(Linter(run.settings), filters, found)


def refresh_clock(settings: Settings) -> None:
    """A server runs for days: date rules compare with the time of each check, unless
    ``FMLINT_NOW`` pins it (as it does for ``fmlint check``)."""
    if not os.environ.get("FMLINT_NOW"):
        settings.now = datetime.now().astimezone()


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _source(linter: Linter, path: str, data: bytes) -> Any:
    """The front-matter of a file whose bytes are ``data``, read as a file on disk is read."""
    max_bytes = linter.settings.limits.max_front_matter_bytes
    cap = max_bytes + 4096  # as much as the file reader reads: room for the fences around the block
    return split_front_matter(path, data[:cap], len(data) <= cap, max_bytes)


def lint_data(linter: Linter, path: str, data: bytes) -> FileResult:
    """The findings of one file whose bytes are ``data``, and its facts for the cross-file pass."""
    try:
        source = _source(linter, path, data)
    except Exception as exc:  # a bug in reading one buffer must not end the server
        return FileResult(path, (linter._internal_error("fmlint while reading this file", path, exc),))
    return linter.lint_source(path, source)


def lint_text(linter: Linter, path: str, text: str) -> FileResult:
    """:func:`lint_data` for an editor's buffer."""
    return lint_data(linter, path, _encode(text))


def cross_file(linter: Linter, results: Iterable[FileResult]) -> list[Diagnostic]:
    """The cross-file findings (duplicates, outliers, …) over every file's result."""
    return linter.finish(list(results))


@dataclass(frozen=True)
class Fixed:
    """What fixing a file's bytes did: the new bytes (the same when nothing was fixed), how many
    fixes were applied, what remains to report, and notes on fixes not applied."""

    data: bytes
    fixed: int
    result: FileResult
    notes: tuple[str, ...] = ()


def fix_data(linter: Linter, path: str, data: bytes, *, unsafe: bool = False) -> Fixed:
    """``--fix`` on a file's bytes: every fix that passes the fix engine's checks, pass after pass."""
    from fmlint.fix.atomic import Refused
    from fmlint.fix.engine import Fixer

    source = _source(linter, path, data)
    result = linter.lint_source(path, source)
    if not isinstance(source, Source) or not any(d.fixable(unsafe) for d in result.diagnostics):
        return Fixed(data, 0, result)
    fixer = Fixer(linter, unsafe=unsafe, write=False)
    try:
        fixed, new_result, head, notes = fixer._fix(path, source, result)
    except Refused as exc:
        return Fixed(data, 0, result, (f"not fixed: {exc}",))
    return Fixed(head + data[len(source.head) :], fixed, new_result, notes)


def fix_text(linter: Linter, path: str, text: str) -> tuple[str, int]:
    """:func:`fix_data` (safe fixes) for an editor's buffer: the new text and how many fixes."""
    fixed = fix_data(linter, path, _encode(text))
    return fixed.data.decode("utf-8", "surrogatepass"), fixed.fixed


def checked_fix(linter: Linter, path: str, text: str, diagnostic: Diagnostic, *, unsafe: bool = True) -> Sequence[Edit]:
    """The edits of ``diagnostic``'s fix, as offsets in the front-matter text, when the fix engine's
    safety checks accept it alone on ``text``; empty when they refuse it."""
    from fmlint.fix.atomic import Refused
    from fmlint.fix.engine import _frame, _parse, _parse_problem

    if diagnostic.fix is None or not diagnostic.fixable(unsafe):
        return ()
    source = _source(linter, path, _encode(text))
    if not isinstance(source, Source):
        return ()
    from fmlint.fix.engine import Fixer, _with_newlines

    fixer = Fixer(linter, unsafe=unsafe, write=False)
    result = linter.lint_source(path, source)
    current = [d for d in result.diagnostics if d == diagnostic]
    if not current:
        return ()  # the text changed since the finding was made
    try:
        prefix, suffix = _frame(source)
    except Refused:
        return ()
    if _parse_problem(_parse(source.text, linter)) is not None:
        return ()  # the fix engine leaves YAML with errors alone
    attempt = fixer._attempt(path, prefix, suffix, source.text, result, current)
    return () if isinstance(attempt, str) else [_with_newlines(edit, source.text) for edit in diagnostic.fix.edits]


def schema_documents(linter: Linter) -> tuple[str, dict[str, Any]]:
    """The root schema's URI and every schema document by URI, as loaded for ``linter``."""
    schemas = linter.settings.schemas
    return schemas.root, schemas.resources
