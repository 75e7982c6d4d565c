"""``--statistics``: how many findings each rule has, instead of the findings.

    3  FM201  error    missing-field
    1  FM205  warning  unknown-field
    1  FM401  error    [*] bad-date-time

One line per rule with findings, the most frequent first (then by code); ``[*]``
marks a rule whose findings all have a fix ``--fix`` applies (with ``--unsafe-fixes``,
unsafe fixes count too). Then the summary line
(left out with ``--quiet``).
"""

from __future__ import annotations

from collections import Counter
from typing import TextIO

from fmlint.diagnostic import Diagnostic
from fmlint.report import RunResult
from fmlint.report.terminal import Style, use_colour
from fmlint.report.text import summary


def render(result: RunResult, stream: TextIO) -> None:
    render_table(result, stream)
    stream.write(summary(result) + "\n")


def render_table(result: RunResult, stream: TextIO) -> None:
    """The table alone, without the summary (``--quiet``)."""
    style = Style(use_colour(stream))
    counts = Counter(diagnostic.code for diagnostic in result.diagnostics)
    fixable = Counter(diagnostic.code for diagnostic in result.diagnostics if result.fixable(diagnostic))
    first: dict[str, Diagnostic] = {}
    for diagnostic in result.diagnostics:
        first.setdefault(diagnostic.code, diagnostic)
    width = len(str(max(counts.values(), default=0)))
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        d = first[code]
        mark = "[*] " if fixable[code] == count else ""
        severity = style.severity(d.severity, f"{d.severity.value:<7}")
        stream.write(f"{count:>{width}}  {style.severity(d.severity, code)}  {severity}  {mark}{d.rule}\n")
