"""The registry: every rule fmlint has, listed explicitly, family by family.

Codes are grouped by family: FM0 the file, FM1 YAML, FM2 the schema, FM3 URLs,
FM4 dates, FM5 numbers, FM6 content, FM7 across files, FM9 fmlint itself.
"""

from __future__ import annotations

from collections.abc import Iterable

from fmlint.rules import file, meta, schema, syntax
from fmlint.rules.base import Rule

RULES: tuple[Rule, ...] = tuple(
    sorted(
        (*file.RULES, *syntax.RULES, *schema.RULES, *meta.RULES),
        key=lambda rule: rule.code,
    )
)
BY_CODE = {rule.code: rule for rule in RULES}
BY_NAME = {rule.name: rule for rule in RULES}

FAMILIES = {
    "FM0": "the file and its front-matter block",
    "FM1": "YAML",
    "FM2": "schema",
    "FM3": "URLs",
    "FM4": "dates",
    "FM5": "numbers: quality and heat",
    "FM6": "content: images, secured, related links, text",
    "FM7": "across files",
    "FM9": "fmlint itself",
}


class UnknownCode(ValueError):
    """A code or prefix that matches no rule."""


def matching(selector: str) -> list[Rule]:
    """The rules a code, a code prefix (``FM3``) or a rule name selects."""
    key = selector.strip()
    if key in BY_NAME:
        return [BY_NAME[key]]
    upper = key.upper()
    found = [rule for rule in RULES if rule.code.startswith(upper)] if upper.startswith("FM") else []
    if not found:
        raise UnknownCode(key)
    return found


def resolve(select: Iterable[str] | None, extend_select: Iterable[str], ignore: Iterable[str]) -> frozenset[str]:
    """The codes a run reports: ``select`` (default: every default rule), plus ``extend_select``,
    minus ``ignore``. Raises :class:`UnknownCode`."""
    if select is None:
        chosen = {rule.code for rule in RULES if rule.default_enabled}
    else:
        chosen = {rule.code for selector in select for rule in matching(selector)}
    chosen |= {rule.code for selector in extend_select for rule in matching(selector)}
    chosen -= {rule.code for selector in ignore for rule in matching(selector)}
    return frozenset(chosen)
