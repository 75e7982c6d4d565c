"""Every rule is registered, documented, and its documented examples are true."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

import fmlint.rules
from conftest import lint_paths, run_cli
from fmlint.precedence import rule_options
from fmlint.rules import BY_CODE, RULES
from fmlint.rules.base import Example, Rule


def test_every_rule_module_is_registered() -> None:
    registered = {rule.code for rule in RULES}
    for module_info in pkgutil.iter_modules(fmlint.rules.__path__):
        module = importlib.import_module(f"fmlint.rules.{module_info.name}")
        for rule in getattr(module, "RULES", ()):
            assert rule.code in registered, f"{rule.code} in {module_info.name} is not in the registry"


def test_codes_and_names_are_unique_and_well_formed() -> None:
    assert len({rule.code for rule in RULES}) == len(RULES)
    assert len({rule.name for rule in RULES}) == len(RULES)
    for rule in RULES:
        assert rule.code[:2] == "FM" and rule.code[2:].isdigit() and len(rule.code) == 5
        assert rule.name == rule.name.lower() and " " not in rule.name


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_rule_is_documented(rule: Rule) -> None:
    for text in (rule.summary, rule.what, rule.why):
        assert len(text) > 20, f"{rule.code} needs real documentation"
    if rule.stage not in ("meta",) and rule.code != "FM007":
        assert rule.bad, f"{rule.code} needs a failing example"
        assert rule.good, f"{rule.code} needs a passing example"
    result = run_cli("rule", rule.code)
    assert result.code == 0
    assert rule.code in result.out and "What it does" in result.out and "Why" in result.out


def _options(rule: Rule, examples: tuple[Example, ...]) -> dict[str, dict[str, object]]:
    """The rule settings an example set is documented with, validated as a configuration file's are."""
    tables = {option.name for option in rule.options if option.table is not None}
    table = {name: value for example in examples for name, value in example.options if name not in tables}
    options = rule_options({rule.name: table}, "the example") if table else {}
    # Options set by a table of their own ([[tool.fmlint.references]]) reach the rule as they are.
    own = {name: value for example in examples for name, value in example.options if name in tables}
    return {**options, rule.name: {**options.get(rule.name, {}), **own}} if own else options


def _write(tmp_path: Path, examples: tuple[Example, ...]) -> tuple[list[Path], str | None]:
    paths = []
    schema = None
    for example in examples:
        path = tmp_path / example.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(example.text.encode("utf-8", "surrogateescape"))
        paths.append(path)
        if example.schema is not None:
            schema_path = tmp_path / "schema.json"
            schema_path.write_text(example.schema)
            schema = str(schema_path)
    return paths, schema


# The examples of the link rules need a site and servers: test_links_docs.py checks them.
@pytest.mark.parametrize(
    "rule", [rule for rule in RULES if rule.bad and rule.stage != "links"], ids=lambda rule: rule.code
)
def test_failing_example_fails_with_this_rule(rule: Rule, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the examples' folder is their site, as for a user linting it
    paths, schema = _write(tmp_path, rule.bad)
    codes = {d.code for d in lint_paths(paths, select=BY_CODE.keys(), schema=schema, options=_options(rule, rule.bad))}
    assert rule.code in codes


@pytest.mark.parametrize("rule", [rule for rule in RULES if rule.good], ids=lambda rule: rule.code)
def test_passing_example_passes_every_rule(rule: Rule, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    paths, schema = _write(tmp_path, rule.good)
    assert lint_paths(paths, schema=schema, options=_options(rule, rule.good)) == []


def test_rules_lists_every_rule() -> None:
    result = run_cli("rules")
    assert result.code == 0
    rows = [line for line in result.out.splitlines() if line.startswith("  FM")]
    assert [row.split()[:2] for row in rows] == [[rule.code, rule.name] for rule in RULES]
    # One column each for code, name, flags and summary, aligned however long the flags are.
    starts = {row.index(rule.summary) for row, rule in zip(rows, RULES, strict=True)}
    assert len(starts) == 1


def test_unknown_rule_is_a_usage_error() -> None:
    result = run_cli("rule", "FM999")
    assert result.code == 2
    assert "no rule" in result.err
