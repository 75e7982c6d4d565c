"""``--output-format text``: ``path:line:column: CODE message`` lines, then a summary."""

from __future__ import annotations

from typing import TextIO

from fmlint.report import RunResult


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(result: RunResult) -> str:
    files = _plural(result.files_checked, "file")
    if not result.diagnostics:
        return f"All checks passed ({files} checked)."
    with_problems = len({diagnostic.path for diagnostic in result.diagnostics})
    return (
        f"Found {_plural(result.errors, 'error')} and {_plural(result.warnings, 'warning')} "
        f"in {with_problems} of {files}."
    )


def render(result: RunResult, stream: TextIO) -> None:
    render_diagnostics(result, stream)
    stream.write(summary(result) + "\n")


def render_diagnostics(result: RunResult, stream: TextIO) -> None:
    """The diagnostic lines alone (``--quiet``)."""
    for d in result.diagnostics:
        stream.write(f"{d.path}:{d.line}:{d.column}: {d.code} {d.message}\n")
