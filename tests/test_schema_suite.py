"""The official JSON-Schema-Test-Suite, through fmlint's engine, jsonschema and ``fmlint check --schema``.

fmlint's verdict must be the suite's on every case but those listed, with a reason
each, in ``schema_suite.DIFFERENCES``; jsonschema (the reference implementation)
runs every case too, and where it and fmlint disagree, either it is wrong by the
suite or the case is listed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import specification_with

from conftest import run_cli
from fmlint.pipeline.fastyaml import read_front_matter_yaml
from fmlint.pipeline.yamlread import Limits
from fmlint.rules import RULES
from fmlint.schema.explain import explain, json_equal
from fmlint.schema.store import SchemaError, SchemaSet, _builtin_resources, schema_set_from
from schema_suite import DIFFERENCES, DRAFTS, Case, cases, remotes, with_dialect

FMLINT = str(Path(sys.executable).with_name("fmlint"))
SCHEMA_CODES = ",".join(rule.code for rule in RULES if rule.stage == "schema")
RULE_NAMES = {rule.name for rule in RULES}
CASES = list(cases())
GROUPS: dict[tuple[str, str, str], list[Case]] = {}
for _case in CASES:
    GROUPS.setdefault((_case.draft, _case.file, _case.group), []).append(_case)


@cache
def _remotes(draft: str) -> dict[str, Any]:
    return remotes(draft)


@cache
def _builtins() -> dict[str, Any]:
    return _builtin_resources()


def engine_for(draft: str, file: str, group: str) -> SchemaSet | SchemaError:
    schema = with_dialect(GROUPS[draft, file, group][0].schema, draft)
    try:
        return schema_set_from(schema, f"https://fmlint.test/{draft}/{file}", {**_builtins(), **_remotes(draft)})
    except SchemaError as exc:
        return exc


_ENGINES: dict[tuple[str, str, str], SchemaSet | SchemaError] = {}


def verdict(case: Case) -> bool | None:
    """fmlint's verdict on a case (``None``: the schema is refused); invalid data is explained too."""
    key = (case.draft, case.file, case.group)
    if key not in _ENGINES:
        _ENGINES[key] = engine_for(*key)
    engine = _ENGINES[key]
    if isinstance(engine, SchemaError):
        return None
    valid = engine.is_valid(case.data)
    if not valid:
        problems = explain(engine.violations(case.data))
        assert problems, case
        assert {problem.rule for problem in problems} <= RULE_NAMES, case
    return valid


def test_the_engine_gives_the_suites_verdicts_but_where_documented() -> None:
    counts: Counter[str] = Counter()
    used = set()
    unexplained = []
    for case in CASES:
        found = verdict(case)
        if found == case.valid:
            counts["pass"] += 1
            continue
        difference = case.documented()
        if difference is None:
            unexplained.append((case.key, "refused" if found is None else found))
        else:
            counts["documented"] += 1
            used.add(difference)
    assert unexplained == []
    assert len(CASES) > 7500 and counts["pass"] > 7500
    assert set(DIFFERENCES) == used, "a documented difference no case needs any more"
    assert counts["documented"] < 110
    print(dict(counts), f"of {len(CASES)} cases")


def _reference(case: Case) -> bool | None:
    """jsonschema's verdict, with the suite's remote documents (``None``: it cannot run the case)."""
    schema = with_dialect(case.schema, case.draft)
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    spec = specification_with(DRAFTS[case.draft])
    registry: Registry[Any] = Registry().with_resources(
        (uri, Resource.from_contents(document, default_specification=spec))
        for uri, document in _remotes(case.draft).items()
    )
    try:
        return bool(cls(schema, registry=registry, format_checker=cls.FORMAT_CHECKER).is_valid(case.data))
    except Exception:  # the reference's own limits (unknown metaschema, unresolvable $ref)
        return None


def test_where_jsonschema_and_fmlint_disagree_jsonschema_is_wrong_or_it_is_documented() -> None:
    disagreements: Counter[str] = Counter()
    for case in CASES:
        ours, theirs = verdict(case), _reference(case)
        if ours == theirs:
            continue
        if theirs != case.valid:
            disagreements["jsonschema wrong by the suite"] += 1
        else:
            assert case.documented() is not None, case.key
            disagreements["documented"] += 1
    print(dict(disagreements), f"of {len(CASES)} cases")
    assert disagreements["documented"] < 110


def _front_matter(data: dict[str, Any]) -> str | None:
    """``data`` as a file's front-matter, or ``None`` when YAML would not read it back the same."""
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1_000_000)
    parsed = read_front_matter_yaml(text, Limits())
    if parsed.fatal or parsed.issues or not json_equal(parsed.data, data):
        return None
    return "---\n" + text + "---\n"


def _lint_group(tmp_path: Path, key: tuple[str, str, str], command: list[str] | None = None) -> dict[str, Any]:
    """Lint every object case of a group with ``fmlint check --schema``: name -> (case, invalid?)."""
    draft = key[0]
    folder = tmp_path / f"g{abs(hash(key))}"
    folder.mkdir()
    (folder / "schema.json").write_text(json.dumps(with_dialect(GROUPS[key][0].schema, draft)))
    files = {}
    for index, case in enumerate(GROUPS[key]):
        text = _front_matter(case.data) if isinstance(case.data, dict) and case.data else None
        if text is not None:
            (folder / f"{index}.md").write_text(text, encoding="utf-8")
            files[f"{index}.md"] = case
    if not files:
        return {"code": None, "files": {}}
    argv = ["check", "--isolated", "--no-cache", "--select", SCHEMA_CODES, "--output-format", "json"]
    argv += ["--schema", "schema.json", *files]
    if command is None:
        result = run_cli(*argv, cwd=folder)
        code, out, err = result.code, result.out, result.err
    else:
        completed = subprocess.run([*command, *argv], cwd=folder, capture_output=True, text=True, check=False)
        code, out, err = completed.returncode, completed.stdout, completed.stderr
    if code == 2:
        return {"code": 2, "err": err, "files": files}
    findings = json.loads(out)
    assert all(finding["code"] != "FM902" for finding in findings), findings
    flagged = {finding["path"] for finding in findings}
    return {"code": code, "files": {name: (case, name in flagged) for name, case in files.items()}}


def _object_groups() -> list[tuple[str, str, str]]:
    return [key for key, group in GROUPS.items() if any(isinstance(case.data, dict) and case.data for case in group)]


def test_every_object_case_through_fmlint_check(tmp_path: Path) -> None:
    counts: Counter[str] = Counter()
    for key in _object_groups():
        result = _lint_group(tmp_path, key)
        if result["code"] == 2:
            cases_ = result["files"].values()
            if "fetch" in result["err"]:  # "cannot fetch", "does not fetch metaschemas"
                counts["remote reference not fetched"] += len(cases_)
                continue
            assert all(case.documented() for case in cases_), (key, result["err"])
            counts["documented"] += len(cases_)
            continue
        for case, flagged in result["files"].values():
            if flagged == (not case.valid):
                counts["pass"] += 1
            else:
                assert case.documented() is not None, (case.key, flagged)
                counts["documented"] += 1
    print(dict(counts))
    assert counts["pass"] > 1300
    assert counts["remote reference not fetched"] < 100


@pytest.mark.parametrize(
    "key",
    [
        ("draft7", "dependencies.json", "dependencies"),
        ("draft2019-09", "unevaluatedProperties.json", "unevaluatedProperties with adjacent properties"),
        ("draft2020-12", "oneOf.json", "oneOf with required"),
        ("draft4", "enum.json", "enums in properties"),
    ],
)
def test_the_installed_command_agrees_on_a_sample(tmp_path: Path, key: tuple[str, str, str]) -> None:
    assert key in GROUPS
    (tmp_path / "installed").mkdir()
    installed = _lint_group(tmp_path / "installed", key, [FMLINT])
    in_process = _lint_group(tmp_path, key)
    assert installed["code"] == in_process["code"] in (0, 1)
    assert {name: flagged for name, (_, flagged) in installed["files"].items()} == {
        name: flagged for name, (_, flagged) in in_process["files"].items()
    }
    for case, flagged in installed["files"].values():
        assert flagged == (not case.valid), case.key
