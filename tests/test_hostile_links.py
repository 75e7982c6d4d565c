"""Symbolic links a contributor commits, through the installed ``fmlint`` command.

A link found while walking a folder may point anywhere: at ``/proc/self/environ``, at a
credentials file next to the checkout, at a hidden or git-ignored file inside it. None
of those may be read, quoted, cached or written; each is reported as FM007 saying why.
Every run gets its own ``HOME`` and cache folders inside the test's folder, so that
"the cache keeps nothing" can be checked by reading every file the run could have written.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import MINIMAL
from fmlint.pipeline.discover import HIDDEN, IGNORED, OTHER_FILE_SYSTEM, OUTSIDE, link_problem

if sys.platform == "win32":  # pragma: no cover - symbolic links and /proc are POSIX
    pytest.skip("the link tests need a POSIX system", allow_module_level=True)

FMLINT = str(Path(sys.executable).with_name("fmlint"))
SECRET = secrets.token_hex(16)  # in the environment and in the credentials file: it must never be shown
# An article whose title a fix trims (FM650), holding the secret in a field.
FIXABLE = MINIMAL.replace('title: "An article"', 'title: " An article "').replace(
    "provider:", f'token: "{SECRET}"\nprovider:'
)


def fmlint(*args: str, cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / "cache"),
        "FMLINT_TEST_SECRET": SECRET,
        "NO_COLOR": "1",
    }
    return subprocess.run([FMLINT, "check", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


def checkout(tmp_path: Path) -> Path:
    """``checkout/`` with an article and links out of it; ``outside/credentials`` beside it."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "credentials").write_text(f"TOKEN={SECRET}\n", encoding="utf-8")
    (outside / "article.md").write_text(FIXABLE, encoding="utf-8")
    content = tmp_path / "checkout" / "content"
    content.mkdir(parents=True)
    (content / "good.md").write_text(MINIMAL, encoding="utf-8")
    (content / "env.md").symlink_to("/proc/self/environ")
    (content / "creds.md").symlink_to("../../outside/credentials")
    (content / "absolute.md").symlink_to(outside / "article.md")
    (tmp_path / "home").mkdir()
    return tmp_path / "checkout"


def settle() -> None:
    """Wait until the files just written are old enough for the cache to keep a record of the
    whole run (with the lines the report quoted): only then is "the cache keeps nothing" tested."""
    time.sleep(2.1)


def files_holding(root: Path, data: bytes, *, leaving_out: Path) -> list[str]:
    """Every file under ``root`` (but ``leaving_out``) whose bytes contain ``data``."""
    found = []
    for path in sorted(root.rglob("*")):
        readable = path.is_file() and not path.is_symlink() and not path.is_relative_to(leaving_out)
        if readable and data in path.read_bytes():
            found.append(str(path.relative_to(root)))
    return found


LINKS = ["content/absolute.md", "content/creds.md", "content/env.md"]


def test_links_out_of_the_tree_are_reported_in_json_and_never_read(tmp_path: Path) -> None:
    tree = checkout(tmp_path)
    for _ in range(2):  # the second run answers from the cache
        completed = fmlint("--output-format", "json", ".", cwd=tree, home=tmp_path / "home")
        assert (completed.returncode, completed.stderr) == (1, "")
        found = json.loads(completed.stdout)
        assert [(d["path"], d["line"], d["column"], d["code"], d["message"]) for d in found] == [
            (path, 1, 1, "FM007", OUTSIDE) for path in LINKS
        ]
        assert SECRET not in completed.stdout
    assert files_holding(tmp_path, SECRET.encode(), leaving_out=tmp_path / "outside") == []


def test_the_text_report_shows_nothing_of_what_the_links_point_at(tmp_path: Path) -> None:
    tree = checkout(tmp_path)
    settle()
    for _ in range(2):
        completed = fmlint(".", cwd=tree, home=tmp_path / "home")
        assert (completed.returncode, completed.stderr) == (1, "")
        assert [line for line in completed.stdout.splitlines() if line] == [
            *(f"{path}:1:1: FM007 {OUTSIDE}" for path in LINKS),
            "Found 3 errors and 0 warnings in 3 of 4 files.",
        ]
    assert files_holding(tmp_path, SECRET.encode(), leaving_out=tmp_path / "outside") == []


def test_a_link_named_on_the_command_line_is_read_as_given(tmp_path: Path) -> None:
    """The promise is about walking: a file named is the user's choice. This also shows the
    checks above would see the secret if it were shown or cached."""
    tree = checkout(tmp_path)
    settle()
    completed = fmlint("content/creds.md", cwd=tree, home=tmp_path / "home")
    assert completed.returncode == 1
    assert f"1 | TOKEN={SECRET}" in completed.stdout  # FM001 quotes its first line
    assert files_holding(tmp_path, SECRET.encode(), leaving_out=tmp_path / "outside") != []  # the quoted line


def test_links_to_hidden_or_ignored_files_inside_the_tree_are_not_read(tmp_path: Path) -> None:
    tree = tmp_path / "checkout"
    (tree / "content").mkdir(parents=True)
    (tmp_path / "home").mkdir()
    subprocess.run(["git", "init", "-q", str(tree)], check=True)
    (tree / ".gitignore").write_text("secrets/\n", encoding="utf-8")
    (tree / ".env").write_text(f"TOKEN={SECRET}\n", encoding="utf-8")
    (tree / "secrets").mkdir()
    (tree / "secrets" / "token.md").write_text(f"TOKEN={SECRET}\n", encoding="utf-8")
    (tree / "content" / "padded.md").write_text(MINIMAL.replace('"An article"', '" An article"'), encoding="utf-8")
    (tree / "content" / "alias.md").symlink_to("padded.md")  # inside, visible: read
    (tree / "content" / "env.md").symlink_to("../.env")
    (tree / "content" / "token.md").symlink_to("../secrets/token.md")
    completed = fmlint("--output-format", "json", ".", cwd=tree, home=tmp_path / "home")
    assert (completed.returncode, completed.stderr) == (1, "")
    found = [(d["path"], d["line"], d["column"], d["code"]) for d in json.loads(completed.stdout)]
    assert found == [
        ("content/alias.md", 2, 9, "FM650"),  # read: its target is a visible file of the tree
        ("content/env.md", 1, 1, "FM007"),
        ("content/padded.md", 2, 9, "FM650"),
        ("content/token.md", 1, 1, "FM007"),
    ]
    messages = {d["path"]: d["message"] for d in json.loads(completed.stdout) if d["code"] == "FM007"}
    assert messages == {"content/env.md": HIDDEN, "content/token.md": IGNORED}
    assert SECRET not in completed.stdout


def test_from_the_root_folder_proc_is_inside_but_on_another_file_system(tmp_path: Path) -> None:
    """Linting ``/`` puts ``/proc/self/environ`` inside the folder; it is refused all the same."""
    link = tmp_path / "env.md"
    link.symlink_to("/proc/self/environ")
    if os.stat("/proc/self/environ").st_dev == os.lstat(link).st_dev:  # pragma: no cover
        pytest.skip("/proc is not a file system of its own here")
    assert link_problem(str(link), "/") == OTHER_FILE_SYSTEM
    assert link_problem(str(link), str(tmp_path)) == OUTSIDE


def test_fix_never_writes_through_a_link_out_of_the_tree(tmp_path: Path) -> None:
    tree = checkout(tmp_path)
    shared = tree / "shared"
    shared.mkdir()
    (shared / "inside.md").write_text(FIXABLE.replace("an-article", "inside"), encoding="utf-8")
    (tree / "content" / "inside.md").symlink_to("../shared/inside.md")
    outside = tmp_path / "outside" / "article.md"
    before = (outside.read_bytes(), outside.stat().st_ino)

    walked = fmlint("--fix", ".", cwd=tree, home=tmp_path / "home")
    assert walked.stderr == ""
    assert f"content/absolute.md:1:1: FM007 {OUTSIDE}" in walked.stdout
    assert (outside.read_bytes(), outside.stat().st_ino) == before
    assert (tree / "content" / "absolute.md").is_symlink()
    # A link whose target is inside the tree is still written through, and stays a link.
    assert (shared / "inside.md").read_text(encoding="utf-8") == MINIMAL.replace("an-article", "inside").replace(
        "provider:", f'token: "{SECRET}"\nprovider:'
    )
    assert (tree / "content" / "inside.md").is_symlink()

    named = fmlint("--fix", "content/absolute.md", cwd=tree, home=tmp_path / "home")
    assert named.returncode == 1
    assert named.stderr == f"fmlint: warning: content/absolute.md: not fixed: it is {OUTSIDE}\n"
    assert (outside.read_bytes(), outside.stat().st_ino) == before

    # The folder being linted is the boundary: from content/, shared/ is outside.
    (shared / "inside.md").write_text(FIXABLE.replace("an-article", "inside"), encoding="utf-8")
    inner = fmlint("--fix", "--output-format", "json", "content", cwd=tree, home=tmp_path / "home")
    assert inner.stderr == ""
    assert ("content/inside.md", "FM007", OUTSIDE) in [
        (d["path"], d["code"], d["message"]) for d in json.loads(inner.stdout)
    ]
    assert (shared / "inside.md").read_text(encoding="utf-8") == FIXABLE.replace("an-article", "inside")
