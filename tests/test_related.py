"""The other places a cross-file finding concerns (``related``): set by the rule, the same in the
JSON output, the SARIF log, the Python API and a warm run from the result cache."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import fmlint
from conftest import MINIMAL, REPO
from fmlint.diagnostic import Related

FMLINT = Path(sys.executable).with_name("fmlint")
DIAGNOSTICS_SCHEMA = json.loads((REPO / "schemas" / "diagnostics.schema.json").read_text(encoding="utf-8"))
SARIF_SCHEMA = json.loads((REPO / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
TWIN_URL = "https://example.com/an-article/"
# The twin's URL sits after accented letters and an emoji on its line, and differs only by a trailing `/`.
TWIN = MINIMAL.replace(
    'webUrl: "https://example.com/an-article"', 'webUrl:    "https://example.com/an-article/"  # Grüße 😀'
).replace("name: Example News", "name: Exämple 😀 News")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    (root / "posts").mkdir(parents=True)
    (root / "posts" / "first.md").write_text(MINIMAL, encoding="utf-8")
    (root / "posts" / "twin.md").write_text(TWIN, encoding="utf-8")
    other = MINIMAL.replace("an-article", "another").replace('"An article"', '"An article "')  # FM650
    (root / "posts" / "other.md").write_text(other, encoding="utf-8")
    return root


def check(site: Path, *args: str, cache: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache or site.parent / "user-cache")}
    done = subprocess.run(
        [str(FMLINT), "check", *args, "posts"], cwd=site, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode in (0, 1) and "Traceback" not in done.stderr, done.stderr
    return done


def duplicates(found: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["path"]: item for item in found if item["code"] == "FM701"}


def test_json_names_each_duplicate_s_other_file_at_its_url(site: Path) -> None:
    found = json.loads(check(site, "--no-cache", "--output-format", "json").stdout)
    jsonschema.validate(found, DIAGNOSTICS_SCHEMA)
    pair = duplicates(found)
    assert set(pair) == {"posts/first.md", "posts/twin.md"}
    first, twin = pair["posts/first.md"], pair["posts/twin.md"]
    # Each side points at exactly where the other side's own finding is.
    assert first["related"] == [
        {
            "path": "posts/twin.md",
            "line": twin["line"],
            "column": twin["column"],
            "end_line": twin["end_line"],
            "end_column": twin["end_column"],
            "message": "the same article: `webUrl` https://example.com/an-article/",
        }
    ]
    assert (twin["line"], twin["column"]) == (4, 12)  # characters, not bytes: `webUrl:    "` is 11 of them
    assert [item["path"] for item in twin["related"]] == ["posts/first.md"]
    assert (twin["related"][0]["line"], twin["related"][0]["column"]) == (first["line"], first["column"])
    # The message is what it was: nothing has to be parsed out of it any more, but it still says it.
    assert "is also the URL of twin.md (line 4, `webUrl`)" in first["message"]


def test_findings_without_related_places_keep_exactly_the_old_keys(site: Path) -> None:
    found = json.loads(check(site, "--no-cache", "--output-format", "json").stdout)
    plain = [item for item in found if item["code"] != "FM701"]
    assert plain  # other.md's title, at least
    old_keys = set(DIAGNOSTICS_SCHEMA["items"]["required"])
    assert all(set(item) == old_keys for item in plain)
    lines = check(site, "--no-cache", "--output-format", "json-lines").stdout.splitlines()
    assert [json.loads(line) for line in lines] == found


def test_sarif_gives_them_as_related_locations(site: Path) -> None:
    log = json.loads(check(site, "--no-cache", "--output-format", "sarif").stdout)
    jsonschema.Draft7Validator(SARIF_SCHEMA, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER).validate(log)
    results = [result for result in log["runs"][0]["results"] if result["ruleId"] == "FM701"]
    by_file = {result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: result for result in results}
    (related,) = by_file["posts/first.md"]["relatedLocations"]
    assert related["id"] == 1
    assert related["physicalLocation"] == by_file["posts/twin.md"]["locations"][0]["physicalLocation"]
    assert related["message"]["text"] == "the same article: `webUrl` https://example.com/an-article/"
    others = [result for result in log["runs"][0]["results"] if result["ruleId"] != "FM701"]
    assert others and not any("relatedLocations" in result for result in others)


def test_the_api_has_them_as_attributes(site: Path) -> None:
    printed = json.loads(check(site, "--no-cache", "--output-format", "json").stdout)
    old = os.getcwd()
    os.chdir(site)
    try:
        found = fmlint.lint_paths(["posts"], config={})
    finally:
        os.chdir(old)
    assert [diagnostic.to_json() for diagnostic in found] == printed
    first = next(d for d in found if d.code == "FM701" and d.path == "posts/first.md")
    end = 12 + len(f'"{TWIN_URL}"')
    assert first.related == (Related("posts/twin.md", 4, 12, 4, end, f"the same article: `webUrl` {TWIN_URL}"),)
    assert all(d.related == () for d in found if d.code != "FM701")


def test_a_warm_run_from_the_cache_has_them_too(site: Path, tmp_path: Path) -> None:
    cold = check(site, "-v", "--jobs", "1", "--output-format", "json", cache=tmp_path / "cache")
    warm = check(site, "-v", "--jobs", "1", "--output-format", "json", cache=tmp_path / "cache")
    assert "3 files, 3 from the cache" in warm.stderr
    assert json.loads(warm.stdout) == json.loads(cold.stdout)
    assert duplicates(json.loads(warm.stdout))["posts/first.md"]["related"]
