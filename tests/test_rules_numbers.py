"""FM5xx: quality and heat: the schema's type and range errors, odd values, inconsistent combinations."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from conftest import CORPUS, MINIMAL, lint_paths, lint_text, run_cli, where
from fmlint.pipeline.lint import Linter
from fmlint.pipeline.settings import Settings
from fmlint.rules import BY_CODE
from fmlint.rules.numbers import spread
from fmlint.schema.store import load_schema_set


def article(extra: str, url: str = "https://example.com/an-article") -> str:
    """MINIMAL with ``extra`` lines after its title (line 3 on), and its own URL."""
    return MINIMAL.replace('title: "An article"\n', f'title: "An article"\n{extra}').replace(
        "https://example.com/an-article", url
    )


def run(tmp_path: Path, qualities: list[int], extra: dict[int, str] | None = None) -> list[tuple[str, int, str]]:
    """Lint one file per quality (each its own article); ``extra`` adds lines to file ``i``."""
    paths = []
    for index, quality in enumerate(qualities):
        path = tmp_path / f"a{index:03}.md"
        lines = f"quality: {quality}\n" + (extra or {}).get(index, "")
        path.write_text(article(lines, f"https://example.com/{index}"))
        paths.append(path)
    return [(Path(d.path).name, d.line, d.code) for d in lint_paths(paths)]


# The schema reports types and ranges, at the value


@pytest.mark.parametrize(
    ("line", "code", "message"),
    [
        ("quality: -5", "FM203", "`quality` must be an integer ≥ 0, got -5"),
        ('quality: "high"', "FM202", '`quality` must be an integer ≥ 0, got "high"'),
        ("quality: 43.5", "FM202", "`quality` must be an integer ≥ 0, got 43.5"),
        ("quality: true", "FM202", "`quality` must be an integer ≥ 0, got true"),
        ("heat: -7", "FM203", "`heat` must be an integer ≥ -1, got -7"),
        ("heat: 2.5", "FM202", "`heat` must be an integer ≥ -1, got 2.5"),
    ],
)
def test_schema_rejects_wrong_types_and_ranges(tmp_path: Path, line: str, code: str, message: str) -> None:
    [found] = lint_text(tmp_path, article(line + "\n"))
    column = line.index(" ") + 2
    assert (found.line, found.column, found.end_column, found.code, found.message) == (
        3,
        column,
        len(line) + 1,
        code,
        message,
    )


def test_schema_checks_related_links_scores_too(tmp_path: Path) -> None:
    text = article(
        'related:\n  - title: "Other"\n    webUrl: "https://example.org/x"\n    quality: -5\n    heat: 2.5\n'
    )
    assert [(d.line, d.column, d.code, d.pointer) for d in lint_text(tmp_path, text)] == [
        (6, 14, "FM203", "/related/0/quality"),
        (7, 11, "FM202", "/related/0/heat"),
    ]


# FM501 odd-number: bounds


def test_value_above_the_bound_is_reported_even_alone(tmp_path: Path) -> None:
    [found] = lint_text(tmp_path, article("quality: 100000\n"))
    assert (found.line, found.column, found.code, found.pointer) == (3, 10, "FM501", "/quality")
    assert found.message == "`quality` is 100000, above the plausible maximum of 1000 (option max-quality)"


def test_the_bound_is_an_option(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(article("quality: 250\nheat: 250\n"))
    assert run_cli("check", "--output-format", "json", "a.md", cwd=tmp_path).out == "[]\n"
    (tmp_path / "pyproject.toml").write_text("[tool.fmlint.rules.odd-number]\nmax-quality = 200\n")
    result = run_cli("check", "--output-format", "json", "a.md", cwd=tmp_path)
    assert [(e["line"], e["column"], e["code"], e["pointer"]) for e in json.loads(result.out)] == [
        (3, 10, "FM501", "/quality")
    ]


@pytest.mark.parametrize(
    ("table", "fragment"),
    [
        ('max-quality = "200"', "option `max-quality` of rule `odd-number` has the wrong type"),
        ("min-files = 2.5", "option `min-files` of rule `odd-number` has the wrong type"),
        ("outlier-threshold = true", "option `outlier-threshold` of rule `odd-number` has the wrong type"),
        ("max-qualty = 200", "rule `odd-number` has no option `max-qualty` (did you mean `max-quality`?)"),
    ],
)
def test_bad_options_are_usage_errors(tmp_path: Path, table: str, fragment: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.fmlint.rules.odd-number]\n{table}\n")
    (tmp_path / "a.md").write_text(MINIMAL)
    result = run_cli("check", "a.md", cwd=tmp_path)
    assert result.code == 2
    assert fragment in result.err


# FM501 odd-number: outliers against the run


def corpus_like(size: int) -> list[int]:
    """Qualities spread like the real corpus's: median 72, most within 50 to 95."""
    return [50 + (index * 37) % 46 for index in range(size)]


def test_outlier_among_enough_files_is_reported_with_median_and_spread(tmp_path: Path) -> None:
    qualities = [*corpus_like(24), 900]
    assert run(tmp_path, qualities) == [("a024.md", 3, "FM501")]
    [diagnostic] = lint_paths(sorted(tmp_path.glob("*.md")))
    summary = spread(qualities, len(qualities))
    assert diagnostic.message == (
        f"`quality` is 900, far above the other values of this run: median {summary.median:g}, median "
        f"absolute deviation {summary.deviation:g} over 25 files (a robust z-score of "
        f"{(900 - summary.median) / summary.sigma:.0f}; more than 8 is reported)"
    )


def test_outliers_below_the_median_are_reported_too(tmp_path: Path) -> None:
    qualities = [500 + (index * 7) % 50 for index in range(30)] + [3]
    assert run(tmp_path, qualities) == [("a030.md", 3, "FM501")]
    [diagnostic] = lint_paths(sorted(tmp_path.glob("*.md")), select={"FM501"})
    assert "far below" in diagnostic.message


def test_too_few_files_are_not_judged(tmp_path: Path) -> None:
    assert run(tmp_path, [*corpus_like(18), 900]) == []  # 19 files, fewer than min-files (20)


def test_min_files_and_threshold_are_options(tmp_path: Path) -> None:
    for index, quality in enumerate([70, 72, 74, 150]):
        (tmp_path / f"a{index}.md").write_text(article(f"quality: {quality}\n", f"https://example.com/{index}"))
    assert run_cli("check", "--output-format", "json", ".", cwd=tmp_path).out == "[]\n"
    config = tmp_path / "pyproject.toml"
    config.write_text("[tool.fmlint.rules.odd-number]\nmin-files = 4\n")
    found = json.loads(run_cli("check", "--output-format", "json", ".", cwd=tmp_path).out)
    assert [(e["path"], e["line"], e["code"]) for e in found] == [("a3.md", 3, "FM501")]
    config.write_text("[tool.fmlint.rules.odd-number]\nmin-files = 4\noutlier-threshold = 100\n")
    assert run_cli("check", "--output-format", "json", ".", cwd=tmp_path).out == "[]\n"


def test_most_values_equal_falls_back_to_the_mean_deviation(tmp_path: Path) -> None:
    # MAD is 0 when over half the values are equal; the outlier is still found, the equal values are not.
    assert run(tmp_path, [72] * 19 + [73, 950]) == [("a020.md", 3, "FM501")]
    [found] = lint_paths(sorted(tmp_path.glob("*.md")))
    assert "median 72, mean absolute deviation 41.9 over 21 files (a robust z-score of 17;" in found.message


def test_all_values_equal_is_no_outlier(tmp_path: Path) -> None:
    assert run(tmp_path, [72] * 25) == []


def test_heat_not_computed_is_a_marker_not_an_outlier(tmp_path: Path) -> None:
    extra = {index: "heat: -1\n" if index == 0 else f"heat: {60 + index}\n" for index in range(25)}
    assert run(tmp_path, corpus_like(25), extra) == []


def test_related_links_scores_join_the_population(tmp_path: Path) -> None:
    link = '  - title: "Other"\n    webUrl: "https://example.org/x"\n    quality: {quality}\n'
    paths = []
    for index in range(25):
        quality = 900 if index == 3 else 60 + index
        text = article(
            f"quality: {60 + index}\nrelated:\n" + link.format(quality=quality), f"https://example.com/{index}"
        )
        paths.append(tmp_path / f"a{index:02}.md")
        paths[-1].write_text(text)
    assert [(Path(d.path).name, d.line, d.column, d.pointer) for d in lint_paths(paths)] == [
        ("a03.md", 7, 14, "/related/0/quality")
    ]


def test_the_real_corpus_plus_one_outlier(tmp_path: Path) -> None:
    """Among the 674 real articles (median 72), 900 is an outlier; 100000 is beyond the bound as well."""
    odd = tmp_path / "odd.md"
    odd.write_text(article("quality: 900\n", "https://example.com/odd"))
    found = [d for d in lint_paths([*sorted(CORPUS.iterdir()), odd]) if d.code == "FM501"]
    assert [(Path(d.path).name, d.line, d.column) for d in found] == [("odd.md", 3, 10)]
    assert "median 72, median absolute deviation 15 over 675 files" in found[0].message


def test_robust_spread_is_not_pulled_by_the_outlier() -> None:
    assert spread([70, 72, 74], 3) == spread([70, 72, 100000], 3)
    assert (spread([70, 72, 74], 3).median, spread([70, 72, 74], 3).deviation) == (72, 2)


def test_facts_are_small_and_picklable(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text(article("quality: 80\nheat: 81\n"))
    linter = Linter(Settings(schemas=load_schema_set(None), enabled=frozenset(BY_CODE)))
    result = linter.lint_file(str(path))
    facts = dict(result.facts)
    assert facts["FM501"] == ("/quality", 80, (3, 10, 3, 12), "/heat", 81, (4, 7, 4, 9))  # one flat tuple
    assert pickle.loads(pickle.dumps(result)) == result


# FM502 integer-written-as-decimal


def test_whole_decimal_is_reported_where_the_schema_accepts_it(tmp_path: Path) -> None:
    text = article(
        "quality: 43.0\nheat: 43\nimages:\n  - {url: /a.jpg, width: 1200.0, height: 800}\n"
        'related:\n  - {title: Other, webUrl: "https://example.org/x", heat: 7.0}\n'
    )
    found = lint_text(tmp_path, text)
    assert [(d.line, d.column, d.code, d.pointer) for d in found] == [
        (3, 10, "FM502", "/quality"),
        (6, 26, "FM502", "/images/0/width"),
        (8, 59, "FM502", "/related/0/heat"),
    ]
    assert found[0].message == "`quality` is written as the decimal number 43.0; write the integer 43"


def test_non_whole_decimal_is_the_schemas_alone(tmp_path: Path) -> None:
    assert where(lint_text(tmp_path, article("quality: 43.5\n"))) == [(3, 10, "FM202")]


# FM503 published-without-heat


def test_published_article_without_heat(tmp_path: Path) -> None:
    [found] = lint_text(tmp_path, article("heat: -1\npublished: true\n"))
    assert (found.line, found.column, found.code, found.pointer) == (3, 7, "FM503", "/heat")
    assert found.message.startswith("`heat` is -1 (not computed) on an article marked `published: true`")


@pytest.mark.parametrize("extra", ["heat: -1\npublished: false\n", "heat: -1\n", "heat: 0\npublished: true\n"])
def test_unpublished_or_computed_heat_is_fine(tmp_path: Path, extra: str) -> None:
    assert lint_text(tmp_path, article(extra)) == []


# FM504 published-below-quality (opt-in)


def test_published_below_quality_is_opt_in(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(article("quality: 43\npublished: true\n"))
    assert run_cli("check", "--output-format", "json", "a.md", cwd=tmp_path).out == "[]\n"
    result = run_cli("check", "--output-format", "json", "--extend-select", "FM504", "a.md", cwd=tmp_path)
    [entry] = json.loads(result.out)
    assert (entry["line"], entry["column"], entry["code"], entry["pointer"]) == (3, 10, "FM504", "/quality")
    assert entry["message"].startswith("`quality` is 43, below the publishing threshold of 70")


def test_publishing_threshold_is_an_option(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(article("quality: 43\npublished: true\n"))
    (tmp_path / "pyproject.toml").write_text(
        '[tool.fmlint]\nextend-select = ["FM504"]\n[tool.fmlint.rules.published-below-quality]\nthreshold = 40\n'
    )
    assert run_cli("check", "--output-format", "json", "a.md", cwd=tmp_path).out == "[]\n"


def test_documented_outlier_example_needs_its_lowered_min_files(tmp_path: Path) -> None:
    rule = BY_CODE["FM501"]
    for example in rule.bad:
        (tmp_path / example.name).write_text(example.text)
    paths = sorted(tmp_path.iterdir())
    assert lint_paths(paths) == []  # four files are too few by default
    found = lint_paths(paths, options={"odd-number": {"min-files": 4}})
    assert [(Path(d.path).name, d.line, d.column, d.code) for d in found] == [("article-4.md", 6, 10, "FM501")]
    assert "(with min-files = 4 in [tool.fmlint.rules.odd-number])" in run_cli("rule", "FM501").out


def test_decimal_integer_under_any_key_is_found_at_its_escaped_pointer(tmp_path: Path) -> None:
    text = article('"scores/v2":\n  quality: 5.0\n')
    [found] = [d for d in lint_text(tmp_path, text) if d.code == "FM502"]
    assert (found.line, found.column, found.pointer) == (4, 12, "/scores~1v2/quality")
