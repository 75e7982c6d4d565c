"""FM9xx: findings about fmlint itself rather than about the file's data."""

from __future__ import annotations

from fmlint.diagnostic import Severity
from fmlint.rules.base import Rule, example

RULES = (
    Rule(
        code="FM901",
        name="unused-suppression",
        severity=Severity.WARNING,
        summary="A suppression comment suppresses nothing.",
        what="Reports a `# fmlint: ignore[...]` comment with no finding of those rules on its line, "
        "or a `# fmlint: disable-file[...]` comment with none in its file, at the comment. When only "
        "some of the listed codes are unused, the message names them. A suppression is judged only "
        "for the rules that ran: one for a rule left out by `select`, `ignore` or `per-file-ignores` "
        "is not reported. Findings of this rule cannot be suppressed by a comment; leave the rule out "
        "in the configuration instead. The fix removes the comment (its line, when it is alone on it), "
        "or only the unused codes from its list.",
        why="A suppression outlives the problem it was written for: once the field is fixed, the "
        "comment stays and would silently hide the next real problem on that line.",
        bad=example("""
            ---
            title: "An article"  # fmlint: ignore[FM301]
            publishedDateTime: 2022-06-21T16:00:00Z
            webUrl: "https://example.com/an-article"
            provider: {name: Example News, domain: example.com}
            ---
            """),
        good=example("""
            ---
            title: "An article"
            publishedDateTime: 2022-06-21T16:00:00Z
            webUrl: "https://example.com/an-article"
            provider: {name: Example News, domain: example.com}
            originalUrl: "https//www.example.com/an-article"  # fmlint: ignore[FM301] -- as published
            ---
            """),
        stage="meta",
        fixable=True,
    ),
    Rule(
        code="FM902",
        name="internal-error",
        severity=Severity.ERROR,
        summary="A rule failed with an internal error on this file.",
        what="Reports a bug in fmlint: a rule raised an exception on this file. The other rules "
        "still ran. Run again with `--show-traceback` (or FMLINT_SHOW_TRACEBACK=1) for details "
        "to include in a bug report.",
        why="One broken rule must not hide the findings of all the others, nor pass silently.",
        bad=(),
        good=(),
        stage="meta",
    ),
    Rule(
        code="FM903",
        name="invalid-suppression",
        severity=Severity.WARNING,
        summary="A `# fmlint:` comment names an unknown rule or is not a suppression fmlint knows.",
        what="Reports a rule code or prefix in a suppression that matches no rule (at the code), and a "
        "`# fmlint:` comment that is not one of `ignore`, `ignore[CODES]`, `disable-file` or "
        "`disable-file[CODES]`, optionally followed by `-- reason` (at the comment). The codes of the "
        "comment that are known still work; a comment that cannot be read suppresses nothing.",
        why="A misspelt suppression (`FM3O1`, `disable` for `disable-file`) would otherwise do nothing "
        "without a word, and the finding it was meant for would come back as a surprise.",
        bad=example("""
            ---
            title: "An article"
            publishedDateTime: 2022-06-21T16:00:00Z
            webUrl: "https://example.com/an-article"
            provider: {name: Example News, domain: example.com}
            originalUrl: "https//www.example.com/an-article"  # fmlint: ignore[FM3O1]
            ---
            """),
        good=example("""
            ---
            # fmlint: disable-file[FM3] -- URLs of this archive are kept as published
            title: "An article"
            publishedDateTime: 2022-06-21T16:00:00Z
            webUrl: "https://example.com/an-article"
            provider: {name: Example News, domain: example.com}
            originalUrl: "https//www.example.com/an-article"
            ---
            """),
        stage="meta",
    ),
)
