"""The documented examples of the link rules (FM8xx), checked in a site of their own against a
loopback server that answers each example's path as the documentation says its server does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import linkserver
from conftest import run_cli
from fmlint.rules import RULES
from fmlint.rules.base import Rule
from linkserver import serving

LINK_RULES = [rule for rule in RULES if rule.stage == "links"]
EXAMPLE_HOST = "https://example.com/images/"


_user_cache = pytest.fixture(autouse=True, name="_user_cache")(linkserver.isolated_user_cache)


def test_every_link_rule_is_here() -> None:
    assert [rule.code for rule in LINK_RULES] == ["FM801", "FM802", "FM803", "FM804", "FM805", "FM806"]


def _check(tmp_path: Path, text: str, base: str) -> list[tuple[int, int, str]]:
    (tmp_path / "article.md").write_text(text.replace(EXAMPLE_HOST, f"{base}/images/"))
    (tmp_path / "pyproject.toml").write_text(
        '[tool.fmlint]\nallow-private-hosts = ["127.0.0.1"]\n'
        '[tool.fmlint.links]\nexclude = ["^https://example\\\\.com/an-article$"]\nmax-retries = 0\n'
    )
    result = run_cli("check", "--links", "--output-format", "json", "article.md", cwd=tmp_path)
    return [(item["line"], item["column"], item["code"]) for item in json.loads(result.out)]


@pytest.mark.parametrize("rule", LINK_RULES, ids=lambda rule: rule.code)
def test_failing_example_fails_at_its_link(rule: Rule, tmp_path: Path) -> None:
    with serving() as server:
        (example,) = rule.bad
        found = _check(tmp_path, example.text, server.base)
    line = next(number for number, text in enumerate(example.text.splitlines(), 1) if text.startswith("  - url: "))
    assert (line, 10, rule.code) in found


@pytest.mark.parametrize("rule", LINK_RULES, ids=lambda rule: rule.code)
def test_passing_example_passes(rule: Rule, tmp_path: Path) -> None:
    with serving() as server:
        (example,) = rule.good
        found = _check(tmp_path, example.text, server.base)
    assert not [item for item in found if item[2].startswith("FM8")]
