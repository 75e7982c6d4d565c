"""Reading files and splitting off the front-matter block (FM0xx)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import MINIMAL, NO_FRONT_MATTER_SEED, VALID_SEED, lint_paths, lint_text, where


def test_valid_seed_is_clean() -> None:
    assert lint_paths([VALID_SEED]) == []


def test_seed_without_front_matter_is_fm001() -> None:
    diagnostics = lint_paths([NO_FRONT_MATTER_SEED])
    assert where(diagnostics) == [(1, 1, "FM001")]
    assert diagnostics[0].pointer == ""
    assert diagnostics[0].severity == "error"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", [(1, 1, "FM001")]),
        ("just a body\n", [(1, 1, "FM001")]),
        ("\n---\ntitle: x\n---\n", [(1, 1, "FM001")]),
        ("----\ntitle: x\n----\n", [(1, 1, "FM001")]),
        ("---\ntitle: x\n", [(1, 1, "FM002")]),
        ("---", [(1, 1, "FM002")]),
        ("---\n---\n", [(1, 1, "FM003")]),
        ("---\n# only a comment\n\n---\nbody\n", [(1, 1, "FM003")]),
        ("---\n- a\n- b\n---\n", [(2, 1, "FM004")]),
        ("---\njust text\n---\n", [(2, 1, "FM004")]),
        ("---\ntitle: [unclosed\n---\n", [(3, 1, "FM005")]),
    ],
)
def test_block_structure(tmp_path: Path, text: str, expected: list[tuple[int, int, str]]) -> None:
    assert where(lint_text(tmp_path, text)) == expected


def test_unclosed_message_names_the_opening_line(tmp_path: Path) -> None:
    [diagnostic] = lint_text(tmp_path, "---\ntitle: x\nbody\n")
    assert "never closed" in diagnostic.message
    assert (diagnostic.end_line, diagnostic.end_column) == (1, 4)


def test_blank_line_before_fence_gets_a_specific_message(tmp_path: Path) -> None:
    [diagnostic] = lint_text(tmp_path, "\n" + MINIMAL)
    assert "first line" in diagnostic.message


def test_dot_dot_dot_closes_the_block(tmp_path: Path) -> None:
    assert lint_text(tmp_path, MINIMAL.replace("---\n", "...\n").replace("...\n", "---\n", 1)) == []


def test_body_after_block_is_never_parsed(tmp_path: Path) -> None:
    text = MINIMAL + "key: [unbalanced\n\0 binary-looking \xff body is fine: {\n"
    assert lint_text(tmp_path, text) == []


def test_utf8_bom_and_crlf_give_the_same_findings_at_the_same_places(tmp_path: Path) -> None:
    text = MINIMAL.replace('title: "An article"', 'title: ""\nquality: -5\npublished: yes')
    plain = lint_text(tmp_path, text, name="lf.md")
    (tmp_path / "crlf.md").write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    crlf = lint_paths([tmp_path / "crlf.md"])
    assert where(plain) == [(2, 8, "FM206"), (3, 10, "FM203"), (4, 12, "FM102")]
    assert [(d.line, d.column, d.end_line, d.end_column, d.code) for d in crlf] == [
        (d.line, d.column, d.end_line, d.end_column, d.code) for d in plain
    ]


@pytest.mark.parametrize(
    ("raw", "expected_line", "fragment"),
    [
        (b"\xff\xfe-\x00-\x00-\x00", 1, "UTF-16"),
        (b"---\ntitle: x\0\n---\n", 2, "NUL"),
        (b"\x00\x01binary\x00", 1, "NUL"),
        (b"---\ntitle: ok\nexcerpt: caf\xe9\n---\n", 3, "not valid UTF-8"),
    ],
)
def test_encoding_problems_are_fm006(tmp_path: Path, raw: bytes, expected_line: int, fragment: str) -> None:
    path = tmp_path / "article.md"
    path.write_bytes(raw)
    [diagnostic] = lint_paths([path])
    assert diagnostic.code == "FM006"
    assert diagnostic.line == expected_line
    assert fragment in diagnostic.message


def test_invalid_utf8_column_counts_characters(tmp_path: Path) -> None:
    path = tmp_path / "article.md"
    path.write_bytes("---\nexcerpt: é\xe9\n---\n".encode("latin-1").replace(b"\xe9\xe9", "é".encode() + b"\xe9"))
    [diagnostic] = lint_paths([path])
    assert (diagnostic.line, diagnostic.column) == (2, 11)


def test_missing_file_and_directory_and_dangling_link(tmp_path: Path) -> None:
    (tmp_path / "dangling.md").symlink_to(tmp_path / "nowhere.md")
    diagnostics = lint_paths([tmp_path / "absent.md", tmp_path / "dangling.md"])
    assert [d.code for d in diagnostics] == ["FM007", "FM007"]
    assert "no such file" in diagnostics[0].message
    assert "dangling" in diagnostics[1].message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_is_reported_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "x.md"
    os.mkfifo(fifo)
    [diagnostic] = lint_paths([fifo])
    assert diagnostic.code == "FM007"
    assert "FIFO" in diagnostic.message


def test_large_body_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "big.md"
    with path.open("w") as handle:
        handle.write(MINIMAL)
        handle.write("x" * 50_000_000)
    assert lint_paths([path]) == []


def test_front_matter_over_the_size_limit_is_fm008(tmp_path: Path) -> None:
    text = "---\nexcerpt: |\n" + "  filler line\n" * 200_000 + "---\n"
    [diagnostic] = lint_text(tmp_path, text)
    assert diagnostic.code == "FM008"
    assert "max-front-matter-bytes" in diagnostic.message


_PIECES = [b"---", b"...", b"--- ", b"---\r", b"-- -", b"a", b"\n", b"\r\n", b" ", b"\t", b"....", b"---x", b"#"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=14), st.integers(0, 60), st.integers(0, 60))
def test_the_closing_fence_is_found_where_the_pattern_finds_it(pieces: list[bytes], start: int, length: int) -> None:
    """The fence finder tries the pattern only where a line starts with --- or ...: it must find
    exactly what a multi-line search of the pattern finds, in any slice."""
    from fmlint.pipeline.source import _CLOSE_FENCE, _closing_fence

    data = b"".join(pieces)
    start = min(start, len(data))
    end = min(start + length, len(data))
    expected = _CLOSE_FENCE.search(data, start, end)
    found = _closing_fence(data, start, end)
    assert (found.span() if found else None) == (expected.span() if expected else None)
