"""The registry: every rule fmlint has, listed explicitly, family by family.

Codes are grouped by family: FM0 the file, FM1 YAML, FM2 the schema, FM3 URLs,
FM4 dates, FM5 numbers, FM6 content, FM7 across files, FM8 live links, FM9 fmlint itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from fmlint.rules import (
    across,
    content,
    dates,
    file,
    links,
    meta,
    numbers,
    order,
    references,
    schema,
    syntax,
    text,
    urls,
)
from fmlint.rules.base import Rule

RULES: tuple[Rule, ...] = tuple(
    sorted(
        (
            *file.RULES,
            *syntax.RULES,
            *schema.RULES,
            *order.RULES,
            *urls.RULES,
            *dates.RULES,
            *numbers.RULES,
            *content.RULES,
            *text.RULES,
            *across.RULES,
            *references.RULES,
            *links.RULES,
            *meta.RULES,
        ),
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
    "FM6": "content: images, secured, related links, topics, text",
    "FM7": "across files",
    "FM8": "live links (opt-in: --links)",
    "FM9": "fmlint itself",
}


class UnknownCode(ValueError):
    """A code or prefix that matches no rule."""


def matching(selector: str, rules: Sequence[Rule] = RULES) -> list[Rule]:
    """The rules (of ``rules``) a code, a code prefix (``FM3``) or a rule name selects."""
    key = selector.strip()
    named = BY_NAME.get(key) if rules is RULES else next((rule for rule in rules if rule.name == key), None)
    if named is not None:
        return [named]
    upper = key.upper()
    found = [rule for rule in rules if rule.code.startswith(upper)] if upper.startswith("FM") else []
    if not found:
        raise UnknownCode(key)
    return found


class Selection(NamedTuple):
    """One layer of rule selection (the configuration file, or the command line)."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()

    def validate(self) -> None:
        """Raise :class:`UnknownCode` for the first selector that matches no rule."""
        for selector in (*(self.select or ()), *self.extend_select, *self.ignore):
            matching(selector)


def resolve(layers: Iterable[Selection]) -> frozenset[str]:
    """The codes a run reports. Each layer applies on top of the previous one: its ``select``
    (when given) replaces the selection so far, then ``extend_select`` adds and ``ignore``
    removes. The default selection is every rule not marked opt-in."""
    chosen = {rule.code for rule in RULES if rule.default_enabled}
    for layer in layers:
        if layer.select is not None:
            chosen = {rule.code for selector in layer.select for rule in matching(selector)}
        chosen |= {rule.code for selector in layer.extend_select for rule in matching(selector)}
        chosen -= {rule.code for selector in layer.ignore for rule in matching(selector)}
    return frozenset(chosen)
