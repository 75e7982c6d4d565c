"""``fmlint check --stdin-filename PATH -``, through the installed command, as editors pipe to it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lsp_support import ARTICLE, NOW

FMLINT = str(Path(sys.executable).parent / "fmlint")


def _run(cwd: Path, *args: str, text: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [FMLINT, "check", "--no-cache", *args],
        cwd=cwd,
        input=text.encode("utf-8"),
        capture_output=True,
        env={"FMLINT_NOW": NOW, "PATH": "/usr/bin:/bin"},
        timeout=60,
        check=False,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.fmlint]\nexclude = ["vendor"]\nper-file-ignores = {"drafts/*" = ["FM204"]}\n', encoding="utf-8"
    )
    return tmp_path


def test_stdin_is_linted_as_the_named_file(project: Path) -> None:
    done = _run(
        project, "--output-format", "json", "--stdin-filename", "posts/new.md", "-", text=ARTICLE.format(name="n")
    )
    assert done.returncode == 1, done.stderr
    found = json.loads(done.stdout)
    assert {d["path"] for d in found} == {"posts/new.md"}  # no such file: the text came from stdin
    assert "FM204" in {d["code"] for d in found}
    assert next(d for d in found if d["code"] == "FM204")["line"] == 5


def test_per_file_ignores_of_the_named_file_apply(project: Path) -> None:
    done = _run(
        project, "--output-format", "json", "--stdin-filename", "drafts/new.md", "-", text=ARTICLE.format(name="n")
    )
    codes = {d["code"] for d in json.loads(done.stdout)}
    assert "FM204" not in codes and "FM650" in codes


def test_an_excluded_name_is_not_linted(project: Path) -> None:
    done = _run(project, "--stdin-filename", "vendor/x.md", "-", text=ARTICLE.format(name="n"))
    assert done.returncode == 0, done.stdout
    assert b"FM204" not in done.stdout


def test_fix_writes_the_fixed_text_to_stdout(project: Path) -> None:
    target = project / "posts" / "new.md"
    target.parent.mkdir()
    target.write_text("on disk: not this\n", encoding="utf-8")
    text = ARTICLE.format(name="n")
    done = _run(project, "--fix", "--stdin-filename", "posts/new.md", "-", text=text)
    fixed = done.stdout.decode("utf-8")
    assert fixed == text.replace('title: "  An article"', 'title: "An article"')
    assert b"FM204" in done.stderr and b"Fixed 1 problem" in done.stderr  # what remains, on stderr
    assert done.returncode == 1
    assert target.read_text(encoding="utf-8") == "on disk: not this\n"


def test_stdin_filename_wants_the_dash(project: Path) -> None:
    done = _run(project, "--stdin-filename", "posts/new.md", "posts", text="")
    assert done.returncode == 2
    assert b"give `-` as the only path" in done.stderr
