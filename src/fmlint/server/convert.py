"""Translate between fmlint's positions and findings and the protocol's.

fmlint counts 1-based lines and columns in characters (code points); the protocol
counts 0-based lines and, by default, UTF-16 code units (UTF-8 bytes or code points
when the client and server agree on it at start-up). A ``TextLines`` view of the
buffer does that arithmetic, one line at a time.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable

from lsprotocol import types

from fmlint.diagnostic import Diagnostic, Edit, Severity
from fmlint.pipeline.document import FIRST_LINE

SOURCE = "fmlint"

_SEVERITY = {Severity.ERROR: types.DiagnosticSeverity.Error, Severity.WARNING: types.DiagnosticSeverity.Warning}
# How a cross-file message names another file: ``other.md (line 4, `webUrl`)``.
_OTHER_FILE = re.compile(r"(?:URL of |, | and )([^`]+?) \(line (\d+), `([^`]*)`\)")


def _units(encoding: str) -> Callable[[str], int]:
    if encoding == types.PositionEncodingKind.Utf8:
        return lambda text: len(text.encode("utf-8", "surrogatepass"))
    if encoding == types.PositionEncodingKind.Utf32:
        return len
    return lambda text: len(text.encode("utf-16-le", "surrogatepass")) // 2


class TextLines:
    """A buffer's lines, to turn character columns into the protocol's units and back."""

    def __init__(self, text: str, encoding: str = types.PositionEncodingKind.Utf16) -> None:
        self.lines = text.split("\n")
        self.units = _units(encoding)

    def line(self, index: int) -> str:
        """Line ``index`` (0-based) without its line break; empty past the end."""
        if 0 <= index < len(self.lines):
            return self.lines[index].removesuffix("\r")
        return ""

    def position(self, line: int, column: int) -> types.Position:
        """The protocol position of fmlint's 1-based ``line`` and character ``column``."""
        text = self.line(line - 1)
        prefix = text[: max(column - 1, 0)]
        return types.Position(line=max(line - 1, 0), character=len(prefix) if prefix.isascii() else self.units(prefix))

    def column(self, position: types.Position) -> int:
        """The 0-based character index in its line of a protocol ``position``."""
        text = self.line(position.line)
        if text.isascii():
            return min(position.character, len(text))
        count = 0
        for index, char in enumerate(text):
            if count >= position.character:
                return index
            count += self.units(char)
        return len(text)

    def offset(self, position: types.Position) -> int:
        """The character offset in the whole buffer of a protocol ``position``."""
        start = sum(len(line) + 1 for line in self.lines[: position.line])
        return start + self.column(position)

    def range_of(self, diagnostic: Diagnostic) -> types.Range:
        return types.Range(
            start=self.position(diagnostic.line, diagnostic.column),
            end=self.position(diagnostic.end_line, diagnostic.end_column),
        )

    def front_matter_position(self, offset: int) -> types.Position:
        """The protocol position of a character offset in the front-matter text (which starts on line 2)."""
        line = FIRST_LINE - 1
        while line < len(self.lines) and offset > len(self.lines[line]):
            offset -= len(self.lines[line]) + 1
            line += 1
        return self.position(line + 1, offset + 1)

    def text_edit(self, edit: Edit) -> types.TextEdit:
        """A fix's edit (offsets in the front-matter text) as a protocol edit of the buffer."""
        return types.TextEdit(
            range=types.Range(start=self.front_matter_position(edit.start), end=self.front_matter_position(edit.end)),
            new_text=edit.text,
        )


def to_lsp(
    diagnostic: Diagnostic, lines: TextLines, uri_of: Callable[[str], str] | None = None, cross_file: bool = False
) -> types.Diagnostic:
    """One finding as the protocol's diagnostic; cross-file findings name the other files they mention."""
    data: dict[str, object] = {"rule": diagnostic.rule, "pointer": diagnostic.pointer}
    if diagnostic.fix is not None:
        data["fix"] = diagnostic.fix.description
    related = _related(diagnostic, uri_of) if cross_file and uri_of is not None else None
    return types.Diagnostic(
        range=lines.range_of(diagnostic),
        message=diagnostic.message,
        severity=_SEVERITY.get(diagnostic.severity, types.DiagnosticSeverity.Warning),
        code=diagnostic.code,
        source=SOURCE,
        data=data,
        related_information=related or None,
    )


def _related(diagnostic: Diagnostic, uri_of: Callable[[str], str]) -> list[types.DiagnosticRelatedInformation]:
    folder = os.path.dirname(diagnostic.path)
    related = []
    for name, line, pointer in _OTHER_FILE.findall(diagnostic.message):
        other = os.path.normpath(os.path.join(folder, name))
        where = types.Location(
            uri=uri_of(other),
            range=types.Range(
                start=types.Position(line=int(line) - 1, character=0),
                end=types.Position(line=int(line), character=0),
            ),
        )
        related.append(types.DiagnosticRelatedInformation(location=where, message=f"also here: `{pointer}`"))
    return related
