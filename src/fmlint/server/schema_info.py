"""What the schema says about a field, read from the schema documents themselves.

Hover and completion need a field's title, description, type, allowed values and
format, and the fields a mapping may hold. That is plain reading of the JSON: follow
``$ref``, look through ``allOf``/``anyOf``/``oneOf``, step into ``properties`` and
``items``. Validation stays with the schema engine.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import urldefrag, urljoin

Path = Sequence[str | int]  # keys and list indexes from the root mapping

_MAX_REFS = 32  # a chain of references longer than this (or a cycle) is not followed further
_BRANCHES = ("allOf", "anyOf", "oneOf")


class SchemaReader:
    """Read the root schema of a schema set (``root`` URI and ``resources`` by URI)."""

    def __init__(self, root: str, resources: Mapping[str, Any]) -> None:
        self.root = root
        self.resources = resources

    def _deref(self, base: str, node: Any) -> Iterator[tuple[str, dict[str, Any]]]:
        """``node`` and what its ``$ref`` chain leads to, each with the URI its own refs resolve against."""
        for _ in range(_MAX_REFS):
            if not isinstance(node, dict):
                return
            if isinstance(node.get("$id"), str):
                base = urljoin(base, node["$id"])
            yield base, node
            ref = node.get("$ref")
            if not isinstance(ref, str):
                return
            target = urljoin(base, ref)
            uri, fragment = urldefrag(target)
            document = self.resources.get(uri or base)
            node = _pointer(document, fragment)
            base = uri or base

    def _alternatives(self, base: str, node: Any, depth: int = 0) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every schema that applies to the same value: ``node``, its references and its branches."""
        if depth > 8:
            return
        for here, schema in self._deref(base, node):
            yield here, schema
            for keyword in _BRANCHES:
                branches = schema.get(keyword)
                if isinstance(branches, list):
                    for branch in branches:
                        yield from self._alternatives(here, branch, depth + 1)

    def at(self, path: Path) -> list[tuple[str, dict[str, Any]]]:
        """The schemas (with their base URIs) that apply to the value at ``path``."""
        current = list(self._alternatives(self.root, self.resources.get(self.root)))
        for step in path:
            found: list[tuple[str, dict[str, Any]]] = []
            for base, schema in current:
                if isinstance(step, int):
                    child = schema.get("items")
                    if isinstance(child, dict):
                        found.extend(self._alternatives(base, child))
                    continue
                properties = schema.get("properties")
                if isinstance(properties, dict) and step in properties:
                    found.extend(self._alternatives(base, properties[step]))
            current = found
        return current

    def fields(self, path: Path) -> dict[str, dict[str, Any]]:
        """The fields the mapping at ``path`` may hold, each with the first schema that describes it."""
        fields: dict[str, dict[str, Any]] = {}
        for base, schema in self.at(path):
            properties = schema.get("properties")
            if isinstance(properties, dict):
                for name, child in properties.items():
                    if name not in fields:
                        fields[name] = describe(list(self._alternatives(base, child)))
        return fields

    def field(self, path: Path) -> dict[str, Any]:
        """What the schema says of the value at ``path`` (empty when nothing)."""
        return describe(self.at(path))

    def required(self, path: Path) -> set[str]:
        names: set[str] = set()
        for _, schema in self.at(path):
            if isinstance(schema.get("required"), list):
                names.update(name for name in schema["required"] if isinstance(name, str))
        return names


def describe(schemas: Sequence[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """The first title, description, format, and every type and allowed value, of ``schemas``."""
    facts: dict[str, Any] = {}
    types: list[str] = []
    values: list[Any] = []
    for _, schema in schemas:
        for keyword in ("title", "description", "format", "pattern", "minimum", "maximum", "default"):
            if keyword in schema and keyword not in facts and isinstance(schema[keyword], str | int | float):
                facts[keyword] = schema[keyword]
        kind = schema.get("type")
        for name in [kind] if isinstance(kind, str) else kind if isinstance(kind, list) else []:
            if isinstance(name, str) and name not in types:
                types.append(name)
        if isinstance(schema.get("enum"), list):
            values.extend(value for value in schema["enum"] if value not in values)
        if "const" in schema and schema["const"] not in values:
            values.append(schema["const"])
    if types:
        facts["type"] = types
    if values:
        facts["enum"] = values
    return facts


def markdown(name: str, facts: Mapping[str, Any]) -> str:
    """A field's documentation, for a hover or a completion item."""
    lines = [f"**{name}**" + (f" — {facts['title']}" if "title" in facts else "")]
    if "description" in facts:
        lines += ["", str(facts["description"])]
    details = []
    if "type" in facts:
        details.append(f"type: `{' | '.join(facts['type'])}`")
    if "format" in facts:
        details.append(f"format: `{facts['format']}`")
    if "enum" in facts:
        details.append("allowed values: " + ", ".join(f"`{json.dumps(value)}`" for value in facts["enum"]))
    for keyword in ("pattern", "minimum", "maximum", "default"):
        if keyword in facts:
            details.append(f"{keyword}: `{json.dumps(facts[keyword])}`")
    if details:
        lines += ["", *(f"- {detail}" for detail in details)]
    return "\n".join(lines)


def _pointer(document: Any, fragment: str) -> Any:
    """The part of ``document`` at the JSON pointer ``fragment`` (``None`` when there is none)."""
    node = document
    if not fragment:
        return node
    if not fragment.startswith("/"):
        return None  # a plain-name anchor: not followed
    for part in fragment[1:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node
