"""The pre-commit hooks, end to end: real git, real pre-commit, fmlint installed by pre-commit.

pre-commit clones the hook repository (a committed copy of this checkout) and builds
fmlint from it into a virtual environment of its own, with its dependencies from the
package index, so this test takes a while; its pre-commit runs share one environment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MINIMAL, REPO

# What `pip install .` of the hook repository needs, and the hook definitions.
HOOK_REPO_FILES = (".pre-commit-hooks.yaml", "pyproject.toml", "README.md", "src", "schemas")
# Another article than the good one: the same URL in two files would also be a finding (FM701).
BAD = MINIMAL.replace('title: "An article"\n', 'title: "An article"\nquality: -5\n').replace("an-article", "a-bad-one")
# Only a warning (FM102), which does not fail the hook but must be seen.
WARNED = MINIMAL.replace('title: "An article"\n', 'title: "An article"\npublished: yes\n').replace(
    "an-article", "warned"
)
# A file whose name is an option: read as one, it would select a rule that finds nothing.
EVIL = 'select = ["FM901"]\n'


def run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False)


def git(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    completed = run(["git", *args], cwd, env)
    assert completed.returncode == 0, completed.stderr
    return completed


def pre_commit(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-m", "pre_commit", *args], cwd, env)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A clean environment: no global git configuration or hooks, a private pre-commit cache."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("GIT_", "PRE_COMMIT"))}
    clean.update(
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"),
    )
    return clean


def committed_copy(destination: Path, env: dict[str, str]) -> str:
    """This checkout's hook repository as a git repository with everything committed.

    pre-commit clones a hook repository at a commit, so uncommitted work in the
    checkout (or a checkout that is not a git repository at all) would not be seen.
    """
    destination.mkdir()
    for name in HOOK_REPO_FILES:
        source = REPO / name
        if source.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
            shutil.copytree(source, destination / name, ignore=ignore)
        else:
            shutil.copy2(source, destination / name)
    git(destination, env, "init", "--quiet")
    git(destination, env, "config", "user.name", "fmlint tests")
    git(destination, env, "config", "user.email", "tests@fmlint.invalid")
    git(destination, env, "add", "--all")
    git(destination, env, "commit", "--quiet", "-m", "The hooks under test")
    return git(destination, env, "rev-parse", "HEAD").stdout.strip()


def content_repository(path: Path, env: dict[str, str], hooks: Path, rev: str) -> None:
    path.mkdir()
    git(path, env, "init", "--quiet")
    git(path, env, "config", "user.name", "Content Editor")
    git(path, env, "config", "user.email", "editor@example.com")
    (path / ".pre-commit-config.yaml").write_text(
        f"repos:\n"
        f"  - repo: {hooks}\n"
        f"    rev: {rev}\n"
        f"    hooks:\n"
        f"      - id: fmlint\n"
        f"      - id: fmlint-all\n"
        f"        args: [articles/]\n"
        f"        stages: [manual]\n"
        # As the README says to make warnings fail the commit.
        f"      - id: fmlint\n"
        f"        alias: fmlint-strict\n"
        f"        entry: fmlint check --strict --\n"
        f"        stages: [manual]\n",
        encoding="utf-8",
    )
    (path / "articles").mkdir()
    (path / "articles" / "good.md").write_text(MINIMAL, encoding="utf-8")
    (path / "articles" / "bad.md").write_text(BAD, encoding="utf-8")
    # Not an article: the hook must not pass it to fmlint (it would be FM001).
    (path / "build.py").write_text("print('not an article')\n", encoding="utf-8")
    (path / "evil.md").write_text(EVIL, encoding="utf-8")
    (path / "--config=evil.md").write_text(EVIL, encoding="utf-8")


@pytest.mark.slow
def test_hook_refuses_a_bad_commit_and_accepts_a_good_one(tmp_path: Path, env: dict[str, str]) -> None:
    hooks = tmp_path / "fmlint-hooks"
    rev = committed_copy(hooks, env)
    content = tmp_path / "content"
    content_repository(content, env, hooks, rev)
    installed = pre_commit(content, env, "install")
    assert installed.returncode == 0, installed.stdout + installed.stderr

    git(content, env, "add", ".")
    refused = run(["git", "commit", "-m", "Add two articles"], content, env)
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0, output
    assert "fmlint" in output and "Failed" in output
    assert "articles/bad.md:3:10: FM203 `quality` must be an integer ≥ 0, got -5" in output
    assert "3 | quality: -5" in output
    # The file named like an option was linted as a file, not read as `--config`.
    assert "--config=evil.md:1:1: FM001 file has no front-matter" in output
    assert "good.md" not in output and "build.py" not in output
    assert run(["git", "rev-parse", "--verify", "HEAD"], content, env).returncode != 0  # nothing was committed

    # Leave them out, untracked.
    git(content, env, "rm", "--cached", "--quiet", "--", "articles/bad.md", "evil.md", "--config=evil.md")
    accepted = run(["git", "commit", "-m", "Add a good article"], content, env)
    output = accepted.stdout + accepted.stderr
    assert accepted.returncode == 0, output
    assert "fmlint" in output and "Passed" in output
    committed = git(content, env, "show", "--name-only", "--format=", "HEAD").stdout.split()
    assert sorted(committed) == [".pre-commit-config.yaml", "articles/good.md", "build.py"]

    # A warning does not stop the commit, but the hook shows it.
    (content / "articles" / "warned.md").write_text(WARNED, encoding="utf-8")
    git(content, env, "add", "articles/warned.md")
    warned = run(["git", "commit", "-m", "Add an article with a warning"], content, env)
    output = warned.stdout + warned.stderr
    assert warned.returncode == 0, output
    assert "Passed" in output
    assert "articles/warned.md:3:12: FM102 [*] `yes` is the boolean true" in output
    assert "Found 0 errors and 1 warning in 1 of 1 file." in output
    strict = pre_commit(content, env, "run", "fmlint-strict", "--hook-stage", "manual", "--files", "articles/warned.md")
    output = strict.stdout + strict.stderr
    assert strict.returncode == 1 and "Failed" in output and "FM102" in output, output

    # The variant lints the whole folder, so it sees the article that was left out.
    everything = pre_commit(content, env, "run", "fmlint-all", "--hook-stage", "manual", "--all-files")
    output = everything.stdout + everything.stderr
    assert everything.returncode == 1, output
    assert "articles/bad.md:3:10: FM203" in output
    assert "Found 1 error and 1 warning in 2 of 3 files." in output


def test_hook_definitions_are_valid_for_pre_commit() -> None:
    from pre_commit.clientlib import load_config, load_manifest

    hooks = {hook["id"]: hook for hook in load_manifest(str(REPO / ".pre-commit-hooks.yaml"))}
    assert set(hooks) == {"fmlint", "fmlint-all"}
    for hook in hooks.values():
        # `--` last: a committed file named like an option stays a file name.
        assert hook["entry"] == "fmlint check --" and hook["language"] == "python"
        assert hook["verbose"] is True  # pre-commit shows the warnings of a hook that passes
        assert hook["types_or"] == ["markdown", "plain-text"] and hook["require_serial"] is True
    assert hooks["fmlint"]["pass_filenames"] is True and hooks["fmlint-all"]["pass_filenames"] is False
    config = load_config(str(REPO / ".pre-commit-config.yaml"))
    ids = [hook["id"] for repo in config["repos"] for hook in repo["hooks"]]
    assert ids == ["ruff-check", "ruff-format", "fmlint", "check-hooks-apply", "check-useless-excludes"]


def test_readme_snippet_is_a_valid_config_using_these_hooks(tmp_path: Path) -> None:
    import re

    from pre_commit.clientlib import load_config, load_manifest

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## pre-commit") :]
    snippet = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert snippet is not None
    config_path = tmp_path / ".pre-commit-config.yaml"
    config_path.write_text(snippet.group(1), encoding="utf-8")
    [repo] = load_config(str(config_path))["repos"]
    offered = {hook["id"] for hook in load_manifest(str(REPO / ".pre-commit-hooks.yaml"))}
    assert {hook["id"] for hook in repo["hooks"]} <= offered
