"""The README's shown runs on ``examples/`` are what fmlint prints for those files.

Each ```` ```console ```` block of the README that starts with ``$ fmlint`` and lints
``examples/`` is run again, on a copy of the folder (``--fix`` writes), and its output
must be the block's text: stderr, then stdout, as a terminal shows them here.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

from conftest import REPO, run_cli

BLOCK = re.compile(r"```console\n\$ (fmlint [^\n]*examples/[^\n]*)\n(.*?)```", re.DOTALL)
SHOWN = BLOCK.findall((REPO / "README.md").read_text(encoding="utf-8"))


def test_the_readme_shows_the_examples_explained_and_fixed() -> None:
    commands = [command for command, _ in SHOWN]
    assert commands == [
        "fmlint check examples/",
        "fmlint check --fix --output-format concise examples/",
    ]
    first_screen = (REPO / "README.md").read_text(encoding="utf-8").split("\n## ", 1)[0]
    assert "$ fmlint check examples/\n" in first_screen


@pytest.mark.parametrize(("command", "shown"), SHOWN, ids=[command for command, _ in SHOWN])
def test_the_readme_shows_what_fmlint_prints(tmp_path: Path, command: str, shown: str) -> None:
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    result = run_cli(*shlex.split(command)[1:], "--no-cache", cwd=tmp_path)
    assert result.err + result.out == shown
    assert result.code == 1  # errors are left in both files


def test_the_fix_repairs_the_article_and_leaves_the_duplicate_key_alone(tmp_path: Path) -> None:
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    before = (tmp_path / "examples" / "duplicate-key.md").read_bytes()
    run_cli("check", "--fix", "--no-cache", "examples/", cwd=tmp_path)
    fixed = (tmp_path / "examples" / "article.md").read_text(encoding="utf-8")
    original = (REPO / "examples" / "article.md").read_text(encoding="utf-8")
    expected = (
        original.replace('June "', 'June"')
        .replace("heat: 72.0", "heat: 72")
        .replace("published: yes", "published: true")
    )
    assert fixed == expected != original
    assert (tmp_path / "examples" / "duplicate-key.md").read_bytes() == before
