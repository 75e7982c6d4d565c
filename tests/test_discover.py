"""Which files a run lints: explicit paths always, walked directories filtered."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conftest import MINIMAL, run_cli
from fmlint.pipeline.discover import FileFilter, discover


def checked_paths(*args: str, cwd: Path) -> set[str]:
    """Every file the run looked at: with --select FM001 and no front-matter, each file reports itself."""
    result = run_cli("check", "--select", "FM001", "--output-format", "json", *args, cwd=cwd)
    return {entry["path"] for entry in json.loads(result.out)}


def make(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("no front-matter\n")


def test_walk_includes_default_extensions_and_skips_hidden(tmp_path: Path) -> None:
    make(tmp_path, "a.md", "b.markdown", "c.txt", "d.html", ".hidden.md", ".git/x.md", "sub/e.md", "node_modules/f.md")
    assert checked_paths(".", cwd=tmp_path) == {"a.md", "b.markdown", "c.txt", "sub/e.md"}


def test_explicit_paths_are_always_linted(tmp_path: Path) -> None:
    make(tmp_path, ".hidden.md", "page.html", "node_modules/f.md")
    assert checked_paths(".hidden.md", "page.html", "node_modules/f.md", cwd=tmp_path) == {
        ".hidden.md",
        "page.html",
        "node_modules/f.md",
    }


def test_git_ignored_paths_are_skipped(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    make(tmp_path, "kept.md", "ignored.md", "build/out.md", "docs/kept.md", "docs/draft.md")
    (tmp_path / ".gitignore").write_text("ignored.md\nbuild/\n")
    (tmp_path / "docs" / ".gitignore").write_text("draft.md\n")
    assert checked_paths(".", cwd=tmp_path) == {"kept.md", "docs/kept.md"}
    assert checked_paths("docs", cwd=tmp_path) == {"docs/kept.md"}


def test_gitignore_can_be_disregarded(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    make(tmp_path, "ignored.md")
    (tmp_path / ".gitignore").write_text("ignored.md\n")
    (tmp_path / "pyproject.toml").write_text("[tool.fmlint]\nrespect-gitignore = false\n")
    assert checked_paths(".", cwd=tmp_path) == {"ignored.md"}


def test_include_and_exclude_globs_from_config(tmp_path: Path) -> None:
    make(tmp_path, "a.md", "b.mdx", "drafts/c.md", "archive/2020/d.md", "archive/2021/e.md")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.fmlint]\ninclude = ["*.md", "*.mdx"]\nextend-exclude = ["drafts", "archive/2020"]\n'
    )
    assert checked_paths(".", cwd=tmp_path) == {"a.md", "b.mdx", "archive/2021/e.md"}


def test_symlinked_directories_are_not_followed_and_loops_are_harmless(tmp_path: Path) -> None:
    make(tmp_path, "real/a.md")
    (tmp_path / "real" / "loop").symlink_to(tmp_path / "real")
    (tmp_path / "alias").symlink_to(tmp_path / "real")
    (tmp_path / "link.md").symlink_to(tmp_path / "real" / "a.md")
    assert checked_paths(".", cwd=tmp_path) == {"real/a.md", "link.md"}


def test_directory_named_like_a_file_is_walked(tmp_path: Path) -> None:
    make(tmp_path, "x.md/inner.md")
    assert checked_paths("x.md", cwd=tmp_path) == {"x.md/inner.md"}


def test_unlistable_directory_is_reported_and_the_run_goes_on(tmp_path: Path) -> None:
    make(tmp_path, "locked/a.md", "open/b.md")
    (tmp_path / "locked").chmod(0)
    try:
        if os.access(tmp_path / "locked", os.R_OK):  # running as root: permissions do not apply
            return
        result = run_cli("check", "--output-format", "json", ".", cwd=tmp_path)
        found = {(entry["path"], entry["code"]) for entry in json.loads(result.out)}
        assert ("locked", "FM007") in found and ("open/b.md", "FM001") in found
    finally:
        (tmp_path / "locked").chmod(0o755)


def test_order_is_depth_first_in_name_order(tmp_path: Path) -> None:
    make(tmp_path, "b.md", "a.md", "c/z.md", "c/a.md")
    (tmp_path / "good.md").write_text(MINIMAL)
    found = [target.path for target in discover([str(tmp_path)], FileFilter(root=str(tmp_path)))]
    assert [os.path.relpath(path, tmp_path) for path in found] == ["a.md", "b.md", "c/a.md", "c/z.md", "good.md"]


def test_a_folder_that_cannot_be_listed_is_not_counted_as_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.md").write_text("---\ntitle: [\n---\n")
    (tmp_path / "b.md").write_text("---\ntitle: [\n---\n")
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "c.md").write_text("---\ntitle: [\n---\n")
    scandir = os.scandir

    def refusing(path: str) -> Any:  # as for a folder of mode 000, which root could still list
        if os.path.basename(path) == "locked":
            raise PermissionError(13, "Permission denied", path)
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    result = run_cli("check", "--isolated", ".", cwd=tmp_path)
    assert result.code == 1
    assert "locked:1:1: FM007 cannot list directory: Permission denied\n" in result.out
    assert result.out.endswith(
        "Found 3 errors and 0 warnings in 2 of 2 files, and 1 folder that could not be listed.\n"
    )
    clean = run_cli("check", "--isolated", "--select", "FM007", ".", cwd=tmp_path)
    assert clean.out.endswith("Found 1 error and 0 warnings in 0 of 2 files, and 1 folder that could not be listed.\n")
