"""Translate between fmlint's positions and findings and the protocol's.

fmlint counts 1-based lines and columns in characters (code points); the protocol
counts 0-based lines and, by default, UTF-16 code units (UTF-8 bytes or code points
when the client and server agree on it at start-up). A ``TextLines`` view of the
buffer does that arithmetic, one line at a time.
"""

from __future__ import annotations

from collections.abc import Callable

from lsprotocol import types

from fmlint.diagnostic import Diagnostic, Edit, Related, Severity
from fmlint.pipeline.document import FIRST_LINE
from fmlint.pipeline.yamlcore import Limits

SOURCE = "fmlint"

# As much of a file as the linter reads by default: the front-matter and room for its fences.
HEAD_BYTES = Limits().max_front_matter_bytes + 4096

_SEVERITY = {Severity.ERROR: types.DiagnosticSeverity.Error, Severity.WARNING: types.DiagnosticSeverity.Warning}


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
    diagnostic: Diagnostic, lines: TextLines, locate: Callable[[Related], types.Location] | None = None
) -> types.Diagnostic:
    """One finding as the protocol's diagnostic; with ``locate``, the other places it concerns (the
    other file of a duplicate) as related information."""
    data: dict[str, object] = {"rule": diagnostic.rule, "pointer": diagnostic.pointer}
    if diagnostic.fix is not None:
        data["fix"] = diagnostic.fix.description
    related = None
    if locate is not None and diagnostic.related:
        related = [
            types.DiagnosticRelatedInformation(location=locate(place), message=place.message)
            for place in diagnostic.related
        ]
    return types.Diagnostic(
        range=lines.range_of(diagnostic),
        message=diagnostic.message,
        severity=_SEVERITY.get(diagnostic.severity, types.DiagnosticSeverity.Warning),
        code=diagnostic.code,
        source=SOURCE,
        data=data,
        related_information=related,
    )


class Places:
    """Related places as the protocol's locations: the other file's URI, and its range counted in
    the negotiated units over that file's text (its open buffer, else the file's first bytes)."""

    def __init__(self, uri_of: Callable[[str], str], buffer_of: Callable[[str], str | None], encoding: str) -> None:
        self.uri_of = uri_of
        self.buffer_of = buffer_of
        self.encoding = encoding

    def location(self, place: Related) -> types.Location:
        text = self.buffer_of(place.path)
        lines = TextLines(_head(place.path) if text is None else text, self.encoding)
        start, end = lines.position(place.line, place.column), lines.position(place.end_line, place.end_column)
        return types.Location(uri=self.uri_of(place.path), range=types.Range(start=start, end=end))


def _head(path: str) -> str:
    """The start of a file on disk, as far as front-matter goes; empty when it cannot be read
    (then columns count characters, which is exact for a line of ASCII)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(HEAD_BYTES)
    except OSError:
        return ""
    return data.decode("utf-8", "replace")
