"""What the command line says when it is used wrongly, and ``--`` before paths."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MINIMAL, run_cli, write_article

FMLINT = Path(sys.executable).with_name("fmlint")


def installed(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(FMLINT), *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--select", "FM65O"],
            "fmlint: error: --select: unknown rule code or prefix `FM65O` (did you mean `FM650`?); "
            "`fmlint rules` lists every rule\n",
        ),
        (
            ["--extend-select", "fm40A"],
            "fmlint: error: --extend-select: unknown rule code or prefix `fm40A` (did you mean `FM404`?); "
            "`fmlint rules` lists every rule\n",
        ),
        (
            ["--ignore", "missing-feild"],
            "fmlint: error: --ignore: unknown rule code or prefix `missing-feild` (did you mean `missing-field`?); "
            "`fmlint rules` lists every rule\n",
        ),
        (
            ["--ignore", "XYZ"],
            "fmlint: error: --ignore: unknown rule code or prefix `XYZ`; `fmlint rules` lists every rule\n",
        ),
    ],
)
def test_an_unknown_rule_code_names_the_flag_and_suggests_the_nearest(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = run_cli("check", *args, cwd=tmp_path)
    assert (result.code, result.out, result.err) == (2, "", message)


def test_an_unknown_code_in_the_configuration_names_the_file_and_the_key(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.fmlint]\nextend-select = ["FM65O"]\n', encoding="utf-8")
    result = run_cli("check", cwd=tmp_path)
    assert result.err == (
        f"fmlint: error: {tmp_path / 'pyproject.toml'}: `extend-select`: unknown rule code or prefix `FM65O` "
        "(did you mean `FM650`?); `fmlint rules` lists every rule\n"
    )


def test_an_unknown_option_of_check_prints_the_usage_of_check(tmp_path: Path) -> None:
    completed = installed("check", "--frobnicate", "a.md", cwd=tmp_path)
    assert completed.returncode == 2
    assert completed.stderr.startswith("usage: fmlint check [-h] [--select CODES]")
    assert completed.stderr.endswith("fmlint check: error: unrecognized arguments: --frobnicate\n")


def test_an_unknown_option_before_the_command_is_the_main_parsers(tmp_path: Path) -> None:
    completed = installed("--frobnicate", "check", cwd=tmp_path)
    assert completed.returncode == 2
    assert completed.stderr.startswith("usage: fmlint [-h] [--version] COMMAND ...")


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_the_version_flags(tmp_path: Path, flag: str) -> None:
    from fmlint import __version__

    completed = installed(flag, cwd=tmp_path)
    assert (completed.returncode, completed.stdout) == (0, f"fmlint {__version__}\n")


def test_after_a_double_dash_an_option_like_name_is_a_file(tmp_path: Path) -> None:
    """How the pre-commit hooks call fmlint: a file named ``--config=evil.md`` cannot pass options."""
    (tmp_path / "evil.md").write_text('select = ["FM901"]\n', encoding="utf-8")
    (tmp_path / "--config=evil.md").write_text('select = ["FM901"]\n', encoding="utf-8")
    bad = MINIMAL.replace('title: "An article"\n', 'title: "An article"\nquality: -5\n')
    write_article(tmp_path / "bad.md", bad)
    # Both readings of the command line: the fast one (paths only) and argparse (with an option).
    for args in (
        ["check", "--", "--config=evil.md", "bad.md"],
        ["check", "--no-cache", "--", "--config=evil.md", "bad.md"],
    ):
        completed = installed(*args, cwd=tmp_path)
        assert completed.returncode == 1, completed
        assert "--config=evil.md:1:1: FM001 " in completed.stdout
        assert "bad.md:3:10: FM203 " in completed.stdout
        assert "Found 2 errors and 0 warnings in 2 of 2 files." in completed.stdout


def test_an_option_given_as_a_hook_argument_says_where_options_go(tmp_path: Path) -> None:
    """pre-commit appends `args` after the entry's `--`: `args: [--strict]` reaches fmlint as a path."""
    write_article(tmp_path / "good.md", MINIMAL)
    completed = installed("check", "--", "--strict", "good.md", cwd=tmp_path)
    assert completed.returncode == 1
    assert "--strict:1:1: FM007 no such file; options after `--` are read as paths" in completed.stdout
    assert "`entry: fmlint check --strict --`" in completed.stdout


def test_sarif_names_fmlint_without_pointing_at_a_page_that_does_not_exist(tmp_path: Path) -> None:
    """``informationUri`` is optional in SARIF 2.1.0; fmlint has no page that holds wherever it is installed from."""
    import json

    import jsonschema

    from conftest import REPO

    write_article(tmp_path / "a.md", MINIMAL)
    result = run_cli("check", "--output-format", "sarif", "a.md", cwd=tmp_path)
    log = json.loads(result.out)
    jsonschema.validate(log, json.loads((REPO / "tests" / "data" / "sarif-schema-2.1.0.json").read_text()))
    driver = log["runs"][0]["tool"]["driver"]
    assert sorted(driver) == ["name", "rules", "version"]
    assert "pypi.org" not in result.out
