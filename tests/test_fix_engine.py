"""The fix engine's checks, with rules made for the purpose: each one has a fix that is
wrong in one way, and ``--fix`` must revert it (and say so) rather than write it.

The rules are registered for one test only, so the command line sees them as it sees
the real ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import fmlint.pipeline.check
import fmlint.pipeline.lint
import fmlint.rules
from conftest import CliResult, dedent, run_cli
from fmlint.diagnostic import Applicability, Diagnostic, Edit, Fix, Severity
from fmlint.rules.base import Context, Rule, example

ARTICLE = dedent("""
    ---
    title: "An article"
    excerpt: "Short"
    publishedDateTime: 2022-06-21T16:00:00Z
    webUrl: "https://example.com/an-article"
    provider: {name: Example News, domain: example.com}
    ---
    body
    """)

Register = Callable[..., None]


@pytest.fixture
def register(monkeypatch: pytest.MonkeyPatch) -> Register:
    def add(*rules: Rule) -> None:
        everything = tuple(sorted((*fmlint.rules.RULES, *rules), key=lambda rule: rule.code))
        monkeypatch.setattr(fmlint.rules, "RULES", everything)
        monkeypatch.setattr(fmlint.pipeline.check, "RULES", everything)
        monkeypatch.setattr(fmlint.pipeline.lint, "RULES", everything)
        monkeypatch.setattr(fmlint.pipeline.lint.Linter.__init__, "__defaults__", (everything,))
        for rule in rules:
            monkeypatch.setitem(fmlint.rules.BY_CODE, rule.code, rule)
            monkeypatch.setitem(fmlint.rules.BY_NAME, rule.name, rule)

    return add


def rule(code: str, name: str, check: Callable[[Context], Iterator[Diagnostic]]) -> Rule:
    return Rule(
        code, name, Severity.WARNING, "A rule for a test.", "For a test.", "For a test.",
        example(ARTICLE), example(ARTICLE), stage="document", check=check, fixable=True,
    )  # fmt: skip


def replace_value(pointer: str, text: str, applicability: Applicability = Applicability.SAFE) -> Callable[..., Fix]:
    """A fix that writes ``text`` in place of the value at ``pointer`` (quotes included)."""

    def fix(ctx: Context) -> Fix:
        offsets = ctx.doc.value_offsets(pointer)
        assert offsets is not None
        return Fix(f"rewrite {pointer}", (Edit(*offsets, text),), applicability)

    return fix


def when(
    field: str, value: object, pointer: str, make_fix: Callable[[Context], Fix]
) -> Callable[..., Iterator[Diagnostic]]:
    """A check that reports ``pointer`` while ``data[field] == value``, with the fix ``make_fix``."""

    def check(ctx: Context) -> Iterator[Diagnostic]:
        if ctx.data.get(field) == value:
            yield ctx.report(pointer, f"{field} is {value!r}", fix=make_fix(ctx))

    return check


def fix(tmp_path: Path, *flags: str, text: str = ARTICLE) -> tuple[Path, CliResult]:
    path = tmp_path / "article.md"
    path.write_text(text, encoding="utf-8")
    return path, run_cli("check", "--isolated", *flags, str(path))


def test_unsafe_fixes_need_the_flag(tmp_path: Path, register: Register) -> None:
    lower = replace_value("/excerpt", '"short"', Applicability.UNSAFE)
    register(rule("FM698", "lowercase-excerpt", when("excerpt", "Short", "/excerpt", lower)))
    path, shown = fix(tmp_path, "--output-format", "concise")
    assert shown.out == (
        f"{path}:3:10: FM698 excerpt is 'Short'\n"
        "Found 0 errors and 1 warning in 1 of 1 file.\n"
        "1 fixable with `--fix --unsafe-fixes`.\n"
    )
    path, marked = fix(tmp_path, "--unsafe-fixes", "--output-format", "concise")
    assert marked.out == (
        f"{path}:3:10: FM698 [*] excerpt is 'Short'\n"
        "Found 0 errors and 1 warning in 1 of 1 file.\n"
        "[*] 1 fixable with `--fix --unsafe-fixes`.\n"
    )
    assert path.read_text() == ARTICLE
    path, safe_only = fix(tmp_path, "--fix")
    assert path.read_text() == ARTICLE
    assert safe_only.out.startswith(f"{path}:3:10: FM698 excerpt is 'Short'\n")
    assert "Fixed 0 problems in 0 files.\n" in safe_only.out
    path, both = fix(tmp_path, "--fix", "--unsafe-fixes")
    assert path.read_text() == ARTICLE.replace('"Short"', '"short"')
    assert both.out == "Fixed 1 problem in 1 file.\nAll checks passed (1 file checked).\n"


def test_overlapping_fixes_are_applied_over_several_passes(tmp_path: Path, register: Register) -> None:
    # Both edit the title at once; the one that starts later waits for the next pass.
    def capitalise(ctx: Context) -> Iterator[Diagnostic]:
        offsets = ctx.doc.value_offsets("/title")
        if offsets and ctx.data["title"][0].islower():
            yield ctx.report("/title", "lowercase", fix=Fix("capitalise", (Edit(offsets[0] + 1, offsets[0] + 2, "A"),)))

    def article(ctx: Context) -> Iterator[Diagnostic]:
        if "article" in ctx.data["title"]:
            yield ctx.report("/title", "article", fix=replace_value("/title", '"an Article"')(ctx))

    register(rule("FM696", "capitalise-title", capitalise), rule("FM697", "capitalise-article", article))
    path, result = fix(tmp_path, "--fix", text=ARTICLE.replace('"An article"', '"an article"'))
    assert path.read_text() == ARTICLE.replace('"An article"', '"An Article"')
    assert result.out == "Fixed 2 problems in 1 file.\nAll checks passed (1 file checked).\n"
    assert result.code == 0


def test_a_fix_may_lead_to_another_fix(tmp_path: Path, register: Register) -> None:
    # The first fix causes a problem that the second rule then fixes: the pair is kept.
    register(
        rule("FM696", "step-one", when("title", "An article", "/title", replace_value("/title", '"An  article"'))),
        rule("FM697", "step-two", when("title", "An  article", "/title", replace_value("/title", '"An Article"'))),
    )
    path, result = fix(tmp_path, "--fix")
    assert path.read_text() == ARTICLE.replace('"An article"', '"An Article"')
    assert result.out.startswith("Fixed 2 problems in 1 file.\n")


def test_fixes_that_end_with_a_new_problem_are_all_reverted(tmp_path: Path, register: Register) -> None:
    # The first fix leads to a problem whose own fix fails: back to the original file.
    register(
        rule("FM696", "step-one", when("title", "An article", "/title", replace_value("/title", '"An  article"'))),
        rule("FM697", "step-two", when("title", "An  article", "/title", replace_value("/title", '"unclosed'))),
    )
    path, result = fix(tmp_path, "--fix")
    assert path.read_text() == ARTICLE
    assert result.code == 1
    assert result.err.splitlines() == [
        f"fmlint: warning: {path}: fix for FM697 at /title reverted: it would make the YAML unreadable "
        '(FM005 YAML syntax error: the double quote (`"`) opened on line 2, column 8 is not closed on its line, '
        "so the value runs on to this line; close it. "
        "Parser message: did not find expected key (while parsing a block mapping that starts on line 2))",
        f"fmlint: warning: {path}: fixes reverted: together they would add FM697 (title is 'An  article')",
    ]


@pytest.mark.parametrize(
    ("pointer", "replacement", "reason"),
    [
        ("/title", '""', "it would add FM206 (`title` must not be empty)"),
        ("/title", '"unclosed', "it would make the YAML unreadable (FM005 YAML syntax error"),
        ("/excerpt", '"Short"\ntitle: "Another"', "it would make the YAML unreadable (FM101 duplicate key `title`"),
        ("/excerpt", '"Short"\n---\n', "it would move the end of the front-matter"),
        ("/excerpt", '"Still Short"', "it does not resolve the problem"),
        ("/excerpt", '"Short"', "it changes nothing"),
    ],
)
def test_a_fix_that_would_do_harm_is_reverted_and_reported(
    tmp_path: Path, register: Register, pointer: str, replacement: str, reason: str
) -> None:
    def check(ctx: Context) -> Iterator[Diagnostic]:
        if isinstance(ctx.data.get("excerpt"), str) and "Short" in ctx.data["excerpt"]:
            yield ctx.report("/excerpt", "excerpt is short", fix=replace_value(pointer, replacement)(ctx))

    register(rule("FM695", "harmful-fix", check))
    path, result = fix(tmp_path, "--fix")
    assert path.read_text() == ARTICLE
    assert result.code == 1
    assert result.err.startswith(f"fmlint: warning: {path}: fix for FM695 at /excerpt reverted: {reason}")
    assert result.out.endswith("Fixed 0 problems in 0 files.\nFound 0 errors and 1 warning in 1 of 1 file.\n")


def test_a_fix_that_changes_another_field_is_reverted(tmp_path: Path, register: Register) -> None:
    # It fixes /excerpt but also rewrites /title: no rule notices, the engine does.
    def meddle(ctx: Context) -> Fix:
        excerpt, title = replace_value("/excerpt", '"Long"')(ctx), replace_value("/title", '"Retitled"')(ctx)
        return Fix("meddle", (*excerpt.edits, *title.edits))

    register(rule("FM694", "meddling-fix", when("excerpt", "Short", "/excerpt", meddle)))
    path, result = fix(tmp_path, "--fix")
    assert path.read_text() == ARTICLE
    assert result.err == (
        f"fmlint: warning: {path}: fix for FM694 at /excerpt reverted: it would change a field it does not fix\n"
    )


def test_a_fix_about_the_whole_file_may_change_no_field(tmp_path: Path, register: Register) -> None:
    def whole_file(ctx: Context) -> Iterator[Diagnostic]:
        if ctx.data.get("excerpt") == "Short":
            fix = replace_value("/excerpt", '"Long"')(ctx)
            yield ctx.report("", "the file is short", fix=fix)

    register(rule("FM690", "whole-file-fix", whole_file))
    path, result = fix(tmp_path, "--fix")
    assert path.read_text() == ARTICLE
    assert result.err == (
        f"fmlint: warning: {path}: fix for FM690 at the file reverted: it would change a field it does not fix\n"
    )


def test_one_bad_fix_does_not_hold_back_the_good_ones(tmp_path: Path, register: Register) -> None:
    register(
        rule("FM693", "good-fix", when("title", "An article", "/title", replace_value("/title", '"An Article"'))),
        rule("FM694", "bad-fix", when("excerpt", "Short", "/excerpt", replace_value("/excerpt", '"unclosed'))),
    )
    path, result = fix(tmp_path, "--fix")
    assert path.read_text() == ARTICLE.replace('"An article"', '"An Article"')
    assert result.out.endswith("Fixed 1 problem in 1 file.\nFound 0 errors and 1 warning in 1 of 1 file.\n")
    assert "fix for FM694 at /excerpt reverted: it would make the YAML unreadable" in result.err


def test_a_file_that_changes_while_it_is_fixed_is_left_alone(tmp_path: Path, register: Register) -> None:
    path = tmp_path / "article.md"
    edited = ARTICLE + "a line someone else added\n"

    def check(ctx: Context) -> Iterator[Diagnostic]:
        if ctx.data.get("title") == "An article":
            path.write_text(edited, encoding="utf-8")  # another program saves the file meanwhile
            yield ctx.report("/title", "title", fix=replace_value("/title", '"An Article"')(ctx))

    register(rule("FM692", "racing-fix", check))
    path.write_text(ARTICLE, encoding="utf-8")
    result = run_cli("check", "--isolated", "--fix", str(path))
    assert path.read_text() == edited
    assert result.code == 1
    assert result.err == f"fmlint: warning: {path}: not fixed: it changed while fmlint was fixing it\n"


def test_line_breaks_a_fix_writes_follow_the_file(tmp_path: Path, register: Register) -> None:
    def stamp(ctx: Context) -> Iterator[Diagnostic]:
        if "# checked" not in ctx.doc.text:
            end = ctx.doc.value_offsets("/title")[1]  # type: ignore[index]
            yield ctx.report("/title", "not stamped", fix=Fix("stamp", (Edit(end, end, "\n# checked"),)))

    register(rule("FM691", "stamp", stamp))
    crlf = ARTICLE.replace("\n", "\r\n")
    path = tmp_path / "article.md"
    path.write_bytes(crlf.encode())
    result = run_cli("check", "--isolated", "--fix", str(path))
    assert result.code == 0, result.err
    assert path.read_bytes() == crlf.replace('"An article"', '"An article"\r\n# checked').encode()
    path.write_bytes(ARTICLE.encode())
    run_cli("check", "--isolated", "--fix", str(path))
    assert path.read_bytes() == ARTICLE.replace('"An article"', '"An article"\n# checked').encode()


def test_fixes_that_go_round_in_a_circle_stop(tmp_path: Path, register: Register) -> None:
    # There and back again: the way back is refused, and the way there alone leaves a new
    # problem, so the file is left as it was.
    register(
        rule("FM696", "there", when("title", "An article", "/title", replace_value("/title", '"An Article"'))),
        rule("FM697", "back", when("title", "An Article", "/title", replace_value("/title", '"An article"'))),
    )
    path, result = fix(tmp_path, "--fix")
    assert path.read_text() == ARTICLE
    assert result.err.splitlines() == [
        f"fmlint: warning: {path}: fix for FM697 at /title reverted: it undoes an earlier fix",
        f"fmlint: warning: {path}: fixes reverted: together they would add FM697 (title is 'An Article')",
    ]
    assert result.out.endswith("Fixed 0 problems in 0 files.\nFound 0 errors and 1 warning in 1 of 1 file.\n")
