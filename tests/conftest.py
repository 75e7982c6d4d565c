"""Shared helpers: lint inline examples through the real pipeline, run the real CLI."""

from __future__ import annotations

import io
import os
import textwrap
from collections.abc import Iterable, Mapping
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from fmlint.cli import main
from fmlint.diagnostic import Diagnostic
from fmlint.pipeline.discover import Target
from fmlint.pipeline.lint import Linter
from fmlint.pipeline.settings import Settings
from fmlint.rules import RULES
from fmlint.run.runner import lint_targets
from fmlint.schema.store import load_schema_set

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
CORPUS = REPO / "tests" / "corpus" / "powerapps"
VALID_SEED = SEEDS / "000_24bd785b62fe7a7a.txt"
NO_FRONT_MATTER_SEED = SEEDS / "004_b1500ae77caaef15.txt"
FIXED_NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)

ALL_CODES = frozenset(rule.code for rule in RULES)

MINIMAL = """\
---
title: "An article"
publishedDateTime: 2022-06-21T16:00:00Z
webUrl: "https://example.com/an-article"
provider:
  name: Example News
  domain: example.com
---
"""


def write_article(path: Path, text: str) -> Path:
    """Write ``text`` with MINIMAL's URL made the file's own (``https://example.com/<stem>``), so that
    files written from one example are different articles, not one article twice (FM701)."""
    path.write_text(text.replace("https://example.com/an-article", f"https://example.com/{path.stem}"))
    return path


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def lint_paths(
    paths: Iterable[str | Path],
    *,
    select: Iterable[str] | None = None,
    schema: str | Path | None = None,
    options: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[Diagnostic]:
    """Lint files through the same code path as ``fmlint check``, cross-file pass included.

    ``options`` are rule settings by rule name, as ``[tool.fmlint.rules.<name>]`` gives them."""
    enabled = (
        frozenset(select) if select is not None else frozenset(rule.code for rule in RULES if rule.default_enabled)
    )
    settings = Settings(
        schemas=load_schema_set(str(schema) if schema else None),
        enabled=enabled,
        options=options or {},
        now=FIXED_NOW,
    )
    diagnostics, _ = lint_targets(Linter(settings), [Target(str(path)) for path in paths])
    return diagnostics


def lint_text(
    tmp_path: Path,
    text: str,
    *,
    name: str = "article.md",
    select: Iterable[str] | None = None,
    schema: str | Path | None = None,
) -> list[Diagnostic]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return lint_paths([path], select=select, schema=schema)


def where(diagnostics: Iterable[Diagnostic]) -> list[tuple[int, int, str]]:
    """``(line, column, code)`` of each diagnostic, the usual shape of an expectation."""
    return [(d.line, d.column, d.code) for d in diagnostics]


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def run_cli(*args: str, cwd: Path | None = None) -> CliResult:
    """Call ``fmlint.cli.main`` in-process with captured output."""
    out, err = io.StringIO(), io.StringIO()
    old = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = main(list(args))
    finally:
        os.chdir(old)
    return CliResult(code, out.getvalue(), err.getvalue())


@pytest.fixture(autouse=True)
def _reproducible(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every test sees the same "now" and no stray configuration from the environment, and keeps
    the result cache's key in a user cache directory of its own, never the real home's."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("user-cache")))
    monkeypatch.setenv("FMLINT_NOW", FIXED_NOW.isoformat())
    monkeypatch.delenv("FMLINT_SHOW_TRACEBACK", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
