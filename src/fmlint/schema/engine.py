"""Everything that needs the ``jsonschema`` package, kept apart because it is slow to import.

It is loaded only to explain why a document is invalid, or to check a user's schema.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import jsonschema
import jsonschema._keywords
import jsonschema._legacy_keywords
import jsonschema._utils
from jsonschema import validators
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
    return cls(schema, registry=registry, format_checker=format_checker())


class _LinearRe:
    """Stands in for the ``re`` module inside jsonschema: ``search`` runs on RE2 (see regex.py).

    jsonschema matches ``pattern``, ``patternProperties``, ``additionalProperties`` and
    ``unevaluatedProperties`` with ``re.search(pattern, text)``; everything else is ``re``.
    """

    def __getattr__(self, name: str) -> Any:
        return getattr(re, name)

    @staticmethod
    def search(pattern: str, text: str, flags: int = 0) -> bool | None:
        return True if searcher(pattern)(text) else None


for _module in (jsonschema._keywords, jsonschema._utils, jsonschema._legacy_keywords):
    if getattr(_module, "re", None) is re:
        _module.re = _LinearRe()  # type: ignore[attr-defined]


def check_schema(schema: Any) -> str | None:
    """Why ``schema`` is not a valid schema for its draft, or ``None``."""
    cls = validators.validator_for(schema, default=validators.Draft202012Validator)
    try:
        cls.check_schema(schema)
    except jsonschema.SchemaError as exc:
        where = "/".join(str(part) for part in exc.absolute_path)
        return f"{exc.message}" + (f" (at /{where})" if where else "")
    return None
