"""Output formats beyond their goldens: choosing one, validity, escaping, colour, stability."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import MINIMAL, REPO, run_cli
from fmlint.diagnostic import Diagnostic, Severity
from fmlint.report import FORMATS, RunResult
from fmlint.report.github import escape_data, escape_property

GOLDEN_INPUT = Path(__file__).resolve().parent / "golden" / "input"
SARIF_SCHEMA = REPO / "tests" / "data" / "sarif-schema-2.1.0.json"
BAD = MINIMAL.replace('title: "An article"\n', 'title: "An article"\nquality: -5\n').replace(
    "/an-article",
    "/a-bad-article",  # another article than MINIMAL's, not its duplicate (FM701)
)


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")
    return path


# Choosing a format


def test_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    write(tmp_path, "a.md", MINIMAL)
    result = run_cli("check", "--output-format", "xml", "a.md", cwd=tmp_path)
    assert result.code == 2
    assert "unknown output format `xml`" in result.err
    assert all(name in result.err for name in FORMATS)
    assert result.out == ""


def test_format_can_be_set_in_pyproject_and_the_flag_wins(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.fmlint]\noutput-format = "concise"\n')
    write(tmp_path, "a.md", BAD)
    concise = run_cli("check", "a.md", cwd=tmp_path)
    assert concise.code == 1
    assert concise.out.splitlines()[0].startswith("a.md:3:10: FM203 ")
    assert "|" not in concise.out
    flagged = run_cli("check", "--output-format", "json-lines", "a.md", cwd=tmp_path)
    assert [json.loads(line)["code"] for line in flagged.out.splitlines()] == ["FM203"]


def test_unknown_format_in_pyproject_is_a_usage_error(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.fmlint]\noutput-format = "html"\n')
    write(tmp_path, "a.md", MINIMAL)
    result = run_cli("check", "a.md", cwd=tmp_path)
    assert result.code == 2
    assert "pyproject.toml [tool.fmlint]: `output-format` must be one of text, " in result.err
    assert result.err.rstrip().endswith('got the string "html"')


def test_clean_run_in_every_format(tmp_path: Path) -> None:
    write(tmp_path, "a.md", MINIMAL)
    outputs = {name: run_cli("check", "--output-format", name, "a.md", cwd=tmp_path) for name in FORMATS}
    assert {name: result.code for name, result in outputs.items()} == dict.fromkeys(FORMATS, 0)
    assert outputs["text"].out == "All checks passed (1 file checked).\n"
    assert outputs["concise"].out == "All checks passed (1 file checked).\n"
    assert outputs["json"].out == "[]\n"
    assert outputs["json-lines"].out == ""
    assert outputs["github"].out == ""
    assert outputs["gitlab"].out == "[]\n"
    suite = ET.fromstring(outputs["junit"].out)
    assert (suite.get("tests"), suite.get("failures")) == ("1", "0")
    assert json.loads(outputs["sarif"].out)["runs"][0]["results"] == []


# SARIF


def validate_sarif(text: str) -> dict[str, object]:
    import jsonschema

    log = json.loads(text)
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER).validate(log)
    return log  # type: ignore[no-any-return]


def test_sarif_is_valid_and_its_regions_are_the_diagnostics_positions() -> None:
    sarif = run_cli("check", "--output-format", "sarif", "input", cwd=GOLDEN_INPUT.parent)
    plain = run_cli("check", "--output-format", "json", "input", cwd=GOLDEN_INPUT.parent)
    log = validate_sarif(sarif.out)
    run = log["runs"][0]  # type: ignore[index]
    assert run["columnKind"] == "unicodeCodePoints"
    regions = [
        (
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            result["ruleId"],
            result["level"],
            result["message"]["text"],
            result["locations"][0]["physicalLocation"]["region"],
        )
        for result in run["results"]
    ]
    expected = [
        (
            d["path"].replace(",", "%2C").replace(" ", "%20").replace("%.", "%25."),
            d["code"],
            d["severity"],
            d["message"],
            {
                "startLine": d["line"],
                "startColumn": d["column"],
                "endLine": d["end_line"],
                "endColumn": d["end_column"],
            },
        )
        for d in json.loads(plain.out)
    ]
    assert regions == expected
    wide = [region for uri, code, _, _, region in regions if uri == "input/wide.md" and code == "FM202"]
    assert wide == [{"startLine": 5, "startColumn": 32, "endLine": 5, "endColumn": 33}]


def test_sarif_uri_of_a_file_outside_the_working_directory(tmp_path: Path) -> None:
    path = write(tmp_path, "content dir/a.md", BAD)
    result = run_cli("check", "--output-format", "sarif", str(path), cwd=REPO)
    [entry] = validate_sarif(result.out)["runs"][0]["results"]  # type: ignore[index]
    uri = entry["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == path.as_uri() and "content%20dir/a.md" in uri


# Reporters on findings with no file (a cross-file rule that failed as a whole)


RUN_WIDE = Diagnostic("", 1, 1, 1, 2, "FM902", "internal-error", Severity.ERROR, "internal error in rule FM7xx", "")


def render(name: str, result: RunResult) -> str:
    stream = io.StringIO()
    FORMATS[name](result, stream)
    return stream.getvalue()


def test_a_finding_without_a_file_in_every_format() -> None:
    result = RunResult((RUN_WIDE,), ("a.md",))
    assert render("github", result) == "::error title=FM902::internal error in rule FM7xx\n"
    assert "locations" not in validate_sarif(render("sarif", result))["runs"][0]["results"][0]  # type: ignore[index]
    cases = ET.fromstring(render("junit", result)).iter("testcase")
    assert [(case.get("name"), len(case.findall("failure"))) for case in cases] == [("a.md", 0), ("(all files)", 1)]
    assert render("concise", result).startswith("(all files):1:1: FM902 internal error")
    assert json.loads(render("gitlab", result))[0]["location"]["path"] == ""


# GitHub


def test_github_escapes_data_and_properties() -> None:
    assert escape_data("50% off\r\nnext: a, b") == "50%25 off%0D%0Anext: a, b"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_github_paths_are_relative_to_the_workspace(tmp_path: Path) -> None:
    path = write(tmp_path, "content/a.md", BAD)
    result = run_cli("check", "--output-format", "github", str(path), cwd=tmp_path)
    assert result.out == (
        "::error file=content/a.md,line=3,col=10,endLine=3,endColumn=12,title=FM203::"
        "`quality` must be an integer ≥ 0, got -5\n"
    )


# GitLab fingerprints


def gitlab(directory: Path, *paths: str) -> list[dict[str, object]]:
    return json.loads(run_cli("check", "--output-format", "gitlab", *paths, cwd=directory).out)  # type: ignore[no-any-return]


def test_gitlab_fingerprint_survives_edits_elsewhere_and_another_checkout(tmp_path: Path) -> None:
    first = write(tmp_path / "one", "news/a.md", BAD)
    [before] = gitlab(tmp_path / "one", "news")
    # The same repository checked out elsewhere, named by absolute path, with lines added above.
    moved = write(tmp_path / "two", "news/a.md", BAD.replace("---\n", "---\n# a comment\nheat: 3\n", 1))
    [after] = gitlab(tmp_path / "two", str(moved))
    assert after["location"] != before["location"]
    assert after["fingerprint"] == before["fingerprint"]
    # A different finding, or the same finding in another file, is another fingerprint.
    write(tmp_path / "one", "news/b.md", BAD.replace("/a-bad-article", "/b"))
    write(tmp_path / "one", "news/a.md", first.read_text().replace("quality: -5", "quality: -5\nheat: -9"))
    findings = gitlab(tmp_path / "one", "news")
    assert [(f["check_name"], f["location"]["path"]) for f in findings] == [  # type: ignore[index]
        ("FM203", "news/a.md"),
        ("FM203", "news/a.md"),
        ("FM203", "news/b.md"),
    ]
    assert findings[0]["fingerprint"] == before["fingerprint"]
    assert len({f["fingerprint"] for f in findings}) == 3


def test_gitlab_fingerprints_tell_identical_findings_apart(tmp_path: Path) -> None:
    write(tmp_path, "a.md", MINIMAL.replace("title:", "related: [{}, {}]\ntitle:"))
    findings = gitlab(tmp_path, "a.md")
    assert len(findings) >= 2
    assert len({f["fingerprint"] for f in findings}) == len(findings)


# JUnit


def test_junit_one_case_per_file_and_a_failure_per_finding(tmp_path: Path) -> None:
    write(tmp_path, "good.md", MINIMAL)
    write(tmp_path, "bad.md", BAD.replace("quality: -5", "quality: -5\nheat: -9"))
    write(tmp_path, "bad\x01name.md", "no front-matter\x1b[2J\n")
    result = run_cli("check", "--output-format", "junit", ".", cwd=tmp_path)
    suites = ET.fromstring(result.out)
    [suite] = suites
    cases = {case.get("name"): [f.get("type") for f in case.findall("failure")] for case in suite}
    assert cases == {"bad.md": ["FM203", "FM203"], "bad\ufffdname.md": ["FM001"], "good.md": []}
    assert (suite.get("tests"), suite.get("failures"), suites.get("failures")) == ("3", "2", "2")


# Text: source lines, safety, colour


def test_text_quotes_the_line_with_carets_under_the_span(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "\ufeff" + BAD.replace("\n", "\r\n"))
    result = run_cli("check", "a.md", cwd=tmp_path)
    assert result.out == (
        "a.md:3:10: FM203 `quality` must be an integer ≥ 0, got -5\n"
        "  |\n"
        "3 | quality: -5\n"
        "  |          ^^\n"
        "  |\n"
        "\n"
        "Found 1 error and 0 warnings in 1 of 1 file.\n"
    )


def test_text_shows_control_characters_instead_of_sending_them(tmp_path: Path) -> None:
    write(tmp_path, "\x1b[31mred.md", "A body\x1b]0;title\x07 with escapes\n")
    result = run_cli("check", ".", cwd=tmp_path)
    assert "\x1b" not in result.out and "\x07" not in result.out
    assert result.out.startswith("\u241b[31mred.md:1:1: FM001 ")
    assert "1 | A body\u241b]0;title\u2407 with escapes\n" in result.out


def test_text_cuts_a_long_line_around_the_finding(tmp_path: Path) -> None:
    long_line = f'big: [{"1, " * 150}"x", {{}}]'
    write(tmp_path, "a.md", MINIMAL.replace("title:", f"quality: 5\n{long_line}\ntitle:"))
    lines = run_cli("check", "--select", "FM205", "a.md", cwd=tmp_path).out.splitlines()
    assert lines[0].startswith("a.md:3:1: FM205 ")
    assert lines[2] == "3 | " + long_line[:200] + "…"
    assert lines[3] == "  | ^^^"


def test_text_window_keeps_a_finding_far_along_the_line_in_view(tmp_path: Path) -> None:
    line = f"topics: [{'a, ' * 100}5{', b' * 100}]"
    write(tmp_path, "a.md", MINIMAL.replace("title:", f"{line}\ntitle:"))
    lines = run_cli("check", "--select", "FM202", "a.md", cwd=tmp_path).out.splitlines()
    start = line.index("5")
    assert lines[0].startswith(f"a.md:2:{start + 1}: FM202 ")
    # 40 characters of context before the finding, 200 in all
    assert lines[2] == "2 | …" + line[start - 40 : start + 160] + "…"
    assert lines[3] == "  |  " + " " * 40 + "^"
    # Near the end of the line, the window holds the last 200 characters.
    line = f"topics: [{'a, ' * 100}5, b]"
    write(tmp_path, "a.md", MINIMAL.replace("title:", f"{line}\ntitle:"))
    lines = run_cli("check", "--select", "FM202", "a.md", cwd=tmp_path).out.splitlines()
    assert lines[2] == "2 | …" + line[-200:]
    assert lines[3] == "  |  " + " " * (200 - len("5, b]")) + "^"


def test_snippet_of_spans_that_leave_the_line() -> None:
    from fmlint.report.terminal import Style
    from fmlint.report.text import snippet

    def carets(line: int, column: int, end_line: int, end_column: int) -> str:
        d = Diagnostic("a.md", line, column, end_line, end_column, "FM201", "missing-field", Severity.ERROR, "m", "")
        return snippet(d, "key: value", Style(colour=False))[2]

    assert carets(3, 6, 3, 11) == "  |      ^^^^^"
    assert carets(3, 6, 5, 2) == "  |      ^^^^^"  # a span over several lines: to the end of the first
    assert carets(3, 11, 3, 11) == "  |           ^"  # an empty span at the end of the line
    assert carets(3, 40, 3, 41) == "  |           ^"  # past the end (the file changed since): at the end


def test_quiet_text_keeps_the_source_lines(tmp_path: Path) -> None:
    write(tmp_path, "a.md", BAD)
    result = run_cli("check", "--quiet", "a.md", cwd=tmp_path)
    assert (
        result.out
        == "a.md:3:10: FM203 `quality` must be an integer ≥ 0, got -5\n  |\n3 | quality: -5\n  |          ^^\n  |\n\n"
    )


def test_colour_follows_no_color_and_force_color(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "a.md", BAD)
    monkeypatch.delenv("NO_COLOR")
    assert "\x1b[" not in run_cli("check", "a.md", cwd=tmp_path).out  # not a terminal
    monkeypatch.setenv("FORCE_COLOR", "1")
    forced = run_cli("check", "a.md", cwd=tmp_path).out
    assert "\x1b[1;31mFM203\x1b[0m" in forced and "\x1b[1;31m^^\x1b[0m" in forced
    assert "\x1b[1;31mFM203\x1b[0m" in run_cli("check", "--output-format", "concise", "a.md", cwd=tmp_path).out
    assert "\x1b[" not in run_cli("check", "--output-format", "github", "a.md", cwd=tmp_path).out
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in run_cli("check", "a.md", cwd=tmp_path).out


def fmlint_command() -> list[str]:
    script = Path(sys.executable).with_name("fmlint")
    return [str(script)] if script.exists() else [sys.executable, "-m", "fmlint"]


def run_on_terminal(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    """Run the installed command with its output on a pseudo-terminal; return what it printed."""
    import pty

    leader, follower = pty.openpty()
    try:
        completed = subprocess.run(args, cwd=cwd, env=env, stdout=follower, stderr=subprocess.PIPE, timeout=60)
        os.close(follower)
        follower = -1
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal is closed once everything is read
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
        if follower != -1:
            os.close(follower)
    assert completed.returncode == 1, completed.stderr
    return b"".join(chunks).decode()


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_colour_on_a_terminal_only(tmp_path: Path) -> None:
    write(tmp_path, "a.md", BAD)
    env = {key: value for key, value in os.environ.items() if key not in ("NO_COLOR", "FORCE_COLOR", "TERM")}
    coloured = run_on_terminal([*fmlint_command(), "check", "a.md"], tmp_path, env)
    assert "\x1b[1;31mFM203\x1b[0m" in coloured
    plain = run_on_terminal([*fmlint_command(), "check", "a.md"], tmp_path, {**env, "NO_COLOR": "1"})
    assert "\x1b[" not in plain and "FM203" in plain
    piped = subprocess.run([*fmlint_command(), "check", "a.md"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert "\x1b[" not in piped.stdout and "FM203" in piped.stdout


# Source lines


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_source_lines_never_block_on_a_fifo(tmp_path: Path) -> None:
    from fmlint.report.lines import SourceLines

    fifo = tmp_path / "a.md"
    os.mkfifo(fifo)
    lines = SourceLines()
    assert lines.line(str(fifo), 1) is None
    assert lines.line(str(tmp_path / "missing.md"), 1) is None
    assert lines.line("", 1) is None


def test_source_lines_read_only_as_far_as_needed(tmp_path: Path) -> None:
    from fmlint.report.lines import SourceLines

    path = write(tmp_path, "a.md", "one\r\ntwo\n" + "x" * 300_000 + "\nlast")
    lines = SourceLines(max_bytes=200_000)
    assert (lines.line(str(path), 1), lines.line(str(path), 2)) == ("one", "two")
    assert lines.line(str(path), 3) is None  # past the read limit: not shown rather than cut
    assert SourceLines().line(str(path), 4) == "last"
    assert SourceLines().line(str(path), 5) is None


def test_source_lines_keep_only_the_file_being_quoted(tmp_path: Path) -> None:
    """Findings come sorted by path: the lines of a file already quoted are not kept (a large run
    would hold the lines of every file with a finding), so it is read again if asked for again."""
    from fmlint.report.lines import SourceLines

    a, b = write(tmp_path, "a.md", "a one\na two\n"), write(tmp_path, "b.md", "b one\n")
    lines = SourceLines()
    assert (lines.line(str(a), 1), lines.line(str(a), 2)) == ("a one", "a two")
    a.write_text("changed\n")
    assert lines.line(str(a), 1) == "a one"  # the file being quoted is read once
    assert lines.line(str(b), 1) == "b one"
    assert lines.line(str(a), 1) == "changed"


def test_format_modules_are_imported_only_when_chosen(tmp_path: Path) -> None:
    write(tmp_path, "a.md", MINIMAL)
    code = (
        "import sys; from fmlint.cli import main; main(['check', '--output-format', 'json', 'a.md']);"
        "print(sorted(m for m in sys.modules if m.startswith(('fmlint.report.', 'xml'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[-1] == "['fmlint.report.json', 'fmlint.report.lines']"


def test_every_format_module_has_a_docstring() -> None:
    from importlib import import_module

    for name in ("text", "concise", "json", "json_lines", "github", "sarif", "junit", "gitlab"):
        assert (import_module(f"fmlint.report.{name}").__doc__ or "").strip()
