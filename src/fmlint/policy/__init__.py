"""Deciding what is reported: selection, ``per-file-ignores``, suppression comments, severities.

The checks find problems; this module decides which of them a run reports, and how
loudly. Each decision is made in one place, so the command line, the result cache,
the worker pool, the fixer, the editor server and the Python API all agree:

- a finding of a rule that is not enabled, or that ``per-file-ignores`` leaves out
  for its file, is dropped;
- a finding a suppression comment covers is dropped, and a comment that covers
  nothing is itself reported (FM901), once the cross-file pass had its chance;
- each finding takes the severity ``[tool.fmlint.severity]`` gives its rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from fmlint.diagnostic import Diagnostic, Severity
from fmlint.pipeline.document import Document
from fmlint.pipeline.result import FileResult
from fmlint.policy import suppress
from fmlint.rules import BY_CODE, UnknownCode, matching
from fmlint.rules.base import Rule, make_diagnostic
from fmlint.run.clock import NowWindow


class Policy:
    """What a run reports, from its settings: the enabled codes, the ignores, the severities."""

    def __init__(
        self,
        enabled: frozenset[str],
        per_file_ignores: tuple[suppress.FileIgnore, ...] = (),
        severities: Mapping[str, Severity] | None = None,
        rules: Sequence[Rule] = (),
    ) -> None:
        self.enabled = enabled
        self.per_file_ignores = per_file_ignores
        self.severities: Mapping[str, Severity] = severities or {}
        self.rules = rules
        self.corpus_codes = frozenset(rule.code for rule in rules if rule.collect is not None) & enabled
        self._selectors: dict[str, frozenset[str]] = {}

    def ignored_codes(self, path: str) -> frozenset[str]:
        """The codes ``per-file-ignores`` leaves out for ``path``."""
        ignores = self.per_file_ignores
        return suppress.ignored_codes(ignores, path) if ignores else frozenset()

    def judged_codes(self, path: str) -> frozenset[str]:
        """The codes reported for ``path``: those enabled, less those ``per-file-ignores`` leaves out."""
        ignored = self.ignored_codes(path)
        return self.enabled - ignored if ignored else self.enabled

    def reports(self, code: str, path: str) -> bool:
        """Whether a finding of ``code`` in ``path`` is reported (before suppression comments)."""
        return code in self.enabled and code not in self.ignored_codes(path)

    def with_severities(self, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
        """``diagnostics`` with the severities ``[tool.fmlint.severity]`` gives their rules."""
        severities = self.severities
        if not severities:
            return diagnostics
        return [
            diagnostic._replace(severity=severities[diagnostic.code])
            if diagnostic.code in severities and diagnostic.severity != severities[diagnostic.code]
            else diagnostic
            for diagnostic in diagnostics
        ]

    def file_result(
        self,
        path: str,
        found: list[Diagnostic],
        doc: Document | None = None,
        facts: tuple[tuple[str, object], ...] = (),
        now_window: NowWindow | None = None,
    ) -> FileResult:
        """What is reported of one file's findings: enabled, not ignored for it, not suppressed by
        its comments (``doc``, when it could be parsed); the comments a cross-file finding may
        still need travel in the result."""
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

    def cross_file(
        self, found: Iterable[Diagnostic], suppressions: Mapping[str, tuple[suppress.Suppression, ...]]
    ) -> list[Diagnostic]:
        """What is reported of the cross-file pass's findings, with each file's remaining suppressions
        (those left unused by then are reported)."""
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
