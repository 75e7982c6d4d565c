"""Drive a run: lint every discovered file, then the cross-file pass, and sort the findings."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from fmlint.diagnostic import Diagnostic
from fmlint.discover import Target
from fmlint.document import Position
from fmlint.lint import FileResult, Linter
from fmlint.rules import BY_NAME
from fmlint.rules.base import make_diagnostic


def lint_targets(
    linter: Linter, targets: Iterable[Target], lint_file: Callable[[str], FileResult] | None = None
) -> tuple[list[Diagnostic], list[str]]:
    """Lint ``targets``; return every diagnostic (sorted) and the paths of the files checked, in order.

    ``lint_file`` replaces :meth:`Linter.lint_file` for each file (``--fix`` fixes the
    file and returns what remains).
    """
    lint_one = lint_file or linter.lint_file
    diagnostics: list[Diagnostic] = []
    results: list[FileResult] = []
    checked: list[str] = []
    for target in targets:
        if target.problem is not None:
            rule = BY_NAME["unreadable-file"]
            if linter.reports(rule.code, target.path):
                diagnostics.append(make_diagnostic(rule, target.path, Position(1, 1, 1, 2), "", target.problem))
            continue
        checked.append(target.path)
        result = lint_one(target.path)
        diagnostics.extend(result.diagnostics)
        if result.facts or result.suppressions:
            results.append(FileResult(result.path, (), result.facts, result.suppressions))
    diagnostics.extend(linter.finish(results))
    diagnostics.sort(key=Diagnostic.sort_key)
    return diagnostics, checked
