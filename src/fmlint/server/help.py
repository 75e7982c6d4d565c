"""Hover and completion: what the schema says of a field, and what a rule is for."""

from __future__ import annotations

import json
import re

from lsprotocol import types

from fmlint.server.adapter import schema_documents
from fmlint.server.convert import TextLines
from fmlint.server.schema_info import SchemaReader, markdown
from fmlint.server.state import Folder
from fmlint.server.yamlpath import front_matter_end, keys_in, locate, schema_path

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_ .\-/]*$")  # text YAML reads back as the same string
_YAML_WORDS = frozenset(("true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"))


def _reader(folder: Folder, path: str, lines: TextLines) -> SchemaReader:
    root, resources = schema_documents(folder.profile.linter, path, "\n".join(lines.lines))
    return SchemaReader(root, resources)


def hover(folder: Folder, path: str, lines: TextLines, position: types.Position) -> types.Hover | None:
    """The rule's documentation for a finding under the cursor, and the schema's for the field."""
    from fmlint.rules import BY_CODE
    from fmlint.rules.docs import render_rule

    parts = []
    for diagnostic in folder.findings(path):
        where = lines.range_of(diagnostic)
        if _inside(position, where) and diagnostic.code in BY_CODE:
            rule = BY_CODE[diagnostic.code]
            parts.append(f"**{rule.code} {rule.name}**\n\n```text\n{render_rule(rule).rstrip()}\n```")
    cursor = locate(lines.lines, position.line, lines.column(position))
    if cursor is not None and cursor.key is not None and cursor.line is not None:
        facts = _reader(folder, path, lines).field(schema_path((*cursor.mapping, cursor.key)))
        if facts:
            parts.insert(0, markdown(cursor.key, facts))
    if not parts:
        return None
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(parts)))


def completion(folder: Folder, path: str, lines: TextLines, position: types.Position) -> types.CompletionList | None:
    """Fields the mapping at the cursor may still get; or, after ``key:``, the field's allowed values."""
    column = lines.column(position)
    cursor = locate(lines.lines, position.line, column)
    if cursor is None:
        return None
    reader = _reader(folder, path, lines)
    if cursor.line is not None and cursor.key is not None and not cursor.on_key:
        facts = reader.field(schema_path((*cursor.mapping, cursor.key)))
        items = [_value_item(value) for value in facts.get("enum", ())]
        return types.CompletionList(is_incomplete=False, items=items)
    if cursor.line is not None and cursor.key is not None:
        return None  # the key is written: its name is not completed again
    end = front_matter_end(lines.lines)
    assert end is not None  # locate found the cursor inside the front-matter
    present = keys_in(lines.lines, end, cursor.mapping)
    where = schema_path(cursor.mapping)
    required = reader.required(where)
    items = []
    for name, facts in reader.fields(where).items():
        if name in present:
            continue
        detail = " | ".join(facts.get("type", ())) or None
        items.append(
            types.CompletionItem(
                label=name,
                kind=types.CompletionItemKind.Field,
                detail=f"{detail} (required)" if name in required and detail else detail,
                documentation=types.MarkupContent(kind=types.MarkupKind.Markdown, value=markdown(name, facts)),
                insert_text=f"{name}: ",
                sort_text=("0" if name in required else "1") + name,
            )
        )
    return types.CompletionList(is_incomplete=False, items=items)


def _value_item(value: object) -> types.CompletionItem:
    """An allowed value, written so YAML reads it back as that value."""
    if isinstance(value, str) and _PLAIN.match(value) and value.lower() not in _YAML_WORDS:
        written = value
    else:
        written = json.dumps(value, ensure_ascii=False)  # JSON is YAML: quotes where they are needed
    return types.CompletionItem(label=written, kind=types.CompletionItemKind.EnumMember, insert_text=written)


def _inside(position: types.Position, where: types.Range) -> bool:
    point = (position.line, position.character)
    return (where.start.line, where.start.character) <= point <= (where.end.line, where.end.character)
