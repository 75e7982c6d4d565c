"""FM702 `missing-reference`: values that must name files of the site, through the installed command."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import dedent

FMLINT = str(Path(sys.executable).with_name("fmlint"))

CONFIG = """\
[tool.fmlint]
schema = "schemas/any.schema.json"

[[tool.fmlint.references]]
files = "_learning/collections/"
field = "/items/*"
target = "_learning/{value}.md"
"""

COLLECTION = """\
---
title: Power Apps basics
items:
  - videos/intro
  - videos/setup
  - videos/instal
  - ../../../etc/passwd
---
"""


def fmlint(site: Path, *args: str, path: str = ".") -> tuple[int, list[dict[str, Any]], str]:
    run = subprocess.run(
        [FMLINT, "check", "--output-format", "json", *args, path],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return run.returncode, json.loads(run.stdout) if run.stdout else [], run.stderr


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text(CONFIG)
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "any.schema.json").write_text('{"type": "object", "required": ["title"]}')
    videos = tmp_path / "_learning" / "videos"
    videos.mkdir(parents=True)
    for name in ("intro", "setup", "install"):
        (videos / f"{name}.md").write_text(f"---\ntitle: {name}\n---\n")
    (tmp_path / "_learning" / "collections").mkdir()
    (tmp_path / "_learning" / "collections" / "basics.md").write_text(COLLECTION)
    return tmp_path


def missing(found: list[dict[str, Any]]) -> list[tuple[str, int, int, str, str]]:
    return [
        (entry["path"], entry["line"], entry["column"], entry["pointer"], entry["message"])
        for entry in found
        if entry["code"] == "FM702"
    ]


def test_each_value_naming_no_file_is_reported_at_the_value(site: Path) -> None:
    code, found, err = fmlint(site, "--no-cache")
    assert (code, err) == (0, "")
    assert missing(found) == [
        (
            "_learning/collections/basics.md",
            6,
            5,
            "/items/2",
            "`items/2` names _learning/videos/instal.md, which does not exist (did you mean `install.md`?)",
        ),
        (
            "_learning/collections/basics.md",
            7,
            5,
            "/items/3",
            "`items/3` names ../../etc/passwd.md, which is outside the site's folder; name a file of the site",
        ),
    ]
    assert {entry["severity"] for entry in found} == {"warning"}


def test_a_target_deleted_since_the_last_run_is_reported_on_a_warm_run(site: Path) -> None:
    _, first, _ = fmlint(site)
    assert len(missing(first)) == 2
    (site / "_learning" / "videos" / "setup.md").unlink()
    _, second, _ = fmlint(site)
    assert [entry[3] for entry in missing(second)] == ["/items/1", "/items/2", "/items/3"]
    # Nothing of the collection changed: its result comes from the cache, the check does not.
    (site / "_learning" / "videos" / "setup.md").write_text("---\ntitle: setup\n---\n")
    _, third, _ = fmlint(site)
    assert missing(third) == missing(first)


def test_a_deleted_target_that_is_not_linted_itself_is_reported_on_a_warm_run(site: Path) -> None:
    collections = "_learning/collections"
    # The cache trusts a file's stat signature once it is two seconds old: then a run where no linted
    # file changed reuses the last run's outcome, and must not reuse its reference checks.
    time.sleep(2.1)
    _, first, _ = fmlint(site, path=collections)
    (site / "_learning" / "videos" / "intro.md").unlink()
    _, second, _ = fmlint(site, path=collections)
    assert [entry[3] for entry in missing(second)] == ["/items/0", *(entry[3] for entry in missing(first))]


def test_a_reference_outside_its_target_folder_is_only_named_relative_to_the_site(site: Path) -> None:
    # Only the collection's files hold references: a video's `items` are not read.
    (site / "_learning" / "videos" / "intro.md").write_text("---\ntitle: intro\nitems: [nowhere]\n---\n")
    _, found, _ = fmlint(site, "--no-cache")
    assert {entry[0] for entry in missing(found)} == {"_learning/collections/basics.md"}


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('files = "a/"\nfield = "items"\ntarget = "{value}.md"', "`field` must be a JSON pointer"),
        ('files = "a/"\nfield = "/items"\ntarget = "videos.md"', "`target` must contain {value}"),
        ('files = "a/"\nfield = "/items"\ntarget = "{value}.md"\ntargte = "x"', "unknown key `targte`"),
        ('files = ["a/"]\nfield = "/items"\ntarget = "{value}.md"', "`files` must be a non-empty string"),
    ],
)
def test_a_bad_reference_table_is_a_usage_error_naming_it(tmp_path: Path, table: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.fmlint]\n[[tool.fmlint.references]]\n{table}\n")
    code, _, err = fmlint(tmp_path)
    assert code == 2
    assert "pyproject.toml [tool.fmlint]: reference 1: " in err and message in err


def test_references_cannot_be_set_as_a_rule_option(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        dedent("""
            [tool.fmlint.rules.missing-reference]
            references = [{files = "a/", field = "/x", target = "{value}", root = "/"}]
        """)
    )
    code, _, err = fmlint(tmp_path)
    assert code == 2
    assert "with [[tool.fmlint.references]] tables" in err
