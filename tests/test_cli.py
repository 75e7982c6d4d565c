"""The command line: exit codes, selection, configuration, JSON contract, installed entry points."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from conftest import CORPUS, MINIMAL, REPO, SEEDS, run_cli

BAD = MINIMAL.replace('title: "An article"', "quality: -5\ntitel: x").replace(  # FM201 + FM203 + FM205
    "/an-article",
    "/a-bad-article",  # another article than MINIMAL's, not its duplicate (FM701)
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "good.md").write_text(MINIMAL)
    (tmp_path / "bad.md").write_text(BAD)
    return tmp_path


def codes(output: str) -> list[str]:
    return [entry["code"] for entry in json.loads(output)]


def test_seeds_demo() -> None:
    result = run_cli("check", "seeds/", cwd=REPO)
    assert result.code == 1
    assert result.out.splitlines() == [
        "seeds/004_b1500ae77caaef15.txt:1:1: FM001 file has no front-matter: it must start with a `---` line",
        "  |",
        "1 | Microsoft Stops Selling Emotion-Reading Tech, Limits Face Recognition",
        "  | " + "^" * 69,
        "  |",
        "",
        "Found 1 error and 0 warnings in 1 of 2 files.",
    ]


def test_corpus_has_no_errors() -> None:
    result = run_cli("check", str(CORPUS), "--output-format", "json")
    errors = [entry for entry in json.loads(result.out) if entry["severity"] == "error"]
    assert errors == []
    assert result.code == 0


def test_clean_run_exits_zero_and_says_so(project: Path) -> None:
    result = run_cli("check", "good.md", cwd=project)
    assert (result.code, result.out) == (0, "All checks passed (1 file checked).\n")


def test_no_path_lints_the_current_directory(project: Path) -> None:
    result = run_cli("check", "--output-format", "json", cwd=project)
    assert result.code == 1
    assert {entry["path"] for entry in json.loads(result.out)} == {"bad.md"}


def test_text_output_lines_and_summary(project: Path) -> None:
    result = run_cli("check", "--output-format", "concise", ".", cwd=project)
    assert result.out.splitlines() == [
        "bad.md:1:1: FM201 missing required field `title`",
        "bad.md:2:10: FM203 `quality` must be an integer ≥ 0, got -5",
        "bad.md:3:1: FM205 unknown field `titel` (did you mean `title`?)",
        "Found 2 errors and 1 warning in 1 of 2 files.",
    ]


def test_json_output_matches_its_schema_and_nothing_else_is_printed(project: Path) -> None:
    result = run_cli("check", "--output-format", "json", ".", cwd=project)
    document = json.loads(result.out)
    schema = json.loads((REPO / "schemas" / "diagnostics.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(document)
    assert document[1] == {
        "path": "bad.md",
        "line": 2,
        "column": 10,
        "end_line": 2,
        "end_column": 12,
        "code": "FM203",
        "rule": "out-of-range",
        "severity": "error",
        "message": "`quality` must be an integer ≥ 0, got -5",
        "pointer": "/quality",
    }
    assert result.err == ""


def test_json_output_of_every_kind_of_finding_matches_the_schema(tmp_path: Path) -> None:
    (tmp_path / "none.md").write_text("no front-matter")
    (tmp_path / "yaml.md").write_text("---\na: [\n---\n")
    (tmp_path / "dup.md").write_text(MINIMAL.replace("---\n", "---\ntitle: x\npublished: yes\n", 1))
    result = run_cli("check", "--output-format", "json", str(tmp_path), str(tmp_path / "missing.md"))
    document = json.loads(result.out)
    schema = json.loads((REPO / "schemas" / "diagnostics.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(document)
    assert {entry["code"] for entry in document} >= {"FM001", "FM005", "FM007", "FM101", "FM102"}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--select", "FM203"], ["FM203"]),
        (["--select", "FM2", "--ignore", "FM205"], ["FM201", "FM203"]),
        (["--select", "FM201,FM205"], ["FM201", "FM205"]),
        (["--ignore", "FM2"], []),
        (["--select", "out-of-range"], ["FM203"]),
        (["--select", "FM1", "--extend-select", "FM205"], ["FM205"]),
    ],
)
def test_selection(project: Path, args: list[str], expected: list[str]) -> None:
    result = run_cli("check", "--output-format", "json", *args, "bad.md", cwd=project)
    assert codes(result.out) == expected


def test_warnings_fail_only_with_strict(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(MINIMAL.replace("---\n", "---\npublished: yes\n", 1))
    assert run_cli("check", "a.md", cwd=tmp_path).code == 0
    assert run_cli("check", "--strict", "a.md", cwd=tmp_path).code == 1


def test_exit_zero_and_quiet(project: Path) -> None:
    result = run_cli("check", "--exit-zero", "--quiet", "bad.md", cwd=project)
    assert result.code == 0
    assert [line for line in result.out.splitlines() if line.startswith("bad.md:")] == [
        "bad.md:1:1: FM201 missing required field `title`",
        "bad.md:2:10: FM203 `quality` must be an integer ≥ 0, got -5",
        "bad.md:3:1: FM205 unknown field `titel` (did you mean `title`?)",
    ]
    assert "Found" not in result.out


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["check", "--select", "FM999"], "unknown rule code or prefix `FM999`"),
        (["check", "--ignore", "XX"], "unknown rule code or prefix `XX`"),
        (["check", "--output-format", "yaml"], "unknown output format `yaml`"),
        (["check", "--no-such-option"], "unrecognized arguments"),
        (["check", "--now", "yesterday"], "--now must be an RFC 3339 date-time"),
        (["frobnicate"], "invalid choice"),
        (["check", "--config", "/nonexistent/pyproject.toml"], "cannot read config file"),
    ],
)
def test_usage_errors_exit_2(project: Path, args: list[str], fragment: str) -> None:
    result = run_cli(*args, cwd=project)
    assert result.code == 2
    assert fragment in result.err
    assert "Traceback" not in result.err


def write_config(root: Path, body: str) -> None:
    (root / "pyproject.toml").write_text('[project]\nname = "content"\n\n[tool.fmlint]\n' + body)


def test_config_is_found_walking_up_and_flags_win(project: Path) -> None:
    write_config(project, 'ignore = ["FM205"]\n')
    sub = project / "sub"
    sub.mkdir()
    (sub / "bad.md").write_text(BAD)
    assert codes(run_cli("check", "--output-format", "json", "bad.md", cwd=sub).out) == ["FM201", "FM203"]
    flagged = run_cli("check", "--output-format", "json", "--select", "FM205", "bad.md", cwd=sub)
    assert codes(flagged.out) == ["FM205"]
    isolated = run_cli("check", "--output-format", "json", "--isolated", "bad.md", cwd=sub)
    assert codes(isolated.out) == ["FM201", "FM203", "FM205"]


def test_config_output_format_strict_and_schema(project: Path) -> None:
    (project / "schema.json").write_text(json.dumps({"type": "object", "required": ["slug"]}))
    write_config(project, 'output-format = "json"\nstrict = true\nschema = "schema.json"\n')
    sub = project / "nested"
    sub.mkdir()
    (sub / "good.md").write_text(MINIMAL)
    result = run_cli("check", "good.md", cwd=sub)
    assert codes(result.out) == ["FM201"]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("selct = []\n", "unknown key `selct` (did you mean `select`?)"),
        ('select = "FM2"\n', "`select` must be a list of strings"),
        ("strict = 1\n", "`strict` must be true or false"),
        ('ignore = ["FM999"]\n', "unknown rule code or prefix `FM999`"),
        ("[tool.fmlint.limits]\nmax-depth = 0\n", "limit `max-depth` must be a positive integer"),
        ("[tool.fmlint.limits]\nmax-dept = 10\n", "unknown limit `max-dept`"),
        ("[tool.fmlint.rules.no-such-rule]\nx = 1\n", "no rule named `no-such-rule`"),
        ("[tool.fmlint.rules.missing-field]\nx = 1\n", "rule `missing-field` has no option `x`"),
        ("select = [\n", "is not valid TOML"),
    ],
)
def test_invalid_config_is_a_usage_error_naming_the_file(project: Path, body: str, fragment: str) -> None:
    write_config(project, body)
    result = run_cli("check", "good.md", cwd=project)
    assert result.code == 2
    assert fragment in result.err
    assert "pyproject.toml" in result.err


def test_installed_console_script_and_module_entry_points(project: Path) -> None:
    script = Path(sys.executable).with_name("fmlint")
    for command in ([str(script)], [sys.executable, "-m", "fmlint"]):
        completed = subprocess.run(
            [*command, "check", "--output-format", "json", "."],
            cwd=project,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": ""},
            check=False,
        )
        assert completed.returncode == 1, completed.stderr
        assert codes(completed.stdout) == ["FM201", "FM203", "FM205"]
        version = subprocess.run([*command, "--version"], capture_output=True, text=True, check=False)
        assert version.stdout.startswith("fmlint ")


def test_seeds_are_the_shared_fixtures() -> None:
    assert sorted(path.name for path in SEEDS.iterdir()) == ["000_24bd785b62fe7a7a.txt", "004_b1500ae77caaef15.txt"]
