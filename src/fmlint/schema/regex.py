"""The regular expressions of schemas (``pattern``, ``patternProperties``), matched in linear time.

A schema is input too: a pattern such as ``(a+)+$`` takes Python's backtracking
``re`` exponential time on ``aaaa…!``, so one field of one file could stall the run
forever. Patterns are compiled with RE2, whose matching time is linear in the text
for every pattern. RE2 has no backreferences and no lookaround; a pattern that uses
them is refused when the schema is loaded, with the reason, rather than run slowly.
RE2's syntax is also closer to the ECMA-262 dialect JSON Schema specifies than
Python's: ``\\d`` is ASCII only and ``$`` matches only at the very end.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

Search = Callable[[str], bool]


class PatternError(ValueError):
    """A pattern RE2 cannot compile; the message says why."""


@lru_cache(maxsize=1)
def _engine() -> tuple[Any, Any]:
    """RE2 and its options, imported on first use: most schemas have no pattern at all."""
    import re2

    options = re2.Options()
    options.log_errors = False  # the reason is in the exception; RE2 would also print it to stderr
    return re2, options


@lru_cache(maxsize=1024)
def searcher(pattern: str) -> Search:
    """A function telling whether ``pattern`` matches anywhere in a text (JSON Schema semantics)."""
    re2, options = _engine()
    try:
        search = re2.compile(pattern, options=options).search
    except re2.error as exc:
        raise PatternError(_reason(exc)) from None
    return lambda text: search(text) is not None


def problem(pattern: str) -> str | None:
    """Why ``pattern`` cannot be used, or ``None``."""
    try:
        searcher(pattern)
    except PatternError as exc:
        return str(exc)
    return None


def _reason(exc: Exception) -> str:
    detail = exc.args[0] if exc.args else exc
    text = detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)
    return f"{text} (fmlint matches patterns with RE2: no backreferences, no lookahead or lookbehind)"
