"""The yaml-test-suite through both readers and against libyaml (PyYAML's C parser).

Every case of ``tests/data/yaml-test-suite`` (one folder per case, from
github.com/yaml/yaml-test-suite, MIT licence in the folder) is read by the full
reader and the fast reader, and composed by libyaml. The readers must agree with
each other, accept and reject as libyaml does, and, where libyaml loads a case,
give the data of its ``in.json``. A stream of several documents is rejected: front-matter
is one document. The few differences in data are listed below, each with its reason;
a listed case that stops differing fails too, so the list stays true.
"""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from yaml.events import AliasEvent, DocumentStartEvent, NodeEvent

from fmlint.pipeline.yamlread import Limits, ParsedYaml, read_yaml
from test_fastyaml import check as readers_agree

SUITE = Path(__file__).resolve().parent / "data" / "yaml-test-suite"
CASES = sorted(str(path.parent.relative_to(SUITE)) for path in SUITE.glob("**/in.yaml"))

_LIBYAML = "libyaml's reading, which fmlint's full reader composes"
_NO_LINE_BREAK = (
    "the stream ends in spaces without a line break; a front-matter block never does (read with one, it is in.json)"
)
# Cases whose data is not in.json's, with the reason. Nothing else may differ.
DATA_DIFFERENCES: dict[str, str] = {
    "652Z": f"{_LIBYAML}: `?foo` inside a flow mapping is the explicit key `foo`, not the text `?foo`",
    "HM87/01": f"{_LIBYAML}: `[?x]` is a list holding the mapping {{x: null}}, not the text `?x`",
    "Y2GN": f"{_LIBYAML}: an anchor name ends at `:`, so `&an:chor value` anchors `:chor value`",
    "DK95/01": f"{_LIBYAML}: a tab may indent a quoted scalar's next line (the suite marks this an error)",
    "S4JQ": "YAML 1.1 as PyYAML reads it: the non-specific tag `!` on a plain `12` leaves it an integer",
    "JEF9/02": _NO_LINE_BREAK,
    "L24T/01": _NO_LINE_BREAK,
}


def _text(case: str) -> str:
    return (SUITE / case / "in.yaml").read_text(encoding="utf-8")


def libyaml_reads(text: str) -> tuple[bool, int]:
    """Whether libyaml's parser reads ``text`` (every alias naming an anchor before it), and its documents.

    The parser's verdict, not PyYAML's composer's: the composer also refuses an anchor
    defined twice, which YAML allows (the spec's example 7.1 does it) and fmlint reads.
    """
    anchors: set[str] = set()
    documents = 0
    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            if isinstance(event, AliasEvent):
                if event.anchor not in anchors:
                    return False, 0
            elif isinstance(event, NodeEvent) and event.anchor is not None:
                anchors.add(event.anchor)
            elif isinstance(event, DocumentStartEvent):
                documents += 1
                anchors.clear()
    except yaml.YAMLError:
        return False, 0
    return True, documents


@cache
def _libyaml(case: str) -> tuple[bool, int]:
    return libyaml_reads(_text(case))


@cache
def _full(case: str) -> ParsedYaml:
    return read_yaml(_text(case), Limits())


def _expected(case: str) -> Any:
    documents = []
    decoder = json.JSONDecoder()
    text = (SUITE / case / "in.json").read_text(encoding="utf-8")
    position = 0
    while (position := _skip_space(text, position)) < len(text):
        value, position = decoder.raw_decode(text, position)
        documents.append(value)
    return documents


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position


def _json_like(value: Any) -> Any:
    """Data as JSON would hold it: NaN named, so that it equals itself."""
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, dict):
        return {key: _json_like(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_like(item) for item in value]
    return value


@pytest.mark.parametrize("case", CASES)
def test_the_readers_agree(case: str) -> None:
    readers_agree(_text(case))


@pytest.mark.parametrize("case", CASES)
def test_accepted_and_rejected_as_libyaml_does(case: str) -> None:
    accepts, documents = _libyaml(case)
    rejects = _full(case).fatal
    if accepts and documents > 1:
        assert rejects  # front-matter is one document
        assert "more than one YAML document" in _full(case).issues[-1].message
    else:
        assert rejects == (not accepts), _full(case).issues


@pytest.mark.parametrize("case", [case for case in CASES if (SUITE / case / "in.json").exists()])
def test_data_is_the_suites(case: str) -> None:
    parsed = _full(case)
    if parsed.fatal:
        pytest.skip("rejected, as the test above requires: no data to compare")
    expected = _expected(case)
    same = [_json_like(parsed.data)] == expected or (parsed.empty and expected == [])
    if case in DATA_DIFFERENCES:
        assert not same, f"{case} is listed as different ({DATA_DIFFERENCES[case]}) but is not"
        if DATA_DIFFERENCES[case] == _NO_LINE_BREAK:
            assert [_json_like(read_yaml(_text(case) + "\n", Limits()).data)] == expected
    else:
        assert same, (parsed.data, expected)


def test_every_listed_difference_is_a_case() -> None:
    assert set(DATA_DIFFERENCES) <= set(CASES)
    assert len(CASES) > 300
