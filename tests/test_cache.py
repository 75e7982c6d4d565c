"""The result cache: hits, misses, what invalidates what, and caches that cannot be trusted.

Runs go through ``main([...])`` (or, for rules that only exist in a test, through
the same runner ``fmlint check`` uses). How many files were really linted is
counted by wrapping :meth:`Linter.lint_source`, the one place a file is checked.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from conftest import CORPUS, FIXED_NOW, MINIMAL, run_cli
from fmlint.diagnostic import Diagnostic, Edit, Fix, Severity
from fmlint.pipeline.discover import Target
from fmlint.pipeline.lint import Linter
from fmlint.pipeline.settings import Settings
from fmlint.rules import RULES
from fmlint.rules.base import Context, CorpusContext, Option, Rule
from fmlint.run import cache as cache_module
from fmlint.run.cache import ResultCache, configuration_key
from fmlint.run.cache import configuration as cache_configuration
from fmlint.run.cache import files as cache_files
from fmlint.run.cache.signing import Signer
from fmlint.run.runner import lint_targets
from fmlint.schema.store import load_schema_set

BAD = MINIMAL.replace('title: "An article"', "quality: -5")  # FM201 + FM203


class Counter:
    def __init__(self) -> None:
        self.linted: list[str] = []


@pytest.fixture
def counter(monkeypatch: pytest.MonkeyPatch) -> Counter:
    counts = Counter()
    real = Linter.lint_source

    def lint_source(self: Linter, path: str, source: object) -> object:
        counts.linted.append(path)
        return real(self, path, source)  # type: ignore[arg-type]

    monkeypatch.setattr(Linter, "lint_source", lint_source)
    return counts


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for index in range(3):
        (tmp_path / f"good{index}.md").write_text(MINIMAL.replace("an-article", f"article-{index}"))
    (tmp_path / "bad.md").write_text(BAD)
    return tmp_path


def check(project: Path, *args: str, select: str = "FM0,FM1,FM2") -> list[dict[str, object]]:
    """The findings of ``fmlint check`` (by default the file, YAML and schema rules, whose
    findings in these small projects do not depend on each other)."""
    chosen = ("--select", select) if select and "--select" not in args else ()
    result = run_cli("check", "--jobs", "1", "--output-format", "json", *chosen, *args, ".", cwd=project)
    assert result.code in (0, 1), result.err
    assert result.err == ""
    findings: list[dict[str, object]] = json.loads(result.out)
    return findings


def where(findings: list[dict[str, object]]) -> list[tuple[object, object, object, object]]:
    return [(f["path"], f["line"], f["column"], f["code"]) for f in findings]


BAD_FINDINGS = [("bad.md", 1, 1, "FM201"), ("bad.md", 2, 10, "FM203")]


def test_warm_run_lints_nothing_and_reports_the_same(project: Path, counter: Counter) -> None:
    assert where(check(project)) == BAD_FINDINGS
    assert len(counter.linted) == 4
    assert (project / ".fmlint_cache" / ".gitignore").read_text() == cache_module.GITIGNORE
    assert (project / ".fmlint_cache" / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172")
    counter.linted.clear()
    assert where(check(project)) == BAD_FINDINGS
    assert counter.linted == []


def test_an_old_unchanged_file_is_not_even_read(
    project: Path, counter: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_module, "_RACY_NS", 0)  # the files were written a moment ago
    check(project)
    counter.linted.clear()
    read: list[str] = []
    real = cache_module.ResultCache.reuse

    def reuse(self: ResultCache, path: str, *args: object) -> object:
        read.append(path)
        return real(self, path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(cache_module.ResultCache, "reuse", reuse)
    assert where(check(project)) == BAD_FINDINGS
    assert (read, counter.linted) == ([], [])


def test_a_changed_file_alone_is_linted_again(project: Path, counter: Counter) -> None:
    check(project)
    counter.linted.clear()
    (project / "good1.md").write_text(BAD)
    assert where(check(project)) == [*BAD_FINDINGS, ("good1.md", 1, 1, "FM201"), ("good1.md", 2, 10, "FM203")]
    assert counter.linted == ["good1.md"]
    counter.linted.clear()
    (project / "bad.md").write_text(MINIMAL)
    assert where(check(project)) == [("good1.md", 1, 1, "FM201"), ("good1.md", 2, 10, "FM203")]
    assert counter.linted == ["bad.md"]


def test_a_file_touched_but_unchanged_is_read_not_linted(project: Path, counter: Counter) -> None:
    check(project)
    counter.linted.clear()
    later = time.time() + 10
    os.utime(project / "bad.md", (later, later))
    assert where(check(project)) == BAD_FINDINGS
    assert counter.linted == []


def test_same_size_and_mtime_but_new_content_is_not_trusted(project: Path, counter: Counter) -> None:
    """Within the file system's timestamp granularity a rewrite can keep size and mtime."""
    check(project)
    info = os.stat(project / "bad.md")
    (project / "bad.md").write_text(BAD.replace("quality: -5", "quality: -6"))
    os.utime(project / "bad.md", ns=(info.st_atime_ns, info.st_mtime_ns))
    counter.linted.clear()
    findings = check(project)
    assert counter.linted == ["bad.md"]
    assert [f["message"] for f in findings if f["code"] == "FM203"] == ["`quality` must be an integer ≥ 0, got -6"]


@pytest.mark.parametrize(
    ("args", "config"),
    [
        (["--select", "FM2"], ""),
        (["--ignore", "FM203"], ""),
        ([], "[tool.fmlint]\nignore = ['FM201']\n"),
        ([], "[tool.fmlint.limits]\nmax-depth = 10\n"),
        ([], "[tool.fmlint.per-file-ignores]\n'bad.md' = ['FM203']\n"),
        (["--now", "2030-01-01T00:00:00Z"], ""),  # every date stays in the past: nothing to relint
    ],
)
def test_each_setting_that_changes_results_invalidates_the_cache(
    project: Path, counter: Counter, args: list[str], config: str
) -> None:
    check(project, select="")
    counter.linted.clear()
    if config:
        (project / "pyproject.toml").write_text(config)
    check(project, *args, select="")
    expected = [] if args and args[0] == "--now" else ["bad.md", "good0.md", "good1.md", "good2.md"]
    assert sorted(counter.linted) == expected
    counter.linted.clear()
    check(project, *args, select="")  # and the new configuration is cached in turn
    assert counter.linted == []


def test_schema_contents_and_versions_invalidate_the_cache(
    project: Path, counter: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    schema = project / "schema.json"
    schema.write_text(json.dumps({"type": "object", "required": ["title"]}))
    assert where(check(project, "--schema", "schema.json")) == [("bad.md", 1, 1, "FM201")]
    counter.linted.clear()
    schema.write_text(json.dumps({"type": "object", "required": ["webUrl"]}))
    assert where(check(project, "--schema", "schema.json")) == []
    assert len(counter.linted) == 4
    counter.linted.clear()
    monkeypatch.setattr(cache_configuration, "__version__", "999.0")
    check(project, "--schema", "schema.json")
    assert len(counter.linted) == 4
    counter.linted.clear()
    assert any(name.startswith("jsonschema_rs-") for name in cache_configuration._libraries())
    monkeypatch.setattr(cache_configuration, "_libraries", lambda: ("jsonschema_rs-999.0.dist-info",))
    check(project, "--schema", "schema.json")
    assert len(counter.linted) == 4


def test_no_cache_neither_reads_nor_writes_it(project: Path, counter: Counter) -> None:
    check(project, "--no-cache")
    assert not (project / ".fmlint_cache").exists()
    check(project)
    counter.linted.clear()
    assert where(check(project, "--no-cache")) == BAD_FINDINGS
    assert len(counter.linted) == 4


def test_cache_dir_setting(project: Path) -> None:
    (project / "pyproject.toml").write_text("[tool.fmlint]\ncache-dir = 'build/lint-cache'\n")
    check(project)
    assert (project / "build" / "lint-cache" / ".gitignore").exists()
    assert not (project / ".fmlint_cache").exists()


def shards(project: Path) -> list[Path]:
    return sorted((project / ".fmlint_cache").glob("*/*.shard"))


def signed_data(path: Path) -> bytes:
    """The data of a cache file, after its signature, which must be this user's."""
    data = cache_files.unsigned(Signer.for_user(), cache_module._file_context(str(path)), path.read_bytes())
    assert data is not None
    return data


def sign(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` signed with this user's key, as if fmlint had written it."""
    path.write_bytes(cache_files.signed(Signer.for_user(), cache_module._file_context(str(path)), data))


ENTRY = '["1 2 3 4","' + "0" * 32 + '",'


@pytest.mark.parametrize(
    ("content", "signed"),
    [
        (b"", False),
        (b"not a cache file at all", False),
        (b'[5,{"bad.md":["shape","of","another"]}]', False),  # well formed, but not signed
        (b"not JSON at all", True),
        (b"[1,2,3]", True),
        (b"[4,{}]", True),  # another version
        (b'[5,{"bad.md":["shape","of","another","version"]}]', True),
        (b'[5,{"bad.md":' + ENTRY.encode() + b'"not a result"]}]', True),
        (b'[5,{"bad.md":' + ENTRY.encode() + b'["bad.md",[],[],[],null,"extra"]]}]', True),
    ],
)
def test_a_corrupt_cache_is_a_miss_never_a_crash(
    project: Path, counter: Counter, content: bytes, signed: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    check(project)
    for shard in shards(project):
        if signed:
            sign(shard, content)
        else:
            shard.write_bytes(content)
    for record in (project / ".fmlint_cache").glob("*/run.record"):
        record.unlink()
    counter.linted.clear()
    assert where(check(project)) == BAD_FINDINGS
    assert len(counter.linted) == 4
    counter.linted.clear()
    check(project)  # and the cache is repaired
    assert counter.linted == []


def test_a_planted_pickle_cannot_run_code(project: Path, counter: Counter) -> None:
    """The cache holds no pickle: one planted where a shard or the run record is, is a miss."""
    import pickle

    check(project)
    marker = project / "pwned"

    class Payload:
        def __reduce__(self) -> tuple[object, ...]:
            return (os.system, (f"touch {marker}",))

    payload = pickle.dumps((5, {"bad.md": ((0, 0, 0, 0), b"", Payload())}))
    for folder in (project / ".fmlint_cache").glob("*/"):
        for path in [*folder.iterdir(), folder / "run.pickle", folder / "00.pickle"]:
            path.write_bytes(payload)
    counter.linted.clear()
    assert where(check(project)) == BAD_FINDINGS
    assert not marker.exists()
    assert len(counter.linted) == 4


def test_a_cache_entry_of_another_file_is_not_used(project: Path, counter: Counter) -> None:
    """An entry whose result names another path is ignored, even in a file signed with this user's key."""
    check(project)
    for shard in shards(project):
        version, entries = json.loads(signed_data(shard))
        sign(shard, json.dumps([version, {f"x{path}": entry for path, entry in entries.items()}]).encode())
    for record in (project / ".fmlint_cache").glob("*/run.record"):
        record.unlink()
    for path in list(project.glob("*.md")):  # the same bytes: the hashes in the renamed entries match
        (project / f"x{path.name}").write_bytes(path.read_bytes())
    counter.linted.clear()
    assert where(check(project)) == [*BAD_FINDINGS, ("xbad.md", 1, 1, "FM201"), ("xbad.md", 2, 10, "FM203")]
    assert len(counter.linted) == 8


@pytest.mark.parametrize("where_to", ["a-file/cache", "read-only"])
def test_an_unwritable_cache_directory_only_costs_speed(project: Path, where_to: str) -> None:
    (project / "a-file").write_text("not a directory")
    (project / "read-only").mkdir()
    os.chmod(project / "read-only", 0o500)
    (project / "pyproject.toml").write_text(f"[tool.fmlint]\ncache-dir = '{where_to}'\n")
    try:
        assert where(check(project)) == BAD_FINDINGS
        assert where(check(project)) == BAD_FINDINGS
    finally:
        os.chmod(project / "read-only", 0o700)


def test_an_existing_cache_dir_is_not_taken_over(project: Path) -> None:
    """A cache-dir that exists already gets no `.gitignore`, and only fmlint's folders are pruned."""
    (project / "build").mkdir()
    keep = project / "build" / "keep-me"
    keep.mkdir()
    (project / "pyproject.toml").write_text("[tool.fmlint]\ncache-dir = 'build'\n")
    for code in ("FM201", "FM202", "FM203", "FM204", "FM205", "FM206", "FM207", "FM208", "FM209", "FM210"):
        check(project, "--ignore", code)
    assert keep.is_dir()
    assert not (project / "build" / ".gitignore").exists()
    assert len([entry for entry in (project / "build").iterdir() if entry != keep]) <= 8


def test_interrupted_save_leaves_only_whole_shards(
    project: Path, counter: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    for index in range(60):
        (project / f"more{index}.md").write_text(MINIMAL.replace("an-article", f"more-{index}"))
    calls = 0
    real = cache_files.write_atomically

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    def write_atomically(path: str, data: bytes) -> None:
        """The fifth shard is interrupted once its temporary file is written, before its rename."""
        nonlocal calls
        calls += 1
        if calls != 5:
            return real(path, data)
        replace = os.replace
        os.replace = interrupted
        try:
            real(path, data)
        finally:
            os.replace = replace

    monkeypatch.setattr(cache_files, "write_atomically", write_atomically)
    result = run_cli("check", "--jobs", "1", "--select", "FM0,FM1,FM2", ".", cwd=project)
    assert result.code == 130
    monkeypatch.setattr(cache_files, "write_atomically", real)
    assert len(shards(project)) == 4
    assert not list((project / ".fmlint_cache").glob("*/.tmp-*"))
    counter.linted.clear()
    assert where(check(project)) == BAD_FINDINGS
    assert 0 < len(counter.linted) < 64


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_run_killed_midway_leaves_a_usable_cache(tmp_path: Path, signum: int) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for index, path in enumerate(sorted(CORPUS.iterdir()) * 4):
        (corpus / f"{index}-{path.name}").write_bytes(path.read_bytes())
    (corpus / "bad.md").write_text(BAD)
    script = Path(sys.executable).with_name("fmlint")
    command = [str(script), "check", "--output-format", "json", "--jobs", "2", "corpus"]
    for delay in (0.2, 0.3, 0.45, 0.6, 0.8):
        process = subprocess.Popen(
            command,
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONFAULTHANDLER": "1"},
        )
        time.sleep(delay)
        process.send_signal(signum)
        try:
            _, err = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            subprocess.run(["ps", "--ppid", str(process.pid), "-o", "pid,stat,cmd"])
            process.send_signal(signal.SIGABRT)
            _, err = process.communicate()
            raise AssertionError(err.decode()) from None
        assert b"Traceback" not in err
        assert process.returncode in (0, 1, 128 + signum, -signum)
    fresh = subprocess.run([*command, "--no-cache"], cwd=tmp_path, capture_output=True, check=False)
    warm = subprocess.run(command, cwd=tmp_path, capture_output=True, check=False)
    assert (warm.returncode, warm.stdout) == (fresh.returncode, fresh.stdout)
    assert json.loads(warm.stdout)


# --- rules that exist only here: one reads the clock, one spans files, one has a fix ----------


def _clock_check(context: Context) -> Iterator[Diagnostic]:
    if "title" in context.data and context.quote_now().year >= 2030:
        yield context.report("/title", "the clock says 2030", fix=None)


def _fixable_check(context: Context) -> Iterator[Diagnostic]:
    edit = Edit(0, 0, "# fixed\n")
    yield context.report("/title", "a fixable finding", fix=Fix("add a comment", (edit,)))


def _title(context: Context) -> object:
    return context.data.get("title")


def _count_before_2030(context: CorpusContext) -> Iterator[Diagnostic]:
    from fmlint.pipeline.document import Position

    if context.quote_now().year < 2030:
        yield context.report(context.facts[0].path, Position(2, 1, 2, 6), "/title", f"{len(context.facts)} files")


def _duplicates(context: CorpusContext) -> Iterator[Diagnostic]:
    from fmlint.pipeline.document import Position

    seen: dict[object, str] = {}
    for fact in context.facts:
        if fact.value in seen:
            message = f"same title as {seen[fact.value]}"
            yield context.report(fact.path, Position(2, 1, 2, 6), "/title", message)
        else:
            seen[fact.value] = fact.path


def _rule(code: str, name: str, **functions: object) -> Rule:
    return Rule(code, name, Severity.WARNING, "", "", "", (), (), "document", **functions)  # type: ignore[arg-type]


def _long_title_check(context: Context) -> Iterator[Diagnostic]:
    if len(str(context.data.get("title", ""))) > context.options["max"]:
        yield context.report("/title", "the title is too long")


TEST_RULES = (
    _rule("FM796", "test-long-title", check=_long_title_check, options=(Option("max", int, 100, "longest title"),)),
    _rule("FM798", "test-clock", check=_clock_check),
    _rule("FM799", "test-duplicate-title", collect=_title, finish=_duplicates),
    _rule("FM795", "test-clock-across-files", collect=_title, finish=_count_before_2030),
    _rule("FM797", "test-fixable", check=_fixable_check),
)


def runner_run(
    project: Path,
    select: set[str],
    *,
    now: object = FIXED_NOW,
    jobs: int | None = 1,
    threshold: int = 1000,
    options: dict[str, dict[str, object]] | None = None,
) -> list[Diagnostic]:
    settings = Settings(
        schemas=load_schema_set(),
        enabled=frozenset(select),
        now=now,  # type: ignore[arg-type]
        options=options or {},
    )
    cache = ResultCache(str(project / ".fmlint_cache"), configuration_key(settings, str(project)), now)  # type: ignore[arg-type]
    targets = [Target(str(path)) for path in sorted(project.glob("*.md"))]
    linter = Linter(settings, (*RULES, *TEST_RULES))
    diagnostics, _ = lint_targets(linter, targets, cache=cache, jobs=jobs, pool_threshold=threshold)
    cache.save()
    return diagnostics


def test_a_result_that_read_the_clock_holds_for_that_now_only(project: Path, counter: Counter) -> None:
    """Files whose rules compared with ``now`` are linted again when it changes; the others are not."""
    # bad.md has no title: the clock rule does not read now for it
    later = FIXED_NOW + timedelta(days=365 * 5)
    assert runner_run(project, {"FM798"}) == []
    assert len(counter.linted) == 4
    counter.linted.clear()
    assert runner_run(project, {"FM798"}) == []
    assert counter.linted == []
    found = runner_run(project, {"FM798"}, now=later)
    assert [(Path(d.path).name, d.code) for d in found] == [
        ("good0.md", "FM798"),
        ("good1.md", "FM798"),
        ("good2.md", "FM798"),
    ]
    assert sorted(Path(path).name for path in counter.linted) == ["good0.md", "good1.md", "good2.md"]
    counter.linted.clear()
    assert runner_run(project, {"FM798"}, now=later) == found
    assert counter.linted == []


def test_a_rule_option_invalidates_the_cache(project: Path, counter: Counter) -> None:
    assert runner_run(project, {"FM796"}) == []
    counter.linted.clear()
    found = runner_run(project, {"FM796"}, options={"test-long-title": {"max": 5}})
    assert [(Path(d.path).name, d.line, d.code) for d in found] == [
        ("good0.md", 2, "FM796"),
        ("good1.md", 2, "FM796"),
        ("good2.md", 2, "FM796"),
    ]
    assert len(counter.linted) == 4
    counter.linted.clear()
    assert runner_run(project, {"FM796"}, options={"test-long-title": {"max": 5}}) == found
    assert counter.linted == []


def test_cross_file_rules_see_cached_files_on_a_warm_run(project: Path, counter: Counter) -> None:
    for index in range(3):
        (project / f"good{index}.md").write_text(MINIMAL.replace("An article", f"Article {index}"))
    assert runner_run(project, {"FM799"}) == []
    counter.linted.clear()
    # Two files take the title of a third, which comes from the cache.
    (project / "good2.md").write_text(MINIMAL.replace("An article", "Article 0"))
    (project / "good1.md").write_text(MINIMAL.replace("An article", "Article 0"))
    found = runner_run(project, {"FM799"})
    assert [(Path(d.path).name, d.line, d.code, d.message[:13]) for d in found] == [
        ("good1.md", 2, "FM799", "same title as"),
        ("good2.md", 2, "FM799", "same title as"),
    ]
    assert sorted(Path(path).name for path in counter.linted) == ["good1.md", "good2.md"]
    counter.linted.clear()
    assert runner_run(project, {"FM799"}) == found  # all from the cache: still found
    assert counter.linted == []


def test_fixes_survive_the_cache(project: Path, counter: Counter) -> None:
    cold = runner_run(project, {"FM797", "FM201"})
    counter.linted.clear()
    warm = runner_run(project, {"FM797", "FM201"})
    assert counter.linted == []
    assert warm == cold
    assert [d.fix for d in warm if d.code == "FM797"] == [Fix("add a comment", (Edit(0, 0, "# fixed\n"),))] * 4


# --- a run with nothing changed reuses the last run's findings whole ----------------------


@pytest.fixture
def shard_loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setattr(cache_module, "_RACY_NS", 0)  # the files were written a moment ago
    loads: list[str] = []
    real = cache_module._load

    def load(path: str, *args: object) -> object:
        loads.append(path)
        return real(path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(cache_module, "_load", load)
    return loads


def test_nothing_changed_reads_no_per_file_result(project: Path, counter: Counter, shard_loads: list[str]) -> None:
    first = check(project)
    counter.linted.clear()
    shard_loads.clear()
    assert check(project) == first
    assert (counter.linted, shard_loads) == ([], [])


@pytest.mark.parametrize("change", ["add", "remove", "edit", "rename", "unreadable"])
def test_any_change_to_the_files_falls_back_to_per_file_results(
    project: Path, counter: Counter, shard_loads: list[str], change: str
) -> None:
    check(project)
    counter.linted.clear()
    if change == "add":
        (project / "new.md").write_text(BAD)
        expected = [*BAD_FINDINGS, ("new.md", 1, 1, "FM201"), ("new.md", 2, 10, "FM203")]
    elif change == "remove":
        (project / "bad.md").unlink()
        expected = []
    elif change == "edit":
        (project / "good0.md").write_text(BAD)
        expected = [*BAD_FINDINGS, ("good0.md", 1, 1, "FM201"), ("good0.md", 2, 10, "FM203")]
    elif change == "rename":
        (project / "bad.md").rename(project / "worse.md")
        expected = [("worse.md", 1, 1, "FM201"), ("worse.md", 2, 10, "FM203")]
    else:
        (project / "bad.md").unlink()
        (project / "bad.md").symlink_to("nowhere.md")
        expected = [("bad.md", 1, 1, "FM007")]
    assert where(check(project)) == expected
    assert shard_loads
    assert len(counter.linted) == (0 if change == "remove" else 1)  # results are kept by path


def record_parts(project: Path) -> tuple[Path, bytes, bytes]:
    """The run record, the data of its first line (what the run stands for) and that of the rest (its findings)."""
    (record,) = (project / ".fmlint_cache").glob("*/run.record")
    first, rest = record.read_bytes().split(b"\n", 1)
    context = cache_module._file_context(str(record))
    header = cache_files.unsigned(Signer.for_user(), context + b" header", first)
    assert header is not None
    body = cache_files.unsigned(Signer.for_user(), context + b" " + header, rest)
    assert body is not None
    return record, header, body


def sign_record(record: Path, header: bytes, body: bytes) -> None:
    """Write a run record of ``header`` and ``body``, signed with this user's key."""
    context = cache_module._file_context(str(record))
    signer = Signer.for_user()
    first = cache_files.signed(signer, context + b" header", header)
    record.write_bytes(first + b"\n" + cache_files.signed(signer, context + b" " + header, body))


def test_a_corrupt_run_record_is_ignored(
    project: Path, counter: Counter, shard_loads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_module, "_RACY_NS", 0)  # so that the whole run is remembered
    check(project)
    record, header, body = record_parts(project)
    sign_record(record, header, body)  # as fmlint wrote it
    counter.linted.clear()
    shard_loads.clear()
    assert where(check(project)) == BAD_FINDINGS
    assert (counter.linted, shard_loads) == ([], [])
    for content in (b"garbage", header, header + b"\n" + body):  # not signed
        record.write_bytes(content)
        counter.linted.clear()
        assert where(check(project)) == BAD_FINDINGS
        assert counter.linted == []  # the per-file results answer instead
        assert shard_loads
        shard_loads.clear()
    findings = json.loads(body)[0]
    huge = [[*findings[0][:1], 10**30, *findings[0][2:]]]
    for forged in (b"garbage", b'[["not a diagnostic"],[]]', b"[[],[],[]]", json.dumps([huge, []]).encode()):
        sign_record(record, header, forged)
        counter.linted.clear()
        assert where(check(project)) == BAD_FINDINGS
        assert counter.linted == []


def test_cross_file_findings_that_read_the_clock_hold_for_that_now_only(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_module, "_RACY_NS", 0)  # so that the whole run is remembered
    assert [d.message for d in runner_run(project, {"FM795"})] == ["3 files"]
    assert [d.message for d in runner_run(project, {"FM795"})] == ["3 files"]
    assert runner_run(project, {"FM795"}, now=FIXED_NOW + timedelta(days=365 * 5)) == []


def test_entries_of_removed_files_are_dropped_when_their_shard_is_written(project: Path) -> None:
    check(project)
    (project / "good1.md").unlink()
    shard = cache_module._shard_of("good1.md")
    new = next(f"new{index}.md" for index in range(10_000) if cache_module._shard_of(f"new{index}.md") == shard)
    (project / new).write_text(MINIMAL)
    check(project)
    paths = set()
    for path in shards(project):
        paths |= set(json.loads(signed_data(path))[1])
    assert paths == {"bad.md", "good0.md", "good2.md", new}


def test_a_real_cross_file_rule_on_a_warm_run(project: Path, counter: Counter) -> None:
    """A duplicate URL introduced in one file is reported with the file it duplicates, which
    comes from the cache, exactly as a run without the cache reports it."""
    check(project, select="")
    counter.linted.clear()
    (project / "good2.md").write_text(MINIMAL.replace("an-article", "article-0"))
    warm = check(project, select="")
    assert counter.linted == ["good2.md"]
    assert warm == check(project, "--no-cache", select="")
    assert {f["code"] for f in warm if str(f["code"]).startswith("FM7")}
    assert {f["path"] for f in warm if str(f["code"]).startswith("FM7")} >= {"good2.md"}


def test_a_date_compared_with_now_invalidates_only_across_that_date(project: Path, counter: Counter) -> None:
    """future-date compares dates with now: a result holds for every now on the same side
    of each date (less the tolerance), so only the files whose answer changes are linted."""
    (project / "good1.md").write_text(MINIMAL.replace("2022-06-21T16:00:00Z", "2026-06-01T00:00:00Z"))
    future = [("good1.md", 3, 20, "FM402")]
    assert where(check(project, select="FM402")) == future  # FIXED_NOW is 2026-01-01
    counter.linted.clear()
    assert where(check(project, "--now", "2026-03-01T00:00:00Z", select="FM402")) == future
    assert counter.linted == ["good1.md"]  # its message says what now is
    counter.linted.clear()
    assert where(check(project, "--now", "2027-01-01T00:00:00Z", select="FM402")) == []
    assert counter.linted == ["good1.md"]
    counter.linted.clear()
    assert where(check(project, "--now", "2028-01-01T00:00:00Z", select="FM402")) == []
    assert counter.linted == []  # every date is behind both nows
    assert where(check(project, "--now", "2022-06-01T00:00:00Z", select="FM402")) == [
        ("bad.md", 3, 20, "FM402"),
        ("good0.md", 3, 20, "FM402"),
        ("good1.md", 3, 20, "FM402"),
        ("good2.md", 3, 20, "FM402"),
    ]
    assert sorted(counter.linted) == ["bad.md", "good0.md", "good1.md", "good2.md"]


def test_stat_signatures_beyond_64_bits_are_kept_too() -> None:
    """A time before 1677 or after 2262 does not fit 64 bits of nanoseconds."""
    from types import SimpleNamespace

    def signature(mtime_ns: int) -> bytes:
        return cache_module.stat_key(SimpleNamespace(st_size=1, st_mtime_ns=mtime_ns, st_ctime_ns=0, st_ino=5))  # type: ignore[arg-type]

    assert signature(2**70) != signature(2**70 + 1)
    assert signature(-(2**70)) != signature(5)
    assert signature(5) == signature(5)


# --- cross-file rules on a warm run: every file's facts, whether linted or from the cache -------


def _scored(quality: int, url: str) -> str:
    """An article with its quality on line 3 and its URL on line 5."""
    return MINIMAL.replace('title: "An article"\n', f'title: "An article"\nquality: {quality}\n').replace(
        "https://example.com/an-article", url
    )


def test_cross_file_rules_stay_right_on_a_warm_run_with_files_changed(
    tmp_path: Path, counter: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_module, "_RACY_NS", 0)  # trust the files just written: unchanged ones are not read
    for index in range(30):
        (tmp_path / f"f{index:02d}.md").write_text(_scored(70 + index % 5, f"https://example.com/{index}"))
    (tmp_path / "a.md").write_text(_scored(72, "https://example.com/story"))
    (tmp_path / "b.md").write_text(_scored(73, "https://EXAMPLE.com/story/"))
    (tmp_path / "odd.md").write_text(_scored(900, "https://example.com/odd"))
    cold = check(tmp_path, select="FM501,FM701")
    assert where(cold) == [("a.md", 5, 9, "FM701"), ("b.md", 5, 9, "FM701"), ("odd.md", 3, 10, "FM501")]
    assert check(tmp_path, "--no-cache", select="FM501,FM701") == cold
    # b.md gets a URL of its own, f07.md takes a.md's, odd.md becomes plausible and f11.md is the outlier
    (tmp_path / "b.md").write_text(_scored(73, "https://example.com/b"))
    (tmp_path / "f07.md").write_text(_scored(72, "http://example.com/story"))
    (tmp_path / "odd.md").write_text(_scored(71, "https://example.com/odd"))
    (tmp_path / "f11.md").write_text(_scored(600, "https://example.com/11"))
    counter.linted.clear()
    warm = check(tmp_path, select="FM501,FM701")
    assert sorted(Path(path).name for path in counter.linted) == ["b.md", "f07.md", "f11.md", "odd.md"]
    assert where(warm) == [("a.md", 5, 9, "FM701"), ("f07.md", 5, 9, "FM701"), ("f11.md", 3, 10, "FM501")]
    assert "is also the URL of f07.md (line 5, `webUrl`)" in str(warm[0]["message"])
    assert "median 72" in str(warm[2]["message"]) and "over 33 files" in str(warm[2]["message"])
    assert warm == check(tmp_path, "--no-cache", select="FM501,FM701")
    counter.linted.clear()
    assert check(tmp_path, select="FM501,FM701") == warm  # and once more, all from the cache
    assert counter.linted == []


def _text(project: Path) -> str:
    result = run_cli("check", "--jobs", "1", "--select", "FM0,FM1,FM2", ".", cwd=project)
    assert result.code == 1, result.err
    return result.out


def test_a_remembered_run_quotes_its_lines_without_opening_a_file(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fmlint.report import lines

    monkeypatch.setattr(cache_module, "_RACY_NS", 0)  # so that the whole run is remembered
    cold = _text(project)
    assert "| quality: -5" in cold  # the text report quotes the lines it reports
    opened: list[str] = []
    real = lines._read_prefix

    def read_prefix(path: str, limit: int) -> tuple[bytes | None, bool]:
        opened.append(path)
        return real(path, limit)

    monkeypatch.setattr(lines, "_read_prefix", read_prefix)
    assert _text(project) == cold
    assert opened == []
    # Once a file changes, the run is not the remembered one: its lines are read again.
    (project / "bad.md").write_text(BAD.replace("---\n", "---\n\n", 1))
    changed = _text(project)
    assert opened == ["bad.md"]
    assert changed != cold and _text(project) == changed


def test_a_run_record_without_its_quoted_lines_reads_them_from_the_files(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_module, "_RACY_NS", 0)
    cold = _text(project)
    record, header, body = record_parts(project)
    findings = json.loads(body)[0]
    for quoted in ("", "garbage", [["bad.md", 1, 5]], [["bad.md", "2", "forged"]], {"bad.md": "forged"}):
        sign_record(record, header, json.dumps([findings, quoted]).encode())
        assert _text(project) == cold
