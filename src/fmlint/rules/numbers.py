"""FM5xx: quality and heat, the article's scores, beyond what the schema's types and ranges say.

The schema already rejects scores of the wrong type or below their minimum (FM202,
FM203). These rules catch values that are valid but implausible, and combinations
of fields that contradict each other.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple, TypeGuard

from fmlint.diagnostic import Diagnostic, Edit, Fix, Severity
from fmlint.pipeline.document import Position
from fmlint.pipeline.yamlread import escape_pointer
from fmlint.rules.base import ARTICLE_HEAD, Context, CorpusContext, Example, Option, Rule, article_with
from fmlint.rules.values import records

SCORES = ("quality", "heat")
NOT_COMPUTED = -1  # heat's "not computed yet": a marker, not a score
_MAD_TO_SIGMA = 1.4826  # MAD x 1.4826 estimates the standard deviation of normal data
_MEAN_AD_TO_SIGMA = 1.2533  # the same for the mean absolute deviation, used when MAD is 0


def is_integer(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def score_fields(data: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """``(pointer, field, value)`` of every score: the article's, then each related link's."""
    for prefix, record in records(data):
        for name in SCORES:
            if name in record:
                yield f"{prefix}/{name}", name, record[name]


# --- FM501 odd-number -------------------------------------------------------------------


class Spread(NamedTuple):
    """A robust summary of one score over a run: its median and a robust standard deviation."""

    median: float
    deviation: float  # the median absolute deviation from the median (the mean one when that is 0)
    measure: str  # which of the two ``deviation`` is, in words
    sigma: float  # ``deviation`` scaled to estimate a standard deviation; 0 when every value is equal
    files: int


def spread(values: Iterable[int], files: int) -> Spread:
    import statistics  # with fractions and decimal: only a run with enough scores needs it

    ordered = sorted(values)
    median = statistics.median(ordered)
    deviations = [abs(value - median) for value in ordered]
    mad = statistics.median(deviations)
    if mad:
        return Spread(median, mad, "median absolute deviation", mad * _MAD_TO_SIGMA, files)
    mean = statistics.fmean(deviations)  # over half the values are equal: MAD says nothing
    return Spread(median, mean, "mean absolute deviation", mean * _MEAN_AD_TO_SIGMA, files)


def _collect_scores(ctx: Context) -> tuple[Any, ...] | None:
    """Each valid score's pointer, value and position, three items each, in one flat tuple (every
    file's fact is kept to the end of the run); heat's -1 marker and schema errors are left out."""
    found: list[Any] = []
    for pointer, _, value in score_fields(ctx.data):
        if is_integer(value) and value >= 0:  # below 0: FM203, or heat's marker
            where = ctx.position(pointer)
            found += (pointer, value, (where.line, where.column, where.end_line, where.end_column))
    return tuple(found) or None


def _scores(fact: tuple[Any, ...]) -> Iterator[tuple[str, str, int, tuple[int, int, int, int]]]:
    """``(pointer, field, value, position)`` of each score of a fact of :func:`_collect_scores`."""
    for start in range(0, len(fact), 3):
        pointer = fact[start]
        yield pointer, pointer[pointer.rfind("/") + 1 :], fact[start + 1], fact[start + 2]


def _number(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


def _spreads(ctx: CorpusContext) -> dict[str, Spread]:
    """Each score's spread over the run, for the scores enough files have."""
    spreads = {}
    for name in SCORES:
        suffix = f"/{name}"  # a score's pointer ends with its field
        values = []
        files = set()
        for fact in ctx.facts:
            scores = fact.value
            for start in range(0, len(scores), 3):
                if scores[start].endswith(suffix):
                    values.append(scores[start + 1])
                    files.add(fact.path)
        if len(files) >= ctx.options["min-files"]:
            spreads[name] = spread(values, len(files))
    return spreads


def _judge_scores(ctx: CorpusContext) -> Iterator[Diagnostic]:
    bounds = {"quality": ctx.options["max-quality"], "heat": ctx.options["max-heat"]}
    threshold = ctx.options["outlier-threshold"]
    spreads = _spreads(ctx)
    for fact in ctx.facts:
        for pointer, name, value, where in _scores(fact.value):
            summary = spreads.get(name)
            if value > bounds[name]:
                message = f"`{name}` is {value}, above the plausible maximum of {bounds[name]} (option max-{name})"
            elif summary is not None and summary.sigma and abs(value - summary.median) / summary.sigma > threshold:
                message = _outlier_message(name, value, summary, threshold)
            else:
                continue
            yield ctx.report(fact.path, Position(*where), pointer, message)


def _outlier_message(name: str, value: int, summary: Spread, threshold: float) -> str:
    side = "above" if value > summary.median else "below"
    score = abs(value - summary.median) / summary.sigma
    return (
        f"`{name}` is {value}, far {side} the other values of this run: median {_number(summary.median)}, "
        f"{summary.measure} {_number(summary.deviation)} over {summary.files} files (a robust z-score of "
        f"{score:.0f}; more than {_number(threshold)} is reported)"
    )


def _run_of(qualities: tuple[int, ...]) -> tuple[Example, ...]:
    """A small run of articles for the documentation, judged with ``min-files`` lowered to its size."""
    options = (("min-files", len(qualities)),)
    return tuple(
        Example(
            ARTICLE_HEAD.replace("an-article", f"article-{number}") + f"quality: {quality}\n---\n",
            f"article-{number}.md",
            options=options if number == 1 else (),
        )
        for number, quality in enumerate(qualities, 1)
    )


# --- FM502 integer-written-as-decimal ----------------------------------------------------

_INTEGER_FIELDS = frozenset({"quality", "heat", "width", "height"})


def _decimals_in_integer_fields(value: Any, pointer: str = "") -> Iterator[tuple[str, float]]:
    """Every decimal number held under a field that the schema types as an integer, at any depth."""
    # Pointers are built only for what is yielded or descended into: most values are neither.
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (dict, list)):
                yield from _decimals_in_integer_fields(item, f"{pointer}/{escape_pointer(str(key))}")
            elif type(item) is float and key in _INTEGER_FIELDS:
                yield f"{pointer}/{escape_pointer(str(key))}", item
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, (dict, list)):
                yield from _decimals_in_integer_fields(item, f"{pointer}/{index}")


def _check_decimal_integers(ctx: Context) -> Iterator[Diagnostic]:
    for pointer, value in _decimals_in_integer_fields(ctx.data):
        if math.isfinite(value) and value.is_integer():
            field = pointer.rsplit("/", 1)[1]
            yield ctx.report(
                pointer,
                f"`{field}` is written as the decimal number {value!r}; write the integer {int(value)}",
                fix=_integer_fix(ctx, pointer, value),
            )


def _integer_fix(ctx: Context, pointer: str, value: float) -> Fix | None:
    """Write the whole number ``value`` as an integer, when its text is a plain number and nothing
    else (an anchor, a tag or a comment in the span: no fix)."""
    offsets = ctx.doc.value_offsets(pointer)
    if offsets is None or ctx.doc.style(pointer) != "":
        return None
    start, end = offsets
    try:
        written = float(ctx.doc.text[start:end].replace("_", ""))
    except ValueError:
        return None
    if written != value:
        return None
    return Fix(f"write {int(value)}", (Edit(start, end, str(int(value))),))


# --- FM503 published-without-heat --------------------------------------------------------


def _check_published_without_heat(ctx: Context) -> Iterator[Diagnostic]:
    data = ctx.data
    heat = data.get("heat")
    if data.get("published") is True and is_integer(heat) and heat == NOT_COMPUTED:
        yield ctx.report(
            "/heat",
            "`heat` is -1 (not computed) on an article marked `published: true`: it is shown on the site "
            "but ranks below every scored article; compute its heat, or set `published: false`",
        )


# --- FM504 published-below-quality -------------------------------------------------------


def _check_published_below_quality(ctx: Context) -> Iterator[Diagnostic]:
    data = ctx.data
    quality = data.get("quality")
    threshold = ctx.options["threshold"]
    if data.get("published") is True and is_integer(quality) and 0 <= quality < threshold:
        yield ctx.report(
            "/quality",
            f"`quality` is {quality}, below the publishing threshold of {threshold}, on an article marked "
            f"`published: true`; raise its quality or set `published: false`",
        )


RULES = (
    Rule(
        code="FM501",
        name="odd-number",
        severity=Severity.WARNING,
        summary="A score is valid but implausible: beyond a bound, or far from the rest of the run.",
        what="Looks at every `quality` and `heat`, the article's and each related link's. A value above "
        "`max-quality` or `max-heat` is reported with that bound. When at least `min-files` files of the "
        "run have the score, a value far from the others is reported too: its distance from the run's "
        "median, divided by a robust standard deviation (the median absolute deviation x 1.4826, or the "
        "mean absolute deviation x 1.2533 when most values are equal), must stay within "
        "`outlier-threshold`. Median and MAD are not pulled by the outlier itself, as mean and standard "
        "deviation are. Related links' scores join the articles' population, since they are the same "
        "score for other articles. Heat's -1 (not computed) is a marker, not a score, and is left out; "
        "values the schema rejects are left to FM202 and FM203. With scores around 72 spread by 15 "
        "points, `quality: 189` has a robust z-score of about 5 and `quality: 100000` one of 4500: the "
        "default threshold of 8 leaves room for the first and reports the second.",
        why="A score of 100000 among scores near 72 is a unit or a typing mistake, and sends the article "
        "to the top of every ranking; the schema cannot say what is plausible for a given site.",
        bad=_run_of((70, 72, 75, 900)),
        good=_run_of((70, 72, 75, 81)),
        stage="corpus",
        collect=_collect_scores,
        finish=_judge_scores,
        options=(
            Option("max-quality", int, 1000, "the largest plausible `quality` (an integer)", minimum=0),
            Option("max-heat", int, 1000, "the largest plausible `heat` (an integer)", minimum=0),
            Option(
                "min-files",
                int,
                20,
                "how many files of the run must have the score before outliers are judged (an integer)",
                minimum=1,
            ),
            Option(
                "outlier-threshold",
                (int, float),
                8.0,
                "how many robust standard deviations from the median a value may be (a number)",
                minimum=0,
            ),
        ),
    ),
    Rule(
        code="FM502",
        name="integer-written-as-decimal",
        severity=Severity.WARNING,
        summary="An integer field is written as a decimal number (`quality: 43.0`).",
        what="Reports `quality`, `heat` and image `width` and `height` (anywhere in the front-matter) "
        "written with a decimal point although their value is whole. JSON Schema counts 43.0 as an "
        "integer, so the schema check accepts it; a decimal that is not whole (`43.5`) is FM202. The "
        "fix writes the integer (`43`).",
        why="YAML reads `43.0` as a floating-point number: code that expects an integer index, a "
        "typed model or a JSON consumer sees `43.0` and may reject or mis-sort it.",
        bad=article_with("quality: 43.0\n"),
        good=article_with("quality: 43\n"),
        stage="document",
        check=_check_decimal_integers,
        fixable=True,
    ),
    Rule(
        code="FM503",
        name="published-without-heat",
        severity=Severity.WARNING,
        summary="A published article has `heat: -1`: its popularity was never computed.",
        what="Reports `heat: -1` (not computed) on an article with `published: true`. Heat that merely "
        "differs from quality is not reported: a popularity score may well drift a few points from "
        "the quality it started from.",
        why="An article on the site without a computed heat ranks below every scored article, which "
        "is rarely what the editor meant when publishing it.",
        bad=article_with("heat: -1\npublished: true\n"),
        good=article_with("heat: -1\npublished: false\n"),
        stage="document",
        check=_check_published_without_heat,
    ),
    Rule(
        code="FM504",
        name="published-below-quality",
        severity=Severity.WARNING,
        summary="A published article's quality is below the publishing threshold (opt-in).",
        what="Reports `published: true` with a `quality` below `threshold`. Whether a site publishes by "
        "a quality threshold, and which, is its own choice, so the rule is opt-in "
        '(`extend-select = ["FM504"]`) and the threshold an option.',
        why="When publishing follows a quality threshold, a low-quality article marked published was "
        "usually flipped by hand or by a bug.",
        bad=article_with("quality: 43\npublished: true\n"),
        good=article_with("quality: 72\npublished: true\n"),
        stage="document",
        check=_check_published_below_quality,
        options=(
            Option("threshold", int, 70, "the lowest `quality` a published article may have (an integer)", minimum=0),
        ),
        default_enabled=False,
    ),
)
