"""FM1xx: how the YAML is written (reported by the YAML reader)."""

from __future__ import annotations

from fmlint.diagnostic import Edit, Fix, Severity
from fmlint.rules.base import Rule, example

_GOOD = example("""
    ---
    title: "An article"
    publishedDateTime: 2022-06-21T16:00:00Z
    webUrl: "https://example.com/an-article"
    published: true
    quality: 72
    provider: {name: Example News, domain: example.com}
    ---
    """)

RULES = (
    Rule(
        code="FM101",
        name="duplicate-key",
        severity=Severity.ERROR,
        summary="A key appears twice in the same mapping.",
        what="Reports the second occurrence of a key, naming the line of the first.",
        why="YAML parsers silently keep one of the two values (which one depends on the parser), "
        "so an edit to the first one appears to have no effect.",
        bad=example("""
            ---
            title: "An article"
            publishedDateTime: 2022-06-21T16:00:00Z
            webUrl: "https://example.com/an-article"
            provider: {name: Example News, domain: example.com}
            title: "An article, updated"
            ---
            """),
        good=_GOOD,
        stage="yaml",
    ),
    Rule(
        code="FM102",
        name="yaml11-boolean",
        severity=Severity.WARNING,
        summary="`yes`, `no`, `on` or `off` is a boolean in YAML 1.1 but text in YAML 1.2.",
        what="Reports unquoted `yes`/`no`/`on`/`off` (in any case). fmlint reads them as YAML 1.1 "
        "does (as booleans), and warns; the fix writes `true` or `false`, which every YAML reader "
        "reads as that boolean.",
        why="Parsers disagree: PyYAML and Ruby read `published: yes` as true, js-yaml and Go read "
        'it as the string "yes". Write `true`/`false`, or quote the text.',
        bad=example("""
            ---
            title: "An article"
            publishedDateTime: 2022-06-21T16:00:00Z
            webUrl: "https://example.com/an-article"
            provider: {name: Example News, domain: example.com}
            published: yes
            ---
            """),
        good=_GOOD,
        stage="yaml",
        fixable=True,
    ),
    Rule(
        code="FM103",
        name="yaml11-number",
        severity=Severity.WARNING,
        summary="A number that YAML 1.1 and YAML 1.2 read differently (`0777`, `1:20`, `1_000`).",
        what="Reports unquoted values such as `0777` (octal 511 in YAML 1.1), `1:20` (80, base 60), "
        "`1_000`, `0b101` or `0o17`. fmlint reads them as YAML 1.1 does, and warns.",
        why="The same text means different numbers (or a string) in different tools. Write the "
        "plain decimal number you mean, or quote the text.",
        bad=example("""
            ---
            title: "An article"
            publishedDateTime: 2022-06-21T16:00:00Z
            webUrl: "https://example.com/an-article"
            provider: {name: Example News, domain: example.com}
            quality: 0777
            ---
            """),
        good=_GOOD,
        stage="yaml",
    ),
    Rule(
        code="FM104",
        name="yaml-tag",
        severity=Severity.ERROR,
        summary="A YAML tag that is not plain data (`!!python/object`, `!secret`).",
        what="Reports explicit tags other than YAML's standard ones, and standard tags applied to "
        "a value they do not fit (`!!int abc`). The tag is ignored: fmlint only ever reads "
        "plain data and never constructs objects.",
        why="Tags such as `!!python/object/apply` make unsafe loaders run code, and custom tags "
        "make safe loaders fail. Front-matter should be plain data.",
        bad=example("""
            ---
            title: !!python/object/apply:os.system ["echo hello"]
            publishedDateTime: 2022-06-21T16:00:00Z
            webUrl: "https://example.com/an-article"
            provider: {name: Example News, domain: example.com}
            ---
            """),
        good=_GOOD,
        stage="yaml",
    ),
    Rule(
        code="FM105",
        name="non-string-key",
        severity=Severity.ERROR,
        summary="A key that is a number, a boolean, null, a list or a mapping.",
        what="Reports keys that YAML does not read as text, such as `1:`, `null:`, `yes:` or `? [a, b]`.",
        why="Field names must be strings for JSON, for schemas and for most site generators.",
        bad=example("""
            ---
            title: "An article"
            publishedDateTime: 2022-06-21T16:00:00Z
            webUrl: "https://example.com/an-article"
            provider: {name: Example News, domain: example.com}
            2022: "a year"
            ---
            """),
        good=_GOOD,
        stage="yaml",
    ),
    Rule(
        code="FM106",
        name="recursive-alias",
        severity=Severity.ERROR,
        summary="An alias that refers to the node containing it (`&x [*x]`).",
        what="Reports an alias used inside the very node its anchor names; it is read as null.",
        why="Such data is infinite: converting it to JSON, or walking it, never ends.",
        bad=example("""
            ---
            title: "An article"
            publishedDateTime: 2022-06-21T16:00:00Z
            webUrl: "https://example.com/an-article"
            provider: {name: Example News, domain: example.com}
            topics: &topics [AI, *topics]
            ---
            """),
        good=_GOOD,
        stage="yaml",
    ),
)


_YAML11_BOOLEANS = {"yes": "true", "on": "true", "no": "false", "off": "false"}


def yaml11_boolean_fix(text: str, start: int, end: int) -> Fix | None:
    """FM102's fix: the YAML 1.1 boolean at ``[start, end)`` of the front-matter ``text``
    written as the YAML 1.2 one it was read as (``yes`` → ``true``). Nothing is guessed:
    the span must hold the word alone."""
    replacement = _YAML11_BOOLEANS.get(text[start:end].lower())
    if replacement is None:
        return None
    return Fix(f"write {replacement}", (Edit(start, end, replacement),))
