"""The one result type every check produces: an immutable, positioned diagnostic."""

from __future__ import annotations

from enum import Enum
from typing import NamedTuple


class Severity(str, Enum):
    """How bad a finding is. Errors fail the run; warnings fail it only with ``--strict``."""

    ERROR = "error"
    WARNING = "warning"

    def __str__(self) -> str:
        return self.value


class Applicability(str, Enum):
    """Whether a fix is applied by ``--fix`` alone or needs ``--unsafe-fixes`` too."""

    SAFE = "safe"
    UNSAFE = "unsafe"


class Edit(NamedTuple):
    """Replace the characters ``[start, end)`` of the front-matter text with ``text``."""

    start: int
    end: int
    text: str


class Fix(NamedTuple):
    """A change that resolves a diagnostic, with a one-line description of what it does."""

    description: str
    edits: tuple[Edit, ...]
    applicability: Applicability = Applicability.SAFE


class Related(NamedTuple):
    """Another place a finding concerns, such as the other file of a duplicate article.

    ``path`` is named as the diagnostic's own path is (as given to the run); the
    position counts as a diagnostic's does, and ``message`` says what is there.
    """

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    message: str

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "message": self.message,
        }


class Diagnostic(NamedTuple):
    """One finding at an exact place in a file.

    Lines and columns are 1-based and count characters of the file itself (not of the
    YAML block). ``end_column`` is exclusive: it is the column just after the span.
    ``pointer`` is the RFC 6901 JSON pointer of the field concerned, or ``""`` when the
    finding is about the file rather than one field. ``related`` holds the other places
    a cross-file finding concerns (the other files of a duplicate), set by the rule.
    """

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    code: str
    rule: str
    severity: Severity
    message: str
    pointer: str
    fix: Fix | None = None
    related: tuple[Related, ...] = ()

    def fixable(self, unsafe: bool = False) -> bool:
        """Whether ``--fix`` applies this diagnostic's fix (``unsafe``: with ``--unsafe-fixes`` too)."""
        return self.fix is not None and (unsafe or self.fix.applicability is Applicability.SAFE)

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.code, self.message)

    def to_json(self) -> dict[str, object]:
        """The stable JSON shape (see the README's JSON output contract); ``related`` only when there is one."""
        found: dict[str, object] = {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "code": self.code,
            "rule": self.rule,
            "severity": self.severity.value,
            "message": self.message,
            "pointer": self.pointer,
        }
        if self.related:
            found["related"] = [related.to_json() for related in self.related]
        return found
