"""The Python API: lint files, or text, as ``fmlint check`` would, and get its findings as data.

Both functions build the run the command line builds (the configuration found from the
files, or the one given), without the result cache and in this process, and return the
findings ``fmlint check --output-format json`` prints, as :class:`fmlint.diagnostic.Diagnostic`
values: ``path``, ``line``, ``column``, ``end_line``, ``end_column``, ``code``, ``rule``,
``severity``, ``message`` and ``pointer`` are attributes, and ``to_json()`` gives the JSON shape.
A bad configuration raises :class:`fmlint.precedence.UsageError` with the message the
command line prints.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

from fmlint.diagnostic import Diagnostic

Config = str | os.PathLike[str] | Mapping[str, Any] | None


def _run(paths: list[str], config: Config) -> Any:
    from fmlint.cli import plain_check
    from fmlint.precedence import build_run

    args: Any = plain_check(["check", "--", *paths])
    assert args is not None
    args.no_cache = True
    args.jobs = 1
    if isinstance(config, Mapping):
        args.config_table = dict(config)  # the [tool.fmlint] table itself, its paths from the current folder
    elif config is not None:
        args.config = os.fspath(config)
    return build_run(args)


def lint_paths(paths: Iterable[str | os.PathLike[str]], config: Config = None) -> list[Diagnostic]:
    """The findings of the files under ``paths`` (files and folders, walked as ``fmlint check`` walks them).

    ``config`` is a configuration file (``pyproject.toml`` with ``[tool.fmlint]``, or a file holding only
    that table), a mapping of the table's keys, or ``None`` for the nearest ``pyproject.toml`` above
    the files."""
    from fmlint.pipeline.discover import discover
    from fmlint.pipeline.lint import Linter
    from fmlint.run.runner import lint_targets

    run = _run([os.fspath(path) for path in paths] or ["."], config)
    diagnostics, _ = lint_targets(Linter(run.settings), discover(run.paths, run.filters), jobs=1)
    return diagnostics


def lint_text(text: str, path: str = "-", config: Config = None) -> list[Diagnostic]:
    """The findings of ``text`` linted as the file ``path`` (its settings: per-file-ignores, include and
    exclude; nothing is read from or written to ``path``). An excluded ``path`` has no findings."""
    from fmlint.pipeline.lint import Linter
    from fmlint.server.adapter import Profile
    from fmlint.server.adapter import lint_text as lint_buffer

    run = _run([path] if path != "-" else [], config)
    linter = Linter(run.settings)
    if path != "-" and not Profile(linter, run.filters, None).wants(path):
        return []
    results = [lint_buffer(linter, path, text)]
    diagnostics = [*results[0].diagnostics, *linter.finish(results)]
    diagnostics.sort(key=Diagnostic.sort_key)
    return diagnostics
