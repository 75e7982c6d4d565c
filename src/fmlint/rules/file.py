"""FM0xx: the file and its front-matter block (reported by the file reader)."""

from __future__ import annotations

from collections.abc import Iterator

from fmlint.diagnostic import Diagnostic, Severity
from fmlint.rules.base import VALID_ARTICLE, Context, Rule, example, make_diagnostic


def _check_empty(ctx: Context) -> Iterator[Diagnostic]:
    if ctx.doc.empty:
        message = "front-matter is empty: it holds no fields"
        yield make_diagnostic(ctx.rule, ctx.doc.path, ctx.doc.opening_fence(), "", message)


def _check_mapping(ctx: Context) -> Iterator[Diagnostic]:
    data = ctx.doc.data
    if not ctx.doc.empty and not isinstance(data, dict):
        what = "a list" if isinstance(data, list) else "a single value"
        yield ctx.report("", f"front-matter must be a mapping of `key: value` fields, but it is {what}")


RULES = (
    Rule(
        code="FM001",
        name="missing-front-matter",
        severity=Severity.ERROR,
        summary="The file does not start with a `---` front-matter block.",
        what="Reports a file whose first line is not `---`, so it has no front-matter at all.",
        why="Without front-matter the site has no title, date or URL for the article and "
        "either skips the file or publishes a broken page.",
        bad=example("""
            Microsoft Stops Selling Emotion-Reading Tech

            The article body, with no metadata above it.
            """),
        good=example("""
            ---
            title: "Microsoft Stops Selling Emotion-Reading Tech"
            publishedDateTime: 2022-06-21T16:00:00Z
            webUrl: "https://example.com/emotion-reading"
            provider: {name: Example News, domain: example.com}
            ---
            The article body.
            """),
        stage="read",
    ),
    Rule(
        code="FM002",
        name="unclosed-front-matter",
        severity=Severity.ERROR,
        summary="The front-matter block is opened with `---` but never closed.",
        what="Reports a file that starts with `---` but has no later `---` (or `...`) line to end the block.",
        why="Site generators then read the whole article body as YAML, or give up on the file.",
        bad=example("""
            ---
            title: "An article"
            publishedDateTime: 2022-06-21T16:00:00Z

            The body starts here, but the block was never closed.
            """),
        good=example("""
            ---
            title: "An article"
            publishedDateTime: 2022-06-21T16:00:00Z
            webUrl: "https://example.com/an-article"
            provider: {name: Example News, domain: example.com}
            ---

            The body starts here.
            """),
        stage="read",
    ),
    Rule(
        code="FM003",
        name="empty-front-matter",
        severity=Severity.ERROR,
        summary="The front-matter block holds no data.",
        what="Reports a block with nothing (or only comments) between its `---` lines.",
        why="An empty block gives the article no title, date or URL, exactly like no block.",
        bad=example("""
            ---
            # metadata to be filled in
            ---
            """),
        good=VALID_ARTICLE,
        stage="shape",
        check=_check_empty,
    ),
    Rule(
        code="FM004",
        name="front-matter-not-mapping",
        severity=Severity.ERROR,
        summary="The front-matter is a list or a single value instead of `key: value` fields.",
        what="Reports a block whose top-level YAML node is not a mapping.",
        why="Every field of an article is looked up by name; a list or a scalar has no fields.",
        bad=example("""
            ---
            - title: "An article"
            - publishedDateTime: 2022-06-21T16:00:00Z
            ---
            """),
        good=VALID_ARTICLE,
        stage="shape",
        check=_check_mapping,
    ),
    Rule(
        code="FM005",
        name="yaml-syntax-error",
        severity=Severity.ERROR,
        summary="The front-matter is not valid YAML.",
        what="Reports the line and column where the YAML parser stopped. For the common mistakes (a tab "
        "indent, `: ` inside a plain value, an unclosed quote or bracket, a line out of line) the message "
        "says what to do first, and ends with the parser's own text.",
        why="A file that does not parse loses all its metadata, and usually breaks the whole build.",
        bad=example("""
            ---
            title: "An article
            publishedDateTime: 2022-06-21T16:00:00Z
            ---
            """),
        good=VALID_ARTICLE,
        stage="yaml",
    ),
    Rule(
        code="FM006",
        name="encoding-error",
        severity=Severity.ERROR,
        summary="The file is not UTF-8 text.",
        what="Reports front-matter that is not valid UTF-8 (UTF-16, Latin-1, NUL bytes or a "
        "binary file). A UTF-8 byte-order mark is accepted.",
        why="Tools disagree about how to read such files; the result is mangled titles or a crash.",
        bad=example('---\ntitle: "Caf\udce9"\n---\n'),
        good=example("""
            ---
            title: "Café"
            publishedDateTime: 2022-06-21T16:00:00Z
            webUrl: "https://example.com/cafe"
            provider: {name: Example News, domain: example.com}
            ---
            """),
        stage="read",
    ),
    Rule(
        code="FM007",
        name="unreadable-file",
        severity=Severity.ERROR,
        summary="The file cannot be read.",
        what="Reports a path that does not exist, a dangling symbolic link, a file without read "
        "permission, or something that is not a regular file (a FIFO, a device).",
        why="A file that cannot be read cannot be checked; saying so beats skipping it silently.",
        bad=(),
        good=(),
        stage="read",
    ),
    Rule(
        code="FM008",
        name="limit-exceeded",
        severity=Severity.ERROR,
        summary="The front-matter is too large, too deep or expands too much to be linted safely.",
        what="Reports front-matter over a size limit (`max-front-matter-bytes`), nested deeper "
        "than `max-depth`, expanding to more than `max-nodes` nodes through aliases, or holding "
        "a number longer than `max-number-length`. Limits are set under `[tool.fmlint.limits]`.",
        why='Such input is almost always an accident or an attack ("billion laughs"), and '
        "would otherwise exhaust memory or time in every tool that reads it.",
        bad=example("""
            ---
            a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]
            b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
            c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
            d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
            e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
            ---
            """),
        good=VALID_ARTICLE,
        stage="read",
    ),
)
