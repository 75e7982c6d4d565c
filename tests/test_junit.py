"""JUnit: a test case fails for what fails the run, and warnings are the case's output."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from conftest import MINIMAL, run_cli

WARNING = MINIMAL.replace('title: "An article"\n', 'title: "An article"\nlegacyId: 4711\n')  # FM205, a warning
BOTH = WARNING.replace("legacyId: 4711\n", "legacyId: 4711\nquality: -5\n").replace("/an-article", "/both")


def junit(folder: Path, *args: str) -> tuple[int, ET.Element, dict[str, ET.Element]]:
    result = run_cli("check", "--output-format", "junit", *args, ".", cwd=folder)
    suites = ET.fromstring(result.out)
    return result.code, suites, {case.get("name", ""): case for case in suites.iter("testcase")}


def test_warnings_do_not_fail_a_passing_run(tmp_path: Path) -> None:
    (tmp_path / "warned.md").write_text(WARNING, encoding="utf-8")
    code, suites, cases = junit(tmp_path)
    assert code == 0
    assert (suites.get("failures"), suites[0].get("failures"), suites[0].get("tests")) == ("0", "0", "1")
    case = cases["warned.md"]
    assert case.findall("failure") == []
    output = case.findtext("system-out") or ""
    assert output.startswith("warned.md:3:1: FM205 unknown field `legacyId`") and output.endswith(
        "(warning, unknown-field)\n"
    )


def test_with_strict_warnings_are_failures(tmp_path: Path) -> None:
    (tmp_path / "warned.md").write_text(WARNING, encoding="utf-8")
    for args, where in ((["--strict"], "flag"), ([], "config")):
        if where == "config":
            (tmp_path / "pyproject.toml").write_text("[tool.fmlint]\nstrict = true\n", encoding="utf-8")
        code, suites, cases = junit(tmp_path, *args)
        assert code == 1
        assert suites.get("failures") == "1"
        assert [failure.get("type") for failure in cases["warned.md"].findall("failure")] == ["FM205"]
        assert cases["warned.md"].find("system-out") is None


def test_errors_fail_and_the_warnings_beside_them_are_output(tmp_path: Path) -> None:
    (tmp_path / "both.md").write_text(BOTH, encoding="utf-8")
    (tmp_path / "clean.md").write_text(MINIMAL, encoding="utf-8")
    code, suites, cases = junit(tmp_path)
    assert code == 1
    assert (suites.get("tests"), suites.get("failures")) == ("2", "1")
    assert [failure.get("type") for failure in cases["both.md"].findall("failure")] == ["FM203"]
    assert "FM205" in (cases["both.md"].findtext("system-out") or "")
    assert list(cases["clean.md"]) == []
