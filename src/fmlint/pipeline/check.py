"""Check one file's front-matter: parse it, then its shape, the schema and the rules.

:meth:`Checker.check` is where a file's problems are found; it decides nothing about
what is reported (that is :mod:`fmlint.policy`) and reads nothing from disk (the
front-matter arrives already split from the file, see :mod:`fmlint.pipeline.source`).
A bug in one rule becomes that rule's FM902 finding, never the end of the run.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

from fmlint.diagnostic import Diagnostic
from fmlint.pipeline.document import Document, Position
from fmlint.pipeline.fastyaml import read_front_matter_yaml
from fmlint.pipeline.settings import Settings
from fmlint.pipeline.source import ReadProblem, Source
from fmlint.rules import BY_CODE, BY_NAME, RULES
from fmlint.rules.base import Context, Rule, make_diagnostic
from fmlint.rules.syntax import yaml11_boolean_fix
from fmlint.run.clock import ClockUse, NowWindow
from fmlint.schema.store import SchemaSet

_SCHEMA_RULES = frozenset(rule.code for rule in RULES if rule.stage == "schema")


class Checked(NamedTuple):
    """What checking one file found, before the policy decides what of it is reported."""

    found: list[Diagnostic]
    doc: Document | None = None  # the parsed file, when it could be parsed (its suppression comments)
    facts: tuple[tuple[str, Any], ...] = ()  # each corpus rule's fact, by code
    now_window: NowWindow | None = None


class Checker:
    """The checks of a run, prepared once from its settings: which rules run, with which options."""

    def __init__(self, settings: Settings, rules: Sequence[Rule] = RULES) -> None:
        self.settings = settings
        enabled = settings.enabled
        # Every shape rule runs, enabled or not: the later stages need the mapping they vouch for.
        self.shape_rules = [(rule, settings.options_for(rule)) for rule in rules if rule.stage == "shape"]
        self.document_rules = [
            (rule, settings.options_for(rule))
            for rule in rules
            if rule.code in enabled and rule.check is not None and rule.stage != "shape"
        ]
        self.corpus_rules = [
            (rule, settings.options_for(rule)) for rule in rules if rule.code in enabled and rule.collect is not None
        ]
        self.check_schema = bool(enabled & _SCHEMA_RULES)

    def check(self, path: str, source: Source | ReadProblem) -> Checked:
        try:
            return self._check(path, source)
        except Exception as exc:  # a bug in validating one file must not stop the run
            return Checked([self.internal_error("fmlint while reading or validating this file", path, exc)])

    def _check(self, path: str, source: Source | ReadProblem) -> Checked:
        settings = self.settings
        if isinstance(source, ReadProblem):
            return Checked([_read_problem(path, source)])
        parsed = read_front_matter_yaml(source.text, settings.limits)
        doc = Document(path, source, parsed.data, parsed.spans, parsed.empty, settings.limits)
        doc.issues = tuple(parsed.issues)
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
            return Checked(found)
        clock = ClockUse()
        now = settings.now
        shape = self._run(self.shape_rules, doc, clock)
        if shape:
            return Checked(found + shape, doc)
        found.extend(self._schema_check(doc))
        found.extend(self._run(self.document_rules, doc, clock))
        facts = []
        dependency = settings.schema_map.dependency(path, doc.data)
        if dependency is not None:  # the result holds while the schema its `$schema` names is unchanged
            facts.append(dependency)
        for rule, options in self.corpus_rules:
            assert rule.collect is not None
            try:
                fact = rule.collect(Context(doc, rule, options, now, clock))
            except Exception as exc:  # a bug in a rule must not stop the run
                found.append(self.internal_error(f"rule {rule.code} ({rule.name})", path, exc))
                continue
            if fact is not None:
                facts.append((rule.code, fact))
        return Checked(found, doc, tuple(facts), clock.window(now))

    def _run(self, rules: list[tuple[Rule, Any]], doc: Document, clock: ClockUse) -> list[Diagnostic]:
        found: list[Diagnostic] = []
        now = self.settings.now
        for rule, options in rules:
            assert rule.check is not None
            before = len(found)
            try:
                found.extend(rule.check(Context(doc, rule, options, now, clock)))
            except Exception as exc:  # a bug in a rule must not stop the run: none of its findings count
                del found[before:]
                found.append(self.internal_error(f"rule {rule.code} ({rule.name})", doc.path, exc))
        return found

    def _schema_check(self, doc: Document) -> list[Diagnostic]:
        from fmlint.schema.mapping import FileSchemaError, without_schema_key

        try:
            doc.schema = schemas = self.settings.schema_for(doc.path, doc.data)
        except FileSchemaError as exc:
            rule = BY_NAME["unusable-schema"]
            return [make_diagnostic(rule, doc.path, doc.locate("/$schema"), "/$schema", str(exc))]
        if not self.check_schema:
            return []
        data = without_schema_key(doc.data)
        found: list[Diagnostic] = []
        try:
            if not schemas.is_valid(data):
                found.extend(self._schema_diagnostics(doc, schemas, data))
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

    def _schema_diagnostics(self, doc: Document, schemas: SchemaSet, data: Any) -> Iterator[Diagnostic]:
        from fmlint.schema.explain import explain

        for problem in explain(schemas.violations(data)):
            rule = BY_NAME[problem.rule]
            position = doc.locate(problem.pointer, problem.part)  # type: ignore[arg-type]
            yield make_diagnostic(rule, doc.path, position, problem.pointer, problem.message)

    def internal_error(self, where: str, path: str, exc: Exception) -> Diagnostic:
        """FM902 for a bug in fmlint met while checking ``path`` (with its traceback on stderr when asked)."""
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


def _read_problem(path: str, problem: ReadProblem) -> Diagnostic:
    position = Position(problem.line, problem.column, problem.end_line, problem.end_column)
    return make_diagnostic(BY_NAME[problem.kind], path, position, "", problem.message)


def _shorten(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
