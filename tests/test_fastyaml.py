"""The fast reader must agree exactly with the full reader whenever it accepts a document."""

from __future__ import annotations

import math
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CORPUS, VALID_SEED
from fmlint.pipeline.fastyaml import read_plain_yaml
from fmlint.pipeline.yamlread import Limits, ParsedYaml, read_yaml


def _normal(value: Any) -> Any:
    """Data in a form where NaN equals NaN and 1 differs from 1.0 and True."""
    if isinstance(value, float) and math.isnan(value):
        return ("nan",)
    if isinstance(value, dict):
        return {key: _normal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_normal(item) for item in value]
    return (type(value).__name__, value)


def _same(fast: ParsedYaml, full: ParsedYaml) -> None:
    assert _normal(fast.data) == _normal(full.data)
    assert fast.spans == full.spans
    assert fast.issues == full.issues
    assert (fast.fatal, fast.empty) == (full.fatal, full.empty)


def check(text: str, limits: Limits = Limits()) -> bool:
    """Compare both readers on ``text``; return whether the fast reader accepted it."""
    fast = read_plain_yaml(text, limits)
    if fast is None:
        return False
    _same(fast, read_yaml(text, limits))
    return True


def _front_matter(path: Any) -> str:
    return path.read_text(encoding="utf-8").split("\n---\n", 1)[0][4:] + "\n"


def test_real_front_matter_is_read_by_the_fast_reader_identically() -> None:
    files = [VALID_SEED, *sorted(CORPUS.iterdir())]
    assert all(check(_front_matter(path)) for path in files)


def test_crlf_documents_agree() -> None:
    assert check(_front_matter(VALID_SEED).replace("\n", "\r\n"))


def test_small_limits_send_documents_to_the_full_reader() -> None:
    text = _front_matter(VALID_SEED)
    assert read_plain_yaml(text, Limits(max_depth=2)) is None
    assert read_plain_yaml(text, Limits(max_nodes=100)) is None


def test_documents_outside_the_subset_are_declined() -> None:
    for text in [
        "a: |\n  block\n",
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "a: multi\n  line\n",
        '"quoted key": 1\n',
        "- a\n- b\n",
        "a:\tb\n",
        "? complex\n: key\n",
        "a: [1, [2]]\n",
        "a: [1,\n  2]\n",
        "a: b: c\n",
        "yes: 1\n",
        "<<: {a: 1}\n",
    ]:
        assert read_plain_yaml(text, Limits()) is None, text


_SCALARS = [
    "plain", "two words", "with: colon", "ends with colon:", "C#", "a #comment", "a#b", "-5", "- x", "-",
    "yes", "No", "on", "0777", "09", "1:20", "1_000", "0x1F", "0o17", "0b101", "1e3", "1.5", ".inf", "-.inf",
    ".nan", "~", "null", "true", "", "2022-07-05T23:38:00Z", "2022-07-05 23:38:00", "https://x.com/a?b=c#d",
    "'single'", "'it''s'", "'unclosed", '"double"', '"esc \\" \\\\ \\n \\t \\u00e9 \\x41 \\U0001F600 \\/"',
    '"bad \\q"', '"unclosed', '"a" trailing', "'a' # c", '"a"#c', "[a, b]", "[]", "{}", "{k: v, k2: 'w'}",
    "[a, [b]]", "[a,]", "[a, , b]", "{a, b}", "[https://x.com/a, 'q']", "{a: 1, a: 2}", "&anchor x", "*alias",
    "!tag x", "|", ">", "%x", "@x", "`x", "?x", ":x", "[a] tail", "é ünïcödé", "a  b  ", "x   # spaced",
    "09:30", "0:30", "00:00", "0:30.5", "-.5", "+.5", "._5", ".5", "[C#:?]", "{k: C:?}", "... x: y", "--- x",
    "9" * 1001,
]  # fmt: skip
_KEYS = ["title", "a", "b", "with space", "yes", "1", "null", "C#", "a:b", "x-y", "'q'", '"d"', "<<", "?k", "-k", "k ",
         "... k", "--- k", "09:30", "-.5", "9" * 1001, "9" * 1025]  # fmt: skip
# Most of a document is ordinary; the odd value or key is what finds disagreements.
_SAFE_SCALARS = [value for value in _SCALARS if value[:1].isalnum() and ":" not in value and "#" not in value]
_SAFE_SCALARS += ['"quoted"', "'single'", "[a, b]", "{k: v}", "-5", "1.5", "yes", "0777"]
_SAFE_KEYS = ["title", "a", "b", "with space", "x-y", "C#", "quality", "topics"]


def _pick(draw: st.DrawFn, safe: list[str], anything: list[str]) -> str:
    return draw(st.sampled_from(anything if draw(st.integers(0, 11)) == 0 else safe))


@st.composite
def documents(draw: st.DrawFn) -> str:
    """YAML-like documents mixing the subset with everything just outside it."""
    lines: list[str] = []

    def block(indent: int, depth: int) -> None:
        for _ in range(draw(st.integers(1, 4))):
            pad = " " * indent
            if draw(st.integers(0, 9)) == 0:
                lines.append(pad + "# comment" if draw(st.booleans()) else "")
            key = _pick(draw, _SAFE_KEYS, _KEYS)
            kind = draw(st.integers(0, 5)) if depth < 3 else 0
            if kind <= 2:
                comment = draw(st.sampled_from(["", "", " # note", "#x"]))
                lines.append(f"{pad}{key}: {_pick(draw, _SAFE_SCALARS, _SCALARS)}{comment}")
            elif kind == 3:
                lines.append(f"{pad}{key}:")
                block(indent + draw(st.integers(1, 3)), depth + 1)
            else:
                lines.append(f"{pad}{key}:{draw(st.sampled_from(['', ' ', ' # c']))}")
                item_indent = indent + draw(st.sampled_from([0, 2, 2, 4]))
                for _ in range(draw(st.integers(0, 3))):
                    if draw(st.booleans()):
                        lines.append(" " * item_indent + "- " + _pick(draw, _SAFE_SCALARS, _SCALARS))
                    else:
                        entry = f"{_pick(draw, _SAFE_KEYS, _KEYS)}: {_pick(draw, _SAFE_SCALARS, _SCALARS)}"
                        lines.append(" " * item_indent + "- " + entry)
                        if draw(st.booleans()):
                            entry = f"{_pick(draw, _SAFE_KEYS, _KEYS)}: {_pick(draw, _SAFE_SCALARS, _SCALARS)}"
                            lines.append(" " * (item_indent + 2) + entry)
            if draw(st.integers(0, 25)) == 0:
                lines.append(" " * draw(st.integers(0, 6)) + draw(st.sampled_from(_SCALARS)))

    block(0, 0)
    text = "\n".join(lines) + "\n"
    return text.replace("\n", "\r\n") if draw(st.integers(0, 5)) == 0 else text


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_generated_documents_agree(text: str) -> None:
    check(text)


_FRAGMENTS = [" ", "  ", ":", ": ", "#", " #", "-", "- ", "'", '"', "[", "]", "{", "\n", "\\", "*", "&", "é", "yes",
              "\r\n", "\t", "?", "...", "---", "09:30", "-.5", "0:"]  # fmt: skip


@cache
def _corpus_front_matter() -> list[str]:
    return [_front_matter(path) for path in sorted(CORPUS.iterdir())]


@st.composite
def mutated_documents(draw: st.DrawFn) -> str:
    """Real front-matter with a few characters inserted or deleted."""
    text = draw(st.sampled_from(_corpus_front_matter()))
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(text) - 1))
        if draw(st.booleans()):
            text = text[:position] + draw(st.sampled_from(_FRAGMENTS)) + text[position:]
        else:
            text = text[:position] + text[position + 1 :]
    return text


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_documents())
def test_mutated_real_documents_agree(text: str) -> None:
    check(text)


def test_generator_exercises_the_fast_path() -> None:
    """Guard against a generator that only ever produces documents the fast reader declines."""
    accepted = 0

    @settings(max_examples=200, deadline=None, database=None)
    @given(documents())
    def count(text: str) -> None:
        nonlocal accepted
        accepted += check(text)

    count()
    assert accepted > 20


def test_implicit_keys_longer_than_yaml_allows_are_left_to_the_full_reader() -> None:
    """YAML limits an implicit key to 1024 characters; the fuzz target found the fast reader did not."""
    for key_at, text in ((0, "{key}: 1\n"), (4, "a: {{{key}: 1}}\n"), (10, "a: {{b: 1, {key}: 1}}\n")):
        assert check(text.format(key="k" * 1024)), key_at
        longer = text.format(key="k" * 1025)
        assert read_plain_yaml(longer, Limits()) is None
        assert read_yaml(longer, Limits()).fatal


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\n... x: y\n",  # a document end marker, not the key `... x`
        "a: 1\n--- x\n",
        "topics: [C#:?]\n",  # libyaml rejects `:` before `?` inside a flow collection
        "a: {k: C:?}\n",
    ],
)
def test_what_libyaml_rejects_is_left_to_the_full_reader(text: str) -> None:
    assert read_plain_yaml(text, Limits()) is None
    assert read_yaml(text, Limits()).fatal


@pytest.mark.parametrize("digits", [1001, 1024])
def test_number_keys_longer_than_the_limit_are_reported_by_both_readers(digits: int) -> None:
    text = "9" * digits + ": x\n"
    full = read_yaml(text, Limits())
    assert [issue.kind for issue in full.issues] == ["limit-exceeded"]
    assert read_plain_yaml(text, Limits()) is None


def test_long_number_values_are_reported_alike() -> None:
    assert check("quality: " + "9" * 1001 + "\n")
    assert [i.kind for i in read_yaml("quality: " + "9" * 1001 + "\n", Limits()).issues] == ["limit-exceeded"]


@pytest.mark.parametrize("value", ["09:30", "0:30", "00:00", "-.5", "+.5", "._5", "1:20", ".5"])
def test_times_and_point_floats_read_alike(value: str) -> None:
    assert check(f"starts: {value}\n")


def test_escapes_read_as_libyaml_reads_them() -> None:
    from fmlint.pipeline.yamlcore import DOUBLE_ESCAPES

    for code in DOUBLE_ESCAPES:
        if code != "\t":  # the fast reader leaves every tab to the full reader
            assert check(f'a: "x\\{code}y"\n'), code
    for escape in ("\\x41", "\\u00e9", "\\U0001F600"):
        assert check(f'a: "{escape}"\n')
    for bad in ("\\q", "\\x4", "\\ud800", "\\U00110000"):
        assert read_plain_yaml(f'a: "{bad}"\n', Limits()) is None
        assert read_yaml(f'a: "{bad}"\n', Limits()).fatal
