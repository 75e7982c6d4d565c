"""Lint files: read, parse, validate, run the rules; then the cross-file pass.

:meth:`Linter.lint_file` turns one path into a :class:`FileResult` (its diagnostics
and the small facts corpus rules keep) and never raises for bad input.
:meth:`Linter.finish` runs the corpus rules once over every file's facts.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fmlint.diagnostic import Diagnostic
from fmlint.document import Document, Position
from fmlint.fastyaml import read_plain_yaml
from fmlint.rules import BY_CODE, BY_NAME, RULES
from fmlint.rules.base import ClockUse, Context, CorpusContext, Fact, Rule, make_diagnostic
from fmlint.schema.store import SchemaSet
from fmlint.source import Head, ReadProblem, read_head, split_front_matter
from fmlint.yamlread import Limits, read_yaml

_SCHEMA_RULES = frozenset(rule.code for rule in RULES if rule.stage == "schema")


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to lint a file, resolved once from config and flags.

    Every field except ``now`` and ``show_traceback`` is part of the result cache's
    key (see :func:`fmlint.cache.configuration_key`): a field added here that
    changes results invalidates the cache without further work. ``now`` is kept
    with each result that read it instead.
    """

    schemas: SchemaSet
    enabled: frozenset[str]
    limits: Limits = Limits()
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    now: datetime = field(default_factory=lambda: datetime.now().astimezone())
    show_traceback: bool = False

    def options_for(self, rule: Rule) -> Mapping[str, Any]:
        configured = self.options.get(rule.name, {})
        return {option.name: configured.get(option.name, option.default) for option in rule.options}


@dataclass(frozen=True, slots=True)
class FileResult:
    """What linting one file produced: its diagnostics and the corpus rules' facts.

    A result is stored whole in the result cache and carried between processes, so
    every field must be small picklable data.
    """

    path: str
    diagnostics: tuple[Diagnostic, ...]
    facts: tuple[tuple[str, Any], ...] = ()
    uses_now: bool = False  # a rule read the run's ``now``: the result holds for that ``now`` only

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt through the constructor, every field in order: loading a warm cache
        # spends a third of the time the generic state of a frozen, slotted class costs.
        return (FileResult, tuple(getattr(self, name) for name in FileResult.__slots__))


class Linter:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        enabled = settings.enabled
        self.document_rules = [
            (rule, settings.options_for(rule)) for rule in RULES if rule.code in enabled and rule.check is not None
        ]
        self.corpus_rules = [
            (rule, settings.options_for(rule)) for rule in RULES if rule.code in enabled and rule.collect is not None
        ]
        self.check_schema = bool(enabled & _SCHEMA_RULES)

    def lint_file(self, path: str) -> FileResult:
        return self.lint_head(path, read_head(path, self.settings.limits.max_front_matter_bytes))

    def lint_head(self, path: str, head: Head | ReadProblem) -> FileResult:
        """Lint a file from what :func:`fmlint.source.read_head` read of it."""
        settings = self.settings
        if isinstance(head, ReadProblem):
            return FileResult(path, self._keep([_read_problem(path, head)]))
        source = split_front_matter(path, head.data, head.complete, settings.limits.max_front_matter_bytes)
        if isinstance(source, ReadProblem):
            return FileResult(path, self._keep([_read_problem(path, source)]))
        parsed = read_plain_yaml(source.text, settings.limits) or read_yaml(source.text, settings.limits)
        doc = Document(path, source, parsed.data, parsed.spans)
        found = [
            make_diagnostic(
                BY_NAME[issue.kind], path, doc.position_of_span(issue.start, issue.end), issue.pointer, issue.message
            )
            for issue in parsed.issues
        ]
        if parsed.fatal:
            return FileResult(path, self._keep(found))
        if parsed.empty:
            found.append(
                make_diagnostic(
                    BY_NAME["empty-front-matter"],
                    path,
                    doc.opening_fence(),
                    "",
                    "front-matter is empty: it holds no fields",
                )
            )
            return FileResult(path, self._keep(found))
        if not isinstance(parsed.data, dict):
            what = "a list" if isinstance(parsed.data, list) else "a single value"
            message = f"front-matter must be a mapping of `key: value` fields, but it is {what}"
            found.append(make_diagnostic(BY_NAME["front-matter-not-mapping"], path, doc.locate(""), "", message))
            return FileResult(path, self._keep(found))
        if self.check_schema and not settings.schemas.is_valid(parsed.data):
            found.extend(self._schema_diagnostics(doc))
        facts = []
        clock = ClockUse()
        for rule, options in self.document_rules:
            assert rule.check is not None
            found.extend(self._guard(rule, path, rule.check, Context(doc, rule, options, settings.now, clock)))
        for rule, options in self.corpus_rules:
            fact = self._run_collect(rule, Context(doc, rule, options, settings.now, clock), found)
            if fact is not None:
                facts.append((rule.code, fact))
        return FileResult(path, self._keep(found), tuple(facts), clock.read)

    def finish(self, results: Iterable[FileResult], clock: ClockUse | None = None) -> list[Diagnostic]:
        """Run the corpus rules over the facts of every file; ``clock`` notes a read of ``now``."""
        facts: dict[str, list[Fact]] = {rule.code: [] for rule, _ in self.corpus_rules}
        for result in results:
            for code, value in result.facts:
                facts[code].append(Fact(result.path, value))
        found: list[Diagnostic] = []
        for rule, options in self.corpus_rules:
            assert rule.finish is not None
            found.extend(
                self._guard(
                    rule, "", rule.finish, CorpusContext(rule, facts[rule.code], options, self.settings.now, clock)
                )
            )
        return self._keep_list(found)

    def _schema_diagnostics(self, doc: Document) -> Iterator[Diagnostic]:
        from fmlint.schema.explain import explain

        errors = self.settings.schemas.validator().iter_errors(doc.data)
        for problem in explain(errors):
            rule = BY_NAME[problem.rule]
            position = doc.locate(problem.pointer, problem.part)  # type: ignore[arg-type]
            yield make_diagnostic(rule, doc.path, position, problem.pointer, problem.message)

    def _guard(
        self, rule: Rule, path: str, function: Callable[[Any], Iterable[Diagnostic]], context: Any
    ) -> list[Diagnostic]:
        try:
            return list(function(context))
        except Exception as exc:  # a bug in a rule must not stop the run
            return [self._internal_error(rule, path, exc)]

    def _run_collect(self, rule: Rule, context: Context, found: list[Diagnostic]) -> Any:
        assert rule.collect is not None
        try:
            return rule.collect(context)
        except Exception as exc:
            found.append(self._internal_error(rule, context.doc.path, exc))
            return None

    def _internal_error(self, rule: Rule, path: str, exc: Exception) -> Diagnostic:
        if self.settings.show_traceback:
            traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
        message = (
            f"internal error in rule {rule.code} ({rule.name}): {type(exc).__name__}: {exc}; "
            f"this is a bug in fmlint, run with --show-traceback for details"
        )
        return make_diagnostic(BY_CODE["FM902"], path, Position(1, 1, 1, 2), "", message)

    def _keep(self, found: list[Diagnostic]) -> tuple[Diagnostic, ...]:
        return tuple(self._keep_list(found))

    def _keep_list(self, found: list[Diagnostic]) -> list[Diagnostic]:
        enabled = self.settings.enabled
        return [diagnostic for diagnostic in found if diagnostic.code in enabled]


def _read_problem(path: str, problem: ReadProblem) -> Diagnostic:
    position = Position(problem.line, problem.column, problem.end_line, problem.end_column)
    return make_diagnostic(BY_NAME[problem.kind], path, position, "", problem.message)


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")
