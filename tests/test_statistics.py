"""``--statistics``: the number of findings of each rule, in the human formats only."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from conftest import MINIMAL, dedent, run_cli, write_article
from fmlint.diagnostic import Applicability, Diagnostic, Edit, Fix, Severity
from fmlint.report import RunResult, render_statistics

# Per file: FM205 and FM102 on line 3, FM203 on line 4.
ARTICLE = MINIMAL.replace('title: "An article"\n', 'title: "An article"\ntitel: yes\nquality: -5\n')


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in ("a.md", "b.md", "c.md"):
        write_article(tmp_path / name, ARTICLE)
    write_article(tmp_path / "d.md", ARTICLE.replace("quality: -5\n", "").replace('title: "An article"\n', ""))
    write_article(tmp_path / "e.md", MINIMAL)
    (tmp_path / "f.md").write_text("no front-matter\n")
    return tmp_path


TABLE = dedent("""
     4  FM102  warning  [*] yaml11-boolean
     4  FM205  warning  unknown-field
     3  FM203  error    out-of-range
     1  FM001  error    missing-front-matter
     1  FM201  error    missing-field
    """)
SUMMARY = "Found 5 errors and 8 warnings in 5 of 6 files.\n[*] 4 fixable with `--fix`.\n"  # FM102's


def test_statistics_golden(project: Path) -> None:
    result = run_cli("check", "--isolated", "--statistics", cwd=project)
    assert (result.code, result.err) == (1, "")
    assert result.out == TABLE + SUMMARY


def test_statistics_is_the_same_for_concise(project: Path) -> None:
    result = run_cli("check", "--isolated", "--statistics", "--output-format", "concise", cwd=project)
    assert result.out == TABLE + SUMMARY


def test_statistics_quiet_prints_only_the_table(project: Path) -> None:
    result = run_cli("check", "--isolated", "--statistics", "--quiet", cwd=project)
    assert (result.code, result.out) == (1, TABLE)


def test_statistics_counts_after_selection_and_suppression(project: Path) -> None:
    write_article(project / "a.md", ARTICLE.replace("titel: yes\n", "titel: yes  # fmlint: ignore\n"))
    result = run_cli("check", "--isolated", "--statistics", "--ignore", "FM0", cwd=project)
    assert result.out == dedent("""
        3  FM102  warning  [*] yaml11-boolean
        3  FM203  error    out-of-range
        3  FM205  warning  unknown-field
        1  FM201  error    missing-field
        Found 4 errors and 6 warnings in 4 of 6 files.
        [*] 3 fixable with `--fix`.
        """)


def test_statistics_exit_codes_follow_the_findings(project: Path) -> None:
    assert run_cli("check", "--isolated", "--statistics", "--exit-zero", cwd=project).code == 0
    assert run_cli("check", "--isolated", "--statistics", "--select", "FM1", cwd=project).code == 0
    assert run_cli("check", "--isolated", "--statistics", "--select", "FM1", "--strict", cwd=project).code == 1


def test_statistics_of_a_clean_run(project: Path) -> None:
    result = run_cli("check", "--isolated", "--statistics", "e.md", cwd=project)
    assert (result.code, result.out) == (0, "All checks passed (1 file checked).\n")
    assert run_cli("check", "--isolated", "--statistics", "-q", "e.md", cwd=project).out == ""


@pytest.mark.parametrize("output_format", ["json", "json-lines", "github", "sarif", "junit", "gitlab"])
def test_statistics_with_a_machine_format_is_a_usage_error(project: Path, output_format: str) -> None:
    result = run_cli("check", "--isolated", "--statistics", "--output-format", output_format, cwd=project)
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        f"fmlint: error: --statistics prints a table for people: use it with --output-format text or concise, "
        f"not `{output_format}`\n"
    )


def test_statistics_with_a_machine_format_from_the_configuration(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.fmlint]\noutput-format = "sarif"\n')
    result = run_cli("check", "--statistics", cwd=project)
    assert result.code == 2 and "not `sarif`" in result.err
    # a flag for a human format wins over the configuration
    assert run_cli("check", "--statistics", "--output-format", "text", cwd=project).out == TABLE + SUMMARY


def _finding(code: str, rule: str, line: int, fix: Fix | None) -> Diagnostic:
    return Diagnostic("a.md", line, 1, line, 2, code, rule, Severity.ERROR, "message", "/x", fix)


def test_fixable_rules_are_marked_and_counted() -> None:
    safe = Fix("do it", (Edit(0, 1, "x"),))
    unsafe = Fix("guess", (Edit(0, 1, "y"),), Applicability.UNSAFE)
    diagnostics = (
        _finding("FM301", "bad-url", 2, safe),
        _finding("FM301", "bad-url", 3, safe),
        _finding("FM401", "bad-date", 4, safe),
        _finding("FM401", "bad-date", 5, None),  # only some fixable: not marked
        _finding("FM501", "bad-number", 6, unsafe),  # unsafe fixes need more than --fix
    )
    stream = io.StringIO()
    render_statistics(RunResult(diagnostics, ("a.md",)), stream)
    assert stream.getvalue() == dedent("""
        2  FM301  error    [*] bad-url
        2  FM401  error    bad-date
        1  FM501  error    bad-number
        Found 5 errors and 0 warnings in 1 of 1 file.
        [*] 3 fixable with `--fix` (1 more with `--fix --unsafe-fixes`).
        """)
