"""fmlint finds schema errors without jsonschema: the same errors, explained alike."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import CORPUS, MINIMAL, VALID_SEED
from fmlint.schema.compile import Unsupported
from fmlint.schema.errors import ErrorFinder
from fmlint.schema.explain import explain
from fmlint.schema.store import load_schema_set
from fmlint.yamlread import Limits, read_yaml
from test_schema import _mutations


def _summary(errors: Any) -> list[tuple[Any, ...]]:
    """What explain reads of each error (sorted: jsonschema walks unknown fields in set order)."""
    return sorted(
        (
            error.validator,
            json.dumps(error.validator_value, sort_keys=True, default=str),
            list(error.absolute_path),
            repr(error.instance),
            None if error.cause is None else str(error.cause),
            id(error.schema),
        )
        for error in errors
    )


def _agree(schemas: Any, data: Any) -> int:
    """Assert both finders give the same errors and the same problems; return how many errors."""
    ours = ErrorFinder(schemas.resources).errors(schemas.root, data)
    theirs = list(schemas.validator().iter_errors(data))
    assert _summary(ours) == _summary(theirs), data
    assert sorted(map(repr, explain(ours))) == sorted(map(repr, explain(theirs))), data
    return len(ours)


def _related_mutations(data: dict[str, Any]) -> list[Any]:
    link = {
        "title": "A related story",
        "webUrl": "https://example.com/related",
        "publishedDateTime": "2022-06-21T16:00:00Z",
    }
    return [{**data, "related": [variant]} for variant in [link, *_mutations(link)] if isinstance(variant, dict)] + [
        {**data, "related": "x"},
        {**data, "related": [link, "x"]},
        {**data, "related": [{}]},
    ]


def test_both_finders_agree_on_real_and_mutated_records() -> None:
    schemas = load_schema_set()
    files = [VALID_SEED, *sorted(CORPUS.iterdir())]
    documents = errors = 0
    for index, path in enumerate(files):
        text = path.read_text(encoding="utf-8")
        data = read_yaml(text.split("\n---\n", 1)[0][4:], Limits()).data
        candidates = [data]
        if index % 40 == 0:
            candidates += _mutations(data) + _related_mutations(data)
        for candidate in candidates:
            errors += _agree(schemas, candidate)
            documents += 1
    assert documents > 2000
    assert errors > 2000  # the mutations really broke records


_CUSTOM = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://example.com/custom.schema.json",
    "type": "object",
    "required": ["title", "kind"],
    "properties": {
        "title": {"type": "string", "minLength": 3, "maxLength": 20, "pattern": "^[A-Z]"},
        "kind": {"const": "post"},
        "score": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 10, "multipleOf": 0.5},
        "tags": {"type": "array", "prefixItems": [{"const": "lead"}], "items": {"type": "string"}, "maxItems": 3},
        "when": {"$ref": "#/$defs/when"},
        "meta": {
            "type": "object",
            "minProperties": 1,
            "maxProperties": 2,
            "propertyNames": {"pattern": "^[a-z]+$"},
            "patternProperties": {"^n_": {"type": "integer"}},
            "additionalProperties": {"type": "string"},
        },
        "draft": {"not": {"const": True}},
        "ids": {"type": "array", "uniqueItems": True, "minItems": 1},
    },
    "dependentRequired": {"score": ["when"]},
    "dependentSchemas": {"tags": {"required": ["title"]}},
    "allOf": [{"if": {"required": ["draft"]}, "then": {"required": ["when"]}, "else": {"maxProperties": 6}}],
    "anyOf": [{"required": ["title"]}, {"required": ["kind"]}],
    "x-unknown-keyword": {"type": "integer"},
    "$defs": {"when": {"type": "string", "format": "date-time"}},
}

_CUSTOM_CASES = [
    {"title": "Good title", "kind": "post"},
    {},
    {"title": "no", "kind": "page"},
    {"title": "A title that is far too long for it", "kind": "post", "score": 10},
    {"title": "Fine", "kind": "post", "score": 0.3},
    {"title": "Fine", "kind": "post", "score": 3, "when": "yesterday"},
    {"title": "Fine", "kind": "post", "tags": ["x", 1, "y", "z"]},
    {"title": "Fine", "kind": "post", "meta": {}},
    {"title": "Fine", "kind": "post", "meta": {"Bad": 1, "n_x": "one", "c": 2}},
    {"title": "Fine", "kind": "post", "draft": True},
    {"title": "Fine", "kind": "post", "ids": [1, 1]},
    {"title": "Fine", "kind": "post", "ids": []},
    {"title": "Fine", "kind": "post", "a": 1, "b": 2, "c": 3, "d": 4, "e": 5},
    {"kind": "post", "tags": []},
    [1, 2],
    "text",
    None,
]


@pytest.mark.parametrize("data", _CUSTOM_CASES, ids=[json.dumps(case)[:40] for case in _CUSTOM_CASES])
def test_both_finders_agree_on_every_keyword_of_a_custom_schema(tmp_path: Path, data: Any) -> None:
    path = tmp_path / "custom.schema.json"
    path.write_text(json.dumps(_CUSTOM), encoding="utf-8")
    schemas = load_schema_set(str(path))
    assert schemas.fast_check() is not None
    count = _agree(schemas, data)
    assert (count == 0) == (data == _CUSTOM_CASES[0])


@pytest.mark.parametrize(
    "extra",
    [
        {"oneOf": [{"required": ["a"]}, {"required": ["b"]}]},
        {"anyOf": [{"type": "integer"}, {"type": "string"}]},
        {"properties": {"a": False}},
        {"properties": {"a": {"contains": {"type": "string"}}}},
        {"items": False},
    ],
)
def test_errors_it_cannot_say_as_jsonschema_does_are_left_to_jsonschema(tmp_path: Path, extra: Any) -> None:
    path = tmp_path / "custom.schema.json"
    path.write_text(json.dumps({"$schema": "https://json-schema.org/draft/2020-12/schema", **extra}), "utf-8")
    schemas = load_schema_set(str(path))
    data = [1] if "items" in extra else {"a": [1], "b": 2}
    with pytest.raises(Unsupported):
        ErrorFinder(schemas.resources).errors(schemas.root, data)
    assert _summary(schemas.errors(data)) == _summary(schemas.validator().iter_errors(data)) != []


def test_an_invalid_file_is_explained_without_importing_jsonschema(tmp_path: Path) -> None:
    article = tmp_path / "bad.md"
    article.write_text(MINIMAL.replace("title: ", "titel: "), encoding="utf-8")
    script = (
        "import sys\nfrom fmlint.cli import main\ncode = main(['check', '--isolated', '--no-cache', "
        "'--output-format', 'concise', sys.argv[1]])\n"
        "print('jsonschema' in sys.modules, code)\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(article)], capture_output=True, text=True, check=True)
    lines = result.stdout.splitlines()
    assert lines[-1] == "False 1"
    assert any(": FM201 missing required field `title`" in line for line in lines)
    assert any(": FM205 unknown field `titel` (did you mean `title`?)" in line for line in lines)
