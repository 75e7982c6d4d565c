"""Suppression comments, per-file-ignores, and the findings about suppressions (FM901, FM903)."""

from __future__ import annotations

import json
import pickle
from collections.abc import Iterable
from pathlib import Path

import pytest

from conftest import FIXED_NOW, MINIMAL, dedent, lint_text, run_cli, where, write_article
from fmlint.diagnostic import Diagnostic, Severity
from fmlint.pipeline.discover import Target
from fmlint.pipeline.document import Position
from fmlint.pipeline.lint import Linter
from fmlint.pipeline.settings import Settings
from fmlint.rules import RULES
from fmlint.rules.base import Context, CorpusContext, Rule
from fmlint.run.runner import lint_targets
from fmlint.schema.store import load_schema_set


def article(line2: str = "", line3: str = "", extra: str = "") -> str:
    """MINIMAL with ``titel: yes`` (FM205, FM102) on line 3 and ``quality: -5`` (FM203) on line 4."""
    return MINIMAL.replace(
        'title: "An article"\n', f'title: "An article"\ntitel: yes{line2}\nquality: -5{line3}\n{extra}'
    )


BASE = [(3, 1, "FM205"), (3, 8, "FM102"), (4, 10, "FM203")]


def test_the_article_without_suppressions(tmp_path: Path) -> None:
    assert where(lint_text(tmp_path, article())) == BASE


# --- each form -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("comment", "expected"),
    [
        ("  # fmlint: ignore[FM205]", [(3, 8, "FM102"), (4, 10, "FM203")]),
        ("  # fmlint: ignore[FM1]", [(3, 1, "FM205"), (4, 10, "FM203")]),  # a prefix
        ("  # fmlint: ignore[FM205, FM1]", [(4, 10, "FM203")]),
        ("  # fmlint: ignore[FM205,FM102]", [(4, 10, "FM203")]),
        ("  # fmlint: ignore", [(4, 10, "FM203")]),  # every rule on the line
        ("  # fmlint: ignore[unknown-field]", [(3, 8, "FM102"), (4, 10, "FM203")]),  # a rule name
        ("  #fmlint:ignore[fm205]", [(3, 8, "FM102"), (4, 10, "FM203")]),  # no spaces, lower case
        ("  # FMLINT: IGNORE[FM205]", [(3, 8, "FM102"), (4, 10, "FM203")]),
        # Case-insensitive matching also takes the Turkish dotted and dotless i for an i.
        ("  # FML\u0130NT: ignore[FM205]", [(3, 8, "FM102"), (4, 10, "FM203")]),
        ("  # fml\u0131nt: ignore[FM205]", [(3, 8, "FM102"), (4, 10, "FM203")]),
        ("  # fmlint: ignore[FM205] -- a reason", [(3, 8, "FM102"), (4, 10, "FM203")]),
        ("  # fmlint: ignore  -- a reason", [(4, 10, "FM203")]),
    ],
)
def test_ignore_on_the_line(tmp_path: Path, comment: str, expected: list[tuple[int, int, str]]) -> None:
    assert where(lint_text(tmp_path, article(line2=comment))) == expected


def test_ignore_applies_to_its_own_line_only(tmp_path: Path) -> None:
    # The comment on line 4 names FM205, whose finding is on line 3: both stay, and it is unused.
    found = lint_text(tmp_path, article(line3="  # fmlint: ignore[FM205, FM203]"))
    assert where(found) == [(3, 1, "FM205"), (3, 8, "FM102"), (4, 14, "FM901")]
    assert found[-1].message == "unused suppression: no finding of `FM205` on this line"


@pytest.mark.parametrize(
    ("comment", "expected"),
    [
        ("# fmlint: disable-file\n", []),
        ("# fmlint: disable-file[FM205]\n", [(3, 8, "FM102"), (4, 10, "FM203")]),
        ("# fmlint: disable-file[FM2]\n", [(3, 8, "FM102")]),
        ("# fmlint: disable-file[FM102, FM203] -- legacy import\n", [(3, 1, "FM205")]),
        ("   #   fmlint:   disable-file[ FM2 ,FM1 ]   \n", []),
    ],
)
def test_disable_file(tmp_path: Path, comment: str, expected: list[tuple[int, int, str]]) -> None:
    assert where(lint_text(tmp_path, article(extra=comment))) == expected


def test_disable_file_anywhere_in_the_block(tmp_path: Path) -> None:
    text = article().replace("provider:\n", "provider:  # fmlint: disable-file[FM205]\n")
    assert where(lint_text(tmp_path, text)) == [(3, 8, "FM102"), (4, 10, "FM203")]


def test_a_finding_on_the_opening_fence_is_suppressed_file_wide(tmp_path: Path) -> None:
    # Nothing may follow `---` on the fence, so a missing top-level field is disabled for the file.
    text = MINIMAL.replace('title: "An article"\n', "# fmlint: disable-file[FM201] -- titles come later\n")
    assert where(lint_text(tmp_path, MINIMAL.replace('title: "An article"\n', ""))) == [(1, 1, "FM201")]
    assert where(lint_text(tmp_path, text)) == []


def test_empty_and_non_mapping_front_matter_read_comments_too(tmp_path: Path) -> None:
    assert where(lint_text(tmp_path, "---\n# fmlint: disable-file[FM003]\n---\n")) == []
    assert where(lint_text(tmp_path, "---\n- a  # fmlint: ignore[FM004]\n---\n")) == []
    assert where(lint_text(tmp_path, "---\n- a  # fmlint: ignore[FM003]\n---\n")) == [(2, 1, "FM004"), (2, 6, "FM901")]


def test_a_file_that_is_not_yaml_has_no_suppressions(tmp_path: Path) -> None:
    # Where the comments are is unknown when the YAML cannot be read: the error stays, nothing is judged.
    text = "---\n# fmlint: disable-file\ntitle: [unclosed\n---\n"
    assert [d.code for d in lint_text(tmp_path, text)] == ["FM005"]


def test_the_full_reader_finds_comments_like_the_fast_one(tmp_path: Path) -> None:
    # An anchor sends the file to the full YAML reader.
    text = article(line2="  # fmlint: ignore[FM205]", extra="anchor: &a x  # fmlint: ignore[FM205]\n")
    assert where(lint_text(tmp_path, text)) == [(3, 8, "FM102"), (4, 10, "FM203")]


# --- what is not a comment --------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        'titel: "a # fmlint: ignore"',
        "titel: 'a # fmlint: ignore[FM205]'",
        "titel: https://example.com/page#fmlint:ignore",
        "titel: a#fmlint:ignore",
        'titel: ["# fmlint: ignore", "b"]',
        "titel: {a: '# fmlint: ignore'}",
    ],
)
def test_a_hash_inside_a_value_is_not_a_comment(tmp_path: Path, line: str) -> None:
    text = MINIMAL.replace('title: "An article"\n', f'title: "An article"\n{line}\n')
    assert where(lint_text(tmp_path, text)) == [(3, 1, "FM205")]


def test_a_hash_inside_a_block_scalar_is_not_a_comment(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        'title: "An article"\n',
        'title: "An article"\ntitel: |\n  # fmlint: disable-file\n  text # fmlint: ignore\n',
    )
    assert where(lint_text(tmp_path, text)) == [(3, 1, "FM205")]


def test_the_header_of_a_block_scalar_may_hold_a_comment(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        'title: "An article"\n', 'title: "An article"\ntitel: |-  # fmlint: ignore[FM205]\n  # text\n'
    )
    assert where(lint_text(tmp_path, text)) == []


def test_a_quoted_key_holding_a_hash_is_not_a_comment(tmp_path: Path) -> None:
    text = MINIMAL.replace('title: "An article"\n', 'title: "An article"\n"titel # fmlint: ignore": x\n')
    assert where(lint_text(tmp_path, text)) == [(3, 1, "FM205")]


# --- unused suppressions (FM901) ----------------------------------------------


@pytest.mark.parametrize(
    ("field", "comment", "line", "column", "message"),
    [
        ("webUrl", "  # fmlint: ignore", 6, 43, "unused suppression: no finding on this line to suppress"),
        ("webUrl", "  # fmlint: ignore[FM205]", 6, 43, "unused suppression: no finding of `FM205` on this line"),
        ("quality", "  # fmlint: ignore[FM203, FM3]", 4, 14, "unused suppression: no finding of `FM3` on this line"),
        ("quality", "  # fmlint: ignore[FM3, FM1, FM203]", 4, 14,
         "unused suppression: no finding of `FM3`, `FM1` on this line"),
    ],
)  # fmt: skip
def test_unused_ignore_is_reported_at_the_comment(
    tmp_path: Path, field: str, comment: str, line: int, column: int, message: str
) -> None:
    text = "".join(f"{row}{comment}\n" if row.startswith(field) else f"{row}\n" for row in article().splitlines())
    found = lint_text(tmp_path, text)
    unused = [d for d in found if d.code == "FM901"]
    assert where(unused) == [(line, column, "FM901")]
    d = unused[0]
    end = column + len(comment.strip())
    assert (d.end_line, d.end_column, d.severity, d.rule, d.pointer) == (
        line, end, Severity.WARNING, "unused-suppression", ""
    )  # fmt: skip
    assert d.message == message


def test_unused_disable_file_is_reported(tmp_path: Path) -> None:
    text = MINIMAL.replace("provider:\n", "# fmlint: disable-file[FM3, FM205]\nprovider:\n")
    found = lint_text(tmp_path, text)
    assert where(found) == [(5, 1, "FM901")]
    assert found[0].message == "unused suppression: no finding of `FM3`, `FM205` in this file"
    text = MINIMAL.replace("provider:\n", "# fmlint: disable-file\nprovider:\n")
    found = lint_text(tmp_path, text)
    assert where(found) == [(5, 1, "FM901")]
    assert found[0].message == "unused suppression: no finding in this file to suppress"


def test_only_rules_that_ran_are_judged(tmp_path: Path) -> None:
    text = article(line3="  # fmlint: ignore[FM205, FM301]")
    assert where(lint_text(tmp_path, text, select=["FM203", "FM901"])) == [(4, 10, "FM203")]
    assert where(lint_text(tmp_path, text, select=["FM203", "FM301", "FM901"])) == [(4, 10, "FM203"), (4, 14, "FM901")]


def test_unused_suppressions_are_not_reported_when_fm901_is_off(tmp_path: Path) -> None:
    text = article(line3="  # fmlint: ignore[FM205]")
    codes = {rule.code for rule in RULES if rule.default_enabled} - {"FM901"}
    assert where(lint_text(tmp_path, text, select=codes)) == BASE


def test_a_suppression_used_by_one_finding_of_two_rules_is_used(tmp_path: Path) -> None:
    found = lint_text(tmp_path, article(line2="  # fmlint: ignore[FM205]", extra="# fmlint: disable-file[FM205]\n"))
    assert where(found) == [(3, 8, "FM102"), (4, 10, "FM203")]


# --- invalid suppressions (FM903) -----------------------------------------------


@pytest.mark.parametrize(
    ("comment", "expected", "message"),
    [
        (
            "  # fmlint: ignore[FM2O5]",
            [(3, 1, "FM205"), (3, 8, "FM102"), (3, 30, "FM903")],
            "unknown rule code or prefix `FM2O5` in suppression (see `fmlint rules`)",
        ),
        (
            "  # fmlint: ignore[FM205, FM88, FM102]",
            [(3, 37, "FM903")],
            "unknown rule code or prefix `FM88` in suppression (see `fmlint rules`)",
        ),
        (
            "  # fmlint: disable",
            [(3, 1, "FM205"), (3, 8, "FM102"), (3, 13, "FM903")],
            "`disable` is not an fmlint suppression: write `ignore`, `ignore[CODES]`, `disable-file` or "
            "`disable-file[CODES]`",
        ),
        (
            "  # fmlint:",
            [(3, 1, "FM205"), (3, 8, "FM102"), (3, 13, "FM903")],
            "`# fmlint:` says nothing: write `ignore`, `ignore[CODES]`, `disable-file` or `disable-file[CODES]`",
        ),
        (
            "  # fmlint: ignore-file",
            [(3, 1, "FM205"), (3, 8, "FM102"), (3, 13, "FM903")],
            "`ignore-file` is not an fmlint suppression: write `ignore`, `ignore[CODES]`, `disable-file` or "
            "`disable-file[CODES]`",
        ),
        (
            "  # fmlint: ignore[FM205",
            [(3, 1, "FM205"), (3, 8, "FM102"), (3, 13, "FM903")],
            "the list of rule codes is not closed with `]`: write `ignore`, `ignore[CODES]`, `disable-file` or "
            "`disable-file[CODES]`",
        ),
        (
            "  # fmlint: ignore[]",
            [(3, 1, "FM205"), (3, 8, "FM102"), (3, 13, "FM903")],
            "`ignore[]` names no rule: list codes, or write `ignore`, `ignore[CODES]`, `disable-file` or "
            "`disable-file[CODES]`",
        ),
        (
            "  # fmlint: ignore FM205",
            [(3, 1, "FM205"), (3, 8, "FM102"), (3, 13, "FM903")],
            "unexpected `FM205` after the suppression; put a reason after `--`",
        ),
        (
            "  # fmlint: ignore[FM205, FM901]",
            [(3, 8, "FM102"), (3, 37, "FM903")],
            "`FM901` reports on suppressions themselves and cannot be suppressed by a comment; leave it out "
            "with `ignore` or `per-file-ignores` in the configuration",
        ),
    ],
)
def test_invalid_suppressions(tmp_path: Path, comment: str, expected: list[tuple[int, int, str]], message: str) -> None:
    found = [d for d in lint_text(tmp_path, article(line2=comment)) if d.line == 3]
    assert where(found) == expected
    assert found[-1].message == message
    assert found[-1].rule == "invalid-suppression"


def test_a_suppression_of_only_unknown_codes_suppresses_nothing(tmp_path: Path) -> None:
    # Not "every rule": the codes were meant to be specific.
    found = lint_text(tmp_path, article(line2="  # fmlint: ignore[FM2O5, FM1O2]"))
    assert where(found) == [(3, 1, "FM205"), (3, 8, "FM102"), (3, 30, "FM903"), (3, 37, "FM903"), (4, 10, "FM203")]


def test_ordinary_comments_are_left_alone(tmp_path: Path) -> None:
    text = article(line2="  # fmlint is great", extra="# a comment: fmlint: ignore\n")
    assert where(lint_text(tmp_path, text)) == BASE


# --- cross-file findings --------------------------------------------------------


def _same_title_collect(context: Context) -> str:
    return str(context.data.get("title", ""))


def _same_title_finish(context: CorpusContext) -> Iterable[Diagnostic]:
    seen: dict[str, list[str]] = {}
    for fact in context.facts:
        seen.setdefault(fact.value, []).append(fact.path)
    for paths in seen.values():
        for path in paths[1:]:
            yield context.report(path, Position(2, 1, 2, 6), "/title", f"same title as {paths[0]}")


SAME_TITLE = Rule(
    code="FM799",
    name="same-title",
    severity=Severity.WARNING,
    summary="Two articles have the same title.",
    what="A cross-file rule used to test that suppressions apply across files.",
    why="Cross-file findings are reported in one file but decided by many.",
    bad=(),
    good=(),
    stage="corpus",
    collect=_same_title_collect,
    finish=_same_title_finish,
)


def _lint_corpus(tmp_path: Path, texts: dict[str, str]) -> tuple[Linter, list[Diagnostic]]:
    rules = (*RULES, SAME_TITLE)
    enabled = frozenset(rule.code for rule in rules if rule.default_enabled)
    linter = Linter(Settings(load_schema_set(None), enabled, now=FIXED_NOW), rules)
    for name, text in texts.items():
        write_article(tmp_path / name, text)
    diagnostics, _ = lint_targets(linter, [Target(str(tmp_path / name)) for name in texts])
    return linter, diagnostics


def _named(tmp_path: Path, diagnostics: list[Diagnostic]) -> list[tuple[str, int, int, str]]:
    return [(Path(d.path).name, d.line, d.column, d.code) for d in diagnostics]


def test_cross_file_findings_are_reported_without_suppressions(tmp_path: Path) -> None:
    _, found = _lint_corpus(tmp_path, {"a.md": MINIMAL, "b.md": MINIMAL})
    assert _named(tmp_path, found) == [("b.md", 2, 1, "FM799")]


@pytest.mark.parametrize(
    "comment",
    ['title: "An article"  # fmlint: ignore[FM799]', 'title: "An article"  # fmlint: ignore[FM7]',
     'title: "An article"  # fmlint: ignore', '# fmlint: disable-file[FM799]\ntitle: "An article"'],
)  # fmt: skip
def test_cross_file_findings_honour_the_suppressions_of_their_file(tmp_path: Path, comment: str) -> None:
    b = MINIMAL.replace('title: "An article"', comment)
    _, found = _lint_corpus(tmp_path, {"a.md": MINIMAL, "b.md": b})
    assert _named(tmp_path, found) == []


def test_a_suppression_waiting_for_cross_file_findings_is_judged_after_them(tmp_path: Path) -> None:
    # In a.md nothing is reported on the title line: its suppression is unused, reported once.
    a = MINIMAL.replace('title: "An article"', 'title: "An article"  # fmlint: ignore[FM799, FM205]')
    _, found = _lint_corpus(tmp_path, {"a.md": a, "b.md": MINIMAL})
    assert _named(tmp_path, found) == [("a.md", 2, 22, "FM901"), ("b.md", 2, 1, "FM799")]
    assert found[0].message == "unused suppression: no finding of `FM799`, `FM205` on this line"


def test_a_suppression_used_by_the_file_and_by_a_cross_file_finding(tmp_path: Path) -> None:
    b = MINIMAL.replace('title: "An article"', 'title: "An article"\ntitel: x  # fmlint: ignore[FM205]\n'
                        '# fmlint: disable-file[FM205, FM799]')  # fmt: skip
    _, found = _lint_corpus(tmp_path, {"a.md": MINIMAL, "b.md": b})
    assert _named(tmp_path, found) == []


def test_what_the_cross_file_pass_needs_is_small_picklable_data(tmp_path: Path) -> None:
    b = MINIMAL.replace('title: "An article"', 'title: "An article"  # fmlint: ignore[FM799, FM205]')
    (tmp_path / "b.md").write_text(b)
    rules = (*RULES, SAME_TITLE)
    linter = Linter(
        Settings(load_schema_set(None), frozenset(r.code for r in rules if r.default_enabled), now=FIXED_NOW), rules
    )
    result = linter.lint_file(str(tmp_path / "b.md"))
    assert result.diagnostics == ()
    assert len(result.suppressions) == 1
    assert pickle.loads(pickle.dumps(result)) == result
    # Without a cross-file rule in the run, nothing waits: the unused suppression is reported at once.
    plain = Linter(
        Settings(load_schema_set(None), frozenset(r.code for r in RULES if r.default_enabled), now=FIXED_NOW)
    )
    alone = plain.lint_file(str(tmp_path / "b.md"))
    # (FM799 is not a rule of that run, so the comment names an unknown code.)
    assert (alone.suppressions, where(alone.diagnostics)) == ((), [(2, 22, "FM901"), (2, 39, "FM903")])


def test_per_file_ignores_apply_to_cross_file_findings(tmp_path: Path) -> None:
    from fmlint.policy.suppress import FileIgnore

    rules = (*RULES, SAME_TITLE)
    ignores = (FileIgnore("b.md", str(tmp_path), frozenset({"FM799"})),)
    settings = Settings(
        load_schema_set(None),
        frozenset(r.code for r in rules if r.default_enabled),
        now=FIXED_NOW,
        per_file_ignores=ignores,
    )
    for name in ("a.md", "b.md", "c.md"):
        write_article(tmp_path / name, MINIMAL)
    found, _ = lint_targets(Linter(settings, rules), [Target(str(tmp_path / n)) for n in ("a.md", "b.md", "c.md")])
    assert _named(tmp_path, found) == [("c.md", 2, 1, "FM799")]


# --- per-file-ignores -------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "drafts" / "old").mkdir(parents=True)
    (tmp_path / "content").mkdir()
    for path in ("drafts/a.md", "drafts/old/b.md", "content/c.md", "content/d.txt"):
        write_article(tmp_path / path, article())
    return tmp_path


def _config(project: Path, table: str) -> None:
    (project / "pyproject.toml").write_text(f"[tool.fmlint]\n{table}\n")


def _found(project: Path, *args: str, cwd: Path | None = None) -> list[tuple[str, int, str]]:
    result = run_cli("check", "--output-format", "json", *args, cwd=cwd or project)
    assert result.err == "" and result.code in (0, 1), result.err
    return [(entry["path"], entry["line"], entry["code"]) for entry in json.loads(result.out)]


def _codes_by_path(found: list[tuple[str, int, str]]) -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for path, _, code in found:
        table.setdefault(path, []).append(code)
    return table


ALL_THREE = ["FM205", "FM102", "FM203"]


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        # a glob with `/` matches the path from the configuration's folder, or a folder on it
        ('per-file-ignores = {"drafts/" = ["FM205"]}',
         {"drafts/a.md": ["FM102", "FM203"], "drafts/old/b.md": ["FM102", "FM203"]}),
        ('per-file-ignores = {"drafts/*.md" = ["FM2"]}', {"drafts/a.md": ["FM102"], "drafts/old/b.md": ["FM102"]}),
        # a glob without `/` matches the file's name or any folder's name
        ('per-file-ignores = {"*.txt" = ["FM1", "FM2"]}', {"content/d.txt": []}),
        ('per-file-ignores = {"old" = ["FM102"]}', {"drafts/old/b.md": ["FM205", "FM203"]}),
        ('per-file-ignores = {"b.md" = ["yaml11-boolean"], "content/c.md" = ["FM"]}',
         {"drafts/old/b.md": ["FM205", "FM203"], "content/c.md": []}),
    ],
)  # fmt: skip
def test_per_file_ignores_from_the_configuration(project: Path, table: str, expected: dict[str, list[str]]) -> None:
    _config(project, table)
    found = _codes_by_path(_found(project))
    for path in ("drafts/a.md", "drafts/old/b.md", "content/c.md", "content/d.txt"):
        assert found.get(path, []) == expected.get(path, ALL_THREE), path


def test_configuration_globs_are_relative_to_the_configuration_file(project: Path) -> None:
    _config(project, 'per-file-ignores = {"content/*" = ["FM2"]}')
    found = _codes_by_path(_found(project, ".", cwd=project / "content"))
    assert found == {"c.md": ["FM102"], "d.txt": ["FM102"]}


def test_per_file_ignores_on_the_command_line(project: Path) -> None:
    _config(project, 'per-file-ignores = {"drafts/" = ["FM205"]}')
    # --per-file-ignores replaces the configured table; globs are relative to the current directory
    found = _codes_by_path(
        _found(project, "--per-file-ignores", "content/*:FM2,FM1", "--per-file-ignores", "a.md:FM203")
    )
    assert found == {"drafts/a.md": ["FM205", "FM102"], "drafts/old/b.md": ALL_THREE}
    # --extend-per-file-ignores adds to it
    found = _codes_by_path(_found(project, "--extend-per-file-ignores", "content/:FM"))
    assert found == {"drafts/a.md": ["FM102", "FM203"], "drafts/old/b.md": ["FM102", "FM203"]}


def test_per_file_ignores_precedence_over_select(project: Path) -> None:
    # A rule selected on the command line is still left out where per-file-ignores says so.
    _config(project, 'per-file-ignores = {"drafts/" = ["FM205"]}')
    found = _codes_by_path(_found(project, "--select", "FM205"))
    assert found == {"content/c.md": ["FM205"], "content/d.txt": ["FM205"]}


def test_a_suppression_of_a_per_file_ignored_rule_is_not_unused(project: Path) -> None:
    write_article(project / "drafts" / "a.md", article(line3="  # fmlint: ignore[FM205]"))
    _config(project, 'per-file-ignores = {"drafts/" = ["FM205"]}')
    found = _codes_by_path(_found(project, "drafts/a.md"))
    assert found == {"drafts/a.md": ["FM102", "FM203"]}
    _config(project, "")
    found = _codes_by_path(_found(project, "drafts/a.md"))
    assert found == {"drafts/a.md": ["FM205", "FM102", "FM203", "FM901"]}


def test_per_file_ignores_can_leave_out_findings_about_suppressions(project: Path) -> None:
    write_article(project / "content" / "c.md", article(line3="  # fmlint: ignore[FM205, FM2O5]"))
    _config(project, 'per-file-ignores = {"content/" = ["FM9"]}')
    assert _codes_by_path(_found(project, "content/c.md")) == {"content/c.md": ALL_THREE}


def test_per_file_ignores_apply_to_files_that_cannot_be_read(project: Path) -> None:
    (project / "content" / "notes.txt").write_text("no front-matter here\n")
    _config(project, 'per-file-ignores = {"notes.txt" = ["FM001"]}')
    assert "content/notes.txt" not in _codes_by_path(_found(project))
    _config(project, "")
    assert _codes_by_path(_found(project))["content/notes.txt"] == ["FM001"]


@pytest.mark.parametrize(
    ("args", "table", "message"),
    [
        ((), 'per-file-ignores = {"drafts/" = ["FM2O5"]}',
         "`per-file-ignores`: unknown rule code or prefix `FM2O5` for `drafts/`"),
        ((), 'per-file-ignores = {"drafts/" = "FM205"}', "`per-file-ignores` must map globs to lists of rule codes"),
        (("--per-file-ignores", "drafts/:FM88"), "",
         "--per-file-ignores: unknown rule code or prefix `FM88` for `drafts/`"),
        (("--extend-per-file-ignores", "drafts/"), "", "--extend-per-file-ignores: `drafts/` is not GLOB:CODES"),
        (("--per-file-ignores", ":FM205"), "", "--per-file-ignores: `:FM205` is not GLOB:CODES"),
    ],
)  # fmt: skip
def test_bad_per_file_ignores_are_usage_errors(project: Path, args: tuple[str, ...], table: str, message: str) -> None:
    _config(project, table)
    result = run_cli("check", *args, cwd=project)
    assert (result.code, result.out) == (2, "")
    assert message in result.err


# --- --exit-zero and --quiet in every format ---------------------------------------

FORMATS = ["text", "concise", "json", "json-lines", "github", "sarif", "junit", "gitlab"]


@pytest.mark.parametrize("output_format", FORMATS)
def test_exit_zero_keeps_the_output_and_exits_zero(project: Path, output_format: str) -> None:
    plain = run_cli("check", "--isolated", "--output-format", output_format, cwd=project)
    forgiven = run_cli("check", "--isolated", "--output-format", output_format, "--exit-zero", cwd=project)
    assert (plain.code, forgiven.code) == (1, 0)
    assert forgiven.out == plain.out and plain.out


@pytest.mark.parametrize("output_format", FORMATS)
def test_quiet_drops_only_the_summary(project: Path, output_format: str) -> None:
    plain = run_cli("check", "--isolated", "--output-format", output_format, cwd=project)
    quiet = run_cli("check", "--isolated", "--output-format", output_format, "--quiet", cwd=project)
    assert quiet.code == plain.code == 1
    if output_format in ("text", "concise"):
        summary = "Found 4 errors and 8 warnings in 4 of 4 files.\n[*] 4 fixable with `--fix`.\n"  # FM102's fixes
        assert plain.out.endswith(summary)
        assert quiet.out == plain.out[: -len(summary)]
    else:
        assert quiet.out == plain.out


def test_exit_zero_does_not_hide_a_usage_error(project: Path) -> None:
    result = run_cli("check", "--isolated", "--exit-zero", "--per-file-ignores", "x:FM88", cwd=project)
    assert (result.code, result.out) == (2, "")


def test_quiet_on_a_clean_run_prints_nothing(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(MINIMAL)
    assert (run_cli("check", "--isolated", "-q", cwd=tmp_path).out) == ""


def test_the_installed_command_reads_suppressions(tmp_path: Path) -> None:
    import subprocess
    import sys
    from shutil import which

    fmlint = which("fmlint", path=str(Path(sys.executable).parent))
    assert fmlint is not None
    (tmp_path / "a.md").write_text(article(line2="  # fmlint: ignore", line3="  # fmlint: ignore[FM3]"))
    completed = subprocess.run(
        [fmlint, "check", "--isolated", "--output-format", "concise", "a.md"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 1
    assert completed.stdout == dedent("""
        a.md:4:10: FM203 `quality` must be an integer ≥ 0, got -5
        a.md:4:14: FM901 [*] unused suppression: no finding of `FM3` on this line
        Found 1 error and 1 warning in 1 of 1 file.
        [*] 1 fixable with `--fix`.
        """)


def test_the_readme_example_is_true(tmp_path: Path) -> None:
    from conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Suppressing findings") :]
    example = section[section.index("```yaml\n") + len("```yaml\n") : section.index("```\n", 8)]
    completed = example.replace("---\n", "---\npublishedDateTime: 2022-06-21T16:00:00Z\nwebUrl: https://e.com/a\n"
                                "provider: {name: E, domain: e.com}\n", 1)  # fmt: skip
    assert where(lint_text(tmp_path, completed)) == []
    without = "\n".join(line.split("#")[0].rstrip() if "fmlint" in line else line for line in completed.split("\n"))
    assert [d.code for d in lint_text(tmp_path, without)] == ["FM301", "FM203", "FM205"]


# --- the fix of FM901 ---------------------------------------------------------------


def _fixed(text: str, diagnostic: Diagnostic) -> str:
    """``text`` with the fix of ``diagnostic`` applied (edits are offsets into the front-matter)."""
    assert diagnostic.fix is not None
    fence = text.index("\n") + 1
    block = text[fence:]
    for edit in sorted(diagnostic.fix.edits, key=lambda edit: edit.start, reverse=True):
        block = block[: edit.start] + edit.text + block[edit.end :]
    return text[:fence] + block


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ('webUrl: "https://example.com/an-article"  # fmlint: ignore\n', 'webUrl: "https://example.com/an-article"\n'),
        ('webUrl: "https://example.com/an-article"\t# fmlint: ignore[FM3] -- why\n',
         'webUrl: "https://example.com/an-article"\n'),
        ('# fmlint: disable-file[FM4]\nwebUrl: "https://example.com/an-article"\n',
         'webUrl: "https://example.com/an-article"\n'),
        ("quality: -5  # fmlint: ignore[FM203, FM3]\n", "quality: -5  # fmlint: ignore[FM203]\n"),
        ("quality: -5  # fmlint: ignore[FM3,FM203 ,  FM4] -- why\n", "quality: -5  # fmlint: ignore[FM203] -- why\n"),
        ("quality: -5  # fmlint: ignore[FM203, FM2O5, FM3]\n", "quality: -5  # fmlint: ignore[FM203, FM2O5]\n"),
    ],
)  # fmt: skip
def test_the_fix_removes_what_is_unused(tmp_path: Path, before: str, after: str) -> None:
    field = before.split(":")[0] if not before.startswith("#") else "webUrl"
    original = next(row for row in article().splitlines(keepends=True) if row.startswith(field))
    text = article().replace(original, before)
    unused = [d for d in lint_text(tmp_path, text) if d.code == "FM901"]
    assert len(unused) == 1
    fixed = _fixed(text, unused[0])
    assert fixed == article().replace(original, after)
    assert "FM901" not in [d.code for d in lint_text(tmp_path, fixed)]


def test_the_fix_keeps_codes_of_rules_that_did_not_run(tmp_path: Path) -> None:
    text = article(line3="  # fmlint: ignore[FM205, FM301]")
    unused = [d for d in lint_text(tmp_path, text, select=["FM203", "FM205", "FM901"]) if d.code == "FM901"]
    assert _fixed(text, unused[0]) == article(line3="  # fmlint: ignore[FM301]")


def test_the_fix_removes_a_comment_line_with_its_crlf(tmp_path: Path) -> None:
    text = MINIMAL.replace("provider:\n", "  # fmlint: disable-file\nprovider:\n").replace("\n", "\r\n")
    unused = lint_text(tmp_path, text)
    assert where(unused) == [(5, 3, "FM901")]
    assert _fixed(text, unused[0]) == MINIMAL.replace("\n", "\r\n")


def test_a_suppression_judged_after_the_cross_file_pass_has_the_fix_too(tmp_path: Path) -> None:
    a = MINIMAL.replace('title: "An article"', 'title: "An article"  # fmlint: ignore[FM799, FM205]')
    _, found = _lint_corpus(tmp_path, {"a.md": a, "b.md": MINIMAL})
    assert found[0].code == "FM901"
    assert _fixed(a, found[0]) == MINIMAL


# --- the comment scan --------------------------------------------------------------

SCANNED = [
    # (front-matter text, number of comments in it)
    ("a: 1  # one\n# two\nb: 'x # no'  # three\n", 3),
    ('a: "x # no" # one\nb: [1, "# no", c]  # two\nc: {k: "#no"}  # three\n', 3),
    ("list:\n- a  # one\n- 'b # no'\n-  # two\n  c\n", 2),
    ("a: |-  # one\n  # no\n  x # no\n# two\nb: >\n  # no\n", 2),
    ("a: [\n  1,  # one\n  '# no',\n]  # two\n", 2),
    ("a: x#no\nb: https://e.com/p#no  # one\n", 1),
    ("a: 1  # one\r\nb: '# no'\r\n# two\r\n", 2),
    ('a: &x 1  # one\nb: *x  # two\n"k # no": 3\n', 2),
    ("a: 'multi\n  line # no'  # one\n", 1),
    ("a: plain\n  continued # one\n", 1),
]


@pytest.mark.parametrize(("text", "count"), SCANNED)
def test_comments_are_what_yaml_skips(text: str, count: int) -> None:
    """Each comment found is one: cutting them all leaves the data as it was; both readers agree."""
    from fmlint.pipeline.fastyaml import read_plain_yaml
    from fmlint.pipeline.yamlread import Limits, read_yaml
    from fmlint.policy.suppress import comments

    full = read_yaml(text, Limits())
    assert not full.fatal
    found = comments(text, full.spans)
    assert len(found) == count
    assert all(
        text[start] == "#" and "\n" not in text[start:end] and "\r" not in text[start:end] for start, end in found
    )
    cut = text
    for start, end in reversed(found):
        cut = cut[:start] + cut[end:]
    assert read_yaml(cut, Limits()).data == full.data
    assert "# one" not in cut and "# two" not in cut and "# three" not in cut
    fast = read_plain_yaml(text, Limits())
    if fast is not None:
        assert comments(text, fast.spans) == found


def test_every_hash_in_the_corpus_is_inside_a_value() -> None:
    """The real articles quote `#` in values (`&#8217;`) and have no comments: none is found."""
    from conftest import CORPUS
    from fmlint.pipeline.fastyaml import read_plain_yaml
    from fmlint.pipeline.source import Source, read_front_matter
    from fmlint.pipeline.yamlread import Limits, read_yaml
    from fmlint.policy.suppress import comments

    hashes = 0
    for path in sorted(CORPUS.iterdir()):
        source = read_front_matter(str(path), Limits().max_front_matter_bytes)
        if not isinstance(source, Source) or "#" not in source.text:
            continue
        hashes += source.text.count("#")
        parsed = read_plain_yaml(source.text, Limits()) or read_yaml(source.text, Limits())
        assert comments(source.text, parsed.spans) == [], path.name
    assert hashes > 50
