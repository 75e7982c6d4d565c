"""The configuration: found from the files linted, every value checked when loaded, shown on request."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MINIMAL, REPO, run_cli, write_article

WARNING = MINIMAL.replace("---\n", "---\npublished: yes\n", 1).replace("an-article", "warned")  # FM102


def project(root: Path, settings: str = 'ignore = ["FM102"]\n') -> Path:
    """A site with its own configuration, and an article that warns unless the configuration says otherwise."""
    (root / "content").mkdir(parents=True)
    (root / "pyproject.toml").write_text(f"[tool.fmlint]\n{settings}", encoding="utf-8")
    write_article(root / "content" / "warned.md", WARNING)
    return root


# --- found from the files, not from the current directory -------------------------------------------


def test_the_configuration_above_the_files_applies_from_any_directory(tmp_path: Path) -> None:
    site = project(tmp_path / "site")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_cli("check", str(site / "content"), cwd=elsewhere)
    assert (result.code, result.out) == (0, "All checks passed (1 file checked).\n")
    assert os.listdir(elsewhere) == []  # the cache went next to the configuration
    assert (site / ".fmlint_cache").is_dir()


def test_a_file_named_alone_finds_its_configuration_too(tmp_path: Path) -> None:
    site = project(tmp_path / "site")
    result = run_cli("check", str(site / "content" / "warned.md"), cwd=tmp_path)
    assert (result.code, result.out) == (0, "All checks passed (1 file checked).\n")


def test_paths_in_two_projects_use_the_configuration_above_both(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.fmlint]\nselect = ["FM2"]\n', encoding="utf-8")
    one = project(tmp_path / "one")
    two = project(tmp_path / "two", 'ignore = ["FM2"]\n')
    result = run_cli("check", "--show-settings", str(one / "content"), str(two / "content"), cwd=tmp_path)
    assert f'config-file = "{tmp_path / "pyproject.toml"}"' in result.out.splitlines()
    # One project alone: its own.
    alone = run_cli("check", "--show-settings", str(two / "content"), cwd=tmp_path)
    assert f'config-file = "{two / "pyproject.toml"}"' in alone.out.splitlines()


def test_isolated_ignores_the_files_but_keeps_an_explicit_config(tmp_path: Path) -> None:
    site = project(tmp_path / "site")
    (tmp_path / "strict.toml").write_text("strict = true\n", encoding="utf-8")
    isolated = run_cli("check", "--isolated", "--no-cache", str(site / "content"))
    assert (isolated.code, "FM102" in isolated.out) == (0, True)
    explicit = run_cli("check", "--isolated", "--no-cache", "--config", str(tmp_path / "strict.toml"), str(site))
    assert (explicit.code, "FM102" in explicit.out) == (1, True)  # strict: the warning fails the run


# --- --show-settings and --show-files ----------------------------------------------------------------


def test_show_settings_names_the_file_and_the_resolved_values(tmp_path: Path) -> None:
    site = project(tmp_path / "site", 'ignore = ["FM102"]\njobs = 1\n[tool.fmlint.rules.odd-number]\nmin-files = 5\n')
    result = run_cli("check", "--show-settings", str(site / "content"), cwd=tmp_path)
    lines = result.out.splitlines()
    assert (result.code, result.err) == (0, "")
    assert lines[0] == f'config-file = "{site / "pyproject.toml"}"'
    assert f'cache-dir = "{site / ".fmlint_cache"}"' in lines
    assert "jobs = 1" in lines and "rules.odd-number.min-files = 5" in lines
    assert "rules.odd-number.max-quality = 1000" in lines  # defaults are shown too
    rules = next(line for line in lines if line.startswith("rules = "))
    assert '"FM101"' in rules and '"FM102"' not in rules and '"FM504"' not in rules  # opt-in stays off
    assert not (site / ".fmlint_cache").exists()  # nothing was linted


def test_show_settings_without_a_configuration_says_so(tmp_path: Path) -> None:
    result = run_cli("check", "--show-settings", "--no-cache", cwd=tmp_path)
    assert result.out.splitlines()[0] == "config-file = none (the defaults)"
    assert "cache-dir = none (--no-cache)" in result.out.splitlines()


def test_show_files_lists_what_would_be_linted_one_per_line(tmp_path: Path) -> None:
    site = project(tmp_path / "site")
    (site / "README.md").write_text("# The site\n", encoding="utf-8")
    (site / "content" / "notes.html").write_text("x", encoding="utf-8")
    result = run_cli("check", "--show-files", "site", cwd=tmp_path)
    assert (result.code, result.out) == (0, f"{os.path.join('site', 'content', 'warned.md')}\tarticle\n")
    included = run_cli("check", "--show-files", "--extend-include", "*.html", "site", cwd=tmp_path)
    assert _paths(included.out) == [os.path.join("site", "content", p) for p in ("notes.html", "warned.md")]
    replaced = run_cli("check", "--show-files", "--include", "*.html", "site", cwd=tmp_path)
    assert _paths(replaced.out) == [os.path.join("site", "content", "notes.html")]


def _paths(listing: str) -> list[str]:
    """The first column of ``--show-files``: the paths (the second is each file's schema)."""
    return [line.split("\t")[0] for line in listing.splitlines()]


def test_show_files_quotes_a_name_with_control_characters(tmp_path: Path) -> None:
    (tmp_path / "a\x1b[31mred\n.md").write_text(MINIMAL, encoding="utf-8")
    result = run_cli("check", "--show-files", ".", cwd=tmp_path)
    assert result.out == '"a\\u001b[31mred\\n.md"\tarticle\n'


def test_extend_include_in_the_configuration(tmp_path: Path) -> None:
    site = project(tmp_path / "site", 'extend-include = ["*.html"]\n')
    (site / "content" / "notes.html").write_text("x", encoding="utf-8")
    result = run_cli("check", "--show-files", str(site))
    assert [Path(line).name for line in _paths(result.out)] == ["notes.html", "warned.md"]


# --- repository files are not articles ----------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "README.md",
        "readme.md",
        "CHANGELOG.md",
        "CONTRIBUTING.md",
        "CODE_OF_CONDUCT.md",
        "LICENSE.txt",
        "SECURITY.md",
        "Readme.en.markdown",
    ],
)
def test_walks_skip_the_files_a_repository_keeps_about_itself(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text("# About this repository\n", encoding="utf-8")
    write_article(tmp_path / "article.md", MINIMAL)
    walked = run_cli("check", "--no-cache", ".", cwd=tmp_path)
    assert (walked.code, walked.out) == (0, "All checks passed (1 file checked).\n")
    named = run_cli("check", "--no-cache", name, cwd=tmp_path)  # named on the command line: linted
    assert (named.code, f"{name}:1:1: FM001 " in named.out) == (1, True)


def test_extend_exclude_still_adds_to_the_defaults(tmp_path: Path) -> None:
    site = project(tmp_path / "site", 'extend-exclude = ["drafts"]\n')
    (site / "README.md").write_text("# The site\n", encoding="utf-8")
    (site / "drafts").mkdir()
    write_article(site / "drafts" / "draft.md", MINIMAL)
    result = run_cli("check", "--show-files", str(site))
    assert [Path(line).name for line in _paths(result.out)] == ["warned.md"]


# --- every value is checked when loaded ----------------------------------------------------------------


def usage_error(tmp_path: Path, pyproject: str) -> str:
    (tmp_path / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    write_article(tmp_path / "a.md", MINIMAL)
    result = run_cli("check", "a.md", cwd=tmp_path)
    assert result.code == 2, result
    assert result.out == ""
    assert "Traceback" not in result.err
    [line] = result.err.splitlines()
    assert line.startswith(f"fmlint: error: {tmp_path / 'pyproject.toml'}")
    return line


@pytest.mark.parametrize(
    ("pyproject", "message"),
    [
        ('tool = "fmlint"  # [tool.fmlint]\n', '`tool` must be a table ([tool.fmlint]), got the string "fmlint"'),
        ("# [tool.fmlint]\n[tool]\nfmlint = 3\n", "[tool.fmlint] must be a table, got 3"),
        ("[tool.fmlint]\njobs = 400\n", "`jobs` must be at most"),
        ("[tool.fmlint]\njobs = 0\n", '`jobs` must be a positive integer or "auto", got 0'),
        ("[tool.fmlint]\njobs = true\n", '`jobs` must be a positive integer or "auto", got true'),
        ("[tool.fmlint]\nstrict = 1\n", "`strict` must be true or false, got 1"),
        ('[tool.fmlint]\nselect = "FM2"\n', '`select` must be a list of strings, got the string "FM2"'),
        ('[tool.fmlint]\ninclude = ["*.md", ""]\n', "`include` must be a list of non-empty strings"),
        ('[tool.fmlint]\nschema = ""\n', "`schema` must be a non-empty string"),
        ('[tool.fmlint]\noutput-format = "sarf"\n', "`output-format` must be one of text, "),
        ('[tool.fmlint]\ncache-dir = "/tmp/elsewhere"\n', "`cache-dir` must be a folder inside the configuration's"),
        ('[tool.fmlint]\ncache-dir = "../../elsewhere"\n', "`cache-dir` must be a folder inside"),
        ('[tool.fmlint]\ncache-dir = "."\n', "`cache-dir` must name a folder of its own"),
        ("[tool.fmlint.limits]\nmax-depth = -5\n", "limit `max-depth` must be a positive integer, got -5"),
        ("[tool.fmlint.limits]\nmax-number-length = 5000\n", "limit `max-number-length` must be at most 3000"),
        ('[tool.fmlint.per-file-ignores]\n"a/" = "FM2"\n', "`per-file-ignores` must map globs to lists"),
        (
            "[tool.fmlint.rules.odd-number]\nmin-files = -5\n",
            "option `min-files` of rule `odd-number` must be at least 1",
        ),
        ("[tool.fmlint.rules.odd-number]\noutlier-threshold = nan\n", "must be a finite number"),
        ("[tool.fmlint.rules.odd-number]\noutlier-threshold = inf\n", "must be a finite number"),
        ("[tool.fmlint.rules.odd-number]\noutlier-threshold = -1.5\n", "must be at least 0"),
        ("[tool.fmlint.rules.odd-number]\nmax-quality = -1\n", "must be at least 0"),
        (
            '[tool.fmlint.rules.odd-number]\nmax-heat = "9"\n',
            'has the wrong type: the largest plausible `heat` (an integer); got the string "9"',
        ),
        ("[tool.fmlint.rules.published-below-quality]\nthreshold = -70\n", "must be at least 0"),
        ("[tool.fmlint.rules.future-date]\ntolerance-hours = 99999999999\n", "must be at most 876000"),
        ("[tool.fmlint.rules.future-date]\ntolerance-hours = -1\n", "must be at least 0"),
        ("[tool.fmlint.rules.file-name-date-mismatch]\nmax-days = 10000000000\n", "must be at most 36500"),
        ("[tool.fmlint.rules.url-host-mismatch]\nignore-www = 1\n", "has the wrong type"),
        ("[tool.fmlint.rules.provider-domain-mismatch]\nvideo-hosts = [1]\n", "must be a list of non-empty str"),
        ('[tool.fmlint.rules.provider-domain-mismatch]\nvideo-hosts = "youtube.com"\n', "has the wrong type"),
        ('[tool.fmlint.rules.untrimmed-text]\nfields = [""]\n', "must be a list of non-empty str"),
        ("[tool.fmlint.rules.odd-number]\nmin-file = 3\n", "rule `odd-number` has no option `min-file` (did you"),
    ],
)
def test_every_bad_value_is_a_usage_error_naming_the_file_and_the_key(
    tmp_path: Path, pyproject: str, message: str
) -> None:
    assert message in usage_error(tmp_path, pyproject)


def test_a_value_from_the_file_is_shown_escaped(tmp_path: Path) -> None:
    line = usage_error(tmp_path, '[tool.fmlint]\noutput-format = "x\\n::error::forged"\n')
    assert 'got the string "x\\n::error::forged"' in line


def test_jobs_on_the_command_line_is_capped_too(tmp_path: Path) -> None:
    result = run_cli("check", "--jobs", "400", cwd=tmp_path)
    assert result.code == 2
    assert "fmlint check: error: argument --jobs/-j: must be at most" in result.err
    assert result.err.startswith("usage: fmlint check ")


def test_the_installed_command_reports_a_bad_configuration_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('tool = "fmlint"\n', encoding="utf-8")
    write_article(tmp_path / "a.md", MINIMAL)
    fmlint = Path(sys.executable).with_name("fmlint")
    completed = subprocess.run(
        [str(fmlint), "check", "--config", "pyproject.toml", "a.md"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (completed.returncode, completed.stdout) == (2, "")
    assert completed.stderr == (
        'fmlint: error: pyproject.toml: `tool` must be a table ([tool.fmlint]), got the string "fmlint"\n'
    )


# --- the README's example means what it says ------------------------------------------------------------


def readme_section(title: str) -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index(f"\n## {title}\n")
    return readme[start : readme.index("\n## ", start + 1)]


def test_the_readme_configuration_example_loads_and_selects_what_its_comments_say(tmp_path: Path) -> None:
    import re

    from fmlint.config import load_config
    from fmlint.rules import RULES, Selection, resolve

    # The section's first TOML block is the example; the ones after it show single settings.
    example = re.findall(r"```toml\n(.*?)```", readme_section("Configuration"), re.DOTALL)[0]
    (tmp_path / "pyproject.toml").write_text(example, encoding="utf-8")
    config = load_config(str(tmp_path / "pyproject.toml"))
    assert config.select is None  # commented out: the default selection
    enabled = resolve([Selection(None, tuple(config.extend_select), tuple(config.ignore))])
    default = {rule.code for rule in RULES if rule.default_enabled}
    assert enabled == (default | {"FM404"}) - {"FM205"}


def test_the_readme_configuration_error_is_what_fmlint_prints(tmp_path: Path) -> None:
    shown = readme_section("Configuration").split("```\nfmlint: error: ", 1)[1].split("\n", 1)[0]
    line = usage_error(tmp_path, "[tool.fmlint.rules.odd-number]\nmin-files = -5\n")
    assert line == f"fmlint: error: {tmp_path / 'pyproject.toml'}" + shown.removeprefix("pyproject.toml")
