"""``--output-format concise``: one ``path:line:column: CODE message`` line per finding, then a summary."""

from __future__ import annotations

from typing import TextIO

from fmlint.report import RunResult
from fmlint.report.terminal import Style, use_colour
from fmlint.report.text import header, summary


def render(result: RunResult, stream: TextIO) -> None:
    render_diagnostics(result, stream)
    stream.write(summary(result) + "\n")


def render_diagnostics(result: RunResult, stream: TextIO) -> None:
    """The finding lines alone, without the summary (``--quiet``)."""
    style = Style(use_colour(stream))
    stream.write(
        "".join(header(diagnostic, style, result.fixable(diagnostic)) + "\n" for diagnostic in result.diagnostics)
    )
