"""Exact output of every format on a small fixed input, through the real command line.

The expected files live in tests/golden/. After an intended change to a format,
regenerate them with ``FMLINT_UPDATE_GOLDEN=1 pytest tests/test_report_golden.py``
and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import run_cli
from fmlint import __version__
from fmlint.report import FORMATS
from fmlint.rules import RULES

GOLDEN = Path(__file__).resolve().parent / "golden"
# The rules this input is meant to show: rules added later must not change the goldens.
SELECT = "FM0,FM1,FM2,FM301,FM401"
EXPECTED = {
    "text": "text.txt",
    "concise": "concise.txt",
    "json": "json.json",
    "json-lines": "json-lines.jsonl",
    "github": "github.txt",
    "sarif": "sarif.json",
    "junit": "junit.xml",
    "gitlab": "gitlab.json",
}


def run_format(name: str, *extra: str) -> str:
    result = run_cli("check", "--isolated", "--output-format", name, "--select", SELECT, *extra, "input", cwd=GOLDEN)
    assert result.code == 1, result.err
    assert result.err == ""
    return result.out


def normalise_sarif(text: str) -> str:
    """The SARIF log without what follows the rule registry rather than this input.

    The driver lists every rule with its documentation, and ``ruleIndex`` is a
    position in that list: both change whenever a rule is added or reworded. The
    golden keeps the identity of the rules the results use; the tests below check
    the full list and the indexes against the registry.
    """
    log = json.loads(text)
    run = log["runs"][0]
    used = {result["ruleId"] for result in run["results"]}
    run["tool"]["driver"]["rules"] = [
        {key: rule[key] for key in ("id", "name", "defaultConfiguration")}
        for rule in run["tool"]["driver"]["rules"]
        if rule["id"] in used
    ]
    for result in run["results"]:
        result.pop("ruleIndex")
    return json.dumps(log, indent=2, ensure_ascii=False).replace(f'"version": "{__version__}"', '"version": "VERSION"')


def actual(name: str) -> str:
    out = run_format(name)
    return normalise_sarif(out) + "\n" if name == "sarif" else out


def test_every_format_has_a_golden() -> None:
    assert set(EXPECTED) == set(FORMATS)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_golden_output(name: str) -> None:
    path = GOLDEN / EXPECTED[name]
    output = actual(name)
    if os.environ.get("FMLINT_UPDATE_GOLDEN"):
        path.write_text(output, encoding="utf-8", newline="")
    assert output == path.read_text(encoding="utf-8")


def test_quiet_drops_only_the_summary() -> None:
    for name in ("text", "concise"):
        full = run_format(name)
        quiet = run_format(name, "--quiet")
        summary = "Found 7 errors and 1 warning in 3 of 4 files.\n[*] 1 fixable with `--fix`.\n"
        assert full.endswith(summary)
        assert quiet == full.removesuffix(summary)


@pytest.mark.parametrize("name", ["json", "json-lines", "github", "sarif", "junit", "gitlab"])
def test_quiet_does_not_change_machine_formats(name: str) -> None:
    assert run_format(name, "--quiet") == run_format(name)


def test_json_lines_has_the_keys_of_the_json_contract() -> None:
    array = json.loads(run_format("json"))
    lines = [json.loads(line) for line in run_format("json-lines").splitlines()]
    assert lines == array


def test_sarif_lists_every_rule_as_the_registry_documents_it() -> None:
    rules = json.loads(run_format("sarif"))["runs"][0]["tool"]["driver"]["rules"]
    assert [entry["id"] for entry in rules] == [rule.code for rule in RULES]
    for entry, rule in zip(rules, RULES, strict=True):
        assert entry["name"] == rule.name
        assert entry["shortDescription"] == {"text": rule.summary}
        assert entry["fullDescription"] == {"text": rule.what}
        assert rule.why in entry["help"]["text"] and rule.why in entry["help"]["markdown"]
        level = (
            {"level": rule.severity.value} if rule.default_enabled else {"level": rule.severity.value, "enabled": False}
        )
        assert entry["defaultConfiguration"] == level


def test_sarif_rule_index_points_at_the_rule() -> None:
    run = json.loads(run_format("sarif"))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert run["results"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
