"""Where the cursor is in the front-matter's structure, read from indentation alone.

While a field is being typed the YAML is often not valid, so hover and completion
cannot rely on the parser: a block mapping's structure is in its indentation. A list
item is named by the line of its dash (an ``int``), which tells items apart; the
schema only needs to know it is an item.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

Path = tuple[str | int, ...]

_FENCE = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$")
_LINE = re.compile(r"^(?P<indent>[ ]*)(?P<dashes>(?:-[ ]+)*)(?P<rest>.*?)\r?$")
_KEY = re.compile(r"""^(?P<key>"[^"]*"|'[^']*'|[^\s#'"{\[][^#]*?)[ \t]*:(?:[ \t]|$)""")


@dataclass(frozen=True)
class Line:
    indent: int  # where the line's content starts (after any ``- ``)
    dash: int | None  # the column of the first ``-`` of a list item line
    key: str | None
    key_start: int  # the column the key starts at
    colon: int  # the column of the key's colon (-1 without a key)


def parse_line(text: str) -> Line | None:
    """What a line of block YAML holds; ``None`` for a blank or comment-only line."""
    match = _LINE.match(text)
    if match is None or (not match["rest"].strip() and not match["dashes"]) or match["rest"].startswith("#"):
        return None
    start = len(match["indent"])
    indent = start + len(match["dashes"])
    dash = start if match["dashes"] else None
    key = _KEY.match(match["rest"])
    if key is None:
        return Line(indent, dash, None, indent, -1)
    name = key["key"].strip()
    if name[:1] in "\"'" and len(name) >= 2:
        name = name[1:-1]
    return Line(indent, dash, name, indent, indent + len(key.group(0).rstrip(" \t")) - 1)


def front_matter_end(lines: Sequence[str]) -> int | None:
    """The index of the closing fence line, when the buffer starts with a front-matter block."""
    if not lines or lines[0].lstrip("\ufeff").rstrip() != "---":
        return None
    for index in range(1, len(lines)):
        if _FENCE.match(lines[index]):
            return index
    return None


def container(lines: Sequence[str], row: int, indent: int) -> Path:
    """The path of the mapping that a key at ``indent`` on line ``row`` belongs to."""
    path: list[str | int] = []
    here = parse_line(lines[row]) if row < len(lines) else None
    need = indent
    after_item = False
    if here is not None and here.dash is not None and indent >= here.indent:
        path.append(row)  # the cursor is in this item's mapping
        need, after_item = here.dash, True
    for above in range(row - 1, 0, -1):
        if need == 0 and not after_item:
            break
        line = parse_line(lines[above])
        if line is None:
            continue
        if line.dash is not None and line.indent <= need and line.dash < need:
            if (line.indent == need and line.key is not None) or line.indent < need:
                path.append(above)
                need, after_item = line.dash, True
            continue
        if line.key is not None and (line.indent < need or (after_item and line.indent == need)):
            if line.dash is None:
                path.append(line.key)
                need, after_item = line.indent, False
            else:  # ``- key:`` holding the block below it
                path.extend((line.key, above))
                need, after_item = line.dash, True
    return tuple(reversed(path))


def schema_path(path: Path) -> tuple[str | int, ...]:
    """``path`` as the schema reader walks it: item lines become list steps."""
    return tuple(0 if isinstance(step, int) else step for step in path)


def keys_in(lines: Sequence[str], end: int, path: Path) -> set[str]:
    """The keys already written in the mapping at ``path``."""
    keys: set[str] = set()
    for row in range(1, end):
        line = parse_line(lines[row])
        if line is not None and line.key is not None and container(lines, row, line.indent) == path:
            keys.add(line.key)
    return keys


@dataclass(frozen=True)
class Cursor:
    """Where a position is: the mapping it is in, and the key of its line (and whether on the key)."""

    mapping: Path
    key: str | None
    on_key: bool
    line: Line | None


def locate(lines: Sequence[str], row: int, column: int) -> Cursor | None:
    """The cursor at 0-based ``row`` and character ``column``, when it is inside the front-matter."""
    end = front_matter_end(lines)
    if end is None or not 0 < row < end:
        return None
    text = lines[row]
    line = parse_line(text)
    if line is None:
        indent = min(column, len(text) - len(text.lstrip(" ")))
        return Cursor(container(lines, row, indent), None, True, None)
    mapping = container(lines, row, line.indent)
    on_key = line.key is None or column <= line.colon
    return Cursor(mapping, line.key, on_key, line)
