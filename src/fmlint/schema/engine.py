"""Everything that needs the ``jsonschema`` package, kept apart because it is slow to import.

It is loaded only to explain why a document is invalid, or to check a user's schema.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import jsonschema
from jsonschema import ValidationError, validators
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from fmlint.schema.formats import FORMATS
from fmlint.schema.regex import searcher


def _raising(check: Callable[[str], str | None]) -> Callable[[object], bool]:
    def checker(instance: object) -> bool:
        if isinstance(instance, str):
            reason = check(instance)
            if reason is not None:
                raise ValueError(reason)
        return True

    return checker


def format_checker() -> jsonschema.FormatChecker:
    """jsonschema's format checker with fmlint's own checks taking precedence."""
    checker = jsonschema.FormatChecker()
    for name, check in FORMATS.items():
        checker.checks(name, raises=ValueError)(_raising(check))
    return checker


def enforced_formats() -> set[str]:
    return set(jsonschema.FormatChecker().checkers)


def build_validator(root: str, resources: dict[str, Any]) -> Any:
    registry: Registry[Any] = Registry().with_resources(
        (uri, Resource.from_contents(schema, default_specification=DRAFT202012)) for uri, schema in resources.items()
    )
    schema = resources[root]
    cls = validators.validator_for(schema, default=validators.Draft202012Validator)
    linear = validators.extend(cls, _LINEAR_KEYWORDS)  # type: ignore[no-untyped-call]
    return linear(schema, registry=registry, format_checker=format_checker())


# jsonschema matches ``pattern`` and ``patternProperties`` with Python's backtracking
# ``re``; these keep its behaviour and messages but match with RE2 (see regex.py).
def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not searcher(pattern)(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(validator: Any, patterns: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        matches = searcher(pattern)
        for key, value in instance.items():
            if matches(key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _additional_properties(validator: Any, extra: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    known = schema.get("properties", {})
    patterns = [searcher(pattern) for pattern in schema.get("patternProperties", {})]
    extras = [key for key in instance if key not in known and not any(matches(key) for matches in patterns)]
    if validator.is_type(extra, "object"):
        for key in extras:
            yield from validator.descend(instance[key], extra, path=key)
    elif not extra and extras:
        listed = ", ".join(repr(key) for key in sorted(extras))
        yield ValidationError(f"Additional properties are not allowed ({listed} unexpected)")


_LINEAR_KEYWORDS = {
    "pattern": _pattern,
    "patternProperties": _pattern_properties,
    "additionalProperties": _additional_properties,
}


def check_schema(schema: Any) -> str | None:
    """Why ``schema`` is not a valid schema for its draft, or ``None``."""
    cls = validators.validator_for(schema, default=validators.Draft202012Validator)
    try:
        cls.check_schema(schema)
    except jsonschema.SchemaError as exc:
        where = "/".join(str(part) for part in exc.absolute_path)
        return f"{exc.message}" + (f" (at /{where})" if where else "")
    return None
