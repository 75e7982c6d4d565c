"""Output formats. Each renders a finished run; the name-to-reporter map is :data:`FORMATS`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from fmlint.diagnostic import Diagnostic, Severity


@dataclass(frozen=True)
class RunResult:
    """A finished run: every diagnostic (sorted), and how many files were checked."""

    diagnostics: tuple[Diagnostic, ...]
    files_checked: int

    @property
    def errors(self) -> int:
        return sum(1 for diagnostic in self.diagnostics if diagnostic.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for diagnostic in self.diagnostics if diagnostic.severity is Severity.WARNING)


Reporter = Callable[[RunResult, TextIO], None]


def _text(result: RunResult, stream: TextIO) -> None:
    from fmlint.report.text import render

    render(result, stream)


def _json(result: RunResult, stream: TextIO) -> None:
    from fmlint.report.json import render

    render(result, stream)


FORMATS: dict[str, Reporter] = {
    "text": _text,
    "json": _json,
}
