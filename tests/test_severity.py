"""`[tool.fmlint.severity]`: the user decides what fails the run, in every output format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import MINIMAL, run_cli

SCHEMA = '{"type": "object", "properties": {"title": {"type": "string"}}, "additionalProperties": false}'


def site(tmp_path: Path, severity: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.fmlint]\nschema = "strict.json"\n[tool.fmlint.severity]\n{severity}\n'
    )
    (tmp_path / "strict.json").write_text(SCHEMA)
    (tmp_path / "page.md").write_text("---\ntitle: A page\nslugg: a-page\n---\n")
    return tmp_path


def test_an_unknown_field_can_be_made_an_error(tmp_path: Path) -> None:
    # With a schema that says additionalProperties: false, this user wants unknown fields to fail the run.
    for run in (
        run_cli("check", "--no-cache", cwd=site(tmp_path, 'unknown-field = "error"')),
        run_cli("check", cwd=tmp_path),
        run_cli("check", cwd=tmp_path),
    ):  # cold, then cached twice
        assert run.code == 1
        assert "FM205" in run.out and "Found 1 error and 0 warnings" in run.out


@pytest.mark.parametrize("output_format", ["json", "sarif", "github", "junit", "gitlab"])
def test_every_format_shows_the_chosen_severity(tmp_path: Path, output_format: str) -> None:
    run = run_cli("check", "--no-cache", "--output-format", output_format, cwd=site(tmp_path, 'FM205 = "error"'))
    assert run.code == 1
    if output_format == "json":
        assert [entry["severity"] for entry in json.loads(run.out)] == ["error"]
    elif output_format == "sarif":
        assert [result["level"] for result in json.loads(run.out)["runs"][0]["results"]] == ["error"]
    elif output_format == "github":
        assert run.out.startswith("::error ")
    elif output_format == "gitlab":
        assert [entry["severity"] for entry in json.loads(run.out)] == ["major"]
    else:
        assert "<failure" in run.out


def test_errors_can_be_made_warnings_and_a_code_wins_over_its_prefix(tmp_path: Path) -> None:
    root = site(tmp_path, 'FM2 = "warning"\nFM205 = "error"')
    (root / "other.md").write_text("---\ntitle: 42\n---\n")  # FM202, an error by default
    run = run_cli("check", "--no-cache", "--output-format", "json", cwd=root)
    assert {(entry["code"], entry["severity"]) for entry in json.loads(run.out)} == {
        ("FM205", "error"),
        ("FM202", "warning"),
    }


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('FM65O = "error"', "unknown rule code or prefix `FM65O`"),
        ('FM205 = "fatal"', '`severity` must map rule codes or names to "error" or "warning"'),
    ],
)
def test_a_bad_severity_table_is_a_usage_error(tmp_path: Path, line: str, message: str) -> None:
    run = run_cli("check", cwd=site(tmp_path, line))
    assert run.code == 2
    assert message in run.err


def test_the_default_severities_hold_without_the_table(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(MINIMAL.replace('title: "An article"\n', 'title: "An article"\ntitel: x\n'))
    run = run_cli("check", "--isolated", "--no-cache", "--output-format", "json", cwd=tmp_path)
    assert [entry["severity"] for entry in json.loads(run.out)] == ["warning"]
