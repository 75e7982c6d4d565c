"""Shared by the rules that walk records: the records a file holds, and edits that rewrite one value.

An article and each of its ``related`` links are checked alike, so rules walk
:func:`records`. :func:`rewrite_scalar` builds the :class:`Edit` that replaces one
text value in the front-matter while keeping how it is written (plain, single- or
double-quoted); it re-reads the edited text and returns ``None`` unless exactly that
value changed, so a fix can never damage the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from fmlint.diagnostic import Edit
from fmlint.pipeline.document import Document
from fmlint.pipeline.fastyaml import read_front_matter_yaml
from fmlint.pipeline.yamlread import Issue


def records(data: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """The article (pointer ``""``) and each related link that is a mapping (``/related/N``)."""
    if not isinstance(data, dict):
        return
    yield "", data
    related = data.get("related")
    if isinstance(related, list):
        for index, item in enumerate(related):
            if isinstance(item, dict):
                yield f"/related/{index}", item


def text_field(record: dict[str, Any], key: str) -> str | None:
    """``record[key]`` when it is text; the schema reports any other type."""
    value = record.get(key)
    return value if isinstance(value, str) else None


def field_name(pointer: str) -> str:
    """The field as a reader names it: ``webUrl``, ``related[1].webUrl``, ``provider.images[0].url``."""
    parts = pointer.strip("/").split("/")
    return ".".join(part if not part.isdigit() else f"[{part}]" for part in parts).replace(".[", "[")


# Text that may be written as a plain scalar, if it also reads back as itself in its place.
_PLAIN_START = re.compile(r"[A-Za-z0-9/][^\s#]*\Z")


def rewrite_scalar(doc: Document, pointer: str, value: str, *, quote: bool = False) -> Edit | None:
    """The edit that makes the text at ``pointer`` read ``value``, written as before.

    A quoted value stays quoted the same way; a plain one stays plain when ``value`` is
    safe unquoted, and is double-quoted otherwise (or whenever ``quote`` is true).
    Aliases, tagged plain values and block scalars get no edit.
    """
    offsets = doc.value_offsets(pointer)
    style = doc.style(pointer)
    if offsets is None or style is None:
        return None
    start, end = offsets
    text = doc.text
    if style in ("'", '"'):
        opening = text.find(style, start, end)
        if opening == -1 or end - opening < 2 or text[end - 1] != style:
            return None
        edit = Edit(opening + 1, end - 1, _escape(value, style))
        return edit if _changes_only(doc, pointer, value, edit) else None
    if style == "":
        current = _get(doc.data, pointer)
        if not isinstance(current, str) or "\n" in text[start:end] or not text[start:end].endswith(current):
            return None
        begin = end - len(current)
        if is_tagged(doc, pointer):
            return None  # a tag decides how other readers read it: leave it to the author
        # Plain when it reads back as itself here (checked below), double-quoted otherwise.
        plain = [] if quote or not _PLAIN_START.match(value) else [Edit(begin, end, value)]
        for edit in (*plain, Edit(begin, end, '"' + _escape(value, '"') + '"')):
            if _changes_only(doc, pointer, value, edit):
                return edit
    return None


def is_tagged(doc: Document, pointer: str) -> bool:
    """Whether the plain value at ``pointer`` carries an explicit tag (``!!str 2022-…``)."""
    offsets = doc.value_offsets(pointer)
    current = _get(doc.data, pointer)
    if offsets is None or not isinstance(current, str):
        return False
    head = doc.text[offsets[0] : offsets[1]]
    head = head[: len(head) - len(current)] if head.endswith(current) else head
    return any(token.startswith("!") for token in head.split())


def _escape(value: str, quote: str) -> str:
    if quote == "'":
        return value.replace("'", "''")
    out = []
    for char in value:
        if char in '"\\':
            out.append("\\" + char)
        elif ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F:
            out.append(f"\\x{ord(char):02x}")
        elif char in "\u2028\u2029":
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "".join(out)


def _changes_only(doc: Document, pointer: str, value: str, edit: Edit) -> bool:
    """Whether applying ``edit`` changes the value at ``pointer`` to ``value`` and nothing else."""
    text = doc.text[: edit.start] + edit.text + doc.text[edit.end :]
    parsed = read_front_matter_yaml(text, doc.limits)
    if parsed.fatal:
        return False
    if parsed.issues and _issues(parsed.issues) != _issues(doc.issues):
        return False  # the edit made the YAML worse somewhere
    import copy  # only a fix being made needs it

    expected = copy.deepcopy(doc.data)
    _set(expected, pointer, value)
    return bool(parsed.data == expected)


def _issues(issues: Sequence[Issue]) -> list[tuple[str, str]]:
    return [(issue.kind, issue.pointer) for issue in issues]


def _tokens(pointer: str) -> list[str]:
    return [token.replace("~1", "/").replace("~0", "~") for token in pointer.split("/")[1:]]


def _get(data: Any, pointer: str) -> Any:
    for token in _tokens(pointer):
        data = data[int(token)] if isinstance(data, list) else data[token]
    return data


def _set(data: Any, pointer: str, value: Any) -> None:
    *parents, last = _tokens(pointer)
    for token in parents:
        data = data[int(token)] if isinstance(data, list) else data[token]
    if isinstance(data, list):
        data[int(last)] = value
    else:
        data[last] = value
