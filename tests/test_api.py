"""The Python API, `fmlint.lint_paths` and `fmlint.lint_text`: the findings of `fmlint check`, as data."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import fmlint
from conftest import CORPUS, MINIMAL, REPO, run_cli
from fmlint.diagnostic import Diagnostic, Severity
from fmlint.precedence import UsageError

BAD = MINIMAL.replace('title: "An article"\n', 'title: "An article "\nquality: -5\n')


def test_lint_paths_finds_what_check_prints_on_the_corpus() -> None:
    printed = run_cli("check", "--isolated", "--no-cache", "--output-format", "json", str(CORPUS), cwd=REPO)
    found = fmlint.lint_paths([CORPUS], config={})
    assert len(found) == 93  # the reviewed warnings of tests/golden/corpus-warnings.txt
    assert [diagnostic.to_json() for diagnostic in found] == json.loads(printed.out)


def test_each_finding_has_the_json_contract_as_attributes(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(BAD)
    [untrimmed, quality] = fmlint.lint_paths([tmp_path / "a.md"], config={})
    assert isinstance(quality, Diagnostic)
    assert (quality.line, quality.column, quality.code, quality.rule) == (3, 10, "FM203", "out-of-range")
    assert (quality.severity, quality.pointer) == (Severity.ERROR, "/quality")
    assert quality.path == str(tmp_path / "a.md")
    assert (untrimmed.code, untrimmed.severity) == ("FM650", Severity.WARNING)


def test_lint_text_is_lint_paths_on_a_file_holding_the_text(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(BAD)
    on_disk = fmlint.lint_paths([tmp_path / "a.md"], config={})
    assert fmlint.lint_text(BAD, str(tmp_path / "a.md"), config={}) == on_disk
    assert [d.path for d in fmlint.lint_text(BAD, config={})] == ["-", "-"]


def test_the_configuration_is_found_from_the_files_or_given(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.fmlint]\nignore = ["FM203"]\n')
    (tmp_path / "a.md").write_text(BAD)
    assert [d.code for d in fmlint.lint_paths([tmp_path])] == ["FM650"]
    assert [d.code for d in fmlint.lint_text(BAD, str(tmp_path / "a.md"))] == ["FM650"]
    assert [d.code for d in fmlint.lint_paths([tmp_path], config={"ignore": ["FM650"]})] == ["FM203"]
    other = tmp_path / "other.toml"
    other.write_text('select = ["FM650"]\n')
    assert [d.code for d in fmlint.lint_paths([tmp_path], config=other)] == ["FM650"]


def test_text_for_an_excluded_path_has_no_findings(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.fmlint]\nexclude = ["drafts"]\n')
    (tmp_path / "drafts").mkdir()
    assert fmlint.lint_text(BAD, str(tmp_path / "drafts" / "a.md")) == []


def test_a_bad_configuration_raises_the_usage_error_check_prints(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="unknown key `selct`"):
        fmlint.lint_paths([tmp_path], config={"selct": ["FM2"]})


def test_importing_fmlint_loads_no_api_until_it_is_used() -> None:
    code = (
        "import sys, fmlint; print('fmlint.api' in sys.modules); fmlint.lint_text; print('fmlint.api' in sys.modules)"
    )
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert shown.split() == ["False", "True"]
    with pytest.raises(AttributeError):
        fmlint.lint_everything  # type: ignore[attr-defined]  # noqa: B018
