"""``--diff`` is a git-style patch: real ``git apply`` and ``patch -p1`` apply it, and a
file name cannot smuggle lines into it. Through the installed command."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MINIMAL

if sys.platform == "win32" or not (shutil.which("git") and shutil.which("patch")):  # pragma: no cover
    pytest.skip("needs POSIX file names, git and patch", allow_module_level=True)

FMLINT = str(Path(sys.executable).with_name("fmlint"))
HOSTILE = "a.md\n--- conftest.py\n+++ conftest.py\n@@ -0,0 +1 @@\n+import os"
FIXABLE = MINIMAL.replace('"An article"', '"An article "')  # FM650: stray whitespace, a safe fix
ENV = {
    **os.environ,
    "NO_COLOR": "1",
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "HOME": "/nonexistent",
}


def run(*command: str, cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(list(command), cwd=cwd, input=stdin, capture_output=True, env=ENV, check=False)


def fmlint(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return run(FMLINT, "check", "--isolated", *args, cwd=cwd)


def files(folder: Path) -> set[str]:
    return {str(path.relative_to(folder)) for path in folder.rglob("*") if ".git" not in path.parts}


@pytest.mark.parametrize("tool", [["patch", "-p1"], ["git", "apply"]])
def test_a_file_name_cannot_add_files_to_the_diff(tmp_path: Path, tool: list[str]) -> None:
    (tmp_path / HOSTILE).write_text(FIXABLE, encoding="utf-8")
    done = fmlint("--diff", HOSTILE, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    diff = done.stdout
    quoted = b'"a/a.md\\n--- conftest.py\\n+++ conftest.py\\n@@ -0,0 +1 @@\\n+import os"'
    assert diff.startswith(b"diff --git " + quoted + b" ")
    assert b"\n--- " + quoted + b"\t\n" in diff  # the name is one quoted word: no line of it starts a header
    applied = run(*tool, cwd=tmp_path, stdin=diff)
    assert applied.returncode == 0, applied.stderr + applied.stdout
    assert files(tmp_path) == {HOSTILE}  # no conftest.py, nothing else
    assert (tmp_path / HOSTILE).read_text(encoding="utf-8") == MINIMAL


NAMES = {
    "content/plain.md": FIXABLE + "Body.\n",
    "content/with space.md": FIXABLE.replace("an-article", "space") + "One\nTwo\nThree\nFour\n",
    "content/café 記事.md": FIXABLE.replace("an-article", "cafe"),  # ends at the closing fence
    "content/crlf.md": FIXABLE.replace("an-article", "crlf").replace("\n", "\r\n") + "No newline",
    'content/quote"back\\slash.md': FIXABLE.replace("an-article", "quote") + "Body\n",
}


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A git repository with articles that need fixes, committed."""
    repository = tmp_path / "site"
    (repository / "content").mkdir(parents=True)
    for name, text in NAMES.items():
        (repository / name).write_bytes(text.encode("utf-8"))
    assert run("git", "init", "-q", cwd=repository).returncode == 0
    assert run("git", "add", ".", cwd=repository).returncode == 0
    assert run("git", "commit", "-qm", "articles", cwd=repository).returncode == 0
    return repository


def test_diff_applies_with_git_apply_and_is_what_git_diff_prints(checkout: Path) -> None:
    diff = fmlint("--diff", "content", cwd=checkout)
    assert diff.returncode == 1, diff.stderr
    assert diff.stderr == b"Would fix 5 problems in 5 files.\n"
    applied = run("git", "apply", "--verbose", cwd=checkout, stdin=diff.stdout)
    assert applied.returncode == 0, applied.stderr
    assert applied.stderr.count(b"Applied patch ") == 5
    after_apply = {name: (checkout / name).read_bytes() for name in NAMES}
    # git's own diff of the change is the same text, but for its `index` lines
    git_diff = run("git", "-c", "core.quotePath=true", "diff", "--no-color", "--no-ext-diff", cwd=checkout).stdout
    without_index = b"".join(line for line in git_diff.splitlines(True) if not line.startswith(b"index "))
    assert _by_file(without_index) == _by_file(diff.stdout)
    assert run("git", "checkout", "-q", ".", cwd=checkout).returncode == 0
    assert fmlint("--fix", "content", cwd=checkout).returncode == 0
    assert {name: (checkout / name).read_bytes() for name in NAMES} == after_apply


def test_diff_applies_with_patch_p1(checkout: Path) -> None:
    diff = fmlint("--diff", "content", cwd=checkout).stdout
    applied = run("patch", "-p1", "--binary", "--batch", cwd=checkout, stdin=diff)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert files(checkout) == {"content", *NAMES}  # no .orig, .rej or stray file
    patched = {name: (checkout / name).read_bytes() for name in NAMES}
    assert run("git", "checkout", "-q", ".", cwd=checkout).returncode == 0
    assert fmlint("--fix", "content", cwd=checkout).returncode == 0
    assert {name: (checkout / name).read_bytes() for name in NAMES} == patched
    assert all(b'"An article "' not in text for text in patched.values())


def _by_file(diff: bytes) -> dict[bytes, bytes]:
    """The diff of each file, keyed by its ``diff --git`` line (git orders files by name)."""
    parts = diff.split(b"diff --git ")
    return {part.split(b"\n", 1)[0]: part for part in parts[1:]}
