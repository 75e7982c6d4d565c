"""A site with several collections, each with its own schema: ``[tool.fmlint.schemas]``, ``$schema``,
references between files and ``.html`` front-matter, through the installed command."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO

FMLINT = str(Path(sys.executable).with_name("fmlint"))
SITE = REPO / "tests" / "data" / "sites" / "multi-collection"
COURSE = "_learning/courses/microsoft-learn-architect-analytics.md"
GUEST = "_news/2021-12-01-guest-post-what-we-learnt-moving-to-dataverse.md"
README = (REPO / "README.md").read_text(encoding="utf-8")


def fmlint(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [FMLINT, *args], cwd=site, capture_output=True, text=True, timeout=120, check=False, env=_env()
    )


def _env() -> dict[str, str]:
    return {**os.environ, "FMLINT_NOW": "2024-06-01T00:00:00Z"}


def findings(site: Path, *args: str) -> list[tuple[str, int, int, str]]:
    """``(path, line, column, code)`` of every finding of ``fmlint check`` on ``site``."""
    run = fmlint(site, "check", "--no-cache", "--output-format", "json", *args)
    assert run.returncode in (0, 1), run.stderr
    assert "Traceback" not in run.stderr
    return [(f["path"], f["line"], f["column"], f["code"]) for f in json.loads(run.stdout)]


def messages(site: Path, *args: str) -> dict[str, str]:
    run = fmlint(site, "check", "--no-cache", "--output-format", "json", *args)
    return {f"{f['path']}:{f['line']}:{f['code']}": f["message"] for f in json.loads(run.stdout)}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    copy = tmp_path / "site"
    shutil.copytree(SITE, copy)
    return copy


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_clean_site_passes_with_every_collection_checked() -> None:
    run = fmlint(SITE, "check", "--no-cache")
    assert (run.returncode, run.stdout) == (0, "All checks passed (14 files checked).\n"), run.stdout + run.stderr


def test_each_file_is_listed_with_its_schema_and_the_html_pages_are_included() -> None:
    run = fmlint(SITE, "check", "--show-files")
    listing = dict(line.split("\t") for line in run.stdout.splitlines())
    assert listing[COURSE] == "schemas/course.schema.json"
    assert listing["_learning/videos/formulas-for-beginners.md"] == "schemas/video.schema.json"
    assert listing["_learning/collections/getting-started.md"] == "schemas/collection.schema.json"
    assert listing["_newsletters/2021-10.html"] == "schemas/newsletter.schema.json"
    assert listing["_news/2021-11-05-easy-power-apps-collaboration-with-multiplayer-apps.md"] == "article"
    assert listing[GUEST] == "../schemas/guest-article.schema.json"  # its own `$schema`, as written
    assert not any(path.startswith("_includes/") for path in listing)  # HTML without front-matter, excluded
    assert len(listing) == 14


def test_defects_in_each_collection_are_found_at_their_field(site: Path) -> None:
    courses = site / "_learning" / "courses"
    edit(courses / "microsoft-learn-administrating-power-platform-subscriptions.md", "length: PT57M\n", "")
    edit(site / COURSE, "  count: ", '  count: "many"\n  was: ')  # a wrong type, and an unknown field
    edit(site / "_learning/collections/getting-started.md", "videos/formulas-for-beginners", "videos/formulas-101")
    edit(site / "_newsletters/2021-11.html", "issue: 15", "issue: fifteen")
    found = findings(site)
    assert sorted(found) == [
        ("_learning/collections/getting-started.md", 9, 5, "FM702"),
        ("_learning/courses/microsoft-learn-administrating-power-platform-subscriptions.md", 1, 1, "FM201"),
        (COURSE, 9, 10, "FM202"),
        (COURSE, 10, 3, "FM205"),
        ("_newsletters/2021-11.html", 5, 8, "FM202"),
    ]
    said = messages(site)
    assert said[f"{COURSE}:9:FM202"] == '`ratings.count` must be an integer ≥ 0, got "many"'
    assert said[f"{COURSE}:10:FM205"].startswith("unknown field `was` in `ratings`")
    assert (
        "missing required field `length`"
        in said["_learning/courses/microsoft-learn-administrating-power-platform-subscriptions.md:1:FM201"]
    )


def test_a_course_with_an_unknown_field_and_a_bad_level(site: Path) -> None:
    edit(site / COURSE, "price: Free", "prise: Free")
    edit(site / COURSE, "  - Advanced", "  - Expert")
    said = messages(site)
    assert said[f"{COURSE}:1:FM201"] == "missing required field `price`"
    assert said[f"{COURSE}:6:FM205"] == "unknown field `prise` (did you mean `price`?)"
    assert said[f"{COURSE}:22:FM204"].startswith("`levels[0]` must be one of")


def test_a_file_s_own_schema_extends_the_article_and_its_key_is_no_field(site: Path) -> None:
    assert findings(site, GUEST) == []  # `$schema` is not an unknown field, `author` is known
    edit(site / GUEST, 'author: "Dana Whitfield"\n', 'auther: "Dana Whitfield"\n')
    said = messages(site, GUEST)
    assert said == {
        f"{GUEST}:1:FM201": "missing required field `author`",
        f"{GUEST}:6:FM205": "unknown field `auther`: no part of the schema describes it (did you mean `author`?)",
    }


def test_the_news_articles_still_use_the_built_in_schema(site: Path) -> None:
    news = site / "_news" / "2021-11-05-easy-power-apps-collaboration-with-multiplayer-apps.md"
    edit(news, "quality: ", "author: Someone\nquality: ")
    assert [code for _, _, _, code in findings(site)] == ["FM205"]  # the closed article: no `author`


def test_the_command_line_schema_wins_over_the_mapping_and_the_file(site: Path) -> None:
    found = findings(site, "--schema", "schemas/video.schema.json", "_learning/courses/", GUEST)
    assert {code for _, _, _, code in found} >= {"FM201", "FM205"}
    assert not any(code == "FM213" for _, _, _, code in found)
    listing = fmlint(site, "check", "--show-files", "--schema", "schemas/video.schema.json", GUEST)
    assert listing.stdout == f"{GUEST}\tschemas/video.schema.json\n"


def test_parallel_workers_use_each_collection_s_schema(site: Path) -> None:
    edit(site / COURSE, "price: Free", "prise: Free")
    edit(site / GUEST, 'author: "Dana Whitfield"\n', "")
    serial = findings(site, "--jobs", "1")
    assert findings(site, "--jobs", "2") == serial
    assert {code for _, _, _, code in serial} == {"FM201", "FM205"}


def test_key_order_follows_each_file_s_schema(site: Path) -> None:
    edit(site / "_newsletters/2021-10.html", 'layout: newsletter\ntitle: "Power', 'title: "Power')
    edit(site / "_newsletters/2021-10.html", "issue: 14\n", "issue: 14\nlayout: newsletter\n")
    edit(site / "_newsletters/2021-10.html", 'date: "2021-10-29"\n', "")
    edit(site / "_newsletters/2021-10.html", "issue: 14\n", 'issue: 14\ndate: "2021-10-29"\n')
    said = messages(site, "--extend-select", "key-order")
    assert said == {
        "_newsletters/2021-10.html:5:FM212": "`layout` should come before `title`: these fields go in the order "
        "`layout`, `title`, `date`, `issue`, `permalink`"
    }


# --- the result cache knows each file's schema -------------------------------------------------------


def _warm(site: Path) -> tuple[str, str]:
    run = fmlint(site, "check", "-v", "--output-format", "concise")
    assert run.returncode in (0, 1), run.stderr
    counts = re.search(r"fmlint: (\d+) files, (\d+) from the cache", run.stderr)
    assert counts is not None, run.stderr
    return run.stdout, f"{counts[1]}/{counts[2]}"


def test_a_changed_schema_file_named_by_dollar_schema_relints_the_file(site: Path) -> None:
    cold, _ = _warm(site)
    again, count = _warm(site)
    assert (again, count) == (cold, "14/14")
    guest = site / "schemas" / "guest-article.schema.json"
    edit(guest, '"required": ["author"]', '"required": ["author", "editor"]')
    changed, count = _warm(site)
    assert count == "14/13"  # the guest post alone is linted again
    assert "missing required field `editor`" in changed
    guest.unlink()
    gone, _ = _warm(site)
    assert f"{GUEST}:2:10: FM213" in gone


def test_a_changed_mapping_relints_the_files(site: Path) -> None:
    _warm(site)
    _warm(site)
    config = site / "pyproject.toml"
    edit(
        config,
        '"_learning/videos/" = "schemas/video.schema.json"',
        '"_learning/videos/" = "schemas/course.schema.json"',
    )
    changed, count = _warm(site)
    assert count == "14/0"
    assert "_learning/videos/canvas-apps-in-10-minutes.md:1:1: FM201 missing required field `price`" in changed


def test_a_changed_mapped_schema_relints_the_files(site: Path) -> None:
    _warm(site)
    edit(site / "schemas" / "video.schema.json", '"type": {"const": "video"}', '"type": {"const": "clip"}')
    changed, _ = _warm(site)
    assert changed.count("FM204") == 3


# --- a file's `$schema` that cannot be used is a finding of that file -------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("../schemas/nothing.json", "cannot read schema"),
        ("3", "`$schema` must name a schema: a path from this file's folder or an http(s) address; got 3"),
        ('""', "got an empty string"),
        ("../../../etc/passwd", "which is outside the site's folder"),
        ("../schemas/broken.json", "is not a valid JSON Schema"),
        ("../schemas/not-json.json", "is not valid JSON"),
        ("../schemas/outside.json", "a symbolic link that leads out of the site's folder"),
        ("http://169.254.169.254/guest.json", "169.254.169.254 is a link-local address"),
    ],
)
def test_an_unusable_dollar_schema_is_reported_at_its_value(site: Path, value: str, message: str) -> None:
    (site / "schemas" / "broken.json").write_text('{"type": 3}', encoding="utf-8")
    (site / "schemas" / "not-json.json").write_text("{", encoding="utf-8")
    outside = site.parent / "outside.json"
    outside.write_text("{}", encoding="utf-8")
    os.symlink(outside, site / "schemas" / "outside.json")
    edit(site / GUEST, "$schema: ../schemas/guest-article.schema.json", f"$schema: {value}")
    run = fmlint(site, "check", "--no-cache", "--output-format", "json")
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
    found = json.loads(run.stdout)
    assert [(f["path"], f["line"], f["column"], f["code"], f["pointer"]) for f in found] == [
        (GUEST, 2, 10, "FM213", "/$schema")
    ]
    assert message in found[0]["message"]


def test_a_dollar_schema_naming_the_built_in_article_by_its_id_needs_no_fetch(site: Path) -> None:
    news = site / "_news" / "2021-11-05-easy-power-apps-collaboration-with-multiplayer-apps.md"
    edit(news, "---\n", "---\n$schema: https://fmlint.dev/schemas/article.schema.json\n")
    assert findings(site) == []


# --- [tool.fmlint.schemas] is checked when it loads ----------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "said"),
    [
        ('"_news/" = 3', "`schemas` must map globs to schemas (a built-in name, a path or an http(s) address), but"),
        ('"_news/" = "articel"', "`schemas`: `_news/`: no built-in schema named `articel` (did you mean `article`?)"),
        ('"_news/" = "schemas/nothing.json"', "`schemas`: `_news/`: cannot read schema"),
        ('"_news/" = "http://169.254.169.254/news.json"', "`_news/`: schema http://169.254.169.254/news.json is not"),
    ],
)
def test_a_bad_mapping_is_a_usage_error_naming_the_file_and_key(site: Path, entry: str, said: str) -> None:
    edit(site / "pyproject.toml", '"_news/" = "article"', entry)
    run = fmlint(site, "check", "--no-cache")
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert str(site / "pyproject.toml") in run.stderr and said in run.stderr, run.stderr


def test_verbose_lists_the_schemas_used() -> None:
    run = fmlint(SITE, "check", "--no-cache", "-v")
    assert [line for line in run.stderr.splitlines() if line.startswith("fmlint: schema:")] == [
        "fmlint: schema: the built-in article schema for _news/",
        "fmlint: schema: schemas/course.schema.json for _learning/courses/",
        "fmlint: schema: schemas/video.schema.json for _learning/videos/",
        "fmlint: schema: schemas/collection.schema.json for _learning/collections/",
        "fmlint: schema: schemas/newsletter.schema.json for _newsletters/",
        "fmlint: schema: the built-in article schema for every other file",
    ]


# --- the README --------------------------------------------------------------------------------------------


def _block(after: str, language: str) -> str:
    """The first ``language`` code block of the README after the text ``after``."""
    found = re.search(re.escape(after) + r".*?```" + language + r"\n(.*?)```", README, re.DOTALL)
    assert found is not None, after
    return found[1]


def test_the_readme_shows_the_fixture_s_configuration() -> None:
    shown = _block("## Sites with several collections", "toml")
    assert shown == (SITE / "pyproject.toml").read_text(encoding="utf-8")


def test_the_readme_recipe_extends_the_built_in_article(tmp_path: Path) -> None:
    recipe = _block("### Extending the built-in article schema", "json")
    (tmp_path / "pyproject.toml").write_text('[tool.fmlint]\nschema = "my-article.schema.json"\n', encoding="utf-8")
    (tmp_path / "my-article.schema.json").write_text(recipe, encoding="utf-8")
    article = (SITE / GUEST).read_text(encoding="utf-8").replace("$schema: ../schemas/guest-article.schema.json\n", "")
    (tmp_path / "post.md").write_text(article, encoding="utf-8")
    assert findings(tmp_path) == []  # `author` is accepted
    (tmp_path / "post.md").write_text(article.replace('author: "Dana Whitfield"\n', ""), encoding="utf-8")
    assert findings(tmp_path) == [("post.md", 1, 1, "FM201")]  # and required
    (tmp_path / "post.md").write_text(article.replace("author:", "writer:"), encoding="utf-8")
    assert sorted(findings(tmp_path)) == [("post.md", 1, 1, "FM201"), ("post.md", 5, 1, "FM205")]
    (tmp_path / "post.md").write_text(article.replace("webUrl:", "webUrI:"), encoding="utf-8")
    codes = [code for _, _, _, code in findings(tmp_path)]
    assert "FM205" in codes and "FM201" in codes  # the article's own fields and rules still hold


def test_a_copy_of_the_built_in_article_under_another_id_finds_the_related_link_schema(tmp_path: Path) -> None:
    article: dict[str, Any] = json.loads((REPO / "schemas" / "article.schema.json").read_text(encoding="utf-8"))
    article["$id"] = "https://schemas.example.com/my-article.schema.json"
    (tmp_path / "copy.json").write_text(json.dumps(article), encoding="utf-8")
    del article["$id"]
    (tmp_path / "no-id.json").write_text(json.dumps(article), encoding="utf-8")
    news = (SITE / "_news" / "2021-11-05-easy-power-apps-collaboration-with-multiplayer-apps.md").read_text()
    related = "related:\n  - title: Another\n    webUrl: https://example.com/another\n    extra: 1\n"
    (tmp_path / "post.md").write_text(news.replace("topics:", related + "topics:", 1), encoding="utf-8")
    for schema in ("copy.json", "no-id.json"):
        run = fmlint(tmp_path, "check", "--isolated", "--no-cache", "--output-format", "json", "--schema", schema)
        assert run.returncode == 0, run.stderr  # a warning
        found = [(f["code"], f["pointer"]) for f in json.loads(run.stdout)]
        assert found == [("FM205", "/related/0/extra")]  # the related-link schema was found and applied


def test_the_same_address_in_two_collections_is_a_duplicate(site: Path) -> None:
    video = site / "_learning" / "videos" / "formulas-for-beginners.md"
    edit(
        video,
        "webUrl: https://www.youtube.com/watch?v=6nuG5ugtXq0",
        "webUrl: https://docs.microsoft.com/en-us/learn/modules/architect-analytics/",
    )
    assert sorted(findings(site)) == [
        (COURSE, 4, 9, "FM701"),
        ("_learning/videos/formulas-for-beginners.md", 4, 9, "FM701"),
        ("_learning/videos/formulas-for-beginners.md", 10, 11, "FM307"),  # provider youtube.com, address not
    ]


def test_an_extended_article_missing_a_field_reports_only_that_field_and_the_misspelt_one(site: Path) -> None:
    # The allOf part fails for the missing `title`, so by the standard every field is unevaluated;
    # only the fields no part describes are reported as unknown, with the article's names as near misses.
    edit(site / GUEST, "title: ", "titel: ")
    edit(site / GUEST, "excerpt: ", "excrept: ")
    assert messages(site, GUEST) == {
        f"{GUEST}:1:FM201": "missing required field `title`",
        f"{GUEST}:4:FM205": "unknown field `titel`: no part of the schema describes it (did you mean `title`?)",
        f"{GUEST}:5:FM205": "unknown field `excrept`: no part of the schema describes it (did you mean `excerpt`?)",
    }


def test_show_settings_lists_the_mapping() -> None:
    run = fmlint(SITE, "check", "--show-settings")
    lines = [line for line in run.stdout.splitlines() if line.startswith("schemas.")]
    assert lines[:2] == [
        f'schemas."_news/" = "article"  # from {json.dumps(str(SITE))}',
        f'schemas."_learning/courses/" = "schemas/course.schema.json"  # from {json.dumps(str(SITE))}',
    ]
    assert len(lines) == 5


def test_the_open_article_is_the_article_without_its_closing_keyword() -> None:
    run = subprocess.run([FMLINT, "schema", "article-fields"], capture_output=True, text=True, check=True)
    fields = json.loads(run.stdout)
    article = json.loads((REPO / "schemas" / "article.schema.json").read_text(encoding="utf-8"))
    assert fields["$id"] == "https://fmlint.dev/schemas/article-fields.schema.json"
    assert "additionalProperties" not in fields and article["additionalProperties"] is False
    assert {key: value for key, value in fields.items() if key not in ("$id", "title", "description")} == {
        key: value
        for key, value in article.items()
        if key not in ("$id", "title", "description", "additionalProperties")
    }


def test_schema_names_a_built_in_schema_by_name(tmp_path: Path) -> None:
    news = (SITE / "_news" / "2021-11-05-easy-power-apps-collaboration-with-multiplayer-apps.md").read_text()
    (tmp_path / "post.md").write_text(news.replace("quality: ", "author: Someone\nquality: "), encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[tool.fmlint]\nschema = "article-fields"\n', encoding="utf-8")
    assert findings(tmp_path) == []  # open to more fields
    (tmp_path / "pyproject.toml").write_text('[tool.fmlint]\nschema = "article"\n', encoding="utf-8")
    assert [code for _, _, _, code in findings(tmp_path)] == ["FM205"]


class _Schemas:
    """The site's ``schemas/`` folder served over HTTP on loopback, counting the requests."""

    def __init__(self, folder: Path) -> None:
        import functools
        import threading
        from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

        served = self

        class Handler(SimpleHTTPRequestHandler):
            def do_GET(self) -> None:
                served.requests += 1
                super().do_GET()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.requests = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(folder)))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def served(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The site with its video schema mapped to an address on loopback (allowed), the user's cache
    folder in the test's own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    schemas = _Schemas(site / "schemas")
    config = site / "pyproject.toml"
    edit(config, '"schemas/video.schema.json"', f'"{schemas.url}/video.schema.json"')
    edit(config, "[tool.fmlint]\n", '[tool.fmlint]\nallow-private-hosts = ["127.0.0.1"]\n')
    yield schemas
    schemas.stop()


def test_a_collection_s_schema_may_be_an_address_fetched_once_and_kept(site: Path, served: Any) -> None:
    video = site / "_learning/videos/formulas-for-beginners.md"
    assert findings(site) == []
    assert served.requests == 1
    listing = dict(line.split("\t") for line in fmlint(site, "check", "--show-files").stdout.splitlines())
    assert listing["_learning/videos/formulas-for-beginners.md"] == f"{served.url}/video.schema.json"
    edit(video, "length: PT24M\n", "length: 24 minutes\n")
    served.stop()  # what was fetched is kept in the user's cache: no request, also --offline
    expected = [("_learning/videos/formulas-for-beginners.md", 6, 9, "FM209")]
    assert findings(site) == expected
    assert findings(site, "--offline") == expected
    assert served.requests == 1


def test_a_file_s_own_schema_may_be_an_address(site: Path, served: Any) -> None:
    edit(
        site / GUEST,
        "$schema: ../schemas/guest-article.schema.json",
        f"$schema: {served.url}/guest-article.schema.json",
    )
    assert findings(site, GUEST) == []
    edit(site / GUEST, 'author: "Dana Whitfield"\n', "")
    assert findings(site, GUEST) == [(GUEST, 1, 1, "FM201")]


def test_a_collection_s_address_on_loopback_needs_allow_private_hosts(site: Path, served: Any) -> None:
    edit(site / "pyproject.toml", 'allow-private-hosts = ["127.0.0.1"]\n', "")
    run = fmlint(site, "check", "--no-cache")
    assert run.returncode == 2, run.stdout + run.stderr
    assert "127.0.0.1" in run.stderr and "allow-private-hosts" in run.stderr
    assert "Traceback" not in run.stderr
    assert served.requests == 0
