"""What a rule is, and the context a rule runs in.

A rule declares its code, name, default severity, options and documentation. A
document rule is a function from a :class:`Context` to diagnostics; a corpus rule
collects a small fact from each file and turns all facts into diagnostics once the
whole run has been read. Rules that the reader or the schema check report (file,
YAML and schema problems) have no function of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fmlint.diagnostic import Diagnostic, Fix, Severity
from fmlint.document import Document, Part, Position


@dataclass(frozen=True, slots=True)
class Example:
    """A file used in a rule's documentation, and in the test that keeps it true."""

    text: str
    name: str = "article.md"
    schema: str | None = None  # a custom schema (JSON) the example is checked against
    options: tuple[tuple[str, Any], ...] = ()  # settings of the rule the example is checked with


@dataclass(frozen=True, slots=True)
class Option:
    """A setting of a rule, configured under ``[tool.fmlint.rules.<rule-name>]``."""

    name: str
    type: type | tuple[type, ...]
    default: Any
    help: str


Check = Callable[["Context"], Iterable[Diagnostic]]
Collect = Callable[["Context"], Any]
Finish = Callable[["CorpusContext"], Iterable[Diagnostic]]


@dataclass(frozen=True)
class Rule:
    """A check with a stable code. ``stage`` says who reports it.

    - ``read``: the file reader (no front-matter, encoding, …)
    - ``yaml``: the YAML reader (syntax, duplicate keys, …)
    - ``schema``: the schema check
    - ``document``: ``check`` runs on each parsed file
    - ``corpus``: ``collect`` runs on each file, ``finish`` once on all facts
    - ``meta``: fmlint itself (suppressions, internal errors)
    """

    code: str
    name: str
    severity: Severity
    summary: str
    what: str
    why: str
    bad: tuple[Example, ...]
    good: tuple[Example, ...]
    stage: str
    check: Check | None = None
    collect: Collect | None = None
    finish: Finish | None = None
    options: tuple[Option, ...] = ()
    default_enabled: bool = True
    fixable: bool = False


class ClockUse:
    """Whether any rule read the run's ``now`` while linting one file."""

    __slots__ = ("read",)

    def __init__(self) -> None:
        self.read = False


class Context:
    """What a document rule sees: the parsed file, its options and the reference time."""

    __slots__ = ("_clock", "_now", "doc", "options", "rule")

    def __init__(
        self, doc: Document, rule: Rule, options: Mapping[str, Any], now: datetime, clock: ClockUse | None = None
    ) -> None:
        self.doc = doc
        self.rule = rule
        self.options = options
        self._now = now
        self._clock = clock

    @property
    def now(self) -> datetime:
        """The run's reference time (``--now``). A file whose rules read it is re-linted when it changes."""
        if self._clock is not None:
            self._clock.read = True
        return self._now

    @property
    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = self.doc.data
        return data

    def report(self, pointer: str, message: str, *, part: Part = "value", fix: Fix | None = None) -> Diagnostic:
        """A diagnostic of this rule at the field ``pointer``."""
        return make_diagnostic(self.rule, self.doc.path, self.doc.locate(pointer, part), pointer, message, fix)

    def position(self, pointer: str, part: Part = "value") -> Position:
        return self.doc.locate(pointer, part)


@dataclass(frozen=True, slots=True)
class Fact:
    """What a corpus rule keeps of one file: the file, and the rule's small summary of it."""

    path: str
    value: Any


class CorpusContext:
    """What a corpus rule's ``finish`` sees: every file's fact, and the rule's options."""

    __slots__ = ("_clock", "_now", "facts", "options", "rule")

    def __init__(
        self,
        rule: Rule,
        facts: Sequence[Fact],
        options: Mapping[str, Any],
        now: datetime | None = None,
        clock: ClockUse | None = None,
    ) -> None:
        self.rule = rule
        self.facts = facts
        self.options = options
        self._now = now if now is not None else datetime.now().astimezone()
        self._clock = clock

    @property
    def now(self) -> datetime:
        """The run's reference time; reading it ties the run's findings to it (see :class:`Context`)."""
        if self._clock is not None:
            self._clock.read = True
        return self._now

    def report(self, path: str, position: Position, pointer: str, message: str) -> Diagnostic:
        return make_diagnostic(self.rule, path, position, pointer, message)


def make_diagnostic(
    rule: Rule, path: str, position: Position, pointer: str, message: str, fix: Fix | None = None
) -> Diagnostic:
    return Diagnostic(
        path=path,
        line=position.line,
        column=position.column,
        end_line=position.end_line,
        end_column=position.end_column,
        code=rule.code,
        rule=rule.name,
        severity=rule.severity,
        message=message,
        pointer=pointer,
        fix=fix,
    )


def example(text: str, name: str = "article.md", schema: str | None = None) -> tuple[Example, ...]:
    """One documentation example; ``text`` is dedented and starts after its first newline."""
    import textwrap

    return (Example(textwrap.dedent(text).lstrip("\n"), name, schema),)


# The smallest article the built-in schema accepts: the passing example of every rule
# that is about the file or its YAML rather than one field.
VALID_ARTICLE = example("""
    ---
    title: "An article"
    publishedDateTime: 2022-06-21T16:00:00Z
    webUrl: "https://example.com/an-article"
    provider: {name: Example News, domain: example.com}
    ---
    """)
