"""FM4xx date rules: positions, pointers, messages, options, the reference time and the fix."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MINIMAL, lint_text, run_cli
from fmlint.diagnostic import Applicability
from fmlint.rules.dates import parse_date_time
from test_rules_urls import apply_fix, article, found

DATES = ["FM401", "FM402", "FM403"]
WITH_QUOTING = [*DATES, "FM404"]


def dated(value: str, base: str = MINIMAL) -> str:
    return base.replace("2022-06-21T16:00:00Z", value)


# --- FM401: the bullets the schema format covers ------------------------------


@pytest.mark.parametrize(
    ("value", "code", "fragment"),
    [
        ("2022-13-05T10:00:00Z", "FM401", "month 13 does not exist"),
        ("2022-02-30T10:00:00Z", "FM401", "day 30 does not exist in 2022-02"),
        ("2022-07-05T25:38:00Z", "FM401", "hour 25 does not exist"),
        ("2022-07-05T23:38:00+25:00", "FM401", "time zone offset +25:00 does not exist"),
        ("2022-07-05", "FM401", "a date without a time and time zone"),
        ("05/07/2022", "FM401", "not in the form YYYY-MM-DDThh:mm:ssZ"),
        ("July 5, 2022", "FM401", "not in the form YYYY-MM-DDThh:mm:ssZ"),
        ("2022-07-05T23:38:00", "FM401", "it has no time zone"),
    ],
)
@pytest.mark.parametrize("quote", ["", '"', "'"])
def test_impossible_or_zone_less_date_times_are_errors_quoted_or_not(
    tmp_path: Path, value: str, code: str, fragment: str, quote: str
) -> None:
    diagnostics = lint_text(tmp_path, dated(quote + value + quote), select=DATES)
    assert found(diagnostics) == [(3, 20, code, "/publishedDateTime")]
    assert fragment in diagnostics[0].message


def test_an_empty_date_time_is_an_error(tmp_path: Path) -> None:
    assert found(lint_text(tmp_path, dated('""'))) == [(3, 20, "FM206", "/publishedDateTime")]
    assert found(lint_text(tmp_path, dated(""))) == [(3, 19, "FM202", "/publishedDateTime")]


def test_related_and_updated_date_times_are_checked_too(tmp_path: Path) -> None:
    text = article(
        "updatedDateTime: 2022-06-21\nrelated:\n  - title: Other\n    webUrl: https://example.com/b\n"
        "    publishedDateTime: 2022-06-31T10:00:00Z\n"
    )
    assert found(lint_text(tmp_path, text, select=DATES)) == [
        (8, 18, "FM401", "/updatedDateTime"),
        (12, 24, "FM401", "/related/0/publishedDateTime"),
    ]


def test_parse_date_time_reads_the_instant() -> None:
    instant = parse_date_time("2022-07-05T23:38:60.1234567-02:30")
    assert instant is not None
    assert instant.isoformat() == "2022-07-05T23:38:59.123456-02:30"
    assert parse_date_time("2022-07-05T23:38:00") is None


# --- FM402 future-date --------------------------------------------------------
# The tests run with now = 2026-01-01T00:00:00Z (conftest.FIXED_NOW).


@pytest.mark.parametrize(
    ("value", "reported"),
    [
        ("2025-12-31T23:59:59Z", False),
        ("2026-01-01T23:00:00Z", False),
        ("2026-01-02T00:00:00Z", False),  # exactly the tolerance
        ("2026-01-02T05:00:00+05:00", False),  # the same instant
        ("2026-01-02T00:00:01Z", True),
        ("2026-01-01T20:00:01-04:00", True),
        ("2062-06-21T16:00:00Z", True),
    ],
)
def test_a_date_beyond_the_tolerance_is_a_warning(tmp_path: Path, value: str, reported: bool) -> None:
    diagnostics = lint_text(tmp_path, dated(value), select=DATES)
    assert found(diagnostics) == ([(3, 20, "FM402", "/publishedDateTime")] if reported else [])
    if reported:
        assert diagnostics[0].severity == "warning"
        assert "in the future (now is 2026-01-01T00:00:00Z; up to 24 hours ahead is allowed)" in diagnostics[0].message


def test_future_message_says_how_far_ahead(tmp_path: Path) -> None:
    (soon,) = lint_text(tmp_path, dated("2026-01-02T06:00:00Z"), select=DATES)
    assert soon.message.startswith("`publishedDateTime` 2026-01-02T06:00:00Z is 30 hours in the future")
    (later,) = lint_text(tmp_path, dated("2026-03-01T00:00:00Z"), select=DATES)
    assert later.message.startswith("`publishedDateTime` 2026-03-01T00:00:00Z is 59 days in the future")


def test_updated_and_related_dates_in_the_future(tmp_path: Path) -> None:
    text = article(
        "updatedDateTime: 2030-01-01T00:00:00Z\nrelated:\n  - title: Other\n    webUrl: https://example.com/b\n"
        "    publishedDateTime: 2030-01-01T00:00:00Z\n    updatedDateTime: 2020-01-01T00:00:00Z\n"
    )
    assert found(lint_text(tmp_path, text, select=DATES)) == [
        (8, 18, "FM402", "/updatedDateTime"),
        (12, 24, "FM402", "/related/0/publishedDateTime"),
    ]


def test_now_comes_from_the_flag_or_the_environment_and_the_tolerance_is_an_option(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "article.md"
    path.write_text(dated("2024-05-01T12:00:00Z"))

    def codes(*args: str) -> list[tuple[int, int, str]]:
        result = run_cli("check", "--output-format", "json", *args, str(path), cwd=tmp_path)
        assert result.code == 0, result.err
        return [(d["line"], d["column"], d["code"]) for d in json.loads(result.out)]

    assert codes() == []  # now = 2026-01-01 from FMLINT_NOW
    assert codes("--now", "2024-04-30T00:00:00Z") == [(3, 20, "FM402")]
    assert codes("--now", "2024-04-30T13:00:00+01:00") == []  # 24 hours before
    monkeypatch.setenv("FMLINT_NOW", "2024-05-01T11:00:00Z")
    assert codes() == []
    (tmp_path / "pyproject.toml").write_text("[tool.fmlint.rules.future-date]\ntolerance-hours = 0\n")
    assert codes() == [(3, 20, "FM402")]
    assert codes("--now", "2024-05-01T12:00:00Z") == []


# --- FM403 file-name-date-mismatch --------------------------------------------


@pytest.mark.parametrize(
    ("name", "value", "reported"),
    [
        ("2022-06-21-an-article.md", "2022-06-21T16:00:00Z", False),
        ("2022-06-22-an-article.md", "2022-06-21T23:30:00Z", False),  # a day: time zones
        ("2022-06-20-an-article.md", "2022-06-21T00:30:00Z", False),
        ("2022-06-23-an-article.md", "2022-06-21T23:30:00Z", True),
        ("2022-06-19-an-article.md", "2022-06-21T00:30:00Z", True),
        ("2021-06-21-an-article.md", "2022-06-21T16:00:00Z", True),
        ("2022-06-23-an-article.md", "2022-06-22T01:00:00+03:00", False),  # its own zone's date
        ("2022-13-40-an-article.md", "2022-06-21T16:00:00Z", False),  # not a date
        ("20220612-an-article.md", "2022-06-21T16:00:00Z", False),
        ("an-article.md", "2022-06-21T16:00:00Z", False),
    ],
)
def test_file_name_date_more_than_a_day_off_is_a_warning(tmp_path: Path, name: str, value: str, reported: bool) -> None:
    diagnostics = lint_text(tmp_path, dated(value), name=name, select=DATES)
    assert found(diagnostics) == ([(3, 20, "FM403", "/publishedDateTime")] if reported else [])


def test_file_name_message_and_option(tmp_path: Path) -> None:
    (diagnostic,) = lint_text(tmp_path, MINIMAL, name="2022-06-18-an-article.md", select=DATES)
    assert diagnostic.severity == "warning"
    assert diagnostic.message == (
        "the file name says 2022-06-18 but `publishedDateTime` is 2022-06-21, 3 days apart (up to 1 allowed): "
        "one of them is wrong"
    )
    (tmp_path / "pyproject.toml").write_text("[tool.fmlint.rules.file-name-date-mismatch]\nmax-days = 3\n")
    result = run_cli("check", "--output-format", "json", "2022-06-18-an-article.md", cwd=tmp_path)
    assert (result.code, json.loads(result.out)) == (0, [])
    (tmp_path / "pyproject.toml").write_text('[tool.fmlint.rules.file-name-date-mismatch]\nmax-days = "3"\n')
    result = run_cli("check", "2022-06-18-an-article.md", cwd=tmp_path)
    assert result.code == 2 and "option `max-days` of rule `file-name-date-mismatch` has the wrong type" in result.err


# --- FM404 unquoted-date-time (opt-in) ----------------------------------------


def test_unquoted_date_time_is_opt_in(tmp_path: Path) -> None:
    assert lint_text(tmp_path, MINIMAL) == []
    path = tmp_path / "article.md"
    result = run_cli("check", "--extend-select", "FM404", "--output-format", "json", str(path))
    assert result.code == 0
    assert [(d["line"], d["column"], d["code"], d["pointer"]) for d in json.loads(result.out)] == [
        (3, 20, "FM404", "/publishedDateTime")
    ]


def test_unquoted_date_times_get_a_safe_fix_that_quotes_them(tmp_path: Path) -> None:
    text = article(
        "updatedDateTime: &when 2022-06-22T08:00:00+02:00\n"
        "related:\n"
        "  - {title: Other, webUrl: 'https://example.com/b', publishedDateTime: 2022-06-20T10:00:00Z}\n"
        "  - title: Quoted\n"
        "    webUrl: https://example.com/c\n"
        "    publishedDateTime: '2022-06-20T10:00:00Z'\n"
        '    updatedDateTime: "2022-06-20T10:00:00Z"\n'
    )
    diagnostics = lint_text(tmp_path, text, select=WITH_QUOTING)
    assert found(diagnostics) == [
        (3, 20, "FM404", "/publishedDateTime"),
        (8, 18, "FM404", "/updatedDateTime"),
        (10, 72, "FM404", "/related/0/publishedDateTime"),
    ]
    assert "turn it into a timestamp object" in diagnostics[0].message
    for diagnostic in diagnostics:
        assert diagnostic.fix is not None and diagnostic.fix.applicability is Applicability.SAFE
    repaired = text
    for diagnostic in reversed(diagnostics):  # later edits first, so earlier offsets stay true
        repaired = apply_fix(repaired, diagnostic)
    assert repaired == (
        text.replace("publishedDateTime: 2022-06-21T16:00:00Z", 'publishedDateTime: "2022-06-21T16:00:00Z"')
        .replace("&when 2022-06-22T08:00:00+02:00", '&when "2022-06-22T08:00:00+02:00"')
        .replace("publishedDateTime: 2022-06-20T10:00:00Z}", 'publishedDateTime: "2022-06-20T10:00:00Z"}')
    )
    assert lint_text(tmp_path, repaired, select=WITH_QUOTING) == []


def test_a_value_other_readers_read_as_text_is_not_reported(tmp_path: Path) -> None:
    tagged = dated("!!str 2022-06-21T16:00:00Z")
    assert lint_text(tmp_path, tagged, select=["FM404"]) == []
    other = dated("2022-06-21")  # still a timestamp for YAML 1.1 readers, and an FM401 error
    assert [d.code for d in lint_text(tmp_path, other, select=WITH_QUOTING)] == ["FM401", "FM404"]


def test_the_installed_command_takes_now_from_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "2024-05-01-an-article.md"
    path.write_text(dated("2024-05-01T12:00:00Z"))
    script = Path(sys.executable).with_name("fmlint")
    env = {**os.environ, "FMLINT_NOW": "2024-04-29T00:00:00Z"}
    command = [str(script), "check", "--isolated", "--output-format", "concise", "--strict", str(path)]
    completed = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert completed.returncode == 1
    assert f"{path}:3:20: FM402 `publishedDateTime` 2024-05-01T12:00:00Z is 60 hours in the future" in completed.stdout
    env["FMLINT_NOW"] = "2024-05-01T00:00:00Z"
    completed = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert (completed.returncode, completed.stderr) == (0, "")
