"""Infer a JSON Schema from the front-matter of existing files (``fmlint schema infer``).

genson does the structural part: types (``integer`` against ``number``), nullable
values, nested objects and lists of objects, and ``required`` as the fields every
object has. This module then walks that schema beside the values it was built from
and adds what a content schema needs and genson cannot know: a ``format`` where
every value of a field fits one (``date-time``, ``date``, ``duration``, ``email``,
``uri``, ``uri-reference``), an ``enum`` for text with few distinct values (``type:
course``, ``levels``), and ``additionalProperties: false`` on every object, so a
typo in a field name is reported. Descriptions are left for the user to write.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from fmlint.pipeline.fastyaml import read_front_matter_yaml
from fmlint.pipeline.source import ReadProblem, read_front_matter
from fmlint.pipeline.yamlread import Limits
from fmlint.schema.formats import check_date, check_date_time, check_email, check_uri, check_uri_reference

DIALECT = "https://json-schema.org/draft/2020-12/schema"

# Text with at most this many distinct values, each repeated on average, becomes an enum.
MAX_ENUM_VALUES = 12
MAX_ENUM_TEXT = 40

# ISO 8601 durations as JSON Schema's `duration` format (RFC 3339 appendix A) writes them: PT43M, P1DT2H, P3W.
_DURATION = re.compile(r"P(?:\d+W|(?=\d|T\d)(?:\d+Y)?(?:\d+M)?(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+S)?)?)\Z")


def _is_duration(value: str) -> bool:
    return _DURATION.match(value) is not None


def _is_uri(value: str) -> bool:
    # Every `scheme:rest` is a URI; only values that name a host are taken for links.
    return "://" in value and check_uri(value) is None


def _is_uri_reference(value: str) -> bool:
    return value.startswith(("/", "./", "../", "http://", "https://")) and check_uri_reference(value) is None


# Tried in this order: the first format every value fits is the field's.
_FORMATS: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("date-time", lambda value: check_date_time(value) is None),
    ("date", lambda value: check_date(value) is None),
    ("duration", _is_duration),
    ("email", lambda value: "@" in value and check_email(value) is None),
    ("uri", _is_uri),
    ("uri-reference", _is_uri_reference),
)


def infer_schema(records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """A draft 2020-12 schema that every one of ``records`` (front-matter mappings) is valid against."""
    from genson import SchemaBuilder

    builder = SchemaBuilder(schema_uri=DIALECT)
    for record in records:
        builder.add_object(record)
    schema: dict[str, Any] = builder.to_schema()
    _refine(schema, records)
    return schema


def _types(node: dict[str, Any]) -> set[str]:
    declared = node.get("type", ())
    return {declared} if isinstance(declared, str) else set(declared)


def _refine(node: dict[str, Any], values: Sequence[Any]) -> None:
    """Add formats, enums and ``additionalProperties`` to ``node``, the schema genson built for ``values``."""
    for branch in node.get("anyOf", ()):
        _refine(branch, [value for value in values if _json_type(value) in _types(branch)])
    types = _types(node)
    if "object" in types:
        node["additionalProperties"] = False
        objects = [value for value in values if isinstance(value, dict)]
        for name, child in node.get("properties", {}).items():
            _refine(child, [value[name] for value in objects if name in value])
    if "array" in types and isinstance(node.get("items"), dict):
        _refine(node["items"], [item for value in values if isinstance(value, list) for item in value])
    if "string" in types:
        texts = [value for value in values if isinstance(value, str)]
        _describe_text(node, texts, nullable="null" in types)


def _describe_text(node: dict[str, Any], texts: list[str], nullable: bool) -> None:
    if not texts:
        return
    for name, fits in _FORMATS:
        if all(fits(text) for text in texts):
            node["format"] = name
            return
    distinct = sorted(set(texts))
    repeated = len(texts) >= 2 * len(distinct)
    if len(distinct) <= MAX_ENUM_VALUES and repeated and all(len(text) <= MAX_ENUM_TEXT for text in distinct):
        node["enum"] = [*distinct, None] if nullable else distinct


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def read_records(paths: Iterable[str], limits: Limits) -> tuple[list[dict[str, Any]], list[str]]:
    """The front-matter mapping of each file, and a note for each file that has none to learn from.

    A ``$schema`` key names the file's schema: it is not one of its fields."""
    records: list[dict[str, Any]] = []
    skipped: list[str] = []
    for path in paths:
        source = read_front_matter(path, limits.max_front_matter_bytes)
        if isinstance(source, ReadProblem):
            skipped.append(f"{path}: {source.message}")
            continue
        parsed = read_front_matter_yaml(source.text, limits)
        if parsed.fatal or not isinstance(parsed.data, dict):
            skipped.append(f"{path}: its front-matter is not a readable mapping of fields")
            continue
        records.append({key: value for key, value in parsed.data.items() if key != "$schema"})
    return records, skipped
