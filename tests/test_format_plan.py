"""Which values a schema gives a format: the plan read from the schema, walked over documents."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from fmlint.schema.store import load_schema_set


def formats(tmp_path: Path, schema: Any, data: Any) -> dict[str, str]:
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(schema), encoding="utf-8")
    plan = load_schema_set(str(path)).formats()
    return {found.pointer: found.format for found in plan.walk(data)}


ARTICLE = {
    "title": "t",
    "publishedDateTime": "2022-06-21T16:00:00Z",
    "webUrl": "https://example.com/a",
    "provider": {"name": "P", "domain": "example.com", "images": [{"url": "/p.png"}]},
    "images": [{"url": "/a.png"}, {"url": "/b.png"}],
    "related": [{"title": "r", "webUrl": "https://example.com/r", "updatedDateTime": "x", "images": [{"url": "/c"}]}],
    "unknown": "https://example.com/u",
}


def test_the_built_in_schema_names_every_news_url_and_date() -> None:
    plan = load_schema_set().formats()
    assert not plan.conditional  # its one anyOf holds no format: every file is walked alike
    assert {found.pointer: found.format for found in plan.walk(ARTICLE)} == {
        "/publishedDateTime": "date-time",
        "/webUrl": "uri",
        "/provider/images/0/url": "uri-reference",
        "/images/0/url": "uri-reference",
        "/images/1/url": "uri-reference",
        "/related/0/webUrl": "uri",
        "/related/0/updatedDateTime": "date-time",
        "/related/0/images/0/url": "uri-reference",
    }


def test_a_broken_document_still_has_its_formats() -> None:
    plan = load_schema_set().formats()
    broken = {"webUrl": "not a url", "images": "not a list", "related": [3, {"webUrl": 7}]}
    assert {found.pointer: found.value for found in plan.walk(broken)} == {
        "/webUrl": "not a url",
        "/related/1/webUrl": 7,
    }


def test_unevaluated_properties_apply_only_to_fields_nothing_else_describes(tmp_path: Path) -> None:
    schema = {
        "allOf": [{"properties": {"title": {"type": "string"}}}],
        "properties": {"date": {"format": "date"}},
        "patternProperties": {"^x-": {"type": "string"}},
        "unevaluatedProperties": {"format": "uri"},
    }
    data = {"title": "t", "date": "2024-01-01", "x-note": "n", "home": "https://example.com/"}
    assert formats(tmp_path, schema, data) == {"/date": "date", "/home": "uri"}


def test_older_drafts_positional_items_and_dependencies(tmp_path: Path) -> None:
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "properties": {
            "pair": {"items": [{"type": "string"}, {"format": "uri"}], "additionalItems": {"format": "date"}}
        },
        "dependencies": {"home": {"properties": {"home": {"format": "uri"}}}},
    }
    data = {"pair": ["a", "https://example.com/", "2024-01-01", "2024-01-02"], "home": "https://example.com/"}
    assert formats(tmp_path, schema, data) == {
        "/pair/1": "uri",
        "/pair/2": "date",
        "/pair/3": "date",
        "/home": "uri",
    }
    del data["home"]
    assert "/home" not in formats(tmp_path, schema, {**data, "other": 1})


def test_any_of_counts_the_branches_that_hold_and_one_of_only_a_single_one(tmp_path: Path) -> None:
    schema = {
        "properties": {
            "a": {"anyOf": [{"format": "iri"}, {"format": "uri"}, {"format": "date"}]},
            "b": {"oneOf": [{"format": "uri"}, {"type": "string", "minLength": 1}]},
            "c": {"oneOf": [{"format": "uri"}, {"type": "integer"}]},
        }
    }
    url = "https://example.com/"
    # a: two branches hold (uri ranks above iri), the date does not; b: both hold, so oneOf fails.
    assert formats(tmp_path, schema, {"a": url, "b": url, "c": url}) == {"/a": "uri", "/c": "uri"}
    assert formats(tmp_path, schema, {"a": "2024-01-01"}) == {"/a": "date"}


def test_references_by_anchor_and_to_other_files(tmp_path: Path) -> None:
    (tmp_path / "defs.json").write_text(json.dumps({"$defs": {"link": {"format": "iri"}}}), encoding="utf-8")
    schema = {
        "properties": {"a": {"$ref": "#when"}, "b": {"$ref": "defs.json#/$defs/link"}},
        "$defs": {"when": {"$anchor": "when", "format": "date-time"}},
    }
    assert formats(tmp_path, schema, {"a": "x", "b": "y"}) == {"/a": "date-time", "/b": "iri"}


def test_a_hostile_pattern_does_not_stall(tmp_path: Path) -> None:
    schema = {"patternProperties": {"^(a+)+$": {"format": "uri"}}}
    key = "a" * 5000 + "!"
    started = time.process_time()
    assert formats(tmp_path, schema, {key: "x", "aaa": "y"}) == {"/aaa": "uri"}
    assert time.process_time() - started < 2


def test_alternatives_that_share_definitions_are_read_and_walked_once_each(tmp_path: Path) -> None:
    width = 50
    defs = {f"d{i}": {"anyOf": [{"$ref": f"#/$defs/d{i + 1}"}, {"$ref": f"#/$defs/d{i + 1}"}]} for i in range(width)}
    defs[f"d{width}"] = {"format": "uri"}
    schema = {"$defs": defs, "properties": {"a": {"$ref": "#/$defs/d0"}}}
    started = time.process_time()
    assert formats(tmp_path, schema, {"a": "https://example.com/"}) == {"/a": "uri"}
    assert time.process_time() - started < 5
