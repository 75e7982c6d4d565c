"""Why a document fails its schema, found without ``jsonschema``.

:mod:`fmlint.schema.compile` answers "valid?" fast; a document it rejects needs the
errors that :mod:`fmlint.schema.explain` turns into messages. ``jsonschema`` finds
them too, but importing it and building its validator costs more than linting a
hundred files, once in every process that meets an invalid file. This module walks
the schema over the document and yields the errors ``Draft202012Validator.iter_errors``
yields, in the same order, with the attributes ``explain`` reads (``validator``,
``validator_value``, ``instance``, ``schema``, ``absolute_path``, ``cause``). Where
``explain`` would need more of ``jsonschema`` (a ``false`` schema, whose error has
only a message; ``oneOf``; an ``anyOf`` other than a choice of required fields) it
raises :class:`Unsupported` and the caller asks ``jsonschema``. The test suite checks
that both explain mutated real documents alike.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urldefrag, urljoin

from fmlint.schema.compile import _IGNORED, _TYPES, Unsupported, _multiple_of, _resolve_pointer, equal, unique
from fmlint.schema.formats import FORMATS
from fmlint.schema.regex import searcher

Path = tuple[Any, ...]


class SchemaViolation:
    """One failed keyword: which, with what argument, on which value, where."""

    __slots__ = ("absolute_path", "cause", "context", "instance", "schema", "validator", "validator_value")

    def __init__(self, keyword: str, schema: dict[str, Any], instance: Any, path: Path, cause: str | None = None):
        self.validator = keyword
        self.validator_value = schema[keyword]
        self.schema = schema
        self.instance = instance
        self.absolute_path = path
        self.cause = cause
        self.context: list[SchemaViolation] = []

    def __repr__(self) -> str:
        return f"SchemaViolation({self.validator!r} at {list(self.absolute_path)!r})"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_BOUNDS = {
    "minimum": lambda value, bound: value < bound,
    "maximum": lambda value, bound: value > bound,
    "exclusiveMinimum": lambda value, bound: value <= bound,
    "exclusiveMaximum": lambda value, bound: value >= bound,
}
_LENGTHS = {
    "minLength": (str, lambda size, bound: size < bound),
    "maxLength": (str, lambda size, bound: size > bound),
    "minItems": (list, lambda size, bound: size < bound),
    "maxItems": (list, lambda size, bound: size > bound),
    "minProperties": (dict, lambda size, bound: size < bound),
    "maxProperties": (dict, lambda size, bound: size > bound),
}
# Annotations, and keywords read together with another one: as the compiled check skips them.
_PASSIVE = _IGNORED

# Keywords jsonschema evaluates whose errors explain needs more of jsonschema to say.
_LEFT_TO_JSONSCHEMA = frozenset({"oneOf", "contains", "unevaluatedItems", "unevaluatedProperties", "$dynamicRef"})


class ErrorFinder:
    """Finds the errors of documents against the schemas in ``resources`` (``$id`` -> schema)."""

    def __init__(self, resources: Mapping[str, Any]) -> None:
        self.resources = resources
        self._references: dict[tuple[str, str], tuple[Any, str]] = {}  # (base, $ref) -> (schema, its document)

    def errors(self, root: str, data: Any) -> list[SchemaViolation]:
        """Every error of ``data`` against the schema ``root``; :class:`Unsupported` when this
        module cannot say them as ``jsonschema`` would."""
        document, fragment = urldefrag(root)
        return list(self._walk(self._schema(document, fragment), document, data, ()))

    def _schema(self, document: str, fragment: str) -> Any:
        if document not in self.resources:
            raise Unsupported(f"$ref to unknown schema {document}")
        return _resolve_pointer(self.resources[document], fragment)

    def _reference(self, base: str, reference: str) -> tuple[Any, str]:
        found = self._references.get((base, reference))
        if found is None:
            document, fragment = urldefrag(urljoin(base, reference))
            found = self._references[base, reference] = (self._schema(document, fragment), document)
        return found

    def _valid(self, schema: Any, base: str, instance: Any) -> bool:
        return next(self._walk(schema, base, instance, ()), None) is None

    def _walk(self, schema: Any, base: str, instance: Any, path: Path) -> Iterator[SchemaViolation]:
        if schema is True:
            return
        if not isinstance(schema, dict):
            raise Unsupported("a false schema")  # its error is only a message
        for keyword in schema:
            if keyword not in _PASSIVE:
                yield from self._keyword(keyword, schema, base, instance, path)

    def _keyword(
        self, keyword: str, schema: dict[str, Any], base: str, instance: Any, path: Path
    ) -> Iterator[SchemaViolation]:
        value = schema[keyword]
        if keyword == "$ref":
            yield from self._walk(*self._reference(base, value), instance, path)
        elif keyword == "type":
            names = [value] if isinstance(value, str) else value
            if not any(_TYPES[name](instance) for name in names):
                yield SchemaViolation(keyword, schema, instance, path)
        elif keyword in ("properties", "patternProperties", "additionalProperties", "propertyNames"):
            if isinstance(instance, dict):
                yield from self._object(keyword, schema, base, instance, path)
        elif keyword == "required":
            if isinstance(instance, dict) and any(name not in instance for name in value):
                for name in value:
                    if name not in instance:
                        yield SchemaViolation(keyword, schema, instance, path)
        elif keyword == "dependentRequired":
            if isinstance(instance, dict):
                for name, needed in value.items():
                    if name in instance:
                        for other in needed:
                            if other not in instance:
                                yield SchemaViolation(keyword, schema, instance, path)
        elif keyword == "dependentSchemas":
            if isinstance(instance, dict):
                for name, sub in value.items():
                    if name in instance:
                        yield from self._walk(sub, base, instance, path)
        elif keyword == "enum":
            if all(not equal(option, instance) for option in value):
                yield SchemaViolation(keyword, schema, instance, path)
        elif keyword == "const":
            if not equal(instance, value):
                yield SchemaViolation(keyword, schema, instance, path)
        elif keyword == "format":
            check = FORMATS.get(value)
            if check is None:
                raise Unsupported(f"format {value}")
            if isinstance(instance, str):
                reason = check(instance)
                if reason is not None:
                    yield SchemaViolation(keyword, schema, instance, path, reason)
        elif keyword in _BOUNDS:
            if _is_number(instance) and _BOUNDS[keyword](instance, value):
                yield SchemaViolation(keyword, schema, instance, path)
        elif keyword == "multipleOf":
            if _is_number(instance) and not _multiple_of(instance, value):
                yield SchemaViolation(keyword, schema, instance, path)
        elif keyword in _LENGTHS:
            kind, fails = _LENGTHS[keyword]
            if isinstance(instance, kind) and fails(len(instance), value):
                yield SchemaViolation(keyword, schema, instance, path)
        elif keyword == "pattern":
            if isinstance(instance, str) and not searcher(value)(instance):
                yield SchemaViolation(keyword, schema, instance, path)
        elif keyword in ("items", "prefixItems", "uniqueItems"):
            if isinstance(instance, list):
                yield from self._array(keyword, schema, base, instance, path)
        elif keyword == "allOf":
            for sub in value:
                yield from self._walk(sub, base, instance, path)
        elif keyword == "anyOf":
            yield from self._any_of(schema, base, instance, path)
        elif keyword == "not":
            if self._valid(value, base, instance):
                yield SchemaViolation(keyword, schema, instance, path)
        elif keyword == "if":
            if self._valid(value, base, instance):
                if "then" in schema:
                    yield from self._walk(schema["then"], base, instance, path)
            elif "else" in schema:
                yield from self._walk(schema["else"], base, instance, path)
        elif keyword in _LEFT_TO_JSONSCHEMA:
            raise Unsupported(keyword)
        # Any other keyword is unknown to draft 2020-12, and ignored as jsonschema does.

    def _object(
        self, keyword: str, schema: dict[str, Any], base: str, instance: dict[str, Any], path: Path
    ) -> Iterator[SchemaViolation]:
        value = schema[keyword]
        if keyword == "properties":
            for name, sub in value.items():
                if name in instance:
                    yield from self._walk(sub, base, instance[name], (*path, name))
        elif keyword == "patternProperties":
            for pattern, sub in value.items():
                matches = searcher(pattern)
                for name, item in instance.items():
                    if matches(name):
                        yield from self._walk(sub, base, item, (*path, name))
        elif keyword == "propertyNames":
            for name in instance:
                yield from self._walk(value, base, name, path)
        else:  # additionalProperties
            known = schema.get("properties", {})
            patterns = [searcher(pattern) for pattern in schema.get("patternProperties", {})]
            extras = [name for name in instance if name not in known and not any(m(name) for m in patterns)]
            if value is False:
                if extras:
                    yield SchemaViolation(keyword, schema, instance, path)
            else:
                for name in extras:
                    yield from self._walk(value, base, instance[name], (*path, name))

    def _array(
        self, keyword: str, schema: dict[str, Any], base: str, instance: list[Any], path: Path
    ) -> Iterator[SchemaViolation]:
        value = schema[keyword]
        if keyword == "uniqueItems":
            if value and not unique(instance):
                yield SchemaViolation(keyword, schema, instance, path)
        elif keyword == "prefixItems":
            for index, (item, sub) in enumerate(zip(instance, value, strict=False)):
                yield from self._walk(sub, base, item, (*path, index))
        else:  # items
            if value is False and len(instance) > len(schema.get("prefixItems", ())):
                raise Unsupported("items: false")
            for index in range(len(schema.get("prefixItems", ())), len(instance)):
                yield from self._walk(value, base, instance[index], (*path, index))

    def _any_of(self, schema: dict[str, Any], base: str, instance: Any, path: Path) -> Iterator[SchemaViolation]:
        branches = schema["anyOf"]
        if not all(isinstance(branch, dict) and set(branch) == {"required"} for branch in branches):
            raise Unsupported("anyOf")  # explain picks the closest branch with jsonschema's best_match
        if not any(self._valid(branch, base, instance) for branch in branches):
            yield SchemaViolation("anyOf", schema, instance, path)
