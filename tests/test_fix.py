"""FM650 and ``--fix``/``--diff``/``--unsafe-fixes`` through the command line.

The write guarantees (atomicity, modes, links, interruption) are in
``test_fix_safety.py``; the engine's checks of each fix in ``test_fix_engine.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import dedent, lint_text, run_cli, where

ARTICLE = dedent("""
    ---
    # a comment that must survive
    title: "  An article "   # and one after the value
    excerpt: 'It''s short. '
    publishedDateTime: 2022-06-21T16:00:00Z
    webUrl: "https://example.com/an-article"
    provider: {name: Example News, domain: example.com}
    related:
      - title: "\\tA related article"
        webUrl: "https://example.com/related"
    ---
    Body text with trailing spaces   \n\
    title: "  not front-matter "
    """)
FIXED = dedent("""
    ---
    # a comment that must survive
    title: "An article"   # and one after the value
    excerpt: 'It''s short.'
    publishedDateTime: 2022-06-21T16:00:00Z
    webUrl: "https://example.com/an-article"
    provider: {name: Example News, domain: example.com}
    related:
      - title: "A related article"
        webUrl: "https://example.com/related"
    ---
    Body text with trailing spaces   \n\
    title: "  not front-matter "
    """)
HEAD = dedent("""
    ---
    title: "An article"
    publishedDateTime: 2022-06-21T16:00:00Z
    webUrl: "https://example.com/an-article"
    provider: {name: Example News, domain: example.com}
    """)


def article(path: Path, text: str = ARTICLE) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


def with_field(line: str) -> str:
    """The minimal article plus one more line (a field written some way), closed."""
    return HEAD + line + "\n---\n"


# --- FM650: what it finds, and where --------------------------------------------


def test_untrimmed_text_is_reported_at_the_stray_whitespace(tmp_path: Path) -> None:
    found = lint_text(tmp_path, ARTICLE)
    assert where(found) == [(3, 9, "FM650"), (4, 23, "FM650"), (9, 13, "FM650")]
    assert [d.pointer for d in found] == ["/title", "/excerpt", "/related/0/title"]
    assert [d.message for d in found] == [
        "`title` starts with 2 spaces and ends with a space; strip it",
        "`excerpt` ends with a space; strip it",
        "`related[0].title` starts with a tab; strip it",
    ]
    assert all(d.fixable() for d in found)


@pytest.mark.parametrize(
    ("line", "fixed"),
    [
        ('excerpt: "  two spaces"', 'excerpt: "two spaces"'),
        ('excerpt: "escaped\\x20\\t\\_"', 'excerpt: "escaped"'),
        ('excerpt: "\\u00a0\\U00002003em space"', 'excerpt: "em space"'),
        ('excerpt: "line break\\n"', 'excerpt: "line break"'),
        ('excerpt: "a \\"quote\\" "', 'excerpt: "a \\"quote\\""'),
        ("excerpt: ' it''s '", "excerpt: 'it''s'"),
        ("excerpt: plain with a no-break space\u00a0", "excerpt: plain with a no-break space"),
        ("excerpt: \u3000ideographic space", "excerpt: ideographic space"),
        ('excerpt: !!str "tagged "', 'excerpt: !!str "tagged"'),
        ('excerpt: &text "anchored "', 'excerpt: &text "anchored"'),
        ('related: [{title: " flow ", webUrl: "https://example.com/x"}]', 'related: [{title: "flow", webUrl: "https://example.com/x"}]'),
    ],
)  # fmt: skip
def test_fix_strips_inside_the_quotes_in_every_style(tmp_path: Path, line: str, fixed: str) -> None:
    path = article(tmp_path / "a.md", with_field(line))
    assert [d.code for d in lint_text(tmp_path, with_field(line), name="b.md")] == ["FM650"]
    result = run_cli("check", "--isolated", "--fix", str(path))
    assert result.code == 0, result.out + result.err
    assert path.read_bytes() == with_field(fixed).encode("utf-8")
    assert "Fixed 1 problem in 1 file." in result.out
    assert lint_text(tmp_path, with_field(fixed), name="c.md") == []


@pytest.mark.parametrize(
    ("line", "position"),
    [
        ('excerpt: "folded over\n  two lines "', (6, 10)),  # a quoted value folded over lines
        ("excerpt: |\n  a block scalar\n", (6, 10)),  # its text ends with a line break
        ('excerpt: "   "', (6, 10)),  # only whitespace: the fix would empty it
        ("excerpt: \u00a0yes", (6, 10)),  # stripped, plain `yes` would be a boolean
        ("excerpt: \u00a0# not a comment", (6, 10)),  # stripped, it would become a comment
    ],
)
def test_values_the_fix_cannot_strip_safely_are_reported_without_a_fix(
    tmp_path: Path, line: str, position: tuple[int, int]
) -> None:
    found = lint_text(tmp_path, with_field(line))
    assert where(found) == [(*position, "FM650")]
    assert found[0].fix is None
    result = run_cli("check", "--isolated", "--fix", str(tmp_path / "article.md"))
    assert (tmp_path / "article.md").read_bytes() == with_field(line).encode("utf-8")
    assert "Fixed 0 problems in 0 files." in result.out
    assert "[*]" not in result.out


def test_whitespace_only_text_says_so(tmp_path: Path) -> None:
    [found] = lint_text(tmp_path, with_field('excerpt: " \\t"'))
    assert found.message == "`excerpt` is only whitespace (a space and a tab); write the text or remove the field"


def test_clean_text_passes(tmp_path: Path) -> None:
    assert lint_text(tmp_path, with_field('excerpt: "Inner  spaces stay; so does a\\tinner tab."')) == []


# --- --fix -------------------------------------------------------------------------


def test_fix_changes_only_the_fixed_values(tmp_path: Path) -> None:
    path = article(tmp_path / "article.md")
    result = run_cli("check", "--isolated", "--fix", str(path))
    assert path.read_bytes() == FIXED.encode("utf-8")
    assert result.code == 0
    assert result.out == "Fixed 3 problems in 1 file.\nAll checks passed (1 file checked).\n"
    assert result.err == ""


def test_second_fix_changes_nothing(tmp_path: Path) -> None:
    path = article(tmp_path / "article.md")
    run_cli("check", "--isolated", "--fix", str(path))
    before = os.stat(path)
    again = run_cli("check", "--isolated", "--fix", str(path))
    after = os.stat(path)
    assert again.out == "Fixed 0 problems in 0 files.\nAll checks passed (1 file checked).\n"
    assert path.read_bytes() == FIXED.encode("utf-8")
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)  # not even rewritten


def test_fix_reports_what_remains_and_fails_on_remaining_errors(tmp_path: Path) -> None:
    path = article(tmp_path / "article.md", ARTICLE.replace("provider: {", "quality: -5\nprovider: {"))
    result = run_cli("check", "--isolated", "--fix", "--output-format", "concise", str(path))
    assert result.code == 1
    assert result.out == (
        f"{path}:7:10: FM203 `quality` must be an integer ≥ 0, got -5\n"
        "Fixed 3 problems in 1 file.\n"
        "Found 1 error and 0 warnings in 1 of 1 file.\n"
    )
    assert path.read_bytes() == FIXED.replace("provider: {", "quality: -5\nprovider: {").encode("utf-8")


def test_remaining_warnings_fail_only_with_strict(tmp_path: Path) -> None:
    text = ARTICLE
    text = text.replace("excerpt: 'It''s short. '", 'excerpt: "folded\n  over two lines "')
    path = article(tmp_path / "article.md", text)
    assert run_cli("check", "--isolated", "--fix", str(path)).code == 0
    article(path, text)
    strict = run_cli("check", "--isolated", "--fix", "--strict", "--output-format", "concise", str(path))
    assert strict.code == 1
    assert strict.out.splitlines() == [
        f"{path}:4:10: FM650 `excerpt` ends with a space; strip it",
        "Fixed 2 problems in 1 file.",
        "Found 0 errors and 1 warning in 1 of 1 file.",
    ]


def test_fixable_findings_are_marked_without_fix(tmp_path: Path) -> None:
    path = article(tmp_path / "article.md")
    result = run_cli("check", "--isolated", "--output-format", "concise", str(path))
    assert result.code == 0
    assert result.out == (
        f"{path}:3:9: FM650 [*] `title` starts with 2 spaces and ends with a space; strip it\n"
        f"{path}:4:23: FM650 [*] `excerpt` ends with a space; strip it\n"
        f"{path}:9:13: FM650 [*] `related[0].title` starts with a tab; strip it\n"
        "Found 0 errors and 3 warnings in 1 of 1 file.\n"
        "[*] 3 fixable with `--fix`.\n"
    )
    assert path.read_bytes() == ARTICLE.encode("utf-8")


def test_fix_with_a_selection_fixes_only_the_selected_rules(tmp_path: Path) -> None:
    path = article(tmp_path / "article.md")
    result = run_cli("check", "--isolated", "--fix", "--select", "FM2", str(path))
    assert result.out == "Fixed 0 problems in 0 files.\nAll checks passed (1 file checked).\n"
    assert path.read_bytes() == ARTICLE.encode("utf-8")


def test_a_suppressed_finding_is_not_fixed(tmp_path: Path) -> None:
    text = ARTICLE.replace("# and one after the value", "# fmlint: ignore[FM650]")
    path = article(tmp_path / "article.md", text)
    result = run_cli("check", "--isolated", "--fix", str(path))
    assert result.out == "Fixed 2 problems in 1 file.\nAll checks passed (1 file checked).\n"
    assert path.read_bytes() == FIXED.replace(
        'title: "An article"   # and one after the value', 'title: "  An article "   # fmlint: ignore[FM650]'
    ).encode("utf-8")


def test_machine_formats_stay_pure_with_fix(tmp_path: Path) -> None:
    path = article(tmp_path / "article.md")
    result = run_cli("check", "--isolated", "--fix", "--output-format", "json", str(path))
    assert result.out == "[]\n"
    assert path.read_bytes() == FIXED.encode("utf-8")


# --- --diff ------------------------------------------------------------------------


def test_diff_prints_the_fixes_and_writes_nothing(tmp_path: Path) -> None:
    path = article(tmp_path / "article.md")
    before = os.stat(path)
    result = run_cli("check", "--isolated", "--diff", str(path))
    assert result.code == 1
    assert result.out == (
        f"diff --git a/{path} b/{path}\n"
        f"--- a/{path}\n"
        f"+++ b/{path}\n"
        "@@ -1,12 +1,12 @@\n"
        " ---\n"
        " # a comment that must survive\n"
        '-title: "  An article "   # and one after the value\n'
        "-excerpt: 'It''s short. '\n"
        '+title: "An article"   # and one after the value\n'
        "+excerpt: 'It''s short.'\n"
        " publishedDateTime: 2022-06-21T16:00:00Z\n"
        ' webUrl: "https://example.com/an-article"\n'
        " provider: {name: Example News, domain: example.com}\n"
        " related:\n"
        '-  - title: "\\tA related article"\n'
        '+  - title: "A related article"\n'
        '     webUrl: "https://example.com/related"\n'
        " ---\n"
        " Body text with trailing spaces   \n"
    )
    assert result.err == "Would fix 3 problems in 1 file.\n"
    assert path.read_bytes() == ARTICLE.encode("utf-8")
    assert os.stat(path).st_mtime_ns == before.st_mtime_ns


def test_diff_applies_with_patch(tmp_path: Path) -> None:
    """The diff is a real patch: applied to the original it gives what --fix writes."""
    text = ARTICLE[: ARTICLE.index("---\nBody") + 3].replace("\n", "\r\n")  # CRLF, no newline at the end
    path = article(tmp_path / "article.md", text)
    diff = run_cli("check", "--isolated", "--diff", "article.md", cwd=tmp_path).out
    assert "\\ No newline at end of file" in diff
    subprocess.run(["patch", "-p1", "--binary"], input=diff.encode(), cwd=tmp_path, check=True, capture_output=True)
    patched = path.read_bytes()
    article(path, text)
    run_cli("check", "--isolated", "--fix", str(path))
    assert patched == path.read_bytes() == FIXED[: FIXED.index("---\nBody") + 3].replace("\n", "\r\n").encode()


def test_diff_with_nothing_to_fix_exits_zero(tmp_path: Path) -> None:
    path = article(tmp_path / "article.md", FIXED)
    result = run_cli("check", "--isolated", "--diff", str(path))
    assert (result.code, result.out, result.err) == (0, "", "No fixes to apply.\n")


# --- the installed command ------------------------------------------------------------


def test_installed_command_fixes_and_diffs(tmp_path: Path) -> None:
    path = article(tmp_path / "article.md")
    script = str(Path(sys.executable).with_name("fmlint"))
    env = {**os.environ, "PYTHONPATH": ""}

    def fmlint(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([script, *args], cwd=tmp_path, capture_output=True, text=True, env=env, check=False)

    diff = fmlint("check", "--isolated", "--diff", "article.md")
    assert diff.returncode == 1 and diff.stdout.startswith(
        "diff --git a/article.md b/article.md\n--- a/article.md\n+++ b/article.md\n"
    )
    assert path.read_bytes() == ARTICLE.encode("utf-8")
    fixed = fmlint("check", "--isolated", "--fix", "article.md")
    assert fixed.returncode == 0, fixed.stderr
    assert fixed.stdout == "Fixed 3 problems in 1 file.\nAll checks passed (1 file checked).\n"
    assert path.read_bytes() == FIXED.encode("utf-8")
    assert fmlint("check", "--isolated", "--diff", "article.md").returncode == 0


def test_the_fields_option_chooses_what_is_checked(tmp_path: Path) -> None:
    (tmp_path / "article.md").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.fmlint.rules.untrimmed-text]\nfields = ["title"]\n', encoding="utf-8"
    )
    result = run_cli("check", "--select", "FM650", "--output-format", "json", "article.md", cwd=tmp_path)
    assert [(d["line"], d["pointer"]) for d in json.loads(result.out)] == [(3, "/title"), (9, "/related/0/title")]
