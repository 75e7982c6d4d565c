"""Render a rule's documentation for ``fmlint rule CODE``."""

from __future__ import annotations

import json
import textwrap

from fmlint.rules.base import Example, Rule


def _example(example: Example) -> str:
    # Examples of undecodable files hold surrogate escapes; show them as U+FFFD.
    text = example.text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    lines = [f"    # {example.name}"] if example.name != "article.md" else []
    if example.schema:
        lines.append(f"    # checked against the schema {example.schema}")
    lines.extend("    " + line if line else "" for line in text.rstrip("\n").split("\n"))
    return "\n".join(lines)


def _with_options(rule: Rule, examples: tuple[Example, ...]) -> str:
    settings = [f"{name} = {json.dumps(value)}" for example in examples for name, value in example.options]
    return f" (with {', '.join(settings)} in [tool.fmlint.rules.{rule.name}])" if settings else ""


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
    if rule.options:
        parts += ["", f"Options ([tool.fmlint.rules.{rule.name}])"]
        # Defaults are shown as they are written in TOML (json.dumps agrees for these types).
        parts += [f"  {option.name} = {json.dumps(option.default)}: {option.help}" for option in rule.options]
    for title, examples in (("Fails", rule.bad), ("Passes", rule.good)):
        if examples:
            parts += ["", f"Example that {title.lower()}{_with_options(rule, examples)}"]
            parts += [_example(example) for example in examples]
    return "\n".join(parts) + "\n"
