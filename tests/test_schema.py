"""The schemas are the contract: well-formed, complete for real data, strict, and explained plainly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from conftest import CORPUS, MINIMAL, REPO, VALID_SEED, lint_text, run_cli, where
from fmlint.schema.store import load_schema_set

SCHEMAS = REPO / "schemas"
ARTICLE = json.loads((SCHEMAS / "article.schema.json").read_text())
RELATED = json.loads((SCHEMAS / "related-link.schema.json").read_text())


def _front_matter(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    return yaml.load(text.split("\n---\n", 1)[0][4:], Loader=yaml.BaseLoader)  # type: ignore[no-any-return]


def test_schemas_are_valid_draft_2020_12_with_ids() -> None:
    for schema in (ARTICLE, RELATED, json.loads((SCHEMAS / "diagnostics.schema.json").read_text())):
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["$id"].startswith("https://")
        jsonschema.Draft202012Validator.check_schema(schema)


def test_related_items_refer_to_the_related_link_schema_and_shared_parts_are_not_copied() -> None:
    # By its $id, not a relative path: a copy of the article under another $id still finds it.
    assert ARTICLE["properties"]["related"]["items"] == {"$ref": "https://fmlint.dev/schemas/related-link.schema.json"}
    assert RELATED["properties"]["provider"]["$ref"] == "article.schema.json#/$defs/provider"
    assert RELATED["properties"]["images"]["$ref"] == "article.schema.json#/$defs/images"
    assert "$defs" not in RELATED
    text = (SCHEMAS / "related-link.schema.json").read_text()
    assert '"domain"' not in text and '"width"' not in text


def _schema_at(schema: Any, path: list[str], root: dict[str, Any]) -> Any:
    """Follow ``path`` (``*`` for list items) through properties, items and local $refs."""
    for part in path:
        schema = _deref(schema, root)
        schema = schema["items"] if part == "*" else schema["properties"][part]
    return _deref(schema, root)


def _deref(schema: Any, root: dict[str, Any]) -> Any:
    while "$ref" in schema:
        target, _, fragment = schema["$ref"].partition("#")
        document = RELATED if target == "related-link.schema.json" else ARTICLE if target else root
        schema = document
        for token in filter(None, fragment.split("/")):
            schema = schema[token]
    return schema


def _paths(data: Any, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    found = set()
    if isinstance(data, dict):
        for key, value in data.items():
            found.add((*prefix, key))
            found |= _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for item in data:
            found |= _paths(item, (*prefix, "*"))
    return found


def test_every_field_of_real_data_is_described() -> None:
    seen: set[tuple[str, ...]] = set()
    for path in [VALID_SEED, *sorted(CORPUS.iterdir())]:
        seen |= _paths(_front_matter(path))
    assert len(seen) > 30
    for field_path in sorted(seen):
        schema = _schema_at(ARTICLE, list(field_path), ARTICLE)
        parent = _schema_at(ARTICLE, list(field_path[:-1]), ARTICLE)
        described = _deref(parent, ARTICLE)["properties"][field_path[-1]]
        assert described.get("description"), f"{'/'.join(field_path)} has no description"
        assert schema, field_path


def test_category_and_type_take_the_values_real_data_uses() -> None:
    categories = {_front_matter(path).get("category") for path in CORPUS.iterdir()}
    types = {_front_matter(path).get("type") for path in CORPUS.iterdir()}
    assert set(ARTICLE["properties"]["category"]["enum"]) == categories
    assert set(ARTICLE["$defs"]["contentType"]["enum"]) == types


def _article(**changes: str | None) -> str:
    lines = MINIMAL.splitlines()
    body = [line for line in lines[1:-1] if line.split(":")[0] not in changes]
    body += [f"{key}: {value}" for key, value in changes.items() if value is not None]
    return "---\n" + "\n".join(body) + "\n---\n"


@pytest.mark.parametrize(
    ("changes", "expected", "message"),
    [
        ({"title": None}, [(1, 1, "FM201")], "missing required field `title`"),
        ({"publishedDateTime": None}, [(1, 1, "FM201")], "missing required field `publishedDateTime`"),
        ({"webUrl": None}, [(1, 1, "FM201")], "missing `originalUrl` or `webUrl`: at least one is required"),
        ({"title": '""'}, [(7, 8, "FM206")], "`title` must not be empty"),
        ({"quality": "-5"}, [(8, 10, "FM203")], "`quality` must be an integer ≥ 0, got -5"),
        ({"quality": '"high"'}, [(8, 10, "FM202")], '`quality` must be an integer ≥ 0, got "high"'),
        ({"quality": "43.5"}, [(8, 10, "FM202")], "`quality` must be an integer ≥ 0, got 43.5"),
        ({"quality": "true"}, [(8, 10, "FM202")], "`quality` must be an integer ≥ 0, got true"),
        ({"heat": "-7"}, [(8, 7, "FM203")], "`heat` must be an integer ≥ -1, got -7"),
        ({"heat": "2.5"}, [(8, 7, "FM202")], "`heat` must be an integer ≥ -1, got 2.5"),
        ({"published": '"true"'}, [(8, 12, "FM202")], '`published` must be true or false, got "true"'),
        ({"type": "articel"}, [(8, 7, "FM204")], "(did you mean `article`?)"),
        ({"titel": '"x"'}, [(8, 1, "FM205")], "unknown field `titel` (did you mean `title`?)"),
        ({"topics": "[]"}, [(8, 9, "FM206")], "`topics` must not be empty"),
        ({"topics": "[AI, AI]"}, [(8, 14, "FM210")], "`topics[1]` repeats `topics[0]`"),
        ({"publishedDateTime": "2022-07-05 23:38:00"}, [(7, 20, "FM401")], "no time zone"),
        ({"publishedDateTime": "2022-07-05T23:38:00"}, [(7, 20, "FM401")], "no time zone"),
        ({"publishedDateTime": "2022-02-30T10:00:00Z"}, [(7, 20, "FM401")], "day 30 does not exist"),
        ({"publishedDateTime": '""'}, [(7, 20, "FM206")], "must not be empty"),
        ({"webUrl": "https//example.com/a"}, [(7, 9, "FM301")], "missing the `:` after `https`"),
        ({"webUrl": "www.example.com/a"}, [(7, 9, "FM301")], "no scheme"),
        ({"webUrl": '"https://exa mple.com"'}, [(7, 9, "FM301")], "contains a space"),
        ({"webUrl": "https://example..com/a"}, [(7, 9, "FM301")], "empty label"),
        ({"webUrl": "https://"}, [(7, 9, "FM301")], "no host"),
    ],
)
def test_schema_findings_are_positioned_and_plain(
    tmp_path: Path, changes: dict[str, str | None], expected: list[tuple[int, int, str]], message: str
) -> None:
    diagnostics = lint_text(tmp_path, _article(**changes))
    assert where(diagnostics) == expected
    assert message in diagnostics[0].message


def test_missing_field_is_reported_at_the_mapping_that_lacks_it(tmp_path: Path) -> None:
    text = MINIMAL.replace("  domain: example.com\n", "").replace(
        "---\n", "---\nimages:\n  - width: 10\n    height: 10\n", 1
    )
    diagnostics = lint_text(tmp_path, text)
    assert [(d.line, d.column, d.code, d.pointer) for d in diagnostics] == [
        (3, 5, "FM201", "/images/0/url"),
        (8, 1, "FM201", "/provider/domain"),
    ]


def test_nested_related_link_errors_have_full_pointers(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "---\n",
        "---\nrelated:\n  - title: A\n    webUrl: https://a.example/\n"
        "  - title: B\n    webUrl: ftp//b\n    quality: x\n",
        1,
    )
    diagnostics = lint_text(tmp_path, text)
    assert [(d.line, d.column, d.code, d.pointer) for d in diagnostics] == [
        (6, 13, "FM301", "/related/1/webUrl"),
        (7, 14, "FM202", "/related/1/quality"),
    ]


def test_format_checks_run_without_optional_packages() -> None:
    """jsonschema alone skips date-time and uri unless extra packages are installed; fmlint asserts them."""
    from fmlint.pipeline.yamlread import Limits, read_yaml

    schemas = load_schema_set()
    article = read_yaml(VALID_SEED.read_text().split("\n---\n", 1)[0][4:], Limits()).data
    assert schemas.is_valid(article)
    assert not schemas.is_valid({**article, "publishedDateTime": "2022-07-05T23:38:00"})
    assert not schemas.is_valid({**article, "webUrl": "https//example.com/"})
    assert not schemas.is_valid({**article, "images": [{"url": "/a b.png"}]})


def reference_validator(schema: Any, registry: Any = None) -> Any:
    """jsonschema, the reference implementation, with every format asserted as fmlint asserts it."""
    from fmlint.schema.formats import FORMATS

    checker = jsonschema.FormatChecker()
    for name, check in FORMATS.items():
        if name not in checker.checkers or name.startswith(("uri", "iri")):

            def asserted(value: object, check: Any = check) -> bool:
                return not isinstance(value, str) or check(value) is None

            checker.checks(name)(asserted)
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    return cls(schema, registry=registry, format_checker=checker) if registry else cls(schema, format_checker=checker)


def _mutations(data: dict[str, Any]) -> list[Any]:
    """Realistic breakages of a valid record: every field dropped, retyped or emptied."""
    variants: list[Any] = []
    replacements: list[Any] = [None, "", "x", -5, 2.5, True, [], {}, ["a", "a"], "2022-07-05"]
    for key in data:
        variants.append({k: v for k, v in data.items() if k != key})
        for value in replacements:
            variants.append({**data, key: value})
        if isinstance(data[key], dict):
            for inner in data[key]:
                variants.append({**data, key: {k: v for k, v in data[key].items() if k != inner}})
                variants.append({**data, key: {**data[key], inner: 0}})
        if isinstance(data[key], list) and data[key] and isinstance(data[key][0], dict):
            item = data[key][0]
            for inner in item:
                variants.append({**data, key: [{k: v for k, v in item.items() if k != inner}]})
                variants.append({**data, key: [{**item, inner: "http s://x"}]})
    variants.append({**data, "unknownField": 1})
    return variants


def test_engine_agrees_with_jsonschema_on_real_and_mutated_records() -> None:
    from referencing import Registry, Resource

    from fmlint.pipeline.yamlread import Limits, read_yaml

    schemas = load_schema_set()
    registry: Any = Registry().with_resources(
        (uri, Resource.from_contents(schema)) for uri, schema in schemas.resources.items()
    )
    validator = reference_validator(schemas.schema, registry)
    files = [VALID_SEED, *sorted(CORPUS.iterdir())]
    checked = 0
    for index, path in enumerate(files):
        text = path.read_text(encoding="utf-8")
        data = read_yaml(text.split("\n---\n", 1)[0][4:], Limits()).data
        candidates = [data] + (_mutations(data) if index % 25 == 0 else [])
        for candidate in candidates:
            assert schemas.is_valid(candidate) == validator.is_valid(candidate), (path.name, candidate)
            checked += 1
    assert checked > 1500


def test_user_schema_via_flag(tmp_path: Path) -> None:
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps({"type": "object", "required": ["slug"], "properties": {"slug": {"type": "string"}}}))
    article = tmp_path / "a.md"
    article.write_text(MINIMAL)
    result = run_cli("check", "--schema", str(schema), "--output-format", "json", str(article))
    assert result.code == 1
    assert [(d["code"], d["pointer"]) for d in json.loads(result.out)] == [("FM201", "/slug")]


def test_user_schema_may_refer_to_builtin_and_sibling_schemas(tmp_path: Path) -> None:
    (tmp_path / "shared.json").write_text(json.dumps({"$defs": {"slug": {"type": "string", "pattern": "^[a-z-]+$"}}}))
    schema = {
        "$ref": "https://fmlint.dev/schemas/article.schema.json",
        "properties": {"slug": {"$ref": "shared.json#/$defs/slug"}},
        "unevaluatedProperties": True,
    }
    (tmp_path / "schema.json").write_text(json.dumps(schema))
    (tmp_path / "a.md").write_text(MINIMAL.replace("---\n", "---\nslug: Not A Slug\n", 1))
    result = run_cli("check", "--schema", str(tmp_path / "schema.json"), str(tmp_path / "a.md"))
    assert result.code == 1
    assert "FM208" in result.out and "must match the pattern" in result.out


@pytest.mark.parametrize(
    ("schema", "fragment"),
    [
        ({"properties": {"a": {"type": "string", "format": "no-such-format"}}}, "no installed checker enforces"),
        ({"type": 12}, "not a valid JSON Schema"),
        ({"$ref": "ftp://example.com/remote.json"}, "cannot fetch"),
        ("not json", "not valid JSON"),
    ],
)
def test_unusable_user_schema_is_a_usage_error(tmp_path: Path, schema: Any, fragment: str) -> None:
    path = tmp_path / "schema.json"
    path.write_text(schema if isinstance(schema, str) else json.dumps(schema))
    (tmp_path / "a.md").write_text(MINIMAL)
    result = run_cli("check", "--schema", str(path), str(tmp_path / "a.md"))
    assert result.code == 2
    assert fragment in result.err
    assert "Traceback" not in result.err


@pytest.mark.parametrize("name", ["article", "related-link", "diagnostics"])
def test_schema_command_prints_the_shipped_schema(name: str) -> None:
    result = run_cli("schema", name)
    assert result.code == 0
    assert json.loads(result.out) == json.loads((SCHEMAS / f"{name}.schema.json").read_text())
