"""Reading YAML: plain data only, text kept as written, surprises reported (FM1xx)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import MINIMAL, dedent, lint_text, where
from fmlint.pipeline.yamlcore import resolve_plain
from fmlint.pipeline.yamlread import Limits, read_yaml


def load(text: str, limits: Limits = Limits()) -> object:
    parsed = read_yaml(dedent(text), limits)
    assert not parsed.fatal, parsed.issues
    return parsed.data


@pytest.mark.parametrize(
    ("text", "value", "differs"),
    [
        ("hello", "hello", False),
        ("", None, False),
        ("~", None, False),
        ("null", None, False),
        ("true", True, False),
        ("False", False, False),
        ("yes", True, True),
        ("NO", False, True),
        ("on", True, True),
        ("Off", False, True),
        ("y", "y", False),
        ("42", 42, False),
        ("-1", -1, False),
        ("0", 0, False),
        ("0x1F", 31, False),
        ("0777", 511, True),
        ("0o17", "0o17", True),
        ("09", "09", True),
        ("0b101", 5, True),
        ("1_000", 1000, True),
        ("1:20", 80, True),
        ("1:20:30", 4830, True),
        ("1.5", 1.5, False),
        ("1.", 1.0, False),
        ("1e3", "1e3", True),
        ("1.0e+3", 1000.0, False),
        ("2022-07-05T23:38:00Z", "2022-07-05T23:38:00Z", False),
        ("2022-07-05", "2022-07-05", False),
        ("2022-07-05 23:38:00", "2022-07-05 23:38:00", False),
        ("=", "=", False),
        # A base-60 integer cannot start with 0, and a float that starts with its point
        # has no sign and a digit after it: PyYAML reads these as text.
        ("09:30", "09:30", False),
        ("0:30", "0:30", False),
        ("00:00", "00:00", False),
        ("0:30.5", 30.5, True),
        ("-.5", "-.5", True),
        ("+.5", "+.5", True),
        ("._5", "._5", False),
        (".5", 0.5, False),
        ("-.nan", "-.nan", False),
    ],
)
def test_plain_scalars_read_as_yaml_1_1(text: str, value: object, differs: bool) -> None:
    result, note = resolve_plain(text, 1000)
    assert result == value and type(result) is type(value)
    assert (note is not None) is differs


def _pyyaml_reading(text: str) -> object:
    """What PyYAML's safe loader makes of a plain scalar, timestamps kept as text as fmlint keeps them."""
    loader = yaml.SafeLoader("")
    tag = loader.resolve(yaml.ScalarNode, text, (True, False))
    if tag == "tag:yaml.org,2002:timestamp":
        return text
    return loader.construct_object(yaml.ScalarNode(tag, text), deep=True)


def _same_reading(text: str) -> None:
    ours, _ = resolve_plain(text, 1000)
    try:
        theirs = _pyyaml_reading(text)
    except (ValueError, yaml.YAMLError):
        # PyYAML fails on these (`0x_`, `0b_`: no digits; `=`: no constructor): fmlint keeps the text.
        assert ours == text
        return
    if isinstance(theirs, float) and math.isnan(theirs):
        assert isinstance(ours, float) and math.isnan(ours)
    else:
        assert (type(ours), ours) == (type(theirs), theirs), text


@pytest.mark.parametrize(
    "text",
    ["09:30", "0:30", "00:00", "-.5", "+.5", "._5", "1:20", "-1:20", "1_0:0_0", "0:30.5", "1:60", "1:5:5", "0x_",
     "0b_", "0_", "00", "-0", "+0x1f", "0o17", "1e3", "1.e+3", "+.inf", "-.Inf", "-.nan", ".NaN", ".5_", "1_.5",
     "2022-07-05", "=", "~", "Yes", "nO", "0b1_0", "-0b1", "+12_", "0.", "-0.0", "1__0"],
)  # fmt: skip
def test_plain_scalars_read_as_pyyaml_reads_them(text: str) -> None:
    _same_reading(text)


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet="0123456789_:.-+eEoxbB", min_size=1, max_size=10))
def test_number_like_scalars_read_as_pyyaml_reads_them(text: str) -> None:
    _same_reading(text)


def test_special_floats() -> None:
    assert math.isinf(resolve_plain(".inf", 1000)[0])  # type: ignore[arg-type]
    assert math.isnan(resolve_plain(".NaN", 1000)[0])  # type: ignore[arg-type]


def test_timestamps_stay_text_whether_quoted_or_not() -> None:
    data = load("""
        a: 2022-07-05T23:38:00Z
        b: "2022-07-05T23:38:00Z"
        c: 2022-07-05
        d: !!timestamp 2022-07-05
    """)
    assert data == {"a": "2022-07-05T23:38:00Z", "b": "2022-07-05T23:38:00Z", "c": "2022-07-05", "d": "2022-07-05"}


def test_quoted_and_block_scalars_are_text() -> None:
    data = load("""
        a: "yes"
        b: '0777'
        c: |
          multi
          line
        d: >-
          folded
          text
        e: !!str 42
    """)
    assert data == {"a": "yes", "b": "0777", "c": "multi\nline\n", "d": "folded text", "e": "42"}


def test_only_plain_data_is_ever_constructed() -> None:
    parsed = read_yaml(
        dedent("""
            a: !!python/object/apply:os.system ["touch /tmp/pwned-by-yaml"]
            b: !!python/name:os.system
            c: !secret token
            d: !!binary aGVsbG8=
            e: !!set {x, y}
        """),
        Limits(),
    )
    assert parsed.data == {
        "a": ["touch /tmp/pwned-by-yaml"],
        "b": "",
        "c": "token",
        "d": "aGVsbG8=",
        "e": {"x": None, "y": None},
    }
    assert [issue.kind for issue in parsed.issues] == ["yaml-tag", "yaml-tag", "yaml-tag"]
    assert not Path("/tmp/pwned-by-yaml").exists()


def test_merge_keys_and_aliases() -> None:
    data = load("""
        base: &base {type: article, quality: 1}
        one:
          <<: *base
          quality: 2
        two: *base
    """)
    assert data == {
        "base": {"type": "article", "quality": 1},
        "one": {"type": "article", "quality": 2},
        "two": {"type": "article", "quality": 1},
    }


def test_recursive_alias_is_reported_and_read_as_null() -> None:
    parsed = read_yaml("a: &x [1, *x]\n", Limits())
    assert parsed.data == {"a": [1, None]}
    assert [issue.kind for issue in parsed.issues] == ["recursive-alias"]


def test_alias_expansion_is_bounded() -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    parsed = read_yaml("\n".join(lines) + "\n", Limits())
    assert parsed.fatal
    assert [issue.kind for issue in parsed.issues] == ["limit-exceeded"]
    assert "max-nodes" in parsed.issues[0].message


def test_nesting_depth_is_bounded() -> None:
    parsed = read_yaml("a: " + "[" * 100_000 + "]" * 100_000 + "\n", Limits())
    assert parsed.fatal
    assert "max-depth" in parsed.issues[0].message


def test_long_numbers_are_bounded() -> None:
    parsed = read_yaml("quality: " + "9" * 5000 + "\nheat: " + ":".join(["59"] * 200_000) + "\n", Limits())
    assert parsed.data == {"quality": "9" * 5000, "heat": ":".join(["59"] * 200_000)}
    assert [issue.kind for issue in parsed.issues] == ["limit-exceeded", "limit-exceeded"]


def test_multiple_documents_are_a_syntax_error() -> None:
    parsed = read_yaml("a: 1\n--- \nb: 2\n", Limits())
    assert parsed.fatal
    assert "more than one YAML document" in parsed.issues[0].message


def test_duplicate_key_is_reported_at_the_second_and_names_the_first(tmp_path: Path) -> None:
    text = MINIMAL.replace("---\n", "", 1).rsplit("---\n", 1)[0]
    diagnostics = lint_text(tmp_path, "---\n" + text + 'title: "Again"\n---\n')
    assert where(diagnostics) == [(8, 1, "FM101")]
    assert "line 2" in diagnostics[0].message
    assert diagnostics[0].pointer == "/title"
    assert (diagnostics[0].end_line, diagnostics[0].end_column) == (8, 6)


def test_duplicate_keys_in_nested_and_flow_mappings(tmp_path: Path) -> None:
    text = MINIMAL.replace("  domain: example.com\n", "  domain: example.com\n  name: Other\n")
    text = text.replace("---\n", "---\nimages: [{url: /a.png, url: /b.png}]\n", 1)
    assert where(lint_text(tmp_path, text)) == [(2, 24, "FM101"), (9, 3, "FM101")]


@pytest.mark.parametrize(
    ("line", "column", "code"),
    [
        ("published: yes", 12, "FM102"),
        ("published: Off", 12, "FM102"),
        ("quality: 0777", 10, "FM103"),
        ("quality: 1:20", 10, "FM103"),
        ("quality: 1_000", 10, "FM103"),
        ("title2: !secret abc", 9, "FM104"),
        ("2022: a year", 1, "FM105"),
        ("null: nothing", 1, "FM105"),
        ("topics: &t [AI, *t]", 17, "FM106"),
    ],
)
def test_yaml_findings_at_their_position(tmp_path: Path, line: str, column: int, code: str) -> None:
    text = MINIMAL.replace("---\n", f"---\n{line}\n", 1)
    found = [(d.line, d.column, d.code) for d in lint_text(tmp_path, text) if d.code.startswith("FM1")]
    assert found == [(2, column, code)]


def test_yaml_1_1_boolean_still_validates_as_boolean(tmp_path: Path) -> None:
    text = MINIMAL.replace("---\n", "---\npublished: yes\n", 1)
    assert [d.code for d in lint_text(tmp_path, text)] == ["FM102"]


def test_syntax_error_position_and_message(tmp_path: Path) -> None:
    [diagnostic] = lint_text(tmp_path, "---\ntitle: ok\nexcerpt: : bad\n  indent: wrong\n---\n")
    assert diagnostic.code == "FM005"
    assert (diagnostic.line, diagnostic.column) == (3, 10)
    assert diagnostic.message.startswith("YAML syntax error:")


def test_control_character_is_a_syntax_error_at_its_position(tmp_path: Path) -> None:
    [diagnostic] = lint_text(tmp_path, "---\ntitle: é\x07\n---\n")
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == ("FM005", 2, 9)
    assert "U+0007" in diagnostic.message


def test_dash_line_inside_a_quoted_value_ends_the_block(tmp_path: Path) -> None:
    [diagnostic] = lint_text(tmp_path, '---\ntitle: "first\n---\nsecond"\n---\n')
    assert diagnostic.code == "FM005"


@pytest.mark.parametrize(
    "text",
    [
        "a: it's\nb: " + "[" * 100_000 + "]" * 100_000 + "\n",
        "a: {b: " * 5_000 + "}" * 5_000 + "\n",
    ],
    ids=["after-an-apostrophe", "mappings"],
)
def test_nesting_depth_is_bounded_before_the_parser_reads_it(text: str) -> None:
    parsed = read_yaml(text, Limits())
    assert parsed.fatal
    assert [issue.kind for issue in parsed.issues] == ["limit-exceeded"]
    assert "max-depth" in parsed.issues[0].message


@pytest.mark.parametrize(
    "text",
    [
        'title: "' + "[" * 100 + '"\n',
        "title: '" + "{" * 100 + "'\n",
        "title: a # " + "[" * 100 + "\n",
        "tags: [" + ", ".join(["[x]"] * 100) + "]\n",
    ],
    ids=["double-quoted", "single-quoted", "comment", "wide-but-shallow"],
)
def test_brackets_that_do_not_nest_are_not_a_depth_problem(text: str) -> None:
    parsed = read_yaml(text, Limits())
    assert not parsed.fatal
