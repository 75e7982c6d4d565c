"""What a rule is, and the context a rule runs in.

A rule declares its code, name, default severity, options and documentation. A
document rule is a function from a :class:`Context` to diagnostics; a corpus rule
collects a small fact from each file and turns all facts into diagnostics once the
whole run has been read. Rules that the reader or the schema check report (file,
YAML and schema problems) have no function of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from fmlint.diagnostic import Diagnostic, Fix, Related, Severity
from fmlint.pipeline.document import Document, Part, Position
from fmlint.run.clock import ClockUse

if TYPE_CHECKING:
    from fmlint.schema.annotate import FormatPlan, Formatted
    from fmlint.schema.store import SchemaSet

T = TypeVar("T")


class Example(NamedTuple):
    """A file used in a rule's documentation, and in the test that keeps it true."""

    text: str
    name: str = "article.md"
    schema: str | None = None  # a custom schema (JSON) the example is checked against
    options: tuple[tuple[str, Any], ...] = ()  # settings of the rule the example is checked with


class Option(NamedTuple):
    """A setting of a rule, configured under ``[tool.fmlint.rules.<rule-name>]``.

    A value is checked against ``type`` (numbers must also be finite), the bounds
    ``minimum`` and ``maximum`` (inclusive) and, for a list, the type of its ``items``,
    when the configuration is loaded.
    """

    name: str
    type: type | tuple[type, ...]
    default: Any
    help: str
    minimum: float | None = None
    maximum: float | None = None
    items: Any = None  # the type of each item of a list (the field `type` hides the builtin here)
    table: str | None = None  # set by this table of [tool.fmlint] instead (``references``), not the rule's own


Check = Callable[["Context"], Iterable[Diagnostic]]
Collect = Callable[["Context"], Any]
Finish = Callable[["CorpusContext"], Iterable[Diagnostic]]


class Rule(NamedTuple):
    """A check with a stable code. ``stage`` says who reports it.

    - ``read``: the file reader (no front-matter, encoding, …)
    - ``yaml``: the YAML reader (syntax, duplicate keys, …)
    - ``shape``: ``check`` runs on each parsed file first, whatever its data; a finding
      ends the file's check there (the later stages need a mapping of fields)
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


class Context:
    """What a document rule sees: the parsed file, its options, the reference time, and what
    the file's schema says of its values (:meth:`values_with_format`)."""

    __slots__ = ("_clock", "_now", "doc", "options", "rule")

    def __init__(
        self, doc: Document, rule: Rule, options: Mapping[str, Any], now: datetime, clock: ClockUse | None = None
    ) -> None:
        self.doc = doc
        self.rule = rule
        self.options = options
        self._now = now  # the run's reference time (``--now``): read through after_now and quote_now
        self._clock = clock

    def formatted(self) -> tuple[Formatted, ...]:
        """Every value the file's schema (``doc.schema``) gives a ``format``, in document order;
        found once per file, on first use, and shared by every rule."""
        schemas: SchemaSet | None = self.doc.schema
        if schemas is None:  # no schema was chosen for the file (its ``$schema`` names none): no formats
            return ()
        plan = schemas.formats()
        data = self.doc.data
        return self.doc.remember(plan, lambda: _walk(plan, data))

    def values_with_format(self, formats: Collection[str]) -> Iterator[tuple[str, Any]]:
        """``(pointer, value)`` of each value whose schema gives it one of ``formats``."""
        return ((found.pointer, found.value) for found in self.formatted() if found.format in formats)

    def derived(self, compute: Callable[[Context], T]) -> T:
        """``compute(self)``, computed once per file for every rule that asks: what several rules
        read alike (every URL of the file, say). ``compute`` must not read the rule's options."""
        return self.doc.remember(compute, lambda: compute(self))

    def quote_now(self) -> datetime:
        """The reference time, for a message that shows it: the finding then holds for this
        ``now`` only, so the file is linted again whenever ``now`` changes."""
        if self._clock is not None:
            self._clock.exact = True
        return self._now

    def after_now(self, instant: datetime, slack: timedelta = timedelta()) -> bool:
        """Whether ``instant`` is later than ``now + slack``.

        The answer only changes when ``now`` passes ``instant - slack``, so the result
        cache can keep the file's result for every ``now`` on the same side of it.
        """
        try:
            threshold = instant - slack
        except OverflowError:  # before the first representable instant: never later
            return False
        later = self._now < threshold
        clock = self._clock
        if clock is not None:
            if later:
                clock.until = threshold if clock.until is None else min(clock.until, threshold)
            else:
                clock.since = threshold if clock.since is None else max(clock.since, threshold)
        return later

    @property
    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = self.doc.data
        return data

    def report(self, pointer: str, message: str, *, part: Part = "value", fix: Fix | None = None) -> Diagnostic:
        """A diagnostic of this rule at the field ``pointer``."""
        return make_diagnostic(self.rule, self.doc.path, self.doc.locate(pointer, part), pointer, message, fix)

    def position(self, pointer: str, part: Part = "value") -> Position:
        return self.doc.locate(pointer, part)


def _walk(plan: FormatPlan, data: Any) -> tuple[Formatted, ...]:
    from fmlint.schema.mapping import without_schema_key  # ``$schema`` names the schema: it is no field

    return plan.walk(without_schema_key(data))


class Fact(NamedTuple):
    """What a corpus rule keeps of one file: the file, and the rule's small summary of it."""

    path: str
    value: Any


class CorpusContext:
    """What a corpus rule's ``finish`` sees: every file's fact, and the rule's options."""

    __slots__ = ("_clock", "_now", "facts", "options", "rule", "settings", "shared")

    def __init__(
        self,
        rule: Rule,
        facts: Sequence[Fact],
        options: Mapping[str, Any],
        now: datetime | None = None,
        clock: ClockUse | None = None,
        settings: Any = None,
        shared: dict[str, Any] | None = None,
    ) -> None:
        self.rule = rule
        self.facts = facts
        self.options = options
        self._now = now if now is not None else datetime.now().astimezone()
        self._clock = clock
        self.settings = settings  # the run's fmlint.pipeline.check.Settings, when it has them
        # What the corpus rules of one cross-file pass share (rules of one family that check once).
        self.shared: dict[str, Any] = {} if shared is None else shared

    def quote_now(self) -> datetime:
        """The reference time, for a message that shows it (see :meth:`Context.quote_now`)."""
        if self._clock is not None:
            self._clock.exact = True
        return self._now

    def volatile(self) -> None:
        """Say that the findings depend on more than the files and ``now`` (servers, other
        files): the outcome of the run then holds for no ``now``, and is never reused."""
        if self._clock is not None:
            self._clock.include(("range", self._now, self._now))  # an empty range of ``now`` values

    def report(
        self, path: str, position: Position, pointer: str, message: str, related: tuple[Related, ...] = ()
    ) -> Diagnostic:
        """A finding in ``path``; ``related``: the other places it concerns (the other file of a duplicate)."""
        return make_diagnostic(self.rule, path, position, pointer, message, related=related)


def make_diagnostic(
    rule: Rule,
    path: str,
    position: Position,
    pointer: str,
    message: str,
    fix: Fix | None = None,
    related: tuple[Related, ...] = (),
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
        related=related,
    )


def example(text: str, name: str = "article.md", schema: str | None = None) -> tuple[Example, ...]:
    """One documentation example; ``text`` is dedented and starts after its first newline."""
    return (Example(dedent(text).lstrip("\n"), name, schema),)


def dedent(text: str) -> str:
    """What ``textwrap.dedent`` returns: the indentation every line shares removed, lines of
    spaces and tabs only emptied. Every run builds the examples; textwrap and its regular
    expressions would cost more than the rest of them."""
    lines = text.split("\n")
    indents = [line[: len(line) - len(line.lstrip(" \t"))] for line in lines if line.strip(" \t")]
    first, last = min(indents, default=""), max(indents, default="")  # their common prefix is everyone's
    margin = next((index for index, (a, b) in enumerate(zip(first, last, strict=False)) if a != b), len(first))
    return "\n".join(line[margin:] if line.strip(" \t") else "" for line in lines)


# The smallest article the built-in schema accepts: documentation examples start from it.
ARTICLE_HEAD = (
    "---\n"
    'title: "An article"\n'
    "publishedDateTime: 2022-06-21T16:00:00Z\n"
    'webUrl: "https://example.com/an-article"\n'
    "provider: {name: Example News, domain: example.com}\n"
)


def article_with(lines: str) -> tuple[Example, ...]:
    """A documentation example: the smallest valid article plus ``lines`` (each ending in a newline)."""
    return example(ARTICLE_HEAD + lines + "---\n")


# The passing example of every rule that is about the file or its YAML rather than one field.
VALID_ARTICLE = article_with("")
