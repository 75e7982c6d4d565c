"""Fuzz target: the whole pipeline, from bytes to rendered diagnostics, at high example counts.

Not part of the normal test run (its name does not match ``test_*.py``); run it with::

    FMLINT_FUZZ_EXAMPLES=20000 pytest tests/fuzz_pipeline.py

Inputs are raw bytes, bytes inside a fence, YAML token soup, mutated real articles and
articles built from the schema (``pipeline.any_input``). For each: the invariants of
``pipeline.check_invariants`` (no exception, no FM902, sorted findings inside the
file, every format renders) before and after the fixes ``--diff`` would make, the same
findings for CRLF and BOM copies of a UTF-8 LF file,
and the fast YAML reader agreeing with the full one whenever it accepts the block.
Hypothesis keeps failing inputs in ``.hypothesis/`` and replays them first next time.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from fmlint.diagnostic import Diagnostic
from fmlint.fix.engine import Fixer
from fmlint.pipeline.source import BOM, Source, split_front_matter
from pipeline import LINTER, any_input, check_invariants, lint_bytes
from test_fastyaml import check as readers_agree

_SETTINGS = settings(
    max_examples=int(os.environ.get("FMLINT_FUZZ_EXAMPLES", "20000")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module")
def directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@_SETTINGS
@given(any_input())
def test_any_bytes(directory: Path, data: bytes) -> None:
    found = lint_bytes(directory, data)
    # What --diff does (every fix worked out and checked, nothing written) must not fail either.
    outcome = Fixer(LINTER, unsafe=True, write=False).fix_file(str(directory / "x.md"))
    assert (directory / "x.md").read_bytes() == data
    check_invariants(outcome.after or data, sorted(outcome.result.diagnostics, key=Diagnostic.sort_key))
    if b"\r" in data or data.startswith(BOM) or not _is_utf8(data):
        return  # only a UTF-8 file with LF line ends has CRLF and BOM copies that mean the same
    lf = [(d.line, d.column, d.end_line, d.end_column, d.code) for d in found]
    for variant in (data.replace(b"\n", b"\r\n"), BOM + data):
        other = lint_bytes(directory, variant, name="variant.md")
        assert [(d.line, d.column, d.end_line, d.end_column, d.code) for d in other] == lf


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@_SETTINGS
@given(any_input())
def test_fast_reader_agrees_with_the_full_reader(data: bytes) -> None:
    source = split_front_matter("x.md", data, True, 1 << 20)
    if isinstance(source, Source):
        readers_agree(source.text)
