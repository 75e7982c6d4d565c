"""The one place the editor server meets the checking pipeline.

Everything here works on text held in memory, never on the file on disk: an editor's
buffer is newer than the file. Each function wraps a public piece of the pipeline
(:meth:`~fmlint.pipeline.lint.Linter.lint_data`, the cross-file pass, the fix engine's
:mod:`~fmlint.fix.buffer`), so the server holds no second copy of any of them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fmlint.diagnostic import Diagnostic, Edit
from fmlint.fix.buffer import checked_fix, fix_data
from fmlint.pipeline.discover import wanted_by
from fmlint.pipeline.lint import Linter
from fmlint.pipeline.result import FileResult
from fmlint.pipeline.settings import Settings


class ConfigProblem(Exception):
    """The settings for a folder cannot be used; the message says why, as ``fmlint check`` would."""


@dataclass(frozen=True)
class Profile:
    """How files under one folder are linted: the linter and the include/exclude filter."""

    linter: Linter
    filters: Any  # fmlint.pipeline.discover.FileFilter
    config_path: str | None  # the pyproject.toml the settings came from, if any

    def wants(self, path: str) -> bool:
        """Whether ``fmlint check`` on the folder would lint ``path`` (include/exclude, hidden folders)."""
        return wanted_by(self.filters, path)


def load_profile(folder: str, *, isolated: bool = False) -> Profile:
    """The settings ``fmlint check`` run in ``folder`` would use: ``[tool.fmlint]`` of the nearest
    ``pyproject.toml``, else (or when ``isolated``) the defaults. Precedence stays in ``build_run``."""
    from fmlint.cli import plain_check
    from fmlint.config import find_config
    from fmlint.precedence import UsageError, build_run

    args = plain_check(["check"])
    assert args is not None
    found = None if isolated else find_config(folder)
    args.config = found
    args.isolated = found is None
    args.no_cache = True
    try:
        run = build_run(args)
    except UsageError as exc:
        raise ConfigProblem(str(exc)) from None
    filters = run.filters if found is not None else run.filters._replace(root=os.path.abspath(folder))
    return Profile(Linter(run.settings), filters, found)


def refresh_clock(settings: Settings) -> None:
    """A server runs for days: date rules compare with the time of each check, unless
    ``FMLINT_NOW`` pins it (as it does for ``fmlint check``)."""
    if not os.environ.get("FMLINT_NOW"):
        settings.now = datetime.now().astimezone()


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def lint_text(linter: Linter, path: str, text: str) -> FileResult:
    """The findings of an editor's buffer holding ``text``, and its facts for the cross-file pass."""
    return linter.lint_data(path, _encode(text))


def cross_file(linter: Linter, results: Iterable[FileResult]) -> list[Diagnostic]:
    """The cross-file findings (duplicates, outliers, …) over every file's result."""
    return linter.finish(list(results))


def fix_text(linter: Linter, path: str, text: str) -> tuple[str, int]:
    """``--fix`` (safe fixes) on an editor's buffer: the new text and how many fixes."""
    fixed = fix_data(linter, path, _encode(text))
    return fixed.data.decode("utf-8", "surrogatepass"), fixed.fixed


def checked_edits(linter: Linter, path: str, text: str, diagnostic: Diagnostic) -> Sequence[Edit]:
    """The edits of ``diagnostic``'s fix on a buffer, when the fix engine's safety checks accept it."""
    return checked_fix(linter, path, _encode(text), diagnostic)


def schema_documents(linter: Linter, path: str, text: str) -> tuple[str, dict[str, Any]]:
    """The root schema's URI and every schema document by URI of the schema the buffer ``text`` of
    ``path`` is checked against: the one its ``$schema`` names, else the mapping's for its path."""
    from fmlint.schema.mapping import SCHEMA_KEY, FileSchemaError

    settings = linter.settings
    data = _front_matter(linter, path, text) if SCHEMA_KEY in text else None
    try:
        schemas = settings.schema_for(path, data)
    except FileSchemaError:  # reported as the file's FM213; its fields are described by the mapping's
        schemas = settings.schema_for(path, None)
    return schemas.root, schemas.resources


def _front_matter(linter: Linter, path: str, text: str) -> Any:
    """The front-matter data of a buffer, or ``None`` when it has none that can be read."""
    from fmlint.pipeline.fastyaml import read_front_matter_yaml
    from fmlint.pipeline.source import Source

    source = linter.split(path, _encode(text))
    return read_front_matter_yaml(source.text, linter.settings.limits).data if isinstance(source, Source) else None
