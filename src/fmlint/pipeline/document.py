"""A parsed file: its front-matter text and data, and where each field sits in the file."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from typing import Any, Literal, NamedTuple, TypeVar

from fmlint.pipeline.source import Source
from fmlint.pipeline.yamlread import Limits, Span

Part = Literal["value", "key", "mapping"]

T = TypeVar("T")

FIRST_LINE = 2  # the front-matter text starts on the line after the opening fence


class Position(NamedTuple):
    """A 1-based span in the file; ``end_column`` is exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int


class Document:
    """The front-matter of one file, parsed. ``data`` is the root mapping."""

    __slots__ = (
        "_derived",
        "_line_starts",
        "data",
        "empty",
        "issues",
        "limits",
        "path",
        "schema",
        "source",
        "spans",
    )

    def __init__(
        self,
        path: str,
        source: Source,
        data: Any,
        spans: dict[str, Span],
        empty: bool = False,
        limits: Limits = Limits(),
    ) -> None:
        self.path = path
        self.source = source
        self.data = data  # the root mapping, once the file has passed the structural checks
        self.spans = spans
        self.empty = empty  # the block holds no YAML node at all (nothing, or only comments)
        self.limits = limits  # how it was read: a rule reading a fixed copy of the text reads it alike
        self.issues: tuple[Any, ...] = ()  # what the YAML reader said of it (fmlint.pipeline.yamlread.Issue)
        self.schema: Any = None  # the fmlint.schema.store.SchemaSet the file is checked against, once chosen
        self._line_starts: list[int] | None = None
        self._derived: dict[Any, Any] = {}

    @property
    def text(self) -> str:
        return self.source.text

    def remember(self, key: Any, make: Callable[[], T]) -> T:
        """``make()``, computed once per document for ``key``: what several rules read alike (every
        URL of the file, the values its schema gives a format)."""
        derived: dict[Any, Any] = self._derived
        if key in derived:
            return derived[key]  # type: ignore[no-any-return]
        value = derived[key] = make()
        return value

    def position_of_offsets(self, start: int, end: int) -> Position:
        """File position of the front-matter characters ``[start, end)``."""
        starts = self._line_starts
        if starts is None:
            starts = self._line_starts = _line_starts(self.source.text)
        end = max(end, start + 1)
        line = bisect_right(starts, start) - 1
        end_line = bisect_right(starts, end - 1) - 1
        return Position(line + FIRST_LINE, start - starts[line] + 1, end_line + FIRST_LINE, end - starts[end_line] + 1)

    def position_of_span(self, start: int, end: int) -> Position:
        """Like :meth:`position_of_offsets`, with a multi-line span clipped to its first line."""
        return self.position_of_offsets(start, _first_line_end(self.text, start, end))

    def locate(self, pointer: str, part: Part = "value") -> Position:
        """Where the field at ``pointer`` is.

        ``part`` picks the key or the value; ``"mapping"`` is for a field that is
        missing: the position of the mapping that lacks it. A pointer with no span of
        its own (a missing field, or data reached through an alias) falls back to its
        nearest ancestor.
        """
        if part == "mapping":
            return self._mapping_position(pointer)
        span = self.spans.get(pointer)
        while span is None:
            pointer = pointer[: pointer.rfind("/")] if "/" in pointer else ""
            span = self.spans.get(pointer)
            if span is None and pointer == "":
                return self.opening_fence()
        if part == "key" and span.key_end > span.key_start:
            return self.position_of_offsets(span.key_start, span.key_end)
        return self.position_of_span(span.start, span.end)

    def _mapping_position(self, pointer: str) -> Position:
        """A missing field is reported at its mapping: the key that holds it, or the opening fence."""
        while pointer:
            span = self.spans.get(pointer)
            if span is not None:
                if span.key_end > span.key_start:
                    return self.position_of_offsets(span.key_start, span.key_end)
                return self.position_of_span(span.start, span.end)
            pointer = pointer[: pointer.rfind("/")]
        return self.opening_fence()

    def opening_fence(self) -> Position:
        return Position(1, 1, 1, 4)

    def value_offsets(self, pointer: str) -> tuple[int, int] | None:
        """The front-matter offsets of the value at ``pointer``, when it has its own span."""
        span = self.spans.get(pointer)
        return None if span is None else (span.start, span.end)

    def style(self, pointer: str) -> str | None:
        """How the value at ``pointer`` is written: ``""`` plain, ``'`` or ``"`` quoted, …"""
        span = self.spans.get(pointer)
        return None if span is None else span.style


def _line_starts(text: str) -> list[int]:
    starts = [0]
    find = text.find
    index = find("\n")
    while index != -1:
        starts.append(index + 1)
        index = find("\n", index + 1)
    return starts


def _first_line_end(text: str, start: int, end: int) -> int:
    """Clip a multi-line value to its first line, so a span points at where the value starts."""
    newline = text.find("\n", start, end)
    if newline == -1:
        return end
    if newline > start and text[newline - 1] == "\r":
        newline -= 1
    return max(newline, start + 1)
