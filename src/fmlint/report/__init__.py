"""Output formats. Each renders a finished run; the name-to-reporter map is :data:`FORMATS`.

A reporter receives the whole :class:`RunResult` and a stream, and only renders:
it never lints, filters or re-sorts. Each format lives in its own module, imported
only when chosen, so a run pays for the one format it prints.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import TextIO

from fmlint.diagnostic import Diagnostic, Severity
from fmlint.report.lines import SourceLines


class RunResult:
    """A finished run: every diagnostic (sorted), and the files that were checked.

    ``checked_paths`` lists every file that was linted, in the order it was linted,
    so formats that report per file (JUnit) can show the clean ones too. ``lines``
    gives reporters the source lines they quote, read lazily from the files.
    """

    __slots__ = ("checked_paths", "diagnostics", "fixed", "fixed_files", "fixing", "lines", "strict", "unsafe_fixes")

    def __init__(
        self,
        diagnostics: tuple[Diagnostic, ...],
        checked_paths: tuple[str, ...],
        lines: SourceLines | None = None,
        fixing: bool = False,
        fixed: int = 0,
        fixed_files: int = 0,
        unsafe_fixes: bool = False,
        strict: bool = False,
    ) -> None:
        self.diagnostics = diagnostics
        self.checked_paths = checked_paths
        self.lines = SourceLines() if lines is None else lines
        self.fixing = fixing  # the run applied fixes (``--fix``): ``fixed`` says how many
        self.fixed = fixed
        self.fixed_files = fixed_files
        self.unsafe_fixes = unsafe_fixes  # fixes marked unsafe count as fixable (``--unsafe-fixes``)
        self.strict = strict  # warnings fail the run too (``--strict``)

    @property
    def files_checked(self) -> int:
        return len(self.checked_paths)

    @property
    def errors(self) -> int:
        return sum(1 for diagnostic in self.diagnostics if diagnostic.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for diagnostic in self.diagnostics if diagnostic.severity is Severity.WARNING)

    def fails(self, diagnostic: Diagnostic) -> bool:
        """Whether ``diagnostic`` fails the run: an error, or a warning with ``--strict``."""
        return diagnostic.severity is Severity.ERROR or self.strict

    def fixable(self, diagnostic: Diagnostic) -> bool:
        """Whether ``--fix`` (with this run's ``--unsafe-fixes``) would fix ``diagnostic``."""
        return diagnostic.fixable(self.unsafe_fixes)


Reporter = Callable[[RunResult, TextIO], None]


def _lazy(module: str, function: str = "render") -> Reporter:
    """A reporter that imports ``fmlint.report.<module>`` only when it is called."""

    def reporter(result: RunResult, stream: TextIO) -> None:
        getattr(import_module(f"fmlint.report.{module}"), function)(result, stream)

    return reporter


FORMATS: dict[str, Reporter] = {
    "text": _lazy("text"),
    "concise": _lazy("concise"),
    "json": _lazy("json"),
    "json-lines": _lazy("json_lines"),
    "github": _lazy("github"),
    "sarif": _lazy("sarif"),
    "junit": _lazy("junit"),
    "gitlab": _lazy("gitlab"),
}

# The formats that quote each finding's source line (``RunResult.lines``).
_QUOTING = frozenset({"text"})


def quotes_source(format_name: str) -> bool:
    """Whether the format shows the source line of each finding (read before it renders)."""
    return format_name in _QUOTING


# ``--quiet`` drops the summary line of the formats people read; the machine
# formats have no summary and print the same either way.
_QUIET: dict[str, Reporter] = {
    "text": _lazy("text", "render_diagnostics"),
    "concise": _lazy("concise", "render_diagnostics"),
}


def render(format_name: str, result: RunResult, stream: TextIO, *, quiet: bool = False) -> None:
    """Print ``result`` in the format named ``format_name`` (a key of :data:`FORMATS`)."""
    reporter = _QUIET.get(format_name) if quiet else None
    (reporter or FORMATS[format_name])(result, stream)


# ``--statistics`` is a table for people; with a machine format it is a usage error.
STATISTICS_FORMATS = ("text", "concise")


def render_statistics(result: RunResult, stream: TextIO, *, quiet: bool = False) -> None:
    """Print the number of findings of each rule (``--statistics``), then the summary unless ``quiet``."""
    _lazy("statistics", "render_table" if quiet else "render")(result, stream)
