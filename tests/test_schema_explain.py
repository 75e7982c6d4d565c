"""Schema findings for the schemas users write: every dialect, alternatives, unevaluated fields, if/then/else."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, lint_text, run_cli
from fmlint.rules import RULES

MDN = REPO / "tests" / "data" / "mdn"
FMLINT = str(Path(sys.executable).with_name("fmlint"))
DRAFT_07 = "http://json-schema.org/draft-07/schema#"
DRAFT_2019 = "https://json-schema.org/draft/2019-09/schema"
SCHEMA_CODES = [rule.code for rule in RULES if rule.stage == "schema"]


def _findings(tmp_path: Path, schema: Any, front_matter: str) -> list[tuple[int, int, str, str]]:
    (tmp_path / "schema.json").write_text(json.dumps(schema), encoding="utf-8")
    diagnostics = lint_text(tmp_path, f"---\n{front_matter}---\n", schema=tmp_path / "schema.json", select=SCHEMA_CODES)
    return [(d.line, d.column, d.code, d.message) for d in diagnostics]


def test_an_empty_enum_allows_nothing_and_says_so(tmp_path: Path) -> None:
    found = _findings(tmp_path, {"properties": {"kind": {"enum": []}}}, "kind: news\n")
    assert found == [(2, 7, "FM204", '`kind` must be absent (the schema allows no value here), got "news"')]


def test_a_oneof_of_required_fields_that_both_match(tmp_path: Path) -> None:
    schema = {"oneOf": [{"required": ["webUrl"]}, {"required": ["originalUrl"]}]}
    found = _findings(tmp_path, schema, "webUrl: https://a.example/\noriginalUrl: https://b.example/\n")
    assert found == [(2, 1, "FM211", "the front-matter matches more than one of the allowed forms")]


def test_a_oneof_of_required_fields_where_none_matches(tmp_path: Path) -> None:
    schema = {"oneOf": [{"required": ["webUrl"]}, {"required": ["originalUrl"]}]}
    found = _findings(tmp_path, schema, "title: x\n")
    assert found == [(1, 1, "FM201", "missing `webUrl` or `originalUrl`: at least one is required")]


def test_unevaluated_properties_false_names_only_the_fields_nothing_describes(tmp_path: Path) -> None:
    schema = {
        "allOf": [{"properties": {"title": {"type": "string"}}}],
        "anyOf": [{"properties": {"webUrl": {"type": "string"}}, "required": ["webUrl"]}, {"required": ["slug"]}],
        "properties": {"slug": {"type": "string"}},
        "unevaluatedProperties": False,
    }
    found = _findings(tmp_path, schema, "title: x\nwebUrl: https://a.example/\nslug: a\nsulg: b\n")
    assert found == [(5, 1, "FM205", "unknown field `sulg`: no part of the schema describes it (did you mean `slug`?)")]


def test_a_draft_07_schema_keeps_its_dependencies(tmp_path: Path) -> None:
    schema = {"$schema": DRAFT_07, "dependencies": {"endDate": ["startDate"]}}
    found = _findings(tmp_path, schema, "endDate: 2024-01-02\n")
    assert found == [
        (1, 1, "FM201", "missing field `startDate`, which is required when `endDate` is present"),
    ]


def test_a_referenced_file_is_read_in_its_own_dialect(tmp_path: Path) -> None:
    # 2019-09 has no prefixItems: the keyword is ignored there, not applied as 2020-12 would.
    (tmp_path / "tags.json").write_text(
        json.dumps({"$schema": DRAFT_2019, "type": "array", "prefixItems": [{"type": "integer"}]})
    )
    (tmp_path / "old.json").write_text(json.dumps({"$schema": DRAFT_07, "dependencies": {"b": ["a"]}}))
    schema = {"properties": {"tags": {"$ref": "tags.json"}, "pair": {"$ref": "old.json"}}}
    found = _findings(tmp_path, schema, "tags: [text]\npair: {b: 1}\n")
    assert found == [(3, 1, "FM201", "missing field `a` in `pair`, which is required when `b` is present")]


@pytest.mark.parametrize(
    ("front_matter", "expected"),
    [
        ("n: 5\n", [(2, 4, "FM203", "`n` must be an integer from 10 to 20, got 5")]),
        ("n: five\n", [(2, 4, "FM202", '`n` must be an integer from 10 to 20, got "five"')]),
        ("n: 15\nid: x-1\n", [(3, 5, "FM208", '`id` must match the pattern `^\\d+$`, got "x-1"')]),
        ("n: 15\nwhen: 2024-02-30\n", [(3, 7, "FM401", "day 30 does not exist")]),
        ("n: 15\nmail: nobody\n", [(3, 7, "FM209", "`mail` must be an email address")]),
        ("n: 15\nhost: -bad-.example\n", [(3, 7, "FM209", "`host` must be a host name")]),
    ],
)
def test_bounds_values_and_formats_are_shown(tmp_path: Path, front_matter: str, expected: list[Any]) -> None:
    schema = {
        "properties": {
            "n": {"type": "integer", "minimum": 10, "maximum": 20},
            "id": {"type": "string", "pattern": "^\\d+$"},
            "when": {"type": "string", "format": "date"},
            "mail": {"type": "string", "format": "email"},
            "host": {"type": "string", "format": "hostname"},
        }
    }
    found = _findings(tmp_path, schema, front_matter)
    assert [(line, column, code) for line, column, code, _ in found] == [item[:3] for item in expected]
    for (*_, message), (*_, fragment) in zip(found, expected, strict=True):
        assert fragment in message


def test_patterns_are_ecma_262(tmp_path: Path) -> None:
    # \s is ECMA-262's: it includes U+00A0 and U+FEFF; \d is ASCII digits only.
    schema = {"properties": {"gap": {"pattern": "^\\s$"}, "digit": {"pattern": "^\\d$"}}}
    assert _findings(tmp_path, schema, 'gap: "\\u00a0"\ndigit: "7"\n') == []
    found = _findings(tmp_path, schema, 'gap: "x"\ndigit: "\\u0663"\n')
    assert [(line, code) for line, _, code, _ in found] == [(2, "FM208"), (3, "FM208")]


def _mdn(*names: str, command: list[str] | None = None) -> tuple[int, list[dict[str, Any]]]:
    argv = ["check", "--isolated", "--no-cache", "--select", "FM2", "--output-format", "json"]
    argv += ["--schema", "front-matter.schema.json", *names]
    if command is None:
        result = run_cli(*argv, cwd=MDN)
        return result.code, json.loads(result.out)
    completed = subprocess.run([*command, *argv], cwd=MDN, capture_output=True, text=True, check=False)
    return completed.returncode, json.loads(completed.stdout)


def test_documentation_pages_that_are_clean_lint_clean() -> None:
    assert _mdn("color.md", "abbr.md", "array-at.md") == (0, [])


def test_a_page_type_not_allowed_for_its_slug_is_explained_through_the_branch_whose_if_holds() -> None:
    code, findings = _mdn("wrong-page-type.md", command=[FMLINT])
    assert code == 1
    assert [(f["line"], f["column"], f["code"], f["pointer"]) for f in findings] == [(4, 12, "FM204", "/page-type")]
    assert findings[0]["message"] == (
        '`page-type` must be one of "css-property", "css-selector", "css-function", "css-at-rule", '
        '"css-type", "guide" or "landing-page", got "html-element"'
    )


def test_an_unknown_field_on_a_documentation_page() -> None:
    code, findings = _mdn("typo-field.md")
    assert code == 0  # FM205 is a warning
    assert [(f["line"], f["code"], f["message"]) for f in findings] == [
        (6, "FM205", "unknown field `spec-url` (did you mean `spec-urls`?)")
    ]
