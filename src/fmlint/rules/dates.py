"""FM4xx: dates beyond their syntax (FM401, a schema format): the future, the file name, quoting.

The values checked are those the file's schema gives the format ``date-time`` (or, for
the future, ``date``), whatever the field is called: in the built-in article schema,
``publishedDateTime`` and ``updatedDateTime`` in the article and in each related link.
A value FM401 finds malformed is left to FM401. FM403 reads the field its option names.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache

from fmlint.diagnostic import Diagnostic, Fix, Severity
from fmlint.rules.base import Context, Example, Option, Rule, example
from fmlint.rules.values import field_name, is_tagged, rewrite_scalar, text_field
from fmlint.schema.formats import check_date, check_date_time

# A plain date is a day in no time zone: it has begun somewhere once it has begun at UTC+14,
# the first zone of each day; before then it is in the future everywhere.
_FIRST_ZONE = timezone(timedelta(hours=14))

_PARTS = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:[Zz]|([+-])(\d{2}):(\d{2}))\Z", re.ASCII
)
# What a YAML 1.1 reader resolves as a timestamp (yaml.org/type/timestamp).
_YAML11_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
    r"(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?\Z",
    re.ASCII,
)
_FILE_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})-")


@lru_cache(maxsize=256)  # FM402 and FM403 both read each file's date
def parse_date_time(text: str) -> datetime | None:
    """The instant an RFC 3339 date-time names, or ``None`` when FM401 rejects it.

    A leap second (``:60``) counts as the last second of its minute; fractions below a
    microsecond are dropped.
    """
    if check_date_time(text) is not None:
        return None
    match = _PARTS.match(text)
    if match is None:  # pragma: no cover - check_date_time accepted it, so it matches
        return None
    year, month, day, hour, minute, second, fraction, sign, zone_hours, zone_minutes = match.groups()
    zone = timezone.utc
    if sign:
        offset = timedelta(hours=int(zone_hours), minutes=int(zone_minutes))
        zone = timezone(-offset if sign == "-" else offset)
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    return datetime(int(year), int(month), int(day), int(hour), int(minute), min(int(second), 59), micro, tzinfo=zone)


def _dates(ctx: Context) -> Iterator[tuple[str, str, datetime]]:
    """``(pointer, text, instant)`` of every valid date-time, and of every valid date at its first
    moment anywhere on Earth."""
    for found in ctx.formatted():
        text = found.value
        if not isinstance(text, str):
            continue
        if found.format == "date-time":
            instant = parse_date_time(text)
        elif found.format == "date" and check_date(text) is None:
            instant = datetime.combine(date.fromisoformat(text), datetime.min.time(), _FIRST_ZONE)
        else:
            continue
        if instant is not None:
            yield found.pointer, text, instant


def _utc(instant: datetime) -> str:
    return instant.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- FM402 future-date -------------------------------------------------------


def _check_future(ctx: Context) -> Iterator[Diagnostic]:
    hours = ctx.options["tolerance-hours"]
    slack = timedelta(hours=hours)
    for pointer, text, instant in _dates(ctx):
        # after_now rather than a comparison with now: a result that does not report
        # stays valid in the result cache while the clock moves on.
        if ctx.after_now(instant, slack):
            now = ctx.quote_now()  # the message shows it: the finding holds for this ``now`` only
            ahead = instant - now
            hours_ahead = ahead.total_seconds() / 3600
            when = f"{ahead.days} days" if hours_ahead >= 72 else f"{hours_ahead:.0f} hours"
            yield ctx.report(
                pointer,
                f"`{field_name(pointer)}` {text} is {when} in the future (now is {_utc(now)}; "
                f"up to {hours} hours ahead is allowed)",
            )


# --- FM403 file-name-date-mismatch -------------------------------------------


def _file_date(path: str) -> date | None:
    match = _FILE_DATE.match(os.path.basename(path))
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None  # not a real date, so not a date prefix


def _field_date(text: str) -> date | None:
    """The day a date-time (in its own time zone) or a plain date (``2024-01-01``) names."""
    instant = parse_date_time(text)
    if instant is not None:
        return instant.date()
    return date.fromisoformat(text) if check_date(text) is None else None


def _check_file_name(ctx: Context) -> Iterator[Diagnostic]:
    named = _file_date(ctx.doc.path)
    field = ctx.options["field"]
    text = text_field(ctx.data, field)
    day = None if named is None or text is None else _field_date(text)
    if named is None or day is None:
        return
    allowed = ctx.options["max-days"]
    apart = abs((named - day).days)
    if apart > allowed:
        yield ctx.report(
            "/" + field.replace("~", "~0").replace("/", "~1"),
            f"the file name says {named.isoformat()} but `{field}` is {day.isoformat()}, "
            f"{apart} days apart (up to {allowed} allowed): one of them is wrong",
        )


# --- FM404 unquoted-date-time ------------------------------------------------


def _check_quoted(ctx: Context) -> Iterator[Diagnostic]:
    for pointer, text in ctx.values_with_format(("date-time",)):
        if not isinstance(text, str) or ctx.doc.style(pointer) != "" or not _YAML11_TIMESTAMP.match(text):
            continue
        if is_tagged(ctx.doc, pointer):
            continue  # an explicit tag says how every reader must read it
        edit = rewrite_scalar(ctx.doc, pointer, text, quote=True)
        fix = None if edit is None else Fix("put the date-time in double quotes", (edit,))
        yield ctx.report(
            pointer,
            f"`{field_name(pointer)}` is not quoted: YAML readers such as PyYAML, Ruby's and js-yaml turn "
            "it into a timestamp object, not the text written here; put it in quotes",
            fix=fix,
        )


# --- the rules ---------------------------------------------------------------


def _article(published: str, name: str = "article.md") -> tuple[Example, ...]:
    return example(
        f"""
        ---
        title: "An article"
        publishedDateTime: {published}
        webUrl: "https://example.com/an-article"
        provider: {{name: Example News, domain: example.com}}
        ---
        """,
        name,
    )


RULES = (
    Rule(
        code="FM402",
        name="future-date",
        severity=Severity.WARNING,
        summary="A date-time or a date is in the future.",
        what="Reports every value the schema gives the format `date-time` or `date`, whatever its "
        "field is called (in the built-in schema `publishedDateTime` and `updatedDateTime`, in the "
        "article and in each related link), when it is later than now by more than `tolerance-hours`. "
        "A date counts from the moment its day begins anywhere (00:00 at UTC+14), so a date is only "
        "reported when it is in the future in every time zone. Now is the clock, or `--now` / "
        "`FMLINT_NOW` for reproducible runs.",
        why="A future date is usually a typo in the year or a local time written as UTC; sites "
        "either hide the article until then or list it above everything else.",
        bad=_article("2999-06-21T16:00:00Z"),
        good=_article("2022-06-21T16:00:00Z"),
        stage="document",
        check=_check_future,
        options=(
            Option(
                "tolerance-hours",
                int,
                24,
                "how far ahead of now a date-time may be, in hours",
                minimum=0,
                maximum=876_000,
            ),
        ),
    ),
    Rule(
        code="FM403",
        name="file-name-date-mismatch",
        severity=Severity.WARNING,
        summary="The date a file name starts with disagrees with `publishedDateTime` (or the `field` set).",
        what="For a file named `YYYY-MM-DD-….md`, reports `publishedDateTime` (or the top-level field "
        "the `field` option names, such as a blog's `date`) when its date (in its own time zone; a "
        "plain date as it is) is more than `max-days` days from the file name's date. One day is "
        "allowed by default: a file named by local date and a date-time in UTC differ by a day "
        "around midnight.",
        why="Static sites build the article's address and archive page from the file name; a "
        "file name that disagrees with the date files the article under the wrong day.",
        bad=_article("2022-06-21T16:00:00Z", "2022-06-12-an-article.md"),
        good=_article("2022-06-21T23:30:00Z", "2022-06-22-an-article.md"),
        stage="document",
        check=_check_file_name,
        options=(
            Option("max-days", int, 1, "how many days the file name's date may differ", minimum=0, maximum=36_500),
            Option(
                "field",
                str,
                "publishedDateTime",
                "the field whose date the file name must match (a date-time or a date)",
            ),
        ),
    ),
    Rule(
        code="FM404",
        name="unquoted-date-time",
        severity=Severity.WARNING,
        summary="A date-time is written without quotes (opt-in).",
        what="Reports an unquoted value of format `date-time` (in the built-in schema "
        "`publishedDateTime` and `updatedDateTime`) that YAML 1.1 reads as a timestamp; the fix puts "
        "it in double quotes. Opt-in (`--extend-select FM404`): fmlint "
        "itself reads the text as written, and many repositories write dates unquoted on purpose.",
        why="Other tools reading the same file (PyYAML, Ruby, js-yaml) turn an unquoted date-time "
        "into a timestamp object: the time zone is converted or lost, and writing the file back "
        "changes the text.",
        bad=_article("2022-06-21T16:00:00Z"),
        good=_article('"2022-06-21T16:00:00Z"'),
        stage="document",
        check=_check_quoted,
        default_enabled=False,
        fixable=True,
    ),
)
