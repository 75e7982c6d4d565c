"""``--fix`` and ``--diff`` over a run's files: each file through the fix engine, then the cross-file pass.

Files being fixed are read from their bytes, never answered from the result cache,
and fixed one at a time in this process (a fix rewrites a file the pool would read).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from fmlint.diagnostic import Diagnostic
from fmlint.fix.engine import Fixer, Outcome
from fmlint.pipeline.discover import Target
from fmlint.pipeline.lint import Linter
from fmlint.run.runner import collect, lint_targets


def fix_targets(fixer: Fixer, targets: Iterable[Target]) -> tuple[list[Diagnostic], list[str], list[Outcome]]:
    """Fix every target; return what remains to report (sorted), the files checked, and each file's outcome."""
    outcomes: list[Outcome] = []

    def fixed() -> Iterator[tuple[str, Any]]:
        for target in targets:
            if target.problem is not None:
                yield "problem", target
                continue
            outcome = fixer.fix_file(target.path)
            outcomes.append(outcome)
            yield "result", outcome.result

    diagnostics, checked = collect(fixer.linter, fixed())
    return diagnostics, checked, outcomes


def cross_file_fixes(linter: Linter, targets: Iterable[Target]) -> dict[str, tuple[Diagnostic, ...]]:
    """The fixes only the cross-file pass finds (a link that moved, found once every file is read), by path."""
    diagnostics, _ = lint_targets(linter, targets)
    found: dict[str, tuple[Diagnostic, ...]] = {}
    for diagnostic in diagnostics:
        if diagnostic.code.startswith("FM8") and diagnostic.fix is not None:
            found[diagnostic.path] = (*found.get(diagnostic.path, ()), diagnostic)
    return found
