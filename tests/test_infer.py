"""`fmlint schema infer`: a schema learnt from real files, that those files pass and new mistakes fail.

Each test runs the installed command: infer from a real collection, then lint with the
inferred schema, as a user starting a schema for a new collection would.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import CORPUS, REPO, dedent

FMLINT = str(Path(sys.executable).with_name("fmlint"))
COURSES = REPO / "tests" / "corpus" / "powerapps-courses"
COURSE = "microsoft-learn-architect-analytics.md"


def fmlint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([FMLINT, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


def infer(tmp_path: Path, *paths: Path) -> Path:
    run = fmlint("schema", "infer", "--isolated", *map(str, paths), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    schema_file = tmp_path / "inferred.schema.json"
    schema_file.write_text(run.stdout, encoding="utf-8")
    return schema_file


def findings(schema: Path, *paths: Path, cwd: Path) -> list[dict[str, Any]]:
    run = fmlint(
        "check",
        "--isolated",
        "--no-cache",
        "--output-format",
        "json",
        "--schema",
        str(schema),
        *map(str, paths),
        cwd=cwd,
    )
    assert run.returncode in (0, 1), run.stderr
    found: list[dict[str, Any]] = json.loads(run.stdout)
    return found


@pytest.fixture(scope="module")
def course_schema(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return infer(tmp_path_factory.mktemp("courses"), COURSES)


def test_the_courses_lint_with_no_errors_against_their_inferred_schema(course_schema: Path, tmp_path: Path) -> None:
    found = findings(course_schema, COURSES, cwd=tmp_path)
    assert [entry for entry in found if entry["severity"] == "error"] == []


def test_the_news_articles_lint_with_no_errors_against_their_inferred_schema(tmp_path: Path) -> None:
    schema = infer(tmp_path, CORPUS)
    found = findings(schema, CORPUS, cwd=tmp_path)
    assert [entry for entry in found if entry["severity"] == "error"] == []


def test_the_inferred_schema_says_what_the_collection_holds(course_schema: Path) -> None:
    schema = json.loads(course_schema.read_text(encoding="utf-8"))
    properties = schema["properties"]
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False
    # Every course has these fields; `isCached` of an image only some.
    assert {"title", "type", "price", "length", "webUrl", "provider", "levels"} <= set(schema["required"])
    assert "isCached" not in properties["images"]["items"]["required"]
    assert properties["type"]["enum"] == ["course"]
    assert properties["levels"]["items"]["enum"] == ["Advanced", "Beginner", "Intermediate"]
    assert properties["length"]["format"] == "duration"
    assert properties["webUrl"]["format"] == "uri"
    assert properties["provider"]["properties"]["images"]["items"]["properties"]["url"]["format"] == "uri-reference"
    assert properties["ratings"]["properties"]["count"]["type"] == "integer"
    assert properties["ratings"]["properties"]["average"]["type"] == "number"
    assert properties["ratings"]["additionalProperties"] is False
    assert "title" not in properties["title"] and "description" not in properties["title"]


def test_a_new_course_with_typical_mistakes_is_caught_at_each_field(course_schema: Path, tmp_path: Path) -> None:
    good = (COURSES / COURSE).read_text(encoding="utf-8")
    bad = (
        good.replace('title: "Solution Architect series: Evaluate Power Platform analytics and AI"\n', "")
        .replace("type: course", "type: webinar")
        .replace("heat: 50", "heat: high")
        .replace("webUrl: https://docs.microsoft.com/", "webUrl: https//docs.microsoft.com/")
        .replace("  count: 5", "  count: 5\n  stars: 4")
    )
    (tmp_path / "new-course.md").write_text(bad, encoding="utf-8")
    lines = bad.splitlines()

    def line_of(text: str) -> int:
        return next(number for number, line in enumerate(lines, 1) if line.startswith(text))

    found = {
        (entry["code"], entry["line"]) for entry in findings(course_schema, tmp_path / "new-course.md", cwd=tmp_path)
    }
    assert ("FM201", 1) in found  # title, missing: reported at the opening fence
    assert ("FM204", line_of("type: webinar")) in found
    assert ("FM202", line_of("heat: high")) in found
    assert ("FM301", line_of("webUrl:")) in found
    assert ("FM205", line_of("  stars:")) in found


def test_an_impossible_date_in_a_new_article_is_caught(tmp_path: Path) -> None:
    schema = infer(tmp_path, CORPUS)
    article = next(iter(sorted(CORPUS.glob("*.md"))))
    text = article.read_text(encoding="utf-8")
    start = text.index("publishedDateTime: ")
    end = text.index("\n", start)
    (tmp_path / "new.md").write_text(text[:start] + "publishedDateTime: 2024-02-30T10:00:00Z" + text[end:], "utf-8")
    line = text[:start].count("\n") + 1
    found = {(entry["code"], entry["line"]) for entry in findings(schema, tmp_path / "new.md", cwd=tmp_path)}
    assert ("FM401", line) in found


def test_the_files_check_would_lint_are_the_files_inferred_from(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(COURSES, site / "courses")
    (site / "drafts").mkdir()
    (site / "drafts" / "odd.md").write_text(
        dedent("""
        ---
        title: A draft with a field no course has
        draftOnly: true
        ---
    """)
    )
    (site / "pyproject.toml").write_text('[tool.fmlint]\nexclude = ["drafts"]\n')
    run = fmlint("schema", "infer", ".", cwd=site)
    assert run.returncode == 0, run.stderr
    assert "draftOnly" not in json.loads(run.stdout)["properties"]
    assert "from 94 files" in run.stderr


def test_files_without_front_matter_are_left_out_with_a_note(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\ntitle: One\nrank: 1\n---\n")
    (tmp_path / "b.md").write_text("no front-matter here\n")
    run = fmlint("schema", "infer", "--isolated", ".", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "left out b.md: file has no front-matter" in run.stderr
    assert json.loads(run.stdout)["properties"]["rank"] == {"type": "integer"}


def test_nothing_to_learn_from_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "b.md").write_text("no front-matter here\n")
    run = fmlint("schema", "infer", "--isolated", ".", cwd=tmp_path)
    assert run.returncode == 2
    assert "no file with front-matter to infer a schema from" in run.stderr
    assert run.stdout == ""


def test_a_built_in_schema_takes_no_paths(tmp_path: Path) -> None:
    run = fmlint("schema", "article", "extra.md", cwd=tmp_path)
    assert run.returncode == 2
    assert "unrecognized arguments: extra.md" in run.stderr
