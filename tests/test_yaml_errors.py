"""YAML syntax errors (FM005) say what to do, where, and keep the parser's own words at the end."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import lint_text, run_cli

_REST = "publishedDateTime: 2022-06-21T16:00:00Z\nwebUrl: https://example.com/a\n"


def _error(tmp_path: Path, front_matter: str) -> tuple[int, int, str]:
    [diagnostic] = lint_text(tmp_path, f"---\n{front_matter}---\n")
    assert diagnostic.code == "FM005"
    return diagnostic.line, diagnostic.column, diagnostic.message


@pytest.mark.parametrize(
    ("front_matter", "line", "column", "original"),
    [
        ("title: x\nauthor:\n\tname: a\n", 4, 1, "found character that cannot start any token"),
        ("title: x\n\tauthor: a\n", 3, 1, "found a tab character that violates indentation"),
        ("topics:\n  \t- AI\n", 3, 3, "found character that cannot start any token"),
    ],
    ids=["nested-key", "continuation", "after-spaces"],
)
def test_a_tab_indent_is_named_at_the_tab(
    tmp_path: Path, front_matter: str, line: int, column: int, original: str
) -> None:
    found_line, found_column, message = _error(tmp_path, front_matter)
    assert (found_line, found_column) == (line, column)
    assert message.startswith("YAML syntax error: YAML indents with spaces, not tabs; replace the tab with spaces.")
    assert f". Parser message: {original} (while scanning" in message
    source = front_matter.splitlines()[line - 2]
    assert source[column - 1] == "\t"


def test_the_caret_sits_under_the_tab_as_the_text_format_draws_it(tmp_path: Path) -> None:
    path = tmp_path / "article.md"
    path.write_text("---\ntitle: x\nauthor:\n  \tname: a\n---\n")
    result = run_cli("check", "--isolated", "--output-format", "text", str(path))
    lines = result.out.splitlines()
    header = next(i for i, text in enumerate(lines) if "FM005" in text)
    assert lines[header].startswith(f"{path}:4:3: FM005 YAML syntax error: YAML indents with spaces, not tabs")
    quoted, carets = lines[header + 2], lines[header + 3]
    gutter = quoted.index("|") + 2
    drawn = quoted[gutter:]
    assert drawn.startswith("  ") and drawn[2:].lstrip(" ").startswith("name: a")
    tab_width = len(drawn) - len("  name: a")
    # The carets start where the tab is drawn and cover exactly its width.
    assert carets[gutter:] == " " * 2 + "^" * tab_width


def test_a_colon_inside_a_plain_value_suggests_quotes(tmp_path: Path) -> None:
    line, column, message = _error(tmp_path, "title: Power Apps: what's new\n" + _REST)
    assert (line, column) == (2, 18)
    assert message == (
        "YAML syntax error: a `: ` inside a plain value reads as a new key; put the value in quotes, as in "
        '`title: "Power Apps: what\'s new"`. Parser message: mapping values are not allowed in this context'
    )


def test_the_quoting_suggestion_keeps_list_items_and_drops_comments(tmp_path: Path) -> None:
    _, _, message = _error(tmp_path, 'topics:\n  - Note: Tip: use "Save as" # draft\n' + _REST)
    assert "as in `- Note: 'Tip: use \"Save as\"'`" in message


def test_a_line_indented_under_a_value_is_named_as_such(tmp_path: Path) -> None:
    line, column, message = _error(tmp_path, "title: An article\n  author: Someone\n" + _REST)
    assert (line, column) == (3, 9)
    assert "this line is indented more than the key above it" in message
    assert message.endswith("Parser message: mapping values are not allowed in this context")


@pytest.mark.parametrize(
    ("front_matter", "quote"),
    [('title: "An article\n' + _REST, '"'), ("title: 'An article\n" + _REST, "'")],
    ids=["double", "single"],
)
def test_an_unclosed_quote_says_where_it_opened(tmp_path: Path, front_matter: str, quote: str) -> None:
    line, column, message = _error(tmp_path, front_matter)
    assert (line, column) == (5, 1)  # where the parser gave up: the end of the block
    name = "double quote" if quote == '"' else "single quote"
    assert f"the {name} (`{quote}`) opened on line 2, column 8 is not closed" in message
    assert message.endswith("Parser message: found unexpected end of stream (while scanning a quoted scalar "
                            "that starts on line 2)")  # fmt: skip


def test_a_quote_that_closes_on_a_later_line_says_where_it_opened(tmp_path: Path) -> None:
    line, column, message = _error(tmp_path, 'title: "An article\nexcerpt: "Short"\n')
    assert (line, column) == (3, 11)
    assert 'the double quote (`"`) opened on line 2, column 8 is not closed on its line' in message


@pytest.mark.parametrize(
    ("front_matter", "what", "line", "column"),
    [
        ("topics: [AI, Power Apps\n" + _REST, "the list `[` opened on line 2, column 9 is not closed", 3, 18),
        ("provider: {name: Example\n" + _REST, "the mapping `{` opened on line 2, column 11 is not closed", 3, 18),
    ],
    ids=["list", "mapping"],
)
def test_an_unclosed_bracket_says_where_it_opened(
    tmp_path: Path, front_matter: str, what: str, line: int, column: int
) -> None:
    found_line, found_column, message = _error(tmp_path, front_matter)
    assert (found_line, found_column) == (line, column)
    assert what in message
    assert "Parser message: did not find expected ','" in message


def test_a_key_out_of_line_names_the_expected_column(tmp_path: Path) -> None:
    line, column, message = _error(tmp_path, "provider:\n    name: Example\n  domain: example.com\n")
    assert (line, column) == (4, 3)
    assert "indented to column 3, which lines up with none of the keys above it" in message
    assert "the keys of the collection that starts on line 2 are at column 1" in message


@pytest.mark.parametrize(("value", "name"), [("@handle", "`@`"), ("`code`", "a backquote")])
def test_a_reserved_character_suggests_quotes(tmp_path: Path, value: str, name: str) -> None:
    line, column, message = _error(tmp_path, f"author: {value}\n")
    assert (line, column) == (2, 9)
    assert message.startswith(f"YAML syntax error: {name} cannot start a plain value in YAML; put the value in quotes.")


def test_an_error_without_a_known_cause_keeps_the_parser_text_alone(tmp_path: Path) -> None:
    _, _, message = _error(tmp_path, "topics: [C#:?]\n")
    assert message == "YAML syntax error: found unexpected ':' (while scanning a plain scalar)"
