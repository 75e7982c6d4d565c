"""YAML syntax errors in plain words: what to do, then the parser's own text.

libyaml describes what its scanner met ("found character that cannot start any
token"), not what the writer did (indented with a tab). The common mistakes are
recognised here from the parser's problem, its context and the text around the
two marks, and explained first; the parser's text stays at the end of the message,
for the cases the explanation misreads and for searching the web.

Lines are file lines (the front-matter block starts on line 2), columns count
characters from 1, as in the diagnostics.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    import yaml

# `key: value` at the start of a line (after the indentation and an optional `- `).
_ENTRY = re.compile(r"[ ]*(?:-[ ]+)*(?P<key>[^\s#'\"\[\]{},:][^:#]*?|'[^']*'|\"[^\"]*\"):[ ]+")
_QUOTE_NAMES = {'"': 'double quote (`"`)', "'": "single quote (`'`)"}
_RESERVED = {"@": "`@`", "`": "a backquote", "%": "`%`"}
_FLOW_NAMES = {"[": ("list", "]"), "{": ("mapping", "}")}


def syntax_message(exc: yaml.MarkedYAMLError, text: str) -> str:
    """The message of a syntax error that ``text`` (a front-matter block) raised."""
    problem = (exc.problem or "invalid YAML").strip()
    original = problem
    context, start, at = exc.context, exc.context_mark, exc.problem_mark
    if context and start is not None and at is not None:
        if start.line != at.line:
            original += f" ({context} that starts on line {_line(text, start.index)})"
        else:
            original += f" ({context})"
    hint = _hint(problem, context or "", start.index if start else None, at.index if at else None, text)
    return with_hint(hint, original)


def with_hint(hint: str | None, original: str) -> str:
    if hint is None:
        return f"YAML syntax error: {original}"
    return f"YAML syntax error: {hint}. Parser message: {original}"


def undefined_alias_message(name: str) -> str:
    hint = f"`*` starts an alias, a reference to a value marked `&{name}`; put the value in quotes if it is text"
    return with_hint(hint, f"found undefined alias `*{name}`")


def reader_message(exc: yaml.reader.ReaderError) -> str:
    character = exc.character
    code = ord(character) if isinstance(character, str) else int(character)
    return f"YAML syntax error: the control character U+{code:04X} is not allowed in YAML"


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 2


def _column(text: str, offset: int) -> int:
    return offset - text.rfind("\n", 0, offset)


def _where(text: str, offset: int) -> str:
    return f"line {_line(text, offset)}, column {_column(text, offset)}"


def _hint(problem: str, context: str, start: int | None, at: int | None, text: str) -> str | None:
    if at is None:
        return None
    here = text[at : at + 1]
    if here == "\t" or "tab" in problem:
        return "YAML indents with spaces, not tabs; replace the tab with spaces"
    if "cannot start any token" in problem and here in _RESERVED:
        return f"{_RESERVED[here]} cannot start a plain value in YAML; put the value in quotes"
    if "mapping values are not allowed" in problem:
        return _colon_hint(text, at)
    if start is None:
        return None
    opened = text[start : start + 1]
    if "quoted scalar" in context and opened in _QUOTE_NAMES:
        return (
            f"the {_QUOTE_NAMES[opened]} opened on {_where(text, start)} is not closed; "
            "close it, or remove it if the value needs no quotes"
        )
    if "flow" in context and opened in _FLOW_NAMES and "expected ','" in problem:
        what, close = _FLOW_NAMES[opened]
        return (
            f"the {what} `{opened}` opened on {_where(text, start)} is not closed; "
            f"close it with `{close}`, or put the value in quotes if the brackets are text"
        )
    if "alias" in context or "anchor" in context:
        mark = text[start : start + 1]
        return f"`{mark}` starts an {'alias' if mark == '*' else 'anchor'} in YAML; put the value in quotes"
    if "expected key" in problem or "expected '-' indicator" in problem:
        return _alignment_hint(text, start, at, "keys" if "expected key" in problem else "items")
    return None


def _colon_hint(text: str, at: int) -> str:
    """``mapping values are not allowed``: a second `: ` on a line, or a line indented too far."""
    line_start = text.rfind("\n", 0, at) + 1
    line_end = text.find("\n", at)
    line = text[line_start : len(text) if line_end == -1 else line_end].rstrip("\r")
    entry = _ENTRY.match(line)
    if entry is None or line_start + entry.end() > at:
        # The colon belongs to the first key of its line: the line continues the value above it.
        return (
            "this line is indented more than the key above it, so it reads as part of that value; "
            "line the keys up, or put the value above in quotes"
        )
    value = line[entry.end() :]
    comment = value.find(" #")
    value = (value if comment == -1 else value[:comment]).rstrip()
    example = f"{line[: entry.end()]}{_quoted(value)}".strip()
    return f"a `: ` inside a plain value reads as a new key; put the value in quotes, as in `{example}`"


def _quoted(value: str) -> str:
    if '"' not in value and "\\" not in value:
        return f'"{value}"'
    return "'" + value.replace("'", "''") + "'"


def _alignment_hint(text: str, start: int, at: int, what: str) -> str | None:
    """``did not find expected key`` (or ``'-' indicator``): text after a quote, or a line out of line."""
    line_start = text.rfind("\n", 0, at) + 1
    before = text[line_start:at].rstrip()
    if before and before[-1] in _QUOTE_NAMES:
        quote = before[-1]
        if before.count(quote) % 2:  # the quote closing here opened on an earlier line
            opened = text.rfind(quote, 0, line_start)
            return (
                f"the {_QUOTE_NAMES[quote]} opened on {_where(text, opened)} is not closed on its line, "
                f"so the value runs on to this line; close it"
            )
        return "text follows a closing quote; put the whole value in quotes"
    column, expected = _column(text, at), _column(text, start)
    if column == expected:
        if what == "keys" and text.startswith("-", at):
            return "a list item cannot follow `key: value` lines at their indentation; indent it under its key"
        return None
    return (
        f"this line is indented to column {column}, which lines up with none of the {what} above it; "
        f"the {what} of the collection that starts on line {_line(text, start)} are at column {expected}"
    )
