"""Regular expressions a configuration gives (the links' ``exclude``), matched as a schema's ``pattern`` is.

A committed configuration is input too: a pattern such as ``(a+)+$`` must not stall a
run on a long URL. Patterns are ECMA-262, as JSON Schema's are, searched anywhere in
the text, and matched in time linear in the text by the schema engine's own regular
expression engine; one it cannot match that way (backreferences, lookaround) is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

Search = Callable[[str], bool]

REFUSED = (
    "not a regular expression fmlint can match (ECMA-262 syntax, matched in linear time: "
    "no backreferences, no lookahead or lookbehind)"
)


@lru_cache(maxsize=64)
def searcher(pattern: str) -> Search:
    """Whether ``pattern`` matches somewhere in a text; raises ``ValueError`` for a pattern :func:`problem` refuses."""
    import jsonschema_rs

    try:
        validator = jsonschema_rs.validator_for(
            {"type": "string", "pattern": pattern}, pattern_options=jsonschema_rs.RegexOptions()
        )
    except (jsonschema_rs.ValidationError, ValueError) as exc:
        raise ValueError(REFUSED) from exc
    return validator.is_valid


def problem(pattern: str) -> str | None:
    """Why ``pattern`` cannot be used, or ``None``."""
    try:
        searcher(pattern)
    except ValueError as exc:
        return str(exc)
    return None
