"""Sites that are not news: with their own schema and clean data, no rule reports a news-specific problem."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from conftest import REPO

FMLINT = str(Path(sys.executable).with_name("fmlint"))
BLOG = REPO / "tests" / "data" / "sites" / "jekyll-blog"


def findings(site: Path, *args: str) -> list[dict[str, Any]]:
    run = subprocess.run(
        [
            FMLINT,
            "check",
            "--isolated",
            "--no-cache",
            "--output-format",
            "json",
            "--schema",
            "blog.schema.json",
            *args,
            ".",
        ],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode in (0, 1), run.stderr
    found: list[dict[str, Any]] = json.loads(run.stdout)
    return found


def test_a_clean_jekyll_blog_lints_clean_with_every_default_rule() -> None:
    assert findings(BLOG) == []


def test_a_clean_jekyll_blog_lints_clean_with_every_rule_but_the_network(tmp_path: Path) -> None:
    # The opt-in rules too (FM404 unquoted dates, FM504 …), but not FM8, which would ask servers.
    site = tmp_path / "blog"
    shutil.copytree(BLOG, site)
    assert [f["code"] for f in findings(site, "--select", "FM0,FM1,FM2,FM3,FM4,FM5,FM6,FM7,FM9")] == []


def test_the_blog_schema_still_catches_a_blog_s_mistakes(tmp_path: Path) -> None:
    site = tmp_path / "blog"
    shutil.copytree(BLOG, site)
    post = site / "_posts" / "2024-03-15-moving-to-hugo.md"
    text = post.read_text(encoding="utf-8")
    post.write_text(
        text.replace("date: 2024-03-15", "date: 2024-02-30").replace("layout: post", "layout: psot"), encoding="utf-8"
    )
    found = {(f["code"], f["line"]) for f in findings(site)}
    assert ("FM204", 2) in found  # layout: psot
    assert ("FM401", 4) in found  # 2024-02-30, a date that does not exist


def test_the_file_name_and_duplicate_rules_take_a_blog_s_own_fields(tmp_path: Path) -> None:
    site = tmp_path / "blog"
    shutil.copytree(BLOG, site)
    (site / "pyproject.toml").write_text(
        '[tool.fmlint]\nschema = "blog.schema.json"\n'
        '[tool.fmlint.rules.file-name-date-mismatch]\nfield = "date"\n'
        '[tool.fmlint.rules.duplicate-article]\nfields = ["permalink"]\n',
        encoding="utf-8",
    )
    post = site / "_posts" / "2024-03-15-moving-to-hugo.md"
    post.write_text(post.read_text(encoding="utf-8").replace("date: 2024-03-15", "date: 2024-03-18"), encoding="utf-8")
    (site / "_posts" / "2024-03-20-moving-on.md").write_text(
        "---\nlayout: post\ntitle: Moving on\ndate: 2024-03-20\npermalink: /blog/moving-to-hugo/\n---\n",
        encoding="utf-8",
    )
    run = subprocess.run(
        [FMLINT, "check", "--no-cache", "--output-format", "json", "."],
        cwd=site,
        capture_output=True,
        text=True,
        check=False,
    )
    found = [(f["path"], f["line"], f["code"], f["message"]) for f in json.loads(run.stdout)]
    assert found == [
        (
            "_posts/2024-03-15-moving-to-hugo.md",
            4,
            "FM403",
            "the file name says 2024-03-15 but `date` is 2024-03-18, 3 days apart (up to 1 allowed): "
            "one of them is wrong",
        ),
        (
            "_posts/2024-03-15-moving-to-hugo.md",
            9,
            "FM701",
            "duplicate article: `permalink` /blog/moving-to-hugo/ is also the URL of 2024-03-20-moving-on.md "
            "(line 5, `permalink`); keep one file, or correct the URL",
        ),
        (
            "_posts/2024-03-20-moving-on.md",
            5,
            "FM701",
            "duplicate article: `permalink` /blog/moving-to-hugo/ is also the URL of 2024-03-15-moving-to-hugo.md "
            "(line 9, `permalink`); keep one file, or correct the URL",
        ),
    ]
