"""Fixes on text held in memory (an editor's buffer, standard input), never on a file on disk.

The same fix engine as ``--fix`` on files, with the same safety checks; what it would
write is returned instead of written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fmlint.diagnostic import Diagnostic, Edit
from fmlint.fix.atomic import Refused
from fmlint.fix.engine import Fixer, frame, with_newlines, yaml_problem
from fmlint.pipeline.lint import Linter
from fmlint.pipeline.result import FileResult
from fmlint.pipeline.source import Source


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
    source = linter.split(path, data)
    result = linter.lint_source(path, source)
    if not isinstance(source, Source) or not any(d.fixable(unsafe) for d in result.diagnostics):
        return Fixed(data, 0, result)
    try:
        fixed, new_result, head, notes = Fixer(linter, unsafe=unsafe, write=False).fix_source(path, source, result)
    except Refused as exc:
        return Fixed(data, 0, result, (f"not fixed: {exc}",))
    return Fixed(head + data[len(source.head) :], fixed, new_result, notes)


def checked_fix(
    linter: Linter, path: str, data: bytes, diagnostic: Diagnostic, *, unsafe: bool = True
) -> Sequence[Edit]:
    """The edits of ``diagnostic``'s fix, as offsets in the front-matter text, when the fix engine's
    safety checks accept it alone on ``data``; empty when they refuse it (or the text changed)."""
    if diagnostic.fix is None or not diagnostic.fixable(unsafe):
        return ()
    source = linter.split(path, data)
    if not isinstance(source, Source):
        return ()
    result = linter.lint_source(path, source)
    current = [d for d in result.diagnostics if d == diagnostic]
    if not current:
        return ()  # the text changed since the finding was made
    try:
        prefix, suffix = frame(source)
    except Refused:
        return ()
    if yaml_problem(source.text, linter) is not None:
        return ()  # the fix engine leaves YAML with errors alone
    attempt = Fixer(linter, unsafe=unsafe, write=False).attempt(path, prefix, suffix, source.text, result, current)
    return () if isinstance(attempt, str) else [with_newlines(edit, source.text) for edit in diagnostic.fix.edits]


def summary(count: int, files: int) -> str:
    """What ``--diff`` says it would fix."""
    if not count:
        return "No fixes to apply."
    noun = "problem" if count == 1 else "problems"
    return f"Would fix {count} {noun} in {files} {'file' if files == 1 else 'files'}."
