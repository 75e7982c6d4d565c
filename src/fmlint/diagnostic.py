"""The one result type every check produces: an immutable, positioned diagnostic."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


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


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace the characters ``[start, end)`` of the front-matter text with ``text``."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Fix:
    """A change that resolves a diagnostic, with a one-line description of what it does."""

    description: str
    edits: tuple[Edit, ...]
    applicability: Applicability = Applicability.SAFE


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding at an exact place in a file.

    Lines and columns are 1-based and count characters of the file itself (not of the
    YAML block). ``end_column`` is exclusive: it is the column just after the span.
    ``pointer`` is the RFC 6901 JSON pointer of the field concerned, or ``""`` when the
    finding is about the file rather than one field.
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

    def __reduce__(self) -> tuple[object, ...]:
        # Rebuilt through the constructor: a warm run loads every finding of the last run,
        # and the generic state of a frozen, slotted class takes three times as long.
        return (Diagnostic, tuple(getattr(self, name) for name in Diagnostic.__slots__))

    def fixable(self, unsafe: bool = False) -> bool:
        """Whether ``--fix`` applies this diagnostic's fix (``unsafe``: with ``--unsafe-fixes`` too)."""
        return self.fix is not None and (unsafe or self.fix.applicability is Applicability.SAFE)

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.code, self.message)

    def to_json(self) -> dict[str, object]:
        """The stable JSON shape (see the README's JSON output contract)."""
        return {
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
