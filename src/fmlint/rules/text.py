"""FM65x: the text fields people read (titles and excerpts).

FM650 `untrimmed-text` finds whitespace at either end of a title or an excerpt and
offers a safe fix that deletes exactly those characters from inside the quotes, so
the quoting style and everything around the value stay as they are.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence

from fmlint.diagnostic import Diagnostic, Edit, Fix, Severity
from fmlint.pipeline.fastyaml import read_front_matter_yaml
from fmlint.pipeline.yamlread import Limits
from fmlint.rules.base import Context, Option, Rule, example, make_diagnostic
from fmlint.rules.values import field_name

# The escapes of a double-quoted YAML scalar: the letter, and how many hex digits follow.
_SIMPLE_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f",
    "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85",
    "_": "\xa0", "L": "\u2028", "P": "\u2029",
}  # fmt: skip
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}


def check(ctx: Context) -> Iterator[Diagnostic]:
    for pointer, value in _text_fields(ctx.data, ctx.options["fields"]):
        if value != value.strip():
            yield _diagnostic(ctx, pointer, value)


def _text_fields(data: dict[str, object], fields: list[str]) -> Iterator[tuple[str, str]]:
    records: list[tuple[str, object]] = [("", data)]
    related = data.get("related")
    if isinstance(related, list):
        records += [(f"/related/{index}", link) for index, link in enumerate(related)]
    for prefix, record in records:
        if isinstance(record, dict):
            for name in fields:
                value = record.get(name)
                if isinstance(value, str):
                    yield f"{prefix}/{name}", value


def _diagnostic(ctx: Context, pointer: str, value: str) -> Diagnostic:
    stripped = value.strip()
    lead = value[: len(value) - len(value.lstrip())]
    trail = value[len(value.rstrip()) :] if stripped else ""
    field = field_name(pointer)
    if not stripped:
        message = f"`{field}` is only whitespace ({_describe(value)}); write the text or remove the field"
    else:
        ends = [f"starts with {_describe(lead)}" if lead else "", f"ends with {_describe(trail)}" if trail else ""]
        message = f"`{field}` {' and '.join(part for part in ends if part)}; strip it"
    bounds = _scalar_bounds(ctx, pointer, value)
    if bounds is not None:
        fix = _strip_fix(bounds, len(lead), len(trail), field)
        size = len(bounds) - 1
        stray = (bounds[0], bounds[len(lead)]) if lead else (bounds[size - len(trail)], bounds[size])
        position = ctx.doc.position_of_span(*stray)
    else:
        fix, position = None, ctx.position(pointer)
    return make_diagnostic(ctx.rule, ctx.doc.path, position, pointer, message, fix)


def _describe(whitespace: str) -> str:
    """``2 spaces``, ``a tab and a no-break space (U+00A0)``: what the stray characters are."""
    counts: dict[str, int] = {}
    for char in whitespace:
        counts[char] = counts.get(char, 0) + 1
    return " and ".join(_name(char, count) for char, count in counts.items())


_NAMES = {" ": "space", "\t": "tab", "\n": "line break", "\r": "carriage return"}


def _name(char: str, count: int) -> str:
    name = _NAMES.get(char) or f"{unicodedata.name(char, 'whitespace character').lower()} (U+{ord(char):04X})"
    if count == 1:
        return f"a {name}"
    word, _, rest = name.partition(" (")
    return f"{count} {word}s" + (f" ({rest}" if rest else "")


def _strip_fix(bounds: Sequence[int], lead: int, trail: int, field: str) -> Fix:
    """Delete the first ``lead`` and the last ``trail`` characters, as they are written."""
    size = len(bounds) - 1
    edits = []
    if lead:
        edits.append(Edit(bounds[0], bounds[lead], ""))
    if trail:
        edits.append(Edit(bounds[size - trail], bounds[size], ""))
    return Fix(f"strip the whitespace around `{field}`", tuple(edits))


def _scalar_bounds(ctx: Context, pointer: str, value: str) -> Sequence[int] | None:
    """Where each character of the value is written (character ``i`` from ``bounds[i]`` to
    ``bounds[i + 1]``), or ``None`` when that is not known.

    Only single-line plain, single-quoted and double-quoted scalars are mapped; a block
    scalar (``|``, ``>``) or a quoted scalar folded over several lines is reported
    without a fix. The mapping is checked twice: it must spell exactly the value that
    was read, and the scalar with the whitespace deleted must read back as the stripped
    value on its own.
    """
    offsets = ctx.doc.value_offsets(pointer)
    style = ctx.doc.style(pointer)
    if offsets is None or style not in ("", "'", '"'):
        return None
    start, end = offsets
    text = ctx.doc.text
    if any(char in text[start:end] for char in "\r\n"):
        return None
    mapped: tuple[Sequence[int], str] | None
    if style == "":
        begin = max(start, end - len(value))
        mapped = range(begin, end + 1), text[begin:end]
    else:
        opening = _skip_properties(text, start, end)
        if opening is None or text[opening] != style or text[end - 1] != style or end - opening < 2:
            return None
        mapped = _quoted_bounds(text, opening + 1, end - 1, style)
    if mapped is None or mapped[1] != value:
        return None
    bounds = mapped[0]
    stripped = value.strip()
    if not stripped or not _reads_back(text, start, end, bounds, value, stripped, ctx.doc.limits):
        return None
    return bounds


def _skip_properties(text: str, start: int, end: int) -> int | None:
    """The offset after a tag (``!!str``) and an anchor (``&a``) written before the value."""
    index = start
    while index < end and text[index] in "!&":
        while index < end and text[index] not in " \t":
            index += 1
        while index < end and text[index] in " \t":
            index += 1
    return index if index < end else None


def _quoted_bounds(text: str, start: int, end: int, quote: str) -> tuple[Sequence[int], str] | None:
    """The bounds of each character of the quoted text from ``start`` to ``end``, and the value it spells."""
    inner = text[start:end]
    if quote not in inner and (quote == "'" or "\\" not in inner):  # every character is written as itself
        return range(start, end + 1), inner
    bounds: list[int] = []
    chars: list[str] = []
    index = start
    while index < end:
        bounds.append(index)
        char = text[index]
        if quote == "'" and char == "'":
            if text[index + 1 : index + 2] != "'":
                return None
            chars.append("'")
            index += 2
        elif quote == '"' and char == "\\":
            letter = text[index + 1 : index + 2]
            if letter in _SIMPLE_ESCAPES:
                chars.append(_SIMPLE_ESCAPES[letter])
                index += 2
            elif letter in _HEX_ESCAPES:
                digits = text[index + 2 : index + 2 + _HEX_ESCAPES[letter]]
                if len(digits) != _HEX_ESCAPES[letter] or any(d not in "0123456789abcdefABCDEF" for d in digits):
                    return None
                chars.append(chr(int(digits, 16)))
                index += 2 + len(digits)
            else:
                return None
        else:
            chars.append(char)
            index += 1
    bounds.append(end)
    return bounds, "".join(chars)


def _reads_back(
    text: str, start: int, end: int, bounds: Sequence[int], value: str, stripped: str, limits: Limits
) -> bool:
    """Whether the scalar, with its stray whitespace deleted, reads as ``stripped`` and nothing else."""
    size = len(bounds) - 1
    lead = len(value) - len(value.lstrip())
    trail = len(value) - len(value.rstrip())
    opening = _skip_properties(text, start, end) or start
    prefix = text[opening : bounds[0]]
    suffix = text[bounds[size] : end]
    parsed = read_front_matter_yaml(f"x: {prefix}{text[bounds[lead] : bounds[size - trail]]}{suffix}\n", limits)
    return not parsed.fatal and not parsed.issues and parsed.data == {"x": stripped}


_GOOD = example("""
    ---
    title: "An article"
    excerpt: "What happened, in one sentence."
    publishedDateTime: 2022-06-21T16:00:00Z
    webUrl: "https://example.com/an-article"
    provider: {name: Example News, domain: example.com}
    ---
    """)

RULES = (
    Rule(
        code="FM650",
        name="untrimmed-text",
        severity=Severity.WARNING,
        summary="A title or an excerpt starts or ends with whitespace.",
        what="Reports spaces, tabs, line breaks, no-break spaces and other Unicode whitespace at "
        "the start or the end of `title` and `excerpt` (the text fields named in the `fields` "
        "option), in the article and in each related link. The fix deletes exactly those "
        "characters inside the quotes (escaped ones "
        "such as `\\t` or `\\_` too) and leaves the quoting style alone. A value written as a "
        "block scalar (`|`, `>`), a quoted value folded over several lines and an unquoted "
        "value that would read as something else once stripped (`yes` after a no-break space) "
        "are reported without a fix, and so is a value that is nothing but whitespace.",
        why="Stray whitespace is invisible in the file but not on the page: it shifts headlines, "
        "breaks the alignment of lists and shows as a gap before the ellipsis of a truncated "
        "excerpt. It usually comes from copying the text out of a web page.",
        bad=example("""
            ---
            title: "An article "
            publishedDateTime: 2022-06-21T16:00:00Z
            webUrl: "https://example.com/an-article"
            provider: {name: Example News, domain: example.com}
            ---
            """),
        good=_GOOD,
        stage="document",
        check=check,
        options=(
            Option(
                "fields",
                list,
                ["title", "excerpt"],
                "the text fields to check, in the article and in each related link "
                '(["title"] leaves scraped excerpts alone)',
                items=str,
            ),
        ),
        fixable=True,
    ),
)
