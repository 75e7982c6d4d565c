"""FM212 `key-order` (opt-in): fields in the schema's order or a configured one, fixed by moving whole entries."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

FMLINT = str(Path(sys.executable).with_name("fmlint"))

MDN_ORDER = '["title", "short-title", "slug", "page-type", "status", "browser-compat", "spec-urls"]'
PAGE = (
    "---\n"
    "title: color\n"
    "# where the page lives\n"
    "slug: Web/CSS/color\n"
    "page-type: css-property\n"
    "browser-compat: css.properties.color\n"
    "\n"
    "short-title: Color   # kept short\n"
    "status:\n"
    "  - experimental\n"
    "---\n"
    "Body text.\n"
)
FIXED = (
    "---\n"
    "title: color\n"
    "short-title: Color   # kept short\n"
    "# where the page lives\n"
    "slug: Web/CSS/color\n"
    "page-type: css-property\n"
    "status:\n"
    "  - experimental\n"
    "browser-compat: css.properties.color\n"
    "\n"
    "---\n"
    "Body text.\n"
)


def site(tmp_path: Path, schema: str = '{"type": "object"}', order: str | None = MDN_ORDER) -> Path:
    config = '[tool.fmlint]\nschema = "fm.json"\nextend-select = ["key-order"]\n'
    if order is not None:
        config += f"[tool.fmlint.rules.key-order]\norder = {order}\n"
    (tmp_path / "pyproject.toml").write_text(config)
    (tmp_path / "fm.json").write_text(schema)
    return tmp_path


def fmlint(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([FMLINT, "check", "--no-cache", *args], cwd=cwd, capture_output=True, text=True, check=False)


def findings(cwd: Path) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(fmlint(cwd, "--output-format", "json", ".").stdout)
    return found


def test_the_first_field_out_of_order_is_reported_at_its_key(tmp_path: Path) -> None:
    (site(tmp_path) / "color.md").write_text(PAGE)
    [found] = findings(tmp_path)
    assert (found["line"], found["column"], found["code"], found["pointer"]) == (8, 1, "FM212", "/short-title")
    assert found["message"].startswith("`short-title` should come before `slug`: these fields go in the order")


def test_the_fix_moves_whole_entries_with_their_comments_and_nothing_else(tmp_path: Path) -> None:
    page = site(tmp_path) / "color.md"
    page.write_text(PAGE)
    assert fmlint(tmp_path, "--fix", "color.md").returncode == 0
    assert page.read_text() == FIXED
    again = fmlint(tmp_path, "--fix", "color.md")
    assert "Fixed 0 problems" in again.stdout and page.read_text() == FIXED  # idempotent


def test_line_endings_stay_as_they_are(tmp_path: Path) -> None:
    page = site(tmp_path) / "color.md"
    page.write_bytes(PAGE.replace("\n", "\r\n").encode())
    fmlint(tmp_path, "--fix", "color.md")
    assert page.read_bytes() == FIXED.replace("\n", "\r\n").encode()


def test_without_an_order_the_schema_s_properties_give_it(tmp_path: Path) -> None:
    schema = '{"type": "object", "properties": {"title": {}, "slug": {}, "tags": {}}}'
    (site(tmp_path, schema, order=None) / "a.md").write_text("---\nslug: a\nauthor: me\ntitle: A\n---\n")
    [found] = findings(tmp_path)
    assert (found["line"], found["pointer"]) == (4, "/title")
    assert "the order `title`, `slug`" in found["message"]


def test_fields_the_order_does_not_name_may_sit_anywhere(tmp_path: Path) -> None:
    (site(tmp_path) / "a.md").write_text("---\nauthor: me\ntitle: A\nlayout: x\nslug: a\nzzz: 1\n---\n")
    assert findings(tmp_path) == []


def test_a_flow_mapping_is_reported_but_not_rewritten(tmp_path: Path) -> None:
    page = site(tmp_path) / "a.md"
    page.write_text("---\n{slug: a, title: A}\n---\n")
    [found] = findings(tmp_path)
    assert found["code"] == "FM212"
    fmlint(tmp_path, "--fix", "a.md")
    assert page.read_text() == "---\n{slug: a, title: A}\n---\n"


def test_off_by_default(tmp_path: Path) -> None:
    (tmp_path / "fm.json").write_text('{"type": "object", "properties": {"title": {}, "slug": {}}}')
    (tmp_path / "a.md").write_text("---\nslug: a\ntitle: A\n---\n")
    assert (
        json.loads(fmlint(tmp_path, "--isolated", "--schema", "fm.json", "--output-format", "json", ".").stdout) == []
    )


def test_with_the_built_in_schema_only_a_configured_order_is_judged(tmp_path: Path) -> None:
    article = '---\nwebUrl: "https://example.com/a"\ntitle: "A"\npublishedDateTime: 2022-06-21T16:00:00Z\n'
    article += "provider: {name: Example News, domain: example.com}\n---\n"
    (tmp_path / "a.md").write_text(article)
    (tmp_path / "pyproject.toml").write_text('[tool.fmlint]\nextend-select = ["key-order"]\n')
    assert findings(tmp_path) == []
    (tmp_path / "pyproject.toml").write_text(
        '[tool.fmlint]\nextend-select = ["key-order"]\n[tool.fmlint.rules.key-order]\norder = ["title", "webUrl"]\n'
    )
    assert [(f["line"], f["code"]) for f in findings(tmp_path)] == [(3, "FM212")]
