"""Compile a draft 2020-12 JSON Schema into one fast yes/no validity check.

Most files in a healthy repository are valid, and ``jsonschema`` is slow to import
and to run. This module answers "is this document valid?" with plain closures, so
that ``jsonschema`` is loaded only for documents that are not, to explain why.
Semantics mirror ``jsonschema``'s ``Draft202012Validator`` keyword by keyword (the
test suite checks both agree on real and mutated documents). A schema that uses a
keyword not handled here raises :class:`Unsupported`, and the caller falls back to
``jsonschema`` for everything.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urldefrag, urljoin

from fmlint.schema.formats import FORMATS
from fmlint.schema.regex import searcher

Check = Callable[[Any], bool]


class Unsupported(Exception):
    """The schema uses something this compiler does not implement."""


DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"

# Keywords that only annotate, and keywords handled together with another one.
_IGNORED = frozenset(
    {
        "$schema", "$id", "$comment", "$defs", "definitions", "$vocabulary", "title", "description",
        "default", "examples", "deprecated", "readOnly", "writeOnly", "contentMediaType",
        "contentEncoding", "contentSchema", "then", "else", "minContains", "maxContains",
    }
)  # fmt: skip
# Keywords jsonschema's 2020-12 validator evaluates that are not compiled here.
_UNSUPPORTED = frozenset(
    {"$dynamicRef", "$dynamicAnchor", "$anchor", "$recursiveRef", "unevaluatedItems", "unevaluatedProperties"}
)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


_TYPES: dict[str, Check] = {
    "string": lambda value: isinstance(value, str),
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
    "number": _is_number,
    "integer": _is_integer,
}


def equal(one: Any, two: Any) -> bool:
    """JSON equality: ``true`` is not ``1``; lists and mappings compare item by item."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, list) and isinstance(two, list):
        return len(one) == len(two) and all(equal(a, b) for a, b in zip(one, two, strict=True))
    if isinstance(one, dict) and isinstance(two, dict):
        return one.keys() == two.keys() and all(equal(one[key], two[key]) for key in one)
    if isinstance(one, bool) or isinstance(two, bool):
        return isinstance(one, bool) and isinstance(two, bool) and one == two
    return bool(one == two)


def _hashable(value: Any) -> Any:
    """A key under which equal JSON scalars collide; ``None`` for lists and mappings."""
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, (str, int, float)) or value is None:
        return ("value", value)
    return None


def unique(items: list[Any]) -> bool:
    seen = set()
    complex_items: list[Any] = []
    for item in items:
        key = _hashable(item)
        if key is None:
            if any(equal(item, other) for other in complex_items):
                return False
            complex_items.append(item)
        elif key in seen:
            return False
        else:
            seen.add(key)
    return True


def _multiple_of(value: int | float, divisor: int | float) -> bool:
    if isinstance(divisor, float):
        quotient = value / divisor
        try:
            return int(quotient) == quotient
        except OverflowError:
            from fractions import Fraction

            return (Fraction(value) / Fraction(divisor)).denominator == 1
    return not value % divisor


class Compiler:
    """Compiles schemas that refer to each other through ``$ref``.

    ``resources`` maps each schema's absolute ``$id`` to the schema document.
    """

    def __init__(self, resources: Mapping[str, Any]) -> None:
        self.resources = resources
        self.compiled: dict[str, list[Check]] = {}

    def compile_resource(self, uri: str) -> Check:
        return self._ref(uri)

    def _ref(self, uri: str) -> Check:
        cell = self.compiled.get(uri)
        if cell is None:
            cell = self.compiled[uri] = []
            document_uri, fragment = urldefrag(uri)
            if document_uri not in self.resources:
                raise Unsupported(f"$ref to unknown schema {document_uri}")
            schema = _resolve_pointer(self.resources[document_uri], fragment)
            cell.append(self.compile(schema, document_uri))
        if cell:
            return cell[0]
        # A reference cycle: resolve the cell when the check runs.
        return lambda value: cell[0](value)

    def compile(self, schema: Any, base: str) -> Check:
        if schema is True:
            return lambda value: True
        if schema is False:
            return lambda value: False
        if not isinstance(schema, dict):
            raise Unsupported("a schema must be an object or a boolean")
        if "$id" in schema and schema["$id"] != base and urljoin(base, schema["$id"]) != base:
            raise Unsupported("embedded $id")
        checks: list[Check] = []
        for keyword, argument in schema.items():
            if keyword in _IGNORED:
                continue
            if keyword in _UNSUPPORTED:
                raise Unsupported(keyword)
            build = _KEYWORDS.get(keyword)
            if build is None:
                continue  # unknown keywords are ignored, as jsonschema does
            check = build(self, argument, schema, base)
            if check is not None:
                checks.append(check)
        return _all(checks)


def _all(checks: list[Check]) -> Check:
    if not checks:
        return lambda value: True
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda value: first(value) and second(value)
    frozen = tuple(checks)
    return lambda value: all(check(value) for check in frozen)


def _resolve_pointer(document: Any, fragment: str) -> Any:
    if not fragment:
        return document
    if not fragment.startswith("/"):
        raise Unsupported(f"$ref to anchor #{fragment}")
    node = document
    for token in fragment[1:].split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        try:
            node = node[int(token)] if isinstance(node, list) else node[token]
        except (KeyError, IndexError, ValueError, TypeError):
            raise Unsupported(f"$ref #{fragment} does not resolve") from None
    return node


# --- keywords ----------------------------------------------------------------

Builder = Callable[[Compiler, Any, dict[str, Any], str], "Check | None"]


def _type(compiler: Compiler, argument: Any, schema: dict[str, Any], base: str) -> Check:
    names = [argument] if isinstance(argument, str) else list(argument)
    try:
        checks = [_TYPES[name] for name in names]
    except KeyError as exc:
        raise Unsupported(f"unknown type {exc}") from None
    if len(checks) == 1:
        return checks[0]
    return lambda value: any(check(value) for check in checks)


def _enum(compiler: Compiler, argument: Any, schema: dict[str, Any], base: str) -> Check:
    options = list(argument)
    if all(isinstance(option, str) for option in options):
        allowed = frozenset(options)
        return lambda value: isinstance(value, str) and value in allowed
    return lambda value: any(equal(value, option) for option in options)


def _const(compiler: Compiler, argument: Any, schema: dict[str, Any], base: str) -> Check:
    return lambda value: equal(value, argument)


def _properties(compiler: Compiler, argument: Any, schema: dict[str, Any], base: str) -> Check:
    pairs = tuple((name, compiler.compile(sub, base)) for name, sub in argument.items())

    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        return all(sub(value[name]) for name, sub in pairs if name in value)

    return check


def _pattern_properties(compiler: Compiler, argument: Any, schema: dict[str, Any], base: str) -> Check:
    pairs = tuple((searcher(pattern), compiler.compile(sub, base)) for pattern, sub in argument.items())

    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        return all(sub(item) for key, item in value.items() for matches, sub in pairs if matches(key))

    return check


def _additional_properties(compiler: Compiler, argument: Any, schema: dict[str, Any], base: str) -> Check:
    known = frozenset(schema.get("properties", ()))
    patterns = tuple(searcher(pattern) for pattern in schema.get("patternProperties", ()))
    sub = compiler.compile(argument, base)

    def extra(key: str) -> bool:
        return key not in known and not any(matches(key) for matches in patterns)

    if argument is False and not patterns:
        return lambda value: not isinstance(value, dict) or value.keys() <= known

    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        return all(sub(item) for key, item in value.items() if extra(key))

    return check


def _required(compiler: Compiler, argument: Any, schema: dict[str, Any], base: str) -> Check:
    names = tuple(argument)
    return lambda value: not isinstance(value, dict) or all(name in value for name in names)


def _property_names(compiler: Compiler, argument: Any, schema: dict[str, Any], base: str) -> Check:
    sub = compiler.compile(argument, base)
    return lambda value: not isinstance(value, dict) or all(sub(key) for key in value)


def _min_properties(compiler: Compiler, argument: Any, schema: dict[str, Any], base: str) -> Check:
    return lambda value: not isinstance(value, dict) or len(value) >= argument


def _max_properties(compiler: Compiler, argument: Any, schema: dict[str, Any], base: str) -> Check:
    return lambda value: not isinstance(value, dict) or len(value) <= argument


def _dependent_required(compiler: Compiler, argument: Any, schema: dict[str, Any], base: str) -> Check:
    pairs = tuple((name, tuple(needed)) for name, needed in argument.items())

    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        return all(all(other in value for other in needed) for name, needed in pairs if name in value)

    return check


def _dependent_schemas(compiler: Compiler, argument: Any, schema: dict[str, Any], base: str) -> Check:
    pairs = tuple((name, compiler.compile(sub, base)) for name, sub in argument.items())
    return lambda value: not isinstance(value, dict) or all(sub(value) for name, sub in pairs if name in value)


def _items(compiler: Compiler, argument: Any, schema: dict[str, Any], base: str) -> Check:
    prefix = len(schema.get("prefixItems", ()))
    sub = compiler.compile(argument, base)
    if prefix == 0:
        return lambda value: not isinstance(value, list) or all(sub(item) for item in value)
    return lambda value: not isinstance(value, list) or all(sub(item) for item in value[prefix:])


def _prefix_items(compiler: Compiler, argument: Any, schema: dict[str, Any], base: str) -> Check:
    subs = tuple(compiler.compile(sub, base) for sub in argument)
    return lambda value: not isinstance(value, list) or all(sub(item) for sub, item in zip(subs, value, strict=False))


def _contains(compiler: Compiler, argument: Any, schema: dict[str, Any], base: str) -> Check:
    sub = compiler.compile(argument, base)
    low = schema.get("minContains", 1)
    high = schema.get("maxContains")

    def check(value: Any) -> bool:
        if not isinstance(value, list):
            return True
        matches = sum(1 for item in value if sub(item))
        return matches >= low and (high is None or matches <= high)

    return check


def _min_items(compiler: Compiler, argument: Any, schema: dict[str, Any], base: str) -> Check:
    return lambda value: not isinstance(value, list) or len(value) >= argument


def _max_items(compiler: Compiler, argument: Any, schema: dict[str, Any], base: str) -> Check:
    return lambda value: not isinstance(value, list) or len(value) <= argument


def _unique_items(compiler: Compiler, argument: Any, schema: dict[str, Any], base: str) -> Check | None:
    if not argument:
        return None
    return lambda value: not isinstance(value, list) or unique(value)


def _min_length(compiler: Compiler, argument: Any, schema: dict[str, Any], base: str) -> Check:
    return lambda value: not isinstance(value, str) or len(value) >= argument


def _max_length(compiler: Compiler, argument: Any, schema: dict[str, Any], base: str) -> Check:
    return lambda value: not isinstance(value, str) or len(value) <= argument


def _pattern(compiler: Compiler, argument: Any, schema: dict[str, Any], base: str) -> Check:
    matches = searcher(argument)
    return lambda value: not isinstance(value, str) or matches(value)


def _format(compiler: Compiler, argument: Any, schema: dict[str, Any], base: str) -> Check:
    check = FORMATS.get(argument)
    if check is None:
        raise Unsupported(f"format {argument}")
    return lambda value: not isinstance(value, str) or check(value) is None


def _numeric(test: Callable[[Any, Any], bool]) -> Builder:
    def build(compiler: Compiler, argument: Any, schema: dict[str, Any], base: str) -> Check:
        return lambda value: not _is_number(value) or test(value, argument)

    return build


def _all_of(compiler: Compiler, argument: Any, schema: dict[str, Any], base: str) -> Check:
    return _all([compiler.compile(sub, base) for sub in argument])


def _any_of(compiler: Compiler, argument: Any, schema: dict[str, Any], base: str) -> Check:
    subs = tuple(compiler.compile(sub, base) for sub in argument)
    return lambda value: any(sub(value) for sub in subs)


def _one_of(compiler: Compiler, argument: Any, schema: dict[str, Any], base: str) -> Check:
    subs = tuple(compiler.compile(sub, base) for sub in argument)
    return lambda value: sum(1 for sub in subs if sub(value)) == 1


def _not(compiler: Compiler, argument: Any, schema: dict[str, Any], base: str) -> Check:
    sub = compiler.compile(argument, base)
    return lambda value: not sub(value)


def _if(compiler: Compiler, argument: Any, schema: dict[str, Any], base: str) -> Check:
    condition = compiler.compile(argument, base)
    then = compiler.compile(schema.get("then", True), base)
    otherwise = compiler.compile(schema.get("else", True), base)
    return lambda value: then(value) if condition(value) else otherwise(value)


def _ref(compiler: Compiler, argument: Any, schema: dict[str, Any], base: str) -> Check:
    return compiler._ref(urljoin(base, argument))


_KEYWORDS: dict[str, Builder] = {
    "type": _type,
    "enum": _enum,
    "const": _const,
    "properties": _properties,
    "patternProperties": _pattern_properties,
    "additionalProperties": _additional_properties,
    "required": _required,
    "propertyNames": _property_names,
    "minProperties": _min_properties,
    "maxProperties": _max_properties,
    "dependentRequired": _dependent_required,
    "dependentSchemas": _dependent_schemas,
    "items": _items,
    "prefixItems": _prefix_items,
    "contains": _contains,
    "minItems": _min_items,
    "maxItems": _max_items,
    "uniqueItems": _unique_items,
    "minLength": _min_length,
    "maxLength": _max_length,
    "pattern": _pattern,
    "format": _format,
    "minimum": _numeric(lambda value, bound: value >= bound),
    "maximum": _numeric(lambda value, bound: value <= bound),
    "exclusiveMinimum": _numeric(lambda value, bound: value > bound),
    "exclusiveMaximum": _numeric(lambda value, bound: value < bound),
    "multipleOf": _numeric(_multiple_of),
    "allOf": _all_of,
    "anyOf": _any_of,
    "oneOf": _one_of,
    "not": _not,
    "if": _if,
    "$ref": _ref,
}
