"""FM9xx: findings about fmlint itself rather than about the file's data."""

from __future__ import annotations

from fmlint.diagnostic import Severity
from fmlint.rules.base import Rule

RULES = (
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
)
