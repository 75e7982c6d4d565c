"""Linting in a pool of processes gives exactly the output of one process: same findings, same order."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import CORPUS, FIXED_NOW, MINIMAL, REPO, run_cli
from fmlint.pipeline.discover import FileFilter, discover
from fmlint.pipeline.lint import Linter
from fmlint.pipeline.settings import Settings
from fmlint.rules import RULES
from fmlint.run import cache as cache_module
from fmlint.run import pool, runner
from fmlint.run.cache import ResultCache, configuration_key
from fmlint.schema.store import load_schema_set


@pytest.fixture
def pools(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of workers of each pool started."""
    started: list[int] = []
    real = pool._start_pool

    def start_pool(linter: Linter, workers: int, hashed: bool) -> object:
        started.append(workers)
        return real(linter, workers, hashed)

    monkeypatch.setattr(pool, "_start_pool", start_pool)
    return started


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """The real corpus, and a few broken files so there is plenty to report."""
    folder = tmp_path / "corpus"
    shutil.copytree(CORPUS, folder)
    (folder / "zz-bad.md").write_text(MINIMAL.replace('title: "An article"', "quality: -5\ntitel: x"))
    (folder / "aa-no-front-matter.md").write_text("# no front-matter\n")
    (folder / "mm-yaml.md").write_text("---\ntitle: [unclosed\n---\n")
    return folder


def json_check(cwd: Path, *args: str) -> tuple[int, str]:
    result = run_cli("check", "--isolated", "--output-format", "json", *args, "corpus", cwd=cwd)
    assert result.err == ""
    return result.code, result.out


def test_jobs_two_gives_the_output_of_one_process(corpus: Path, pools: list[int]) -> None:
    serial = json_check(corpus.parent, "--no-cache", "--jobs", "1")
    assert pools == []
    parallel = json_check(corpus.parent, "--no-cache", "--jobs", "2")
    assert pools == [2]
    assert parallel == serial
    assert serial[0] == 1
    assert {entry["code"] for entry in json.loads(serial[1])} >= {"FM001", "FM201", "FM203", "FM205"}


def test_pool_with_a_cache_cold_then_partly_warm(
    corpus: Path, pools: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_module, "_RACY_NS", 0)  # trust the files just written, to see a run with no pool
    serial = json_check(corpus.parent, "--no-cache", "--jobs", "1")
    assert json_check(corpus.parent, "--jobs", "2") == serial
    for path in sorted(corpus.iterdir())[::7]:  # change one file in seven
        path.write_text(path.read_text().replace("title:", "titel:", 1))
    serial = json_check(corpus.parent, "--no-cache", "--jobs", "1")
    assert json_check(corpus.parent, "--jobs", "2") == serial
    assert json_check(corpus.parent, "--jobs", "2") == serial
    assert pools == [2, 2]  # the fully warm run had nothing to lint: no pool


def test_auto_starts_a_pool_only_above_the_threshold(
    corpus: Path, pools: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_module, "_RACY_NS", 0)
    settings = Settings(
        schemas=load_schema_set(), enabled=frozenset(r.code for r in RULES if r.default_enabled), now=FIXED_NOW
    )
    targets = list(discover([str(corpus)], FileFilter(root=str(corpus))))
    serial = runner.lint_targets(Linter(settings), targets)
    assert runner.lint_targets(Linter(settings), targets, jobs=None, pool_threshold=len(targets) + 1) == serial
    assert pools == []
    assert runner.lint_targets(Linter(settings), targets, jobs=None, pool_threshold=50) == serial
    assert len(pools) == 1
    key = configuration_key(settings, str(REPO))
    cache = ResultCache(str(corpus.parent / "cache"), key, FIXED_NOW)
    assert runner.lint_targets(Linter(settings), targets, cache=cache, jobs=None, pool_threshold=50) == serial
    assert len(pools) == 2
    cache.save()
    cache = ResultCache(str(corpus.parent / "cache"), key, FIXED_NOW)  # the next run's
    assert runner.lint_targets(Linter(settings), targets, cache=cache, jobs=None, pool_threshold=50) == serial
    assert len(pools) == 2  # every file came from the cache


def test_jobs_is_validated() -> None:
    assert run_cli("check", "--jobs", "0", ".", cwd=REPO).code == 2
    assert run_cli("check", "--jobs", "many", ".", cwd=REPO).code == 2


def test_jobs_in_the_configuration(corpus: Path, pools: list[int]) -> None:
    (corpus.parent / "pyproject.toml").write_text("[tool.fmlint]\njobs = 2\n")
    result = run_cli("check", "--no-cache", "-q", "corpus", cwd=corpus.parent)
    assert result.code == 1
    assert pools == [2]
    (corpus.parent / "pyproject.toml").write_text('[tool.fmlint]\njobs = "two"\n')
    result = run_cli("check", "corpus", cwd=corpus.parent)
    assert result.code == 2
    assert "`jobs` must be a positive integer" in result.err


def test_suppressions_of_cross_file_findings_travel_through_pool_and_cache(
    corpus: Path, pools: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file's suppression comments reach the cross-file pass whether its result was
    made in a worker, here, or read from the cache (and the run remembered whole)."""
    monkeypatch.setattr(cache_module, "_RACY_NS", 0)
    article = (REPO / "seeds" / "000_24bd785b62fe7a7a.txt").read_text()
    for index in range(12):
        text = article if index % 3 else article.replace("\noriginalUrl:", "\n# fmlint: ignore[FM701]\noriginalUrl:", 1)
        (corpus / f"copy-{index}.md").write_text(text)
    serial = json_check(corpus.parent, "--no-cache", "--jobs", "1")
    codes = [entry["code"] for entry in json.loads(serial[1]) if entry["path"].startswith("corpus/copy-")]
    assert "FM701" in codes
    for args in (["--jobs", "2"], ["--jobs", "2"], ["--jobs", "1"]):  # cold, remembered, remembered
        assert json_check(corpus.parent, *args) == serial
    (corpus / "copy-1.md").write_text(article.replace("title:", "titel:", 1))
    serial = json_check(corpus.parent, "--no-cache", "--jobs", "1")
    assert json_check(corpus.parent, "--jobs", "2") == serial  # per-file results from the cache
    assert pools == [2, 2]
