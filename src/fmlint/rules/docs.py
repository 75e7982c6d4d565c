"""Render a rule's documentation for ``fmlint rule CODE``."""

from __future__ import annotations

import json
import textwrap
from typing import Any

from fmlint.rules.base import Example, Rule


def _example(example: Example, show_schema: bool = True) -> str:
    # Examples of undecodable files hold surrogate escapes; show them as U+FFFD.
    text = example.text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    lines = [f"    # {example.name}"] if example.name != "article.md" else []
    if example.schema and show_schema:
        lines.append(f"    # checked against the schema {example.schema}")
    lines.extend("    " + line if line else "" for line in text.rstrip("\n").split("\n"))
    return "\n".join(lines)


def _with_options(rule: Rule, examples: tuple[Example, ...]) -> str:
    settings = dict.fromkeys(f"{name} = {json.dumps(value)}" for example in examples for name, value in example.options)
    if not settings or any(option.table for option in rule.options):
        return ""  # options kept in a table of their own are shown as that table, with the options
    return f" (with {', '.join(settings)} in [tool.fmlint.rules.{rule.name}])"


def _tables(rule: Rule, option: Any) -> list[str]:
    """An option set by a table of its own, as the documentation examples set it, in TOML."""
    lines = [f"  Set with [[tool.fmlint.{option.table}]] tables; the examples use:"]
    values = next((value for example in rule.bad for name, value in example.options if name == option.name), ())
    for entry in values:
        lines += ["", f"    [[tool.fmlint.{option.table}]]"]
        lines += [f"    {key} = {json.dumps(value)}" for key, value in entry.items()]
    return lines


def _paragraph(text: str) -> str:
    return textwrap.fill(text, width=88, initial_indent="  ", subsequent_indent="  ")


def render_rule(rule: Rule) -> str:
    parts = [
        f"{rule.code} {rule.name} ({rule.severity}{', opt-in' if not rule.default_enabled else ''}"
        f"{', fixable' if rule.fixable else ''})",
        "",
        rule.summary,
        "",
        "What it does",
        _paragraph(rule.what),
        "",
        "Why",
        _paragraph(rule.why),
    ]
    own = [option for option in rule.options if option.table is None]
    if own:
        parts += ["", f"Options ([tool.fmlint.rules.{rule.name}])"]
        # Defaults are shown as they are written in TOML (json.dumps agrees for these types).
        parts += [f"  {option.name} = {json.dumps(option.default)}: {option.help}" for option in own]
    for option in rule.options:
        if option.table is not None:
            parts += ["", "Configuration", *_tables(rule, option)]
    schemas = {example.schema for example in (*rule.bad, *rule.good)}
    shared_schema = schemas.pop() if len(schemas) == 1 else None
    if shared_schema:
        parts += ["", "The examples are checked against the schema", textwrap.indent(shared_schema, "    ")]
    for title, examples in (("Fails", rule.bad), ("Passes", rule.good)):
        if examples:
            parts += ["", f"Example that {title.lower()}{_with_options(rule, examples)}"]
            parts += [_example(example, shared_schema is None) for example in examples]
    return "\n".join(parts) + "\n"
