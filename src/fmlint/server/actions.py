"""Code actions: quick fixes from the fix engine, "fix all", and suppression comments.

Every action is checked before it is offered: a fix must pass the fix engine's
safety checks on the buffer as it is, and a suppression comment must, once
inserted, make the finding go away (a ``#`` inside a multi-line quoted value would
be text, not a comment).
"""

from __future__ import annotations

import re

from lsprotocol import types

from fmlint.diagnostic import Diagnostic
from fmlint.policy.suppress import NOT_SUPPRESSIBLE
from fmlint.server.adapter import checked_edits, fix_text, lint_text
from fmlint.server.convert import TextLines, to_lsp
from fmlint.server.state import Folder
from fmlint.server.yamlpath import front_matter_end

FIX_ALL_KIND = "source.fixAll.fmlint"
_IGNORE_COMMENT = re.compile(r"#[ \t]*fmlint[ \t]*:[ \t]*ignore[ \t]*\[(?P<codes>[^\]]*)\]", re.IGNORECASE)


def code_actions(
    folder: Folder, path: str, uri: str, text: str, lines: TextLines, params: types.CodeActionParams
) -> list[types.CodeAction]:
    wanted = params.context.only
    found: list[types.CodeAction] = []
    if wanted is None or any(kind in (types.CodeActionKind.QuickFix, "quickfix") for kind in wanted):
        for diagnostic in folder.findings(path):
            if _overlaps(lines.range_of(diagnostic), params.range):
                found.extend(_for_finding(folder, path, uri, text, lines, diagnostic))
    if wanted is None or any(FIX_ALL_KIND.startswith(kind) for kind in wanted):
        fix_all = _fix_all(folder, path, uri, text, lines)
        if fix_all is not None:
            found.append(fix_all)
    return found


def _for_finding(
    folder: Folder, path: str, uri: str, text: str, lines: TextLines, diagnostic: Diagnostic
) -> list[types.CodeAction]:
    linter = folder.profile.linter
    lsp = to_lsp(diagnostic, lines)
    found = []
    edits = checked_edits(linter, path, text, diagnostic) if diagnostic.fix is not None else ()
    if edits and diagnostic.fix is not None:
        safe = diagnostic.fixable(unsafe=False)
        found.append(
            types.CodeAction(
                title=f"{diagnostic.fix.description}{'' if safe else ' (unsafe fix)'} ({diagnostic.code})",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[lsp],
                is_preferred=safe,
                edit=_edit(uri, [lines.text_edit(edit) for edit in edits]),
            )
        )
    if diagnostic.code in NOT_SUPPRESSIBLE:
        return found
    for title, edit in (
        (f"Ignore {diagnostic.code} on this line", _ignore_on_line(lines, diagnostic)),
        (f"Disable {diagnostic.code} for this file", _disable_for_file(lines, diagnostic)),
    ):
        if edit is not None and _suppresses(folder, path, text, lines, edit, diagnostic):
            action = types.CodeAction(
                title=title, kind=types.CodeActionKind.QuickFix, diagnostics=[lsp], edit=_edit(uri, [edit])
            )
            found.append(action)
    return found


def _fix_all(folder: Folder, path: str, uri: str, text: str, lines: TextLines) -> types.CodeAction | None:
    new_text, count = fix_text(folder.profile.linter, path, text)
    if not count or new_text == text:
        return None
    return types.CodeAction(
        title="Fix all fmlint problems",
        kind=FIX_ALL_KIND,
        edit=_edit(uri, [_replacement(text, new_text, lines)]),
    )


def _replacement(old: str, new: str, lines: TextLines) -> types.TextEdit:
    """One edit turning ``old`` into ``new``: the part between their common start and end."""
    start = 0
    limit = min(len(old), len(new))
    while start < limit and old[start] == new[start]:
        start += 1
    end = 0
    while end < limit - start and old[-1 - end] == new[-1 - end]:
        end += 1
    return types.TextEdit(
        range=types.Range(start=_position(lines, old, start), end=_position(lines, old, len(old) - end)),
        new_text=new[start : len(new) - end],
    )


def _position(lines: TextLines, text: str, offset: int) -> types.Position:
    line = text.count("\n", 0, offset)
    column = offset - (text.rfind("\n", 0, offset) + 1)
    return lines.position(line + 1, column + 1)


def _ignore_on_line(lines: TextLines, diagnostic: Diagnostic) -> types.TextEdit | None:
    """Add ``CODE`` to the line's ``# fmlint: ignore[...]`` comment, or append one."""
    end = front_matter_end(lines.lines)
    row = diagnostic.line - 1
    if end is None or not 0 < row < end:
        return None  # the fences are not front-matter: a comment there is not read
    text = lines.line(row)
    existing = _IGNORE_COMMENT.search(text)
    if existing is not None:
        codes = existing["codes"].rstrip()
        at = existing.start("codes") + len(codes)
        where = lines.position(row + 1, at + 1)
        return types.TextEdit(range=types.Range(start=where, end=where), new_text=f", {diagnostic.code}")
    where = lines.position(row + 1, len(text) + 1)
    return types.TextEdit(range=types.Range(start=where, end=where), new_text=f"  # fmlint: ignore[{diagnostic.code}]")


def _disable_for_file(lines: TextLines, diagnostic: Diagnostic) -> types.TextEdit | None:
    """A ``# fmlint: disable-file[CODE]`` line at the top of the front-matter."""
    if front_matter_end(lines.lines) is None:
        return None
    newline = "\r\n" if lines.lines[0].endswith("\r") else "\n"
    where = types.Position(line=1, character=0)
    return types.TextEdit(
        range=types.Range(start=where, end=where), new_text=f"# fmlint: disable-file[{diagnostic.code}]{newline}"
    )


def _suppresses(
    folder: Folder, path: str, text: str, lines: TextLines, edit: types.TextEdit, diagnostic: Diagnostic
) -> bool:
    """Whether the text after ``edit`` no longer has the finding and has no new complaint about comments."""
    start, end = lines.offset(edit.range.start), lines.offset(edit.range.end)
    new_text = text[:start] + edit.new_text + text[end:]
    before = lint_text(folder.profile.linter, path, text).diagnostics
    after = lint_text(folder.profile.linter, path, new_text).diagnostics
    # A new line at the top moves every finding below the opening fence one line down.
    shifted = 1 if edit.new_text.endswith("\n") and diagnostic.line > 1 else 0
    gone = not any(
        d.code == diagnostic.code and d.message == diagnostic.message and d.line == diagnostic.line + shifted
        for d in after
    )
    complaints = sum(d.code in NOT_SUPPRESSIBLE for d in after) - sum(d.code in NOT_SUPPRESSIBLE for d in before)
    return gone and complaints <= 0


def _overlaps(a: types.Range, b: types.Range) -> bool:
    def key(p: types.Position) -> tuple[int, int]:
        return (p.line, p.character)

    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)


def _edit(uri: str, edits: list[types.TextEdit]) -> types.WorkspaceEdit:
    return types.WorkspaceEdit(changes={uri: edits})
