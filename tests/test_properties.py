"""Property-based tests: no front-matter, generated or mutated, makes fmlint fail.

For every input: no exception, no internal error (FM902), findings sorted and each
one positioned inside the file, and every output format renders them (see
``pipeline.check_invariants``). The fuzz target ``fuzz_pipeline.py`` runs the same
checks on far more, and rawer, inputs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from conftest import MINIMAL
from pipeline import articles, lint_bytes, mutated_corpus_files

_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
def directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("properties")


@_SETTINGS
@given(articles())
def test_front_matter_built_from_the_schema_never_breaks_fmlint(directory: Path, data: bytes) -> None:
    lint_bytes(directory, data)


@_SETTINGS
@given(mutated_corpus_files())
def test_mutated_real_articles_never_break_fmlint(directory: Path, data: bytes) -> None:
    lint_bytes(directory, data)


def test_the_invariants_can_fail(tmp_path: Path) -> None:
    """A finding outside the file is caught: the checks above are not vacuous."""
    from pipeline import check_invariants, lint_bytes

    data = (MINIMAL.removesuffix("---\n") + "quality: -5\n---\n").encode()
    [finding] = [found for found in lint_bytes(tmp_path, data) if found.code == "FM203"]
    assert (finding.line, finding.column, finding.code) == (8, 10, "FM203")
    for moved in (finding._replace(line=99), finding._replace(column=40), finding._replace(end_column=finding.column)):
        with pytest.raises(AssertionError):
            check_invariants(data, [moved])
    with pytest.raises(AssertionError):
        check_invariants(data, [finding, finding._replace(line=2)])  # not sorted


def test_found_by_these_properties_no_front_matter_spans_characters_not_bytes(tmp_path: Path) -> None:
    from pipeline import lint_bytes

    [finding] = lint_bytes(tmp_path, "é---\ntitle: x\n---\n".encode())
    assert (finding.line, finding.column, finding.end_line, finding.end_column, finding.code) == (1, 1, 1, 5, "FM001")
