"""The URL, date and link rules check the values the schema gives a format, whatever their field names.

Every test runs the installed command on files and schemas written for it; the link
tests ask a server on loopback.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from linkserver import LinkServer, configure, serving

FMLINT = str(Path(sys.executable).with_name("fmlint"))
NOW = "2024-06-01T12:00:00Z"

# A site that is not news: its own fields, some of them URLs and dates by their format.
SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "permalink": {"type": "string", "format": "uri-reference"},
        "date": {"type": "string", "format": "date"},
        "updated": {"type": "string", "format": "date-time"},
        "source": {"$ref": "#/$defs/link"},
        "homepage": {"type": "string"},
        "webUrl": {"type": "string"},
        "publishedDateTime": {"type": "string"},
        "links": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "url": {"$ref": "#/$defs/link"}},
            },
        },
    },
    "$defs": {"link": {"type": "string", "format": "uri"}},
}

POST = """\
---
title: A post
permalink: /blog/a-post/
date: "2024-05-30"
updated: "2024-05-31T10:00:00Z"
source: https://example.com/source
links:
  - name: one
    url: https://example.com/one
  - name: two
    url: https://example.com/two
---
Body.
"""


def lint(folder: Path, *args: str, schema: Any = SCHEMA) -> list[tuple[int, int, str]]:
    """``fmlint check`` on ``folder`` with ``schema`` (``None``: the built-in one): (line, column, code)."""
    options = []
    if schema is not None:
        (folder / "schema.json").write_text(json.dumps(schema), encoding="utf-8")
        options = ["--schema", "schema.json"]
    run = subprocess.run(
        [FMLINT, "check", "--isolated", "--no-cache", "--now", NOW, "--output-format", "json", *options, *args, "."],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode in (0, 1), run.stderr
    return [(item["line"], item["column"], item["code"]) for item in json.loads(run.stdout)]


def write(folder: Path, text: str, name: str = "post.md") -> None:
    (folder / name).write_text(text, encoding="utf-8")


def test_a_clean_post_is_clean(tmp_path: Path) -> None:
    write(tmp_path, POST)
    assert lint(tmp_path, "--extend-select", "FM404") == []


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("ftp://example.com/two", "FM302"),
        ("http://example.com/two", "FM303"),
        ("https://localhost/two", "FM304"),
        ("https//example.com/two", "FM301"),
    ],
)
def test_a_bad_url_in_a_list_of_objects_is_reported_at_its_value(tmp_path: Path, url: str, code: str) -> None:
    write(tmp_path, POST.replace("https://example.com/two", url))
    assert lint(tmp_path) == [(11, 10, code)]


def test_other_schemes_are_allowed_by_the_option_schemes(tmp_path: Path) -> None:
    write(tmp_path, POST.replace("https://example.com/source", "mailto:editor@example.com"))
    assert lint(tmp_path) == [(6, 9, "FM302")]
    (tmp_path / "schema.json").write_text(json.dumps(SCHEMA), encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.fmlint]\nschema = "schema.json"\n'
        '[tool.fmlint.rules.unsupported-url-scheme]\nschemes = ["http", "https", "mailto"]\n',
        encoding="utf-8",
    )
    run = subprocess.run(
        [FMLINT, "check", "--no-cache", "--now", NOW, "."], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert (run.returncode, run.stdout) == (0, "All checks passed (1 file checked).\n"), run.stdout + run.stderr
    write(tmp_path, POST.replace("https://example.com/source", "ftp://example.com/source"))
    run = subprocess.run(
        [FMLINT, "check", "--no-cache", "--now", NOW, "."], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert "`source` must be an http, https or mailto URL, not `ftp:`" in run.stdout


def test_a_reference_format_accepts_a_path_and_a_uri_format_does_not(tmp_path: Path) -> None:
    write(tmp_path, POST.replace("source: https://example.com/source", "source: /sources/one"))
    assert lint(tmp_path) == [(6, 9, "FM301")]  # permalink, a uri-reference, is a path too, and fine


def test_a_date_time_without_a_time_zone_is_fm401_and_not_judged_for_the_future(tmp_path: Path) -> None:
    write(tmp_path, POST.replace('updated: "2024-05-31T10:00:00Z"', 'updated: "2999-05-31T10:00:00"'))
    assert lint(tmp_path) == [(5, 10, "FM401")]


def test_a_date_time_in_the_future_is_fm402(tmp_path: Path) -> None:
    write(tmp_path, POST.replace('updated: "2024-05-31T10:00:00Z"', 'updated: "2024-06-03T10:00:00Z"'))
    assert lint(tmp_path) == [(5, 10, "FM402")]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2024-06-02", []),  # tomorrow has begun nowhere yet, but is within the day allowed
        ("2024-06-03", []),  # begins at UTC+14 on 2 June 10:00 UTC: within 24 hours of now
        ("2024-06-04", [(4, 7, "FM402")]),  # begins 3 June 10:00 UTC, more than 24 hours ahead
        ("2024-02-30", [(4, 7, "FM401")]),  # a day that does not exist
    ],
)
def test_a_date_counts_from_when_its_day_begins_anywhere(
    tmp_path: Path, day: str, expected: list[tuple[int, int, str]]
) -> None:
    write(tmp_path, POST.replace('date: "2024-05-30"', f'date: "{day}"'))
    assert lint(tmp_path) == expected


def test_an_unquoted_date_time_of_any_name_is_fm404_when_asked(tmp_path: Path) -> None:
    write(tmp_path, POST.replace('updated: "2024-05-31T10:00:00Z"', "updated: 2024-05-31T10:00:00Z"))
    assert lint(tmp_path, "--extend-select", "FM404") == [(5, 10, "FM404")]


def test_fields_without_a_format_are_not_checked_whatever_their_names(tmp_path: Path) -> None:
    lines = (
        "homepage: ftp://localhost/home\n"
        "webUrl: http://127.0.0.1/article\n"
        'publishedDateTime: "2999-01-01T00:00:00Z"\n'
        "---\n"
    )
    write(tmp_path, POST.replace("---\nBody.", lines + "Body."))
    assert lint(tmp_path, "--extend-select", "FM404") == []


ARTICLE = """\
---
title: "An article"
publishedDateTime: 2024-05-31T10:00:00Z
webUrl: "https://example.com/an-article"
provider: {name: Example News, domain: example.com}
---
"""


def test_the_same_fields_under_the_built_in_schema_are_checked_as_news_fields(tmp_path: Path) -> None:
    text = ARTICLE.replace("https://example.com/an-article", "http://127.0.0.1/an-article").replace(
        "2024-05-31T10:00:00Z", "2999-01-01T00:00:00Z"
    )
    write(tmp_path, text)
    # A private address is not the provider's domain either (FM307).
    assert lint(tmp_path, "--extend-select", "FM404", schema=None) == [
        (3, 20, "FM402"),
        (3, 20, "FM404"),
        (4, 9, "FM303"),
        (4, 9, "FM304"),
        (5, 40, "FM307"),
    ]
    assert lint(tmp_path, "--extend-select", "FM404", schema={"type": "object"}) == []


def test_news_fields_are_compared_only_when_the_schema_calls_them_urls(tmp_path: Path) -> None:
    text = ARTICLE[:-4] + 'originalUrl: "https://other.example.org/an-article"\n---\n'
    write(tmp_path, text)
    as_strings = {"properties": {"webUrl": {"type": "string"}, "originalUrl": {"type": "string"}}}
    assert lint(tmp_path, schema=as_strings) == []
    as_urls = {"properties": {"webUrl": {"format": "uri"}, "originalUrl": {"format": "uri"}}}
    assert lint(tmp_path, schema=as_urls) == [(4, 9, "FM305")]
    assert (4, 9, "FM305") in lint(tmp_path, schema=None)


# --- formats reached through the schema's structure ---------------------------------


def test_formats_are_found_through_conditionals_alternatives_and_positional_items(tmp_path: Path) -> None:
    schema = {
        "type": "object",
        "properties": {
            "kind": {"enum": ["link", "note"]},
            "target": {"type": "string"},
            "pair": {"type": "array", "prefixItems": [{"type": "string"}, {"format": "uri"}]},
            "extra": {"type": "object", "patternProperties": {"^url-": {"format": "uri"}}},
            "media": {
                "oneOf": [
                    {"type": "object", "required": ["video"], "properties": {"video": {"format": "uri"}}},
                    {"type": "object", "required": ["text"]},
                ]
            },
        },
        "if": {"properties": {"kind": {"const": "link"}}},
        "then": {"properties": {"target": {"format": "uri"}}},
        "allOf": [{"additionalProperties": {"format": "uri"}, "properties": {"kind": True}}],
    }
    text = (
        "---\n"
        "kind: link\n"
        "target: http://example.com/t\n"
        "pair: [http://example.com/first, http://example.com/second]\n"
        "extra: {url-a: http://example.com/a, name-b: http://example.com/b}\n"
        "media: {video: http://example.com/v}\n"
        "other: http://example.com/o\n"
        "---\n"
    )
    write(tmp_path, text)
    # target (the if holds; allOf's additionalProperties too), the second item only, url-a but not
    # name-b, the video (one branch holds), and other (additionalProperties: every field but kind).
    # pair, extra and media are given the format by additionalProperties as well, but are no text.
    found = lint(tmp_path, "--select", "FM303", schema=schema)
    assert found == [(3, 9, "FM303"), (4, 34, "FM303"), (5, 16, "FM303"), (6, 16, "FM303"), (7, 8, "FM303")]
    write(tmp_path, text.replace("kind: link", "kind: note"))
    found = lint(tmp_path, "--select", "FM303", schema={**schema, "allOf": [True]})
    assert found == [(4, 34, "FM303"), (5, 16, "FM303"), (6, 16, "FM303")]  # target no longer a URL


def test_a_recursive_schema_finds_formats_at_every_depth(tmp_path: Path) -> None:
    schema = {
        "$defs": {
            "node": {
                "type": "object",
                "properties": {
                    "url": {"format": "uri"},
                    "children": {"type": "array", "items": {"$ref": "#/$defs/node"}},
                },
            }
        },
        "$ref": "#/$defs/node",
    }
    text = "---\nurl: https://example.com/\nchildren:\n  - children:\n      - url: http://example.com/deep\n---\n"
    write(tmp_path, text)
    assert lint(tmp_path, schema=schema) == [(5, 14, "FM303")]


# --- live links -----------------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[LinkServer]:
    with serving() as running:
        yield running


def test_links_are_the_values_of_a_url_format(
    tmp_path: Path, server: LinkServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    site = tmp_path / "site"
    site.mkdir()
    configure(site)
    (site / "schema.json").write_text(json.dumps(SCHEMA), encoding="utf-8")
    text = POST.replace("https://example.com/source", f"{server.base}/missing").replace(
        "https://example.com/two", f"{server.base}/gone"
    )
    write(site, text.replace("---\nBody.", f"homepage: {server.base}/forbidden\n---\nBody."))
    run = subprocess.run(
        [
            FMLINT,
            "check",
            "--no-cache",
            "--select",
            "FM8",
            "--links",
            "--schema",
            "schema.json",
            "--output-format",
            "json",
            ".",
        ],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    found = [(item["line"], item["column"], item["code"]) for item in json.loads(run.stdout)]
    # The permalink, a uri-reference, is a path on the site: checked against the site's files.
    assert found == [(3, 12, "FM806"), (6, 9, "FM801"), (11, 10, "FM801")], run.stderr
    assert ("HEAD", "/forbidden") not in server.requests  # homepage has no format: not a link to check
    assert {path for _, path in server.requests} == {"/missing", "/gone"}


def test_a_schema_extending_the_article_finds_the_news_urls_through_its_reference(tmp_path: Path) -> None:
    text = ARTICLE[:-4] + 'author: Someone\nrelated:\n  - {title: r, webUrl: "http://example.com/r"}\n---\n'
    write(tmp_path, text.replace("2024-05-31T10:00:00Z", "2999-01-01T00:00:00Z"))
    extended = {
        "allOf": [{"$ref": "https://fmlint.dev/schemas/article-fields.schema.json"}],
        "properties": {"author": {"type": "string"}},
    }
    assert lint(tmp_path, schema=extended) == [(3, 20, "FM402"), (8, 24, "FM303")]
