"""The fixes of FM102 (``published: yes`` → ``true``) and FM502 (``quality: 43.0`` → ``43``), through
``fmlint check --fix`` and ``--diff``."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import MINIMAL, run_cli, where

HEAD = MINIMAL.removesuffix("---\n")


def article(tmp_path: Path, lines: str) -> Path:
    path = tmp_path / "article.md"
    path.write_text(f"{HEAD}{lines}---\nThe body.\n", encoding="utf-8", newline="")
    return path


@pytest.mark.parametrize(
    ("line", "fixed"),
    [
        ("published: yes\n", "published: true\n"),
        ("published: Yes\n", "published: true\n"),
        ("published: ON   # set by the importer\n", "published: true   # set by the importer\n"),
        ("published: no\n", "published: false\n"),
        ("published: OFF\n", "published: false\n"),
        ("quality: 43.0\n", "quality: 43\n"),
        ("quality: 43.000\n", "quality: 43\n"),
        ("heat: -1.0\n", "heat: -1\n"),
        (
            "images:\n  - {url: 'https://example.com/a.jpg', width: 1_200.0, height: 800.}\n",
            "images:\n  - {url: 'https://example.com/a.jpg', width: 1200, height: 800}\n",
        ),
    ],
)
def test_fix_writes_the_value_as_it_was_read(tmp_path: Path, line: str, fixed: str) -> None:
    path = article(tmp_path, line)
    result = run_cli("check", "--fix", "--no-cache", str(path))
    assert path.read_text(encoding="utf-8") == f"{HEAD}{fixed}---\nThe body.\n"
    assert (result.code, "Fixed" in result.out, result.err) == (0, True, "")
    again = run_cli("check", "--no-cache", str(path))
    assert (again.code, again.out) == (0, "All checks passed (1 file checked).\n")


def test_the_findings_are_marked_fixable_at_the_value(tmp_path: Path) -> None:
    path = article(tmp_path, "published: yes\nquality: 43.0\n")
    result = run_cli("check", "--no-cache", "--output-format", "concise", str(path))
    assert f"{path}:8:12: FM102 [*] " in result.out
    assert f"{path}:9:10: FM502 [*] " in result.out
    assert "[*] 2 fixable with `--fix`." in result.out


def test_diff_shows_both_fixes_and_changes_nothing(tmp_path: Path) -> None:
    path = article(tmp_path, "published: yes\nquality: 43.0\n")
    before = path.read_bytes()
    result = run_cli("check", "--diff", "--no-cache", str(path))
    assert "-published: yes\n-quality: 43.0\n+published: true\n+quality: 43\n" in result.out
    assert (result.code, result.err) == (1, "Would fix 2 problems in 1 file.\n")
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    "line",
    [
        "published: !!bool yes\n",  # a tag says how to read it: FM102 does not fire at all
        "quality: &q 43.0\nheat: *q\n",  # the alias would change with the anchor
        "quality: !!float 43\n",
    ],
)
def test_values_with_anchors_or_tags_are_left_alone(tmp_path: Path, line: str) -> None:
    path = article(tmp_path, line)
    before = path.read_bytes()
    run_cli("check", "--fix", "--no-cache", str(path))
    assert path.read_bytes() == before


def test_a_decimal_that_is_not_whole_has_no_fix(tmp_path: Path) -> None:
    from conftest import lint_paths

    path = article(tmp_path, "quality: 43.5\n")
    diagnostics = lint_paths([path])
    assert where(diagnostics) == [(8, 10, "FM202")]
    assert all(d.fix is None for d in diagnostics)
