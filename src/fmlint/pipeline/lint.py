"""Lint a file: the pipeline's stages put together, and the one function everything wraps.

:meth:`Linter.lint_data` is the pure per-file check: a file's bytes, its path and the
run's settings in; its findings (as the policy reports them) and its facts for the
cross-file pass out. It reads no file and writes nothing. The command line, the
result cache, the worker pool, the fixer, the editor server and the Python API all
wrap it; :meth:`Linter.finish` is the cross-file pass over the results.

    bytes --split--> front-matter --check--> findings --policy--> FileResult
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from fmlint.diagnostic import Diagnostic
from fmlint.pipeline.check import Checker
from fmlint.pipeline.corpus import cross_file_findings
from fmlint.pipeline.result import FileResult
from fmlint.pipeline.settings import Settings
from fmlint.pipeline.source import ReadProblem, Source, read_file_head, split_front_matter
from fmlint.policy import Policy
from fmlint.rules import RULES
from fmlint.rules.base import Rule
from fmlint.run.clock import ClockUse

# As much of a file as is read to lint it, beyond the front-matter limit: room for its fences.
_FENCE_ROOM = 4096


class Linter:
    """A run's checks (:class:`~fmlint.pipeline.check.Checker`) and its policy
    (:class:`~fmlint.policy.Policy`), built once from its settings."""

    def __init__(self, settings: Settings, rules: Sequence[Rule] = RULES) -> None:
        self.settings = settings
        self.rules = rules
        self.checker = Checker(settings, rules)
        self.policy = Policy(settings.enabled, settings.per_file_ignores, settings.severities, rules)

    def lint_data(self, path: str, data: bytes, complete: bool | None = None) -> FileResult:
        """The result of the file ``path`` whose bytes (its start, when ``complete`` is false) are ``data``."""
        try:
            source = self.split(path, data, complete)
        except Exception as exc:  # a bug in reading one file must not stop the run
            return self._failed(path, "fmlint while reading this file", exc)
        return self.lint_source(path, source)

    def split(self, path: str, data: bytes, complete: bool | None = None) -> Source | ReadProblem:
        """The front-matter of the file ``path`` whose bytes are ``data``, read as a file on disk is read:
        as far as the front-matter limit allows (``complete``: whether ``data`` is all of the file; by
        default, the whole file is in ``data``)."""
        max_bytes = self.settings.limits.max_front_matter_bytes
        if complete is None:
            complete = len(data) <= max_bytes + _FENCE_ROOM
            data = data[: max_bytes + _FENCE_ROOM]
        return split_front_matter(path, data, complete, max_bytes)

    def lint_source(self, path: str, source: Source | ReadProblem) -> FileResult:
        """The result of front-matter already split from its file (the fixer lints what it would write)."""
        checked = self.checker.check(path, source)
        return self.policy.file_result(path, checked.found, checked.doc, checked.facts, checked.now_window)

    def lint_file(self, path: str) -> FileResult:
        """:meth:`lint_data` on the file at ``path``, read as every file is (regular files only, bounded)."""
        try:
            head = read_file_head(path, self.settings.limits.max_front_matter_bytes)
        except Exception as exc:  # a bug in reading one file must not stop the run
            return self._failed(path, "fmlint while reading this file", exc)
        if isinstance(head, ReadProblem):
            return self.lint_source(path, head)
        return self.lint_data(path, head.data, head.complete)

    def finish(self, results: Iterable[FileResult], clock: ClockUse | None = None) -> list[Diagnostic]:
        """The cross-file pass over every file's result, honouring each file's suppressions;
        ``clock`` notes how its findings depend on ``now``."""
        results = results if isinstance(results, Sequence) else list(results)
        if clock is not None and self.settings.schema_map.read_by(results):
            clock.include(("range", self.settings.now, self.settings.now))  # `$schema` files: judged again next run
        found = cross_file_findings(self.checker.corpus_rules, results, self.settings, clock, self.internal_error)
        suppressions = {result.path: result.suppressions for result in results if result.suppressions}
        return self.policy.cross_file(found, suppressions)

    def internal_error(self, where: str, path: str, exc: Exception) -> Diagnostic:
        return self.checker.internal_error(where, path, exc)

    def _failed(self, path: str, where: str, exc: Exception) -> FileResult:
        return self.policy.file_result(path, [self.internal_error(where, path, exc)])
