"""Linting one file (the pre-commit case) imports only what that run needs.

On one file, starting Python and importing fmlint is most of the time fmlint takes.
Each module below costs a millisecond or more to import, or pulls in others that
do, and is needed only by other runs: another command or format, ``--fix``, a file
with problems, many files. The test asserts which modules a run of the command
imported, not how long it took, so it holds on a loaded machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from conftest import MINIMAL, SEEDS
from fmlint.cli import plain_check
from fmlint.cli.arguments import parse
from fmlint.rules.base import dedent

# The schema engine (jsonschema-rs) is needed for every file and imports locale, decimal
# and random itself, so those are not in this list.
NOT_FOR_ONE_FILE = {
    "argparse": "`check PATH...` without options is read without it",
    "gettext": "imported by argparse",
    "dataclasses": "imports inspect, and compiles the methods of every class when it is made",
    "inspect": "imports ast, dis and tokenize",
    "shutil": "argparse asks it the terminal width; it imports bz2 and lzma",
    "bz2": "imported by shutil",
    "lzma": "imported by shutil",
    "hashlib": "loads OpenSSL; BLAKE2 comes from _blake2",
    "statistics": "only the cross-file outlier rule needs it, on enough files",
    "fractions": "only a float multipleOf that overflows needs it",
    "traceback": "only --show-traceback prints one",
    "textwrap": "only help and `fmlint rule` wrap paragraphs; the examples are dedented without it",
    "difflib": "only a suggestion for a misspelt name needs it",
    "subprocess": "only a walk of a folder asks git what it ignores",
    "multiprocessing": "only enough files are linted in several processes",
    "yaml": "the fast reader reads plain front-matter; PyYAML only the rest",
    "jsonschema": "the schema engine is jsonschema-rs; jsonschema is only the test suite's reference",
    "fmlint.schema.explain": "only a file that fails the schema is explained",
    "fmlint.fix.engine": "only --fix and --diff",
    "fmlint.rules.docs": "only `fmlint rule`",
    "fmlint.report.sarif": "only --output-format sarif",
    "fmlint.report.json": "only --output-format json",
}


# What the console script does, then list every module the run imported.
RUN = (
    "import sys\n"
    "from fmlint.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "print(*sorted(sys.modules), file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def imported_by(args: list[str], cwd: Path) -> set[str]:
    """The modules ``fmlint.cli.main`` imports in a fresh process to run ``args``."""
    env = {**os.environ, "PYTHONPATH": ""}
    completed = subprocess.run(
        [sys.executable, "-c", RUN, *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    assert completed.returncode in (0, 1), completed.stderr
    return set(completed.stderr.splitlines()[-1].split())


def test_linting_one_valid_file_imports_nothing_it_does_not_need(tmp_path: Path) -> None:
    (tmp_path / "one.md").write_bytes((SEEDS / "000_24bd785b62fe7a7a.txt").read_bytes())
    imported = imported_by(["check", "one.md"], tmp_path)
    assert "fmlint.pipeline.check" in imported and "fmlint.run.cache" in imported  # it did lint, and kept the result
    assert {name: why for name, why in NOT_FOR_ONE_FILE.items() if name in imported} == {}


def test_a_run_answered_from_the_cache_imports_no_schema_engine(tmp_path: Path) -> None:
    (tmp_path / "one.md").write_bytes((SEEDS / "000_24bd785b62fe7a7a.txt").read_bytes())
    assert "jsonschema_rs" in imported_by(["check", "one.md"], tmp_path)  # the first run checks the file
    again = imported_by(["check", "one.md"], tmp_path)
    assert "fmlint.run.cache" in again
    assert not {"jsonschema_rs", "fmlint.schema.validation"} & again  # nothing to check: the cache answered


def test_the_runs_that_need_those_modules_import_them(tmp_path: Path) -> None:
    """The check above can fail: the same listing shows them when a run uses them."""
    (tmp_path / "bad.md").write_text(MINIMAL.removesuffix("---\n") + "quality: -5\n---\n", encoding="utf-8")
    imported = imported_by(["check", "--output-format", "sarif", "--show-traceback", "bad.md"], tmp_path)
    assert {"fmlint.schema.explain", "fmlint.report.sarif", "hashlib"} <= imported
    assert "fmlint.rules.docs" in imported_by(["rule", "FM203"], tmp_path)


@given(st.text(alphabet=" \t\r\nab\u00a0", max_size=40))
@example("\n    ---\n    title: x\n\n      - a\n    \t\n")
@example("  a\n\tb\n")
def test_the_examples_are_dedented_as_textwrap_does(text: str) -> None:
    """Rule documentation examples are dedented without importing textwrap, with the same result."""
    assert dedent(text) == textwrap.dedent(text)


@pytest.mark.parametrize(
    "argv",
    [
        ["check"],
        ["check", "one.md"],
        ["check", "a.md", "folder/b.md", "c d.md", "é.md"],
        # How the pre-commit hooks run it: after `--`, a name that looks like an option is a path.
        ["check", "--"],
        ["check", "--", "a.md"],
        ["check", "--", "--config=evil.md", "-q", "b.md"],
        ["check", "a.md", "--", "-b.md"],
    ],
)
def test_a_plain_check_is_read_as_argparse_reads_it(argv: list[str]) -> None:
    plain = plain_check(argv)
    assert plain is not None
    assert vars(plain) == vars(parse(argv))


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["check", "--quiet", "a.md"],
        ["check", "a.md", "-q"],
        ["check", "-q", "--", "a.md"],
        ["check", "-"],
        ["rules"],
    ],
)
def test_every_other_command_line_is_read_by_argparse(argv: list[str]) -> None:
    assert plain_check(argv) is None
