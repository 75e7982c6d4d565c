"""FM7xx: one article in two files, found in one pass over small per-file facts."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import CORPUS, MINIMAL, lint_paths, run_cli
from fmlint.diagnostic import Diagnostic
from fmlint.pipeline.lint import Linter
from fmlint.pipeline.settings import Settings
from fmlint.rules import BY_CODE
from fmlint.rules.across import _key_hash, url_key
from fmlint.rules.base import CorpusContext, Fact
from fmlint.schema.store import load_schema_set


def article(web_url: str, original_url: str | None = None) -> str:
    text = MINIMAL.replace("https://example.com/an-article", web_url)
    if original_url is not None:  # on line 3, before webUrl (line 4 then moves to 5)
        text = text.replace('title: "An article"\n', f'title: "An article"\noriginalUrl: "{original_url}"\n')
    return text


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def duplicates(paths: list[Path]) -> list[Diagnostic]:
    """FM701's findings alone: the URLs of these examples also draw the URL rules' warnings."""
    return lint_paths(paths, select={"FM701"})


def found(paths: list[Path], base: Path) -> list[tuple[str, int, int, str, str]]:
    return [(Path(d.path).relative_to(base).as_posix(), d.line, d.column, d.code, d.pointer) for d in duplicates(paths)]


def test_both_files_are_warned_each_naming_the_other(tmp_path: Path) -> None:
    a = write(tmp_path, "a.md", article("https://example.com/story"))
    b = write(tmp_path, "b.md", article("https://example.org/other", "https://example.com/story"))
    diagnostics = duplicates([a, b])
    assert [(Path(d.path).name, d.line, d.column, d.code, d.pointer) for d in diagnostics] == [
        ("a.md", 4, 9, "FM701", "/webUrl"),
        ("b.md", 3, 14, "FM701", "/originalUrl"),
    ]
    assert diagnostics[0].message == (
        "duplicate article: `webUrl` https://example.com/story is also the URL of b.md (line 3, `originalUrl`); "
        "keep one file, or correct the URL"
    )
    assert diagnostics[1].message == (
        "duplicate article: `originalUrl` https://example.com/story is also the URL of a.md (line 4, `webUrl`); "
        "keep one file, or correct the URL"
    )


def test_a_file_with_the_same_url_twice_is_one_finding_per_other_file(tmp_path: Path) -> None:
    same = article("https://example.com/story", "https://example.com/story")
    paths = [write(tmp_path, "a.md", same), write(tmp_path, "b.md", same)]
    assert found(paths, tmp_path) == [
        ("a.md", 3, 14, "FM701", "/originalUrl"),
        ("b.md", 3, 14, "FM701", "/originalUrl"),
    ]


def test_crossed_urls_are_one_finding_per_file(tmp_path: Path) -> None:
    paths = [
        write(tmp_path, "a.md", article("https://example.com/1", "https://example.com/2")),
        write(tmp_path, "b.md", article("https://example.com/2", "https://example.com/1")),
    ]
    assert found(paths, tmp_path) == [
        ("a.md", 3, 14, "FM701", "/originalUrl"),
        ("b.md", 3, 14, "FM701", "/originalUrl"),
    ]


def test_three_copies_name_both_others_and_other_folders_relatively(tmp_path: Path) -> None:
    text = article("https://example.com/story")
    paths = [write(tmp_path, name, text) for name in ("news/a.md", "news/b.md", "old/c.md")]
    diagnostics = lint_paths(paths)
    assert [(Path(d.path).relative_to(tmp_path).as_posix(), d.line) for d in diagnostics] == [
        ("news/a.md", 4),
        ("news/b.md", 4),
        ("old/c.md", 4),
    ]
    assert "is also the URL of b.md (line 4, `webUrl`) and ../old/c.md (line 4, `webUrl`);" in diagnostics[0].message
    assert "is also the URL of ../news/a.md (line 4, `webUrl`) and ../news/b.md (line 4, `webUrl`);" in (
        diagnostics[2].message
    )


def test_many_copies_are_summarised(tmp_path: Path) -> None:
    paths = [write(tmp_path, f"{index}.md", article("https://example.com/story")) for index in range(5)]
    assert "3.md (line 4, `webUrl`) and 1 more file;" in lint_paths(paths)[0].message
    paths.append(write(tmp_path, "5.md", article("https://example.com/story")))
    first = lint_paths(paths)[0]
    assert "1.md (line 4, `webUrl`), 2.md (line 4, `webUrl`), 3.md (line 4, `webUrl`) and 2 more files;" in (
        first.message
    )


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("https://example.com/story", "https://EXAMPLE.COM/story"),
        ("https://example.com/story", "HTTPS://example.com/story"),
        ("https://example.com/story/", "https://example.com/story"),
        ("http://example.com/story", "https://example.com/story"),
        ("https://example.com/story", "https://example.com/story#comments"),
        ("https://example.com:443/story", "https://example.com/story"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/?p=1", "https://example.com?p=1"),
    ],
)
def test_the_same_url_written_differently(first: str, second: str) -> None:
    assert url_key(first) == url_key(second)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("https://example.com/story", "https://example.com/Story"),
        ("https://example.com/story", "https://www.example.com/story"),
        ("https://example.com/?p=1", "https://example.com/?p=2"),
        ("https://example.com:8443/story", "https://example.com/story"),
        ("https://example.com/story", "https://example.com/story.html"),
    ],
)
def test_different_urls_stay_different(first: str, second: str) -> None:
    assert url_key(first) != url_key(second)


@pytest.mark.parametrize("text", ["https://[::1/x", "https://example.com:99999/x", "/relative", "not a url"])
def test_malformed_urls_are_compared_as_written(text: str) -> None:
    assert url_key(text) == text


def test_normalised_duplicates_are_found_across_files(tmp_path: Path) -> None:
    paths = [
        write(tmp_path, "a.md", article("https://Example.com/story/")),
        write(tmp_path, "b.md", article("http://example.com/story")),
        write(tmp_path, "c.md", article("https://example.com/Story")),
    ]
    assert found(paths, tmp_path) == [("a.md", 4, 9, "FM701", "/webUrl"), ("b.md", 4, 9, "FM701", "/webUrl")]


def test_one_pass_over_facts_without_reading_any_file_again(tmp_path: Path) -> None:
    paths = [write(tmp_path, name, article("https://example.com/story")) for name in ("a.md", "b.md")]
    linter = Linter(Settings(schemas=load_schema_set(None), enabled=frozenset(BY_CODE)))
    results = [linter.lint_file(str(path)) for path in paths]
    facts = [dict(result.facts)["FM701"] for result in results]
    info = paths[0].stat()
    # Small data, in one flat tuple: the file's device and inode as one number, then an 8-byte
    # hash of each URL's key, its pointer, the URL and its position.
    assert facts[0] == (
        info.st_dev << 64 | info.st_ino,
        _key_hash("http://example.com/story"),
        "/webUrl",
        "https://example.com/story",
        (4, 9, 4, 36),
    )
    for path in paths:
        path.unlink()  # the cross-file pass must not need the files any more
    carried = [pickle.loads(pickle.dumps(result)) for result in results]  # as a cache or a worker would
    assert sorted((Path(d.path).name, d.line, d.code) for d in linter.finish(carried)) == [
        ("a.md", 4, "FM701"),
        ("b.md", 4, "FM701"),
    ]


def test_duplicates_through_the_command_line_and_ignoring_the_rule(tmp_path: Path) -> None:
    write(tmp_path, "a.md", article("https://example.com/story"))
    write(tmp_path, "b.md", article("https://example.com/story"))
    result = run_cli("check", "--output-format", "concise", ".", cwd=tmp_path)
    assert result.code == 0  # warnings only
    assert result.out.splitlines()[:2] == [
        "a.md:4:9: FM701 duplicate article: `webUrl` https://example.com/story is also the URL of b.md "
        "(line 4, `webUrl`); keep one file, or correct the URL",
        "b.md:4:9: FM701 duplicate article: `webUrl` https://example.com/story is also the URL of a.md "
        "(line 4, `webUrl`); keep one file, or correct the URL",
    ]
    assert run_cli("check", "--ignore", "FM701", ".", cwd=tmp_path).out.startswith("All checks passed")


def test_files_with_different_urls_pass(tmp_path: Path) -> None:
    paths = [write(tmp_path, f"{index}.md", article(f"https://example.com/{index}")) for index in range(3)]
    assert lint_paths(paths) == []


def test_one_file_named_twice_is_not_its_own_duplicate(tmp_path: Path) -> None:
    path = write(tmp_path, "a.md", article("https://example.com/story"))
    (tmp_path / "link.md").symlink_to(path)
    assert lint_paths([path, path.resolve(), tmp_path / "link.md", tmp_path / "." / "a.md"]) == []
    other = write(tmp_path, "b.md", article("https://example.com/story"))
    assert [(Path(d.path).name, d.line) for d in lint_paths([path, tmp_path / "link.md", other])] == [
        ("a.md", 4),
        ("b.md", 4),
        ("link.md", 4),
    ]


def test_files_without_urls_leave_no_fact(tmp_path: Path) -> None:
    path = write(tmp_path, "a.md", MINIMAL.replace('webUrl: "https://example.com/an-article"\n', ""))
    linter = Linter(Settings(schemas=load_schema_set(None), enabled=frozenset(BY_CODE)))
    assert "FM701" not in dict(linter.lint_file(str(path)).facts)


def test_installed_command_reports_a_copied_corpus_article(tmp_path: Path) -> None:
    source = CORPUS / "2021-05-05-microsoft-fleshes-out-power-apps.md"
    for name in ("news/a.md", "archive/a-copy.md"):
        write(tmp_path, name, source.read_text(encoding="utf-8"))
    completed = subprocess.run(
        [str(Path(sys.executable).with_name("fmlint")), "check", "--isolated", "--output-format", "json", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": ""},
        check=False,
    )
    assert (completed.returncode, completed.stderr) == (0, "")
    found = json.loads(completed.stdout)
    assert [(e["path"], e["line"], e["column"], e["code"], e["pointer"]) for e in found] == [
        ("archive/a-copy.md", 6, 14, "FM701", "/originalUrl"),
        ("news/a.md", 6, 14, "FM701", "/originalUrl"),
    ]
    assert "is also the URL of ../news/a.md (line 6, `originalUrl`)" in found[0]["message"]


def test_a_later_url_is_reported_when_it_is_shared_with_other_files(tmp_path: Path) -> None:
    paths = [
        write(tmp_path, "a.md", article("https://example.com/web", "https://example.com/original")),
        write(tmp_path, "b.md", article("https://example.org/b", "https://example.com/original")),
        write(tmp_path, "c.md", article("https://example.com/web")),
    ]
    diagnostics = duplicates(paths)
    assert found(paths, tmp_path) == [
        ("a.md", 3, 14, "FM701", "/originalUrl"),
        ("a.md", 5, 9, "FM701", "/webUrl"),
        ("b.md", 3, 14, "FM701", "/originalUrl"),
        ("c.md", 4, 9, "FM701", "/webUrl"),
    ]
    assert "is also the URL of b.md (line 3, `originalUrl`);" in diagnostics[0].message
    assert "is also the URL of c.md (line 4, `webUrl`);" in diagnostics[1].message


@pytest.mark.parametrize("placeholder_first", [True, False])
def test_thousands_of_files_sharing_a_placeholder_url_take_one_pass(placeholder_first: bool) -> None:
    """Comparing every pair of files would take seconds here; the pass over facts must stay linear."""
    rule = BY_CODE["FM701"]
    placeholder = ("http://example.com/todo", "/originalUrl", "https://example.com/TODO", (3, 14, 3, 40))
    facts = []
    for index in range(5000):
        own = (f"http://e.com/{index}", "/webUrl", "u", (4, 9, 4, 20))
        urls = (*placeholder, *own) if placeholder_first else (*own, *placeholder)
        facts.append(Fact(f"{index}.md", (f"/{index}.md", *urls)))
    assert rule.finish is not None
    start = time.perf_counter()
    diagnostics = list(rule.finish(CorpusContext(rule, facts, {})))
    assert time.perf_counter() - start < 5
    assert len(diagnostics) == 5000
    assert diagnostics[0].message.endswith(
        "3.md (line 3, `originalUrl`) and 4996 more files; keep one file, or correct the URL"
    )


def test_a_duplicate_kept_on_purpose_is_suppressed_in_its_own_file(tmp_path: Path) -> None:
    write(tmp_path, "a.md", article("https://example.com/story"))
    kept = article("https://example.com/story").replace(
        'webUrl: "https://example.com/story"',
        'webUrl: "https://example.com/story"  # fmlint: ignore[FM701] -- a reprint',
    )
    write(tmp_path, "b.md", kept)
    result = run_cli("check", "--output-format", "concise", "--quiet", ".", cwd=tmp_path)
    assert result.out.splitlines() == [
        "a.md:4:9: FM701 duplicate article: `webUrl` https://example.com/story is also the URL of b.md "
        "(line 4, `webUrl`); keep one file, or correct the URL"
    ]
