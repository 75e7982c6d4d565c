"""A fast reader for the plain YAML most front-matter is written in.

Real front-matter uses a small part of YAML: block mappings and lists, one-line
plain, single- and double-quoted scalars, one-line flow lists and mappings, and
comments. This module reads exactly that, in pure Python, without importing PyYAML
(whose import alone costs more than linting a file), and produces the same data,
spans and issues as :func:`fmlint.pipeline.yamlread.read_yaml`. On anything else (block
scalars, multi-line scalars, anchors, tags, tabs, complex keys, syntax errors…) it
returns ``None`` and the caller uses the full reader. The test suite runs both
readers on real and generated documents and requires identical results.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from fmlint.pipeline.yamlcore import (
    Issue,
    Limits,
    ParsedYaml,
    Span,
    escape_pointer,
    read_plain,
    repeated_key,
    unescape,
)
from fmlint.pipeline.yamlread import read_yaml

# Characters only the full reader handles: tabs, control and non-printable characters,
# and the line breaks YAML knows besides LF and CR LF.
_UNUSUAL = re.compile("[\t\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
# A line starting with `---` or `...` may be a document marker (`... x: y` is not a key).
_MARKER_LINE = re.compile(r"^(?:---|\.\.\.)", re.MULTILINE)
_LONE_CR = re.compile("\r(?!\n)")  # apart: with it in the same pattern, the search is twice as slow
# A plain scalar may not start with an indicator (``-``, ``?`` and ``:`` only when a space follows).
_PLAIN_START_BAD = frozenset(",[]{}#&*!|>'\"%@`")
_MAX_LINES = 5000
_MAX_DEPTH = 16
# YAML allows an implicit key of at most 1024 characters up to its `:`; a longer one
# is a syntax error, which the full reader reports.
_MAX_KEY_LENGTH = 1024


class _Unsupported(Exception):
    """The text is not in the subset this reader handles: use the full reader."""


class _Line:
    __slots__ = ("end", "indent", "start", "text")

    def __init__(self, indent: int, start: int, text: str, end: int) -> None:
        self.indent = indent  # column of the first character
        self.start = start  # offset of the first character
        self.text = text  # from the first character to the end of the line, without CR
        self.end = end  # offset of the end of the line (before CR LF)


@lru_cache(maxsize=1024)  # the same few dozen keys come back in every file
def _key(text: str, max_length: int) -> tuple[str, str]:
    """The key a plain key text reads as, and its JSON pointer token."""
    if not text or text[0] in _PLAIN_START_BAD or text[0] in "-?:" or text != text.rstrip(" "):
        raise _Unsupported
    # A key the full reader reports anything about (not text, too long a number) is left to it.
    key, kind, _ = read_plain(text, max_length)
    if not isinstance(key, str) or key == "<<" or kind is not None:
        raise _Unsupported
    return key, escape_pointer(key)


def _lines(text: str) -> list[_Line]:
    """The lines holding content (not blank, not comments), with their positions."""
    lines = []
    offset = 0
    for raw in text.split("\n"):
        stripped = raw.lstrip(" ")
        if stripped and stripped[0] != "#" and stripped != "\r":
            indent = len(raw) - len(stripped)
            end = offset + len(raw) - (1 if raw.endswith("\r") else 0)
            lines.append(_Line(indent, offset + indent, text[offset + indent : end], end))
        offset += len(raw) + 1
    return lines


class _Reader:
    def __init__(self, text: str, limits: Limits) -> None:
        self.text = text
        self.limits = limits
        self.lines = _lines(text)
        self.spans: dict[str, Span] = {}
        self.issues: list[Issue] = []

    def next_start(self, index: int) -> int:
        """Where the token that ends a block collection starts: the next line, or the end."""
        return self.lines[index].start if index < len(self.lines) else len(self.text)

    # --- block collections ---------------------------------------------------

    def check_depth(self, depth: int) -> None:
        """Deep nesting, and nesting near the configured limit, is left to the full reader."""
        if depth >= min(_MAX_DEPTH, self.limits.max_depth - 1):
            raise _Unsupported

    def mapping(self, index: int, indent: int, pointer: str, depth: int) -> tuple[dict[str, Any], int]:
        self.check_depth(depth)
        value: dict[str, Any] = {}
        seen: dict[str, int] = {}
        lines = self.lines
        while index < len(lines):
            line = lines[index]
            if line.indent < indent:
                break
            if line.indent > indent or _is_item(line.text):
                raise _Unsupported
            index = self.entry(index, line, indent, pointer, value, seen, depth)
        return value, index

    def entry(
        self,
        index: int,
        line: _Line,
        indent: int,
        pointer: str,
        value: dict[str, Any],
        seen: dict[str, int],
        depth: int,
    ) -> int:
        """Read one ``key: value`` line (and the block under it); return the next line's index."""
        text = line.text
        colon = _key_end(text)
        if colon > _MAX_KEY_LENGTH:
            raise _Unsupported
        key_text = text[:colon]
        key, token = _key(key_text, self.limits.max_number_length)
        key_start = line.start
        key_end = key_start + colon
        child = f"{pointer}/{token}"
        rest_at = colon + 1
        rest = text[rest_at:].lstrip(" ")
        if rest and rest[0] != "#":
            item, start, end, style = self.inline(rest, line.start + len(text) - len(rest), child, depth)
            index += 1
        else:
            item, start, end, style, index = self.block_value(
                index + 1, indent, child, line.start + rest_at, depth, True
            )
        repeated = repeated_key(seen, key, key_start, self.text)
        if repeated is not None:
            self.issues.append(Issue("duplicate-key", repeated, child, key_start, key_end))
        value[key] = item
        self.spans[child] = Span(key_start, key_end, start, end, style)
        return index

    def block_value(
        self, index: int, indent: int, pointer: str, empty_at: int, depth: int, indentless: bool
    ) -> tuple[Any, int, int, str, int]:
        """The value of a key (or list item) with nothing after it on its line.

        ``indentless`` allows a list at the key's own indentation, as YAML does for
        mapping values (``topics:`` then ``- AI`` on the next line, not indented).
        """
        lines = self.lines
        if index < len(lines):
            line = lines[index]
            nested = line.indent > indent
            if nested or (indentless and line.indent == indent and _is_item(line.text)):
                start = line.start
                if _is_item(line.text):
                    items, index = self.sequence(index, line.indent, pointer, depth + 1)
                    return items, start, self.next_start(index), "-", index
                mapping, index = self.mapping(index, line.indent, pointer, depth + 1)
                return mapping, start, self.next_start(index), ":", index
        return None, empty_at, empty_at, "", index

    def sequence(self, index: int, indent: int, pointer: str, depth: int) -> tuple[list[Any], int]:
        self.check_depth(depth)
        items: list[Any] = []
        lines = self.lines
        while index < len(lines):
            line = lines[index]
            if line.indent < indent or (line.indent == indent and not _is_item(line.text)):
                break
            if line.indent > indent:
                raise _Unsupported
            child = f"{pointer}/{len(items)}"
            rest = line.text[1:].lstrip(" ")
            column = line.indent + len(line.text) - len(rest)
            if not rest or rest[0] == "#":
                item, start, end, style, index = self.block_value(
                    index + 1, indent, child, line.start + 1, depth, False
                )
            elif _is_item(rest):
                raise _Unsupported  # a list starting on the line of an item
            elif _is_entry(rest):
                # A mapping that starts on the item's line: its keys line up with `rest`.
                lines[index] = _Line(column, line.start + column - line.indent, rest, line.end)
                start = lines[index].start
                item, index = self.mapping(index, column, child, depth + 1)
                end, style = self.next_start(index), ":"
            else:
                item, start, end, style = self.inline(rest, line.start + column - line.indent, child, depth)
                index += 1
            items.append(item)
            self.spans[child] = Span(start, start, start, end, style)
        return items, index

    # --- values on one line ----------------------------------------------------

    def inline(self, text: str, start: int, pointer: str, depth: int) -> tuple[Any, int, int, str]:
        """A value that starts at ``start`` and ends on the same line."""
        first = text[0]
        if first == '"' or first == "'":
            value, length = _quoted(text)
            _only_comment_after(text[length:])
            return value, start, start + length, first
        if first == "[" or first == "{":
            self.check_depth(depth + 1)
            value, length = self.flow(text, start, pointer)
            _only_comment_after(text[length:])
            return value, start, start + length, first
        plain = _plain(text)
        return self.resolve(plain, start, pointer), start, start + len(plain), ""

    def resolve(self, plain: str, start: int, pointer: str) -> Any:
        value, kind, note = read_plain(plain, self.limits.max_number_length)
        if kind is not None and note is not None:
            self.issues.append(Issue(kind, note, pointer, start, start + len(plain)))
        return value

    def flow(self, text: str, start: int, pointer: str) -> tuple[Any, int]:
        """A one-line flow list or mapping of scalars; returns the value and its length."""
        is_map = text[0] == "{"
        close = "}" if is_map else "]"
        result: Any = {} if is_map else []
        position = _skip_spaces(text, 1)
        if position < len(text) and text[position] == close:
            return result, position + 1
        while True:
            if is_map:
                key, key_start, key_end, position = self.flow_scalar(text, position, start, key=True)
                if not isinstance(key, str) or key in result or text[position : position + 1] != ":":
                    raise _Unsupported
                if position - key_start > _MAX_KEY_LENGTH:
                    raise _Unsupported
                child = f"{pointer}/{escape_pointer(key)}"
                position = _skip_spaces(text, position + 1)
                value, value_start, value_end, position = self.flow_scalar(text, position, start, child=child)
                result[key] = value
                self.spans[child] = Span(
                    start + key_start, start + key_end, start + value_start, start + value_end, self.last_style
                )
            else:
                child = f"{pointer}/{len(result)}"
                value, value_start, value_end, position = self.flow_scalar(text, position, start, child=child)
                result.append(value)
                self.spans[child] = Span(
                    start + value_start, start + value_start, start + value_start, start + value_end, self.last_style
                )
            if position >= len(text):
                raise _Unsupported
            if text[position] == close:
                return result, position + 1
            if text[position] != ",":
                raise _Unsupported
            position = _skip_spaces(text, position + 1)
            if position >= len(text) or text[position] in ",]}":
                raise _Unsupported  # empty entries and trailing commas: leave them to the full reader

    def flow_scalar(
        self, text: str, position: int, base: int, key: bool = False, child: str = ""
    ) -> tuple[Any, int, int, int]:
        """A scalar inside a flow collection: value, start, end and the position after it."""
        if position >= len(text):
            raise _Unsupported
        first = text[position]
        if first == '"' or first == "'":
            value, length = _quoted(text[position:])
            self.last_style = first
            end = position + length
            return value, position, end, _skip_spaces(text, end)
        plain = _flow_plain(text, position)
        end = position + len(plain)
        self.last_style = ""
        if key:
            value, kind, _ = read_plain(plain, self.limits.max_number_length)
            if kind is not None or not isinstance(value, str):
                raise _Unsupported
        else:
            value = self.resolve(plain, base + position, child)
        return value, position, end, _skip_spaces(text, end)

    last_style = ""


def _flow_plain(text: str, position: int) -> str:
    """The plain scalar at ``position`` inside a flow collection, without trailing spaces."""
    first = text[position]
    follower = text[position + 1 : position + 2]
    if (
        first in _PLAIN_START_BAD
        or first == " "
        or first in "?:"
        or (first == "-" and follower in ("", " ", ",", "]", "}"))
    ):
        raise _Unsupported
    end = position
    while end < len(text):
        char = text[end]
        if char in ",[]{}":
            break
        if char == ":":
            follower = text[end + 1 : end + 2]
            if follower in ("", " ", ",", "[", "]", "{", "}"):
                break
            if follower == "?":
                raise _Unsupported  # libyaml rejects `:?` inside a flow collection
        if char == "#" and text[end - 1] == " ":
            break
        end += 1
    return text[position:end].rstrip(" ")


def _skip_spaces(text: str, position: int) -> int:
    while position < len(text) and text[position] == " ":
        position += 1
    return position


def _is_item(text: str) -> bool:
    return text == "-" or text.startswith("- ")


def _key_end(text: str) -> int:
    """Index of the colon ending a plain key on this line; -1 sends the line to the full reader."""
    position = text.find(":")
    while position != -1:
        after = text[position + 1 : position + 2]
        if after in ("", " "):
            key = text[:position]
            if " #" in key or '"' in key or "'" in key[:1]:
                raise _Unsupported
            return position
        position = text.find(":", position + 1)
    raise _Unsupported


def _is_entry(text: str) -> bool:
    """Whether a list item's text starts a mapping (``- key: value``)."""
    if text[0] in "\"'[{":
        return False
    try:
        colon = _key_end(text)
    except _Unsupported:
        return False
    return " #" not in text[:colon]


def _plain(text: str) -> str:
    """The plain scalar at the start of ``text``, without a trailing comment and spaces."""
    first = text[0]
    if first in _PLAIN_START_BAD or first in "?:" or (first == "-" and (len(text) == 1 or text[1] == " ")):
        raise _Unsupported
    comment = text.find(" #")
    value = (text if comment == -1 else text[:comment]).rstrip(" ")
    if ": " in value or value.endswith(":"):
        raise _Unsupported  # "mapping values are not allowed here": the full reader reports it
    return value


def _only_comment_after(rest: str) -> None:
    stripped = rest.lstrip(" ")
    if stripped and (stripped[0] != "#" or stripped == rest):
        raise _Unsupported


def _quoted(text: str) -> tuple[str, int]:
    """A quoted scalar that closes on its line: its value and its length with the quotes."""
    quote = text[0]
    if quote == "'":
        position = 1
        while True:
            close = text.find("'", position)
            if close == -1:
                raise _Unsupported
            if text[close + 1 : close + 2] != "'":
                return text[1:close].replace("''", "'"), close + 1
            position = close + 2
    close = 1
    while True:
        close = text.find('"', close)
        if close == -1:
            raise _Unsupported
        backslashes = 0
        while text[close - 1 - backslashes] == "\\":
            backslashes += 1
        if backslashes % 2 == 0:
            break
        close += 1
    inner = text[1:close]
    if "\\" not in inner:
        return inner, close + 1
    value = unescape(inner)
    if value is None:
        raise _Unsupported
    return value, close + 1


def read_plain_yaml(text: str, limits: Limits) -> ParsedYaml | None:
    """Read ``text`` if it is in the plain subset; ``None`` means "use the full reader"."""
    if (
        len(text) > 65536
        or len(text) >= limits.max_nodes
        or _UNUSUAL.search(text)
        or ("\r" in text and _LONE_CR.search(text))
    ):
        return None
    reader = _Reader(text, limits)
    lines = reader.lines
    if not lines:
        return ParsedYaml(None, {}, [], False, True)
    if len(lines) > _MAX_LINES or lines[0].indent != 0 or _is_item(lines[0].text):
        return None
    if lines[0].text.startswith("%") or _MARKER_LINE.search(text):
        return None
    try:
        data, index = reader.mapping(0, 0, "", 0)
    except (_Unsupported, IndexError):
        return None
    if index != len(lines):
        return None
    reader.spans[""] = Span(lines[0].start, lines[0].start, lines[0].start, len(text), ":")
    return ParsedYaml(data, reader.spans, reader.issues, False, False)


def read_front_matter_yaml(text: str, limits: Limits) -> ParsedYaml:
    """Read ``text`` with this reader when it can, else with the full one: the same result, faster."""
    return read_plain_yaml(text, limits) or read_yaml(text, limits)
