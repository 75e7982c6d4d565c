"""Exact positions for the kinds of finding no other module pins down.

Custom-schema rules (lengths, patterns, formats, other keywords), encoding errors
and size limits: each on a small inline example, with its code, line, column and
message.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import MINIMAL, lint_text, run_cli, where

SCHEMA = {
    "properties": {
        "subtitle": {"type": "string", "maxLength": 5},
        "slug": {"type": "string", "pattern": "^[a-z-]+$"},
        "contact": {"type": "string", "format": "email"},
        "tags": {"type": "array", "contains": {"const": "AI"}},
        "draft": {"not": {"const": True}},
    }
}


@pytest.mark.parametrize(
    ("line", "expected", "message"),
    [
        ('subtitle: "far too long"', (8, 11, "FM207"), "`subtitle` must have at most 5 characters, it has 12"),
        ('slug: "Bad Slug"', (8, 7, "FM208"), '`slug` must match the pattern `^[a-z-]+$`, got "Bad Slug"'),
        ('contact: "nobody"', (8, 10, "FM209"), '`contact` must be an email address, but it has no `@`; got "nobody"'),
        ('contact: "a@"', (8, 10, "FM209"), "no domain follows the `@`"),
        ("tags: [Cloud]", (8, 7, "FM211"), '`tags` must hold at least one item that is exactly "AI"'),
        ("draft: true", (8, 8, "FM211"), "`draft` must not be exactly true, got true"),
    ],
)
def test_custom_schema_findings(tmp_path: Path, line: str, expected: tuple[int, int, str], message: str) -> None:
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(SCHEMA), encoding="utf-8")
    found = lint_text(tmp_path, MINIMAL.removesuffix("---\n") + line + "\n---\n", schema=schema)
    assert where(found) == [expected]
    assert message in found[0].message


def test_invalid_utf8_is_reported_at_the_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "article.md"
    path.write_bytes(b'---\ntitle: "caf\xe9"\n---\nbody\n')
    result = run_cli("check", "--isolated", "--output-format", "json", str(path))
    (finding,) = json.loads(result.out)
    assert (finding["line"], finding["column"], finding["code"]) == (2, 12, "FM006")
    assert "byte 0xe9" in finding["message"]
    assert result.code == 1


def test_front_matter_over_the_size_limit_is_reported_not_read(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.fmlint.limits]\nmax-front-matter-bytes = 100\n", encoding="utf-8")
    path = tmp_path / "article.md"
    path.write_text(MINIMAL.replace("---\n", "---\nexcerpt: " + "a" * 200 + "\n", 1), encoding="utf-8")
    result = run_cli("check", "--output-format", "json", "article.md", cwd=tmp_path)
    (finding,) = json.loads(result.out)
    assert (finding["line"], finding["column"], finding["code"]) == (1, 1, "FM008")
    assert "max-front-matter-bytes" in finding["message"]
    assert result.code == 1


def test_fields_failing_an_unevaluated_properties_schema_are_not_called_unknown(tmp_path: Path) -> None:
    schema = tmp_path / "schema.json"
    schema.write_text(
        json.dumps({"properties": {"title": {"type": "string"}}, "unevaluatedProperties": {"type": "string"}}),
        encoding="utf-8",
    )
    found = lint_text(tmp_path, "---\ntitle: x\nsubtitle: y\ncount: 3\n---\n", schema=schema)
    assert [(d.line, d.column, d.code, d.pointer) for d in found] == [(4, 8, "FM211", "/count")]
    assert found[0].message == "`count` must be a string, got 3"
