"""The cross-file pass: the corpus rules, once, over the facts every file's check kept."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, overload

from fmlint.diagnostic import Diagnostic
from fmlint.pipeline.result import FileResult
from fmlint.pipeline.settings import Settings
from fmlint.rules.base import CorpusContext, Fact, Rule
from fmlint.run.clock import ClockUse


def cross_file_findings(
    corpus_rules: Sequence[tuple[Rule, Any]],
    results: Sequence[FileResult],
    settings: Settings,
    clock: ClockUse | None,
    internal_error: Callable[[str, str, Exception], Diagnostic],
) -> list[Diagnostic]:
    """What the corpus rules find across ``results``; ``clock`` notes how it depends on ``now``."""
    found: list[Diagnostic] = []
    shared: dict[str, Any] = {}
    for rule, options in corpus_rules:
        assert rule.finish is not None
        context = CorpusContext(rule, _Facts(rule.code, results), options, settings.now, clock, settings, shared)
        try:
            found.extend(rule.finish(context))
        except Exception as exc:  # a bug in a rule must not stop the run
            found.append(internal_error(f"rule {rule.code} ({rule.name})", "", exc))
    return found


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
