"""Lint files: read, parse, validate, run the rules; then the cross-file pass.

:meth:`Linter.lint_file` turns one path into a :class:`FileResult` (its diagnostics
and the small facts corpus rules keep) and never raises for bad input. It applies
``per-file-ignores`` and the file's suppression comments; the suppressions that
cross-file findings may still need travel in the result.
:meth:`Linter.finish` runs the corpus rules once over every file's facts, and
applies the same suppressions to their findings.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple, overload

from fmlint import suppress
from fmlint.diagnostic import Diagnostic, Severity
from fmlint.document import Document, Position
from fmlint.fastyaml import read_front_matter_yaml
from fmlint.rules import BY_CODE, BY_NAME, RULES, UnknownCode, matching
from fmlint.rules.base import ClockUse, Context, CorpusContext, Fact, NowWindow, Rule, make_diagnostic
from fmlint.rules.syntax import yaml11_boolean_fix
from fmlint.schema.store import SchemaSet
from fmlint.source import Head, ReadProblem, Source, read_file_head, split_front_matter
from fmlint.yamlread import Limits

_SCHEMA_RULES = frozenset(rule.code for rule in RULES if rule.stage == "schema")


class Settings:
    """Everything a run needs to lint a file, resolved once from config and flags.

    Every field (listed in ``_fields``) except ``now`` and ``show_traceback`` is part
    of the result cache's key (see :func:`fmlint.cache.configuration_key`): a field
    added here that changes results invalidates the cache without further work.
    ``now`` is kept with each result that read it instead.
    """

    _fields = (
        "schemas",
        "enabled",
        "limits",
        "options",
        "now",
        "show_traceback",
        "per_file_ignores",
        "severities",
        "links",
    )
    __slots__ = _fields

    def __init__(
        self,
        schemas: SchemaSet,
        enabled: frozenset[str],
        limits: Limits = Limits(),
        options: Mapping[str, Mapping[str, Any]] | None = None,
        now: datetime | None = None,
        show_traceback: bool = False,
        per_file_ignores: tuple[suppress.FileIgnore, ...] = (),
        severities: Mapping[str, Severity] | None = None,
        links: Any = None,
    ) -> None:
        self.schemas = schemas
        self.enabled = enabled
        self.limits = limits
        self.options: Mapping[str, Mapping[str, Any]] = {} if options is None else options
        self.now = datetime.now().astimezone() if now is None else now
        self.show_traceback = show_traceback
        self.per_file_ignores = per_file_ignores
        self.severities: Mapping[str, Severity] = {} if severities is None else severities  # code -> severity
        self.links = links  # fmlint.links.settings.LinkSettings: how FM8 checks links (None: offline, no cache)

    def schema_for(self, path: str, data: Any) -> SchemaSet:
        """The schema the file ``path`` (holding ``data``) is checked against."""
        return self.schemas

    def options_for(self, rule: Rule) -> Mapping[str, Any]:
        configured = self.options.get(rule.name, {})
        return {option.name: configured.get(option.name, option.default) for option in rule.options}


class FileResult(NamedTuple):
    """What linting one file produced: its diagnostics and the corpus rules' facts.

    ``suppressions`` are the file's suppression comments that could still suppress a
    cross-file finding; the cross-file pass applies them and reports those left unused.
    A result is stored whole in the result cache and carried between processes, so
    every field must be small picklable data.
    """

    path: str
    diagnostics: tuple[Diagnostic, ...]
    facts: tuple[tuple[str, Any], ...] = ()
    suppressions: tuple[suppress.Suppression, ...] = ()
    now_window: NowWindow | None = None  # the run's ``now`` values the result holds for (None: all)


class Linter:
    def __init__(self, settings: Settings, rules: Sequence[Rule] = RULES) -> None:
        self.settings = settings
        self.rules = rules
        enabled = settings.enabled
        self.document_rules = [
            (rule, settings.options_for(rule)) for rule in rules if rule.code in enabled and rule.check is not None
        ]
        self.corpus_rules = [
            (rule, settings.options_for(rule)) for rule in rules if rule.code in enabled and rule.collect is not None
        ]
        self.check_schema = bool(enabled & _SCHEMA_RULES)
        self.corpus_codes = frozenset(rule.code for rule, _ in self.corpus_rules)
        self._selectors: dict[str, frozenset[str]] = {}

    def lint_file(self, path: str) -> FileResult:
        try:
            head = read_file_head(path, self.settings.limits.max_front_matter_bytes)
        except Exception as exc:  # a bug in reading one file must not stop the run
            return self._result(path, [self._internal_error("fmlint while reading this file", path, exc)])
        return self.lint_head(path, head)

    def lint_head(self, path: str, head: Head | ReadProblem) -> FileResult:
        """Lint a file from what :func:`fmlint.source.read_file_head` read of it."""
        if isinstance(head, ReadProblem):
            return self.lint_source(path, head)
        max_bytes = self.settings.limits.max_front_matter_bytes
        try:
            source = split_front_matter(path, head.data, head.complete, max_bytes)
        except Exception as exc:  # a bug in reading one file must not stop the run
            return self._result(path, [self._internal_error("fmlint while reading this file", path, exc)])
        return self.lint_source(path, source)

    def lint_source(self, path: str, source: Source | ReadProblem) -> FileResult:
        """Lint front-matter that has already been read (``--fix`` lints the text it is about to write)."""
        try:
            return self._lint_source(path, source)
        except Exception as exc:  # a bug in validating one file must not stop the run
            error = self._internal_error("fmlint while reading or validating this file", path, exc)
            return self._result(path, [error])

    def _lint_source(self, path: str, source: Source | ReadProblem) -> FileResult:
        settings = self.settings
        if isinstance(source, ReadProblem):
            return self._result(path, [_read_problem(path, source)])
        parsed = read_front_matter_yaml(source.text, settings.limits)
        doc = Document(path, source, parsed.data, parsed.spans)
        found = [
            make_diagnostic(
                BY_NAME[issue.kind],
                path,
                doc.position_of_span(issue.start, issue.end),
                issue.pointer,
                issue.message,
                yaml11_boolean_fix(source.text, issue.start, issue.end) if issue.kind == "yaml11-boolean" else None,
            )
            for issue in parsed.issues
        ]
        if parsed.fatal:  # where the comments are is not known when the YAML cannot be read
            return self._result(path, found)
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
            return self._result(path, found, doc)
        if not isinstance(parsed.data, dict):
            what = "a list" if isinstance(parsed.data, list) else "a single value"
            message = f"front-matter must be a mapping of `key: value` fields, but it is {what}"
            found.append(make_diagnostic(BY_NAME["front-matter-not-mapping"], path, doc.locate(""), "", message))
            return self._result(path, found, doc)
        if self.check_schema:
            found.extend(self._schema_check(doc))
        facts = []
        clock = ClockUse()
        now = settings.now
        schemas = settings.schema_for(path, doc.data)  # the rules read which values it gives a format
        for rule, options in self.document_rules:
            assert rule.check is not None
            # _guard inlined: this loop runs for every rule of every file.
            before = len(found)
            try:
                found.extend(rule.check(Context(doc, rule, options, now, clock, schemas)))
            except Exception as exc:  # a bug in a rule must not stop the run: none of its findings count
                del found[before:]
                found.append(self._internal_error(f"rule {rule.code} ({rule.name})", path, exc))
        for rule, options in self.corpus_rules:
            fact = self._run_collect(rule, Context(doc, rule, options, now, clock, schemas), found)
            if fact is not None:
                facts.append((rule.code, fact))
        return self._result(path, found, doc, tuple(facts), clock.window(settings.now))

    def finish(self, results: Iterable[FileResult], clock: ClockUse | None = None) -> list[Diagnostic]:
        """Run the corpus rules over the facts of every file, honouring each file's suppressions;
        ``clock`` notes how their findings depend on ``now``."""
        results = results if isinstance(results, Sequence) else list(results)
        suppressions = {result.path: result.suppressions for result in results if result.suppressions}
        found: list[Diagnostic] = []
        shared: dict[str, Any] = {}
        for rule, options in self.corpus_rules:
            assert rule.finish is not None
            facts = _Facts(rule.code, results)
            context = CorpusContext(rule, facts, options, self.settings.now, clock, self.settings, shared)
            found.extend(self._guard(rule, "", rule.finish, context))
        by_path: dict[str, list[Diagnostic]] = {}
        for diagnostic in found:
            by_path.setdefault(diagnostic.path, []).append(diagnostic)
        kept: list[Diagnostic] = []
        for path in by_path.keys() | suppressions.keys():
            judged = self.judged_codes(path)
            diagnostics = [diagnostic for diagnostic in by_path.get(path, ()) if diagnostic.code in judged]
            remaining, used = suppress.apply(suppressions.get(path, ()), diagnostics)
            kept.extend(remaining)
            kept.extend(self._unused(path, used, judged))
        return self.with_severities(kept)

    def with_severities(self, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
        """``diagnostics`` with the severities ``[tool.fmlint.severity]`` gives their rules: policy, applied
        where the run decides what it reports for a file and across files, so every way of linting agrees."""
        severities = self.settings.severities
        if not severities:
            return diagnostics
        return [
            diagnostic._replace(severity=severities[diagnostic.code])
            if diagnostic.code in severities and diagnostic.severity != severities[diagnostic.code]
            else diagnostic
            for diagnostic in diagnostics
        ]

    def ignored_codes(self, path: str) -> frozenset[str]:
        """The codes ``per-file-ignores`` leaves out for ``path``."""
        ignores = self.settings.per_file_ignores
        return suppress.ignored_codes(ignores, path) if ignores else frozenset()

    def judged_codes(self, path: str) -> frozenset[str]:
        """The codes reported for ``path``: those enabled, less those ``per-file-ignores`` leaves out."""
        ignored = self.ignored_codes(path)
        return self.settings.enabled - ignored if ignored else self.settings.enabled

    def reports(self, code: str, path: str) -> bool:
        """Whether a finding of ``code`` in ``path`` is reported (before suppression comments)."""
        return code in self.settings.enabled and code not in self.ignored_codes(path)

    def _result(
        self,
        path: str,
        found: list[Diagnostic],
        doc: Document | None = None,
        facts: tuple[tuple[str, Any], ...] = (),
        now_window: NowWindow | None = None,
    ) -> FileResult:
        """Keep the findings this run reports for ``path``: enabled, not ignored for it, not suppressed."""
        judged = self.judged_codes(path)
        kept = [diagnostic for diagnostic in found if diagnostic.code in judged]
        if doc is None:
            return FileResult(path, tuple(self.with_severities(kept)), facts, now_window=now_window)
        suppressions, invalid = suppress.read_suppressions(doc, self._resolve)
        if not suppressions and not invalid:
            return FileResult(path, tuple(self.with_severities(kept)), facts, now_window=now_window)
        kept, used = suppress.apply(suppressions, kept)
        # Suppressions a cross-file finding may still need are judged after the cross-file pass.
        corpus = self.corpus_codes & judged
        later = tuple(suppression for suppression in used if suppression.names(corpus))
        now = [suppression for suppression in used if not suppression.names(corpus)]
        kept.extend(self._unused(path, now, judged))
        if suppress.INVALID in judged:
            rule = BY_CODE[suppress.INVALID]
            kept.extend(make_diagnostic(rule, path, problem.position, "", problem.message) for problem in invalid)
        return FileResult(path, tuple(self.with_severities(kept)), facts, later, now_window)

    def _unused(
        self, path: str, suppressions: Iterable[suppress.Suppression], judged: frozenset[str]
    ) -> list[Diagnostic]:
        if suppress.UNUSED not in judged:
            return []
        rule = BY_CODE[suppress.UNUSED]
        return [
            make_diagnostic(rule, path, unused.position, "", unused.message, unused.fix)
            for unused in suppress.unused(suppressions, judged)
        ]

    def _resolve(self, selector: str) -> frozenset[str]:
        """The codes a selector in a suppression names (empty when unknown); remembered per run."""
        codes = self._selectors.get(selector)
        if codes is None:
            try:
                codes = frozenset(rule.code for rule in matching(selector, self.rules))
            except UnknownCode:
                codes = frozenset()
            self._selectors[selector] = codes
        return codes

    def _schema_check(self, doc: Document) -> list[Diagnostic]:
        found: list[Diagnostic] = []
        try:
            if not self.settings.schemas.is_valid(doc.data):
                found.extend(self._schema_diagnostics(doc))
                if not found:  # the explanation ran out of its budget before it found an error
                    message = "front-matter does not match the schema (the schema is too intricate to say where)"
                    found.append(make_diagnostic(BY_NAME["schema-violation"], doc.path, doc.locate(""), "", message))
        except RecursionError:  # a recursive schema walks as deep as the data: the validator's stack ends first
            message = (
                f"front-matter is nested too deeply to be checked against the schema; lower the limit "
                f"max-depth (now {self.settings.limits.max_depth}) to report such files before they are checked"
            )
            found.append(make_diagnostic(BY_NAME["limit-exceeded"], doc.path, doc.locate(""), "", message))
        return found

    def _schema_diagnostics(self, doc: Document) -> Iterator[Diagnostic]:
        from fmlint.schema.explain import explain

        for problem in explain(self.settings.schemas.violations(doc.data)):
            rule = BY_NAME[problem.rule]
            position = doc.locate(problem.pointer, problem.part)  # type: ignore[arg-type]
            yield make_diagnostic(rule, doc.path, position, problem.pointer, problem.message)

    def _guard(
        self, rule: Rule, path: str, function: Callable[[Any], Iterable[Diagnostic]], context: Any
    ) -> list[Diagnostic]:
        try:
            return list(function(context))
        except Exception as exc:  # a bug in a rule must not stop the run
            return [self._internal_error(f"rule {rule.code} ({rule.name})", path, exc)]

    def _run_collect(self, rule: Rule, context: Context, found: list[Diagnostic]) -> Any:
        assert rule.collect is not None
        try:
            return rule.collect(context)
        except Exception as exc:
            found.append(self._internal_error(f"rule {rule.code} ({rule.name})", context.doc.path, exc))
            return None

    def _internal_error(self, where: str, path: str, exc: Exception) -> Diagnostic:
        if self.settings.show_traceback:
            import traceback

            from fmlint.escape import printable

            # The frames are fmlint's own code; the exception's text may quote the file.
            frames = "".join(traceback.format_tb(exc.__traceback__))
            detail = f"{type(exc).__name__}: {printable(str(exc))}"
            print(f"Traceback (most recent call last):\n{frames}{detail}", file=sys.stderr)
        message = (
            f"internal error in {where}: {type(exc).__name__}: {_shorten(str(exc))}; "
            f"this is a bug in fmlint, run with --show-traceback for details"
        )
        return make_diagnostic(BY_CODE["FM902"], path, Position(1, 1, 1, 2), "", message)


class _Facts(Sequence[Fact]):
    """One corpus rule's facts, each made from a file's result when it is read.

    A run of 100,000 files would otherwise hold 100,000 more objects per corpus rule
    through the cross-file pass, beside the results that already hold the facts."""

    __slots__ = ("_code", "_holders", "_results")

    def __init__(self, code: str, results: Sequence[FileResult]) -> None:
        self._code = code
        self._results = results
        self._holders: list[int] | None = None  # the index of each result with a fact, once one is asked for

    def __iter__(self) -> Iterator[Fact]:
        code = self._code
        for result in self._results:
            for fact_code, value in result.facts:
                if fact_code == code:
                    yield Fact(result.path, value)

    def __len__(self) -> int:
        return len(self._indexes())

    @overload
    def __getitem__(self, index: int) -> Fact: ...

    @overload
    def __getitem__(self, index: slice) -> list[Fact]: ...

    def __getitem__(self, index: int | slice) -> Fact | list[Fact]:
        if isinstance(index, slice):
            return [self[position] for position in range(*index.indices(len(self)))]
        result = self._results[self._indexes()[index]]
        return Fact(result.path, dict(result.facts)[self._code])

    def _indexes(self) -> list[int]:
        if self._holders is None:
            code = self._code
            self._holders = [
                index for index, result in enumerate(self._results) if any(item == code for item, _ in result.facts)
            ]
        return self._holders


def _read_problem(path: str, problem: ReadProblem) -> Diagnostic:
    position = Position(problem.line, problem.column, problem.end_line, problem.end_column)
    return make_diagnostic(BY_NAME[problem.kind], path, position, "", problem.message)


def _shorten(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")
