"""The whole pipeline, from bytes to rendered diagnostics, and what must hold of any run.

Shared by the property tests (``test_properties.py``) and the opt-in fuzz target
(``fuzz_pipeline.py``): hypothesis strategies that build front-matter from the
article schema, mutate real corpus files or make raw bytes, and :func:`lint_bytes`,
which lints them through the same code as ``fmlint check`` and asserts the
invariants every input must keep, whatever it is.
"""

from __future__ import annotations

import io
import json
import string
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin

import yaml
from hypothesis import strategies as st

from conftest import CORPUS, FIXED_NOW
from fmlint.diagnostic import Diagnostic, Severity
from fmlint.pipeline.discover import Target
from fmlint.pipeline.lint import Linter
from fmlint.pipeline.settings import Settings
from fmlint.pipeline.source import BOM
from fmlint.report import FORMATS, RunResult, render
from fmlint.rules import BY_CODE, RULES
from fmlint.run.runner import lint_targets
from fmlint.schema.store import load_schema_set

SCHEMAS = load_schema_set(None)
# Every rule, opt-in ones too: the more code runs on each input, the more a fuzzer finds.
LINTER = Linter(Settings(schemas=SCHEMAS, enabled=frozenset(rule.code for rule in RULES), now=FIXED_NOW))
CORPUS_FILES = sorted(CORPUS.iterdir())


def lint_bytes(directory: Path, data: bytes, name: str = "x.md") -> list[Diagnostic]:
    """Lint ``data`` as the file ``name`` and check every invariant of the result."""
    path = directory / name
    path.write_bytes(data)
    diagnostics, checked = lint_targets(LINTER, [Target(str(path))])
    assert checked == [str(path)]
    check_invariants(data, diagnostics)
    return diagnostics


def check_invariants(data: bytes, diagnostics: list[Diagnostic]) -> None:
    internal = [d.message for d in diagnostics if d.code == "FM902"]
    assert not internal, internal
    assert diagnostics == sorted(diagnostics, key=Diagnostic.sort_key)
    lines = _lines(data)
    for diagnostic in diagnostics:
        rule = BY_CODE[diagnostic.code]
        assert (diagnostic.rule, diagnostic.severity) == (rule.name, rule.severity)
        assert diagnostic.severity in (Severity.ERROR, Severity.WARNING)
        assert diagnostic.message.strip()
        assert diagnostic.pointer == "" or diagnostic.pointer.startswith("/")
        assert_inside(diagnostic, lines)
    _render_every_format(diagnostics)


def _lines(data: bytes) -> list[str]:
    """The file's lines as fmlint counts them: split at LF, columns in characters."""
    text = data.removeprefix(BOM).decode("utf-8", "replace")
    return text.split("\n")


def assert_inside(diagnostic: Diagnostic, lines: list[str]) -> None:
    """The finding starts and ends inside the file, and does not end before it starts."""
    where = (diagnostic.line, diagnostic.column, diagnostic.end_line, diagnostic.end_column)
    assert 1 <= diagnostic.line <= len(lines), where
    assert 1 <= diagnostic.column <= len(lines[diagnostic.line - 1]) + 1, where
    assert diagnostic.line <= diagnostic.end_line <= len(lines), where
    # The end is exclusive: one past the last character, or one past the start for a point.
    end_limit = len(lines[diagnostic.end_line - 1]) + 1
    if diagnostic.end_line == diagnostic.line:
        assert diagnostic.end_column > diagnostic.column, where
        end_limit = max(end_limit, diagnostic.column + 1)
    assert 1 <= diagnostic.end_column <= end_limit, where


def _render_every_format(diagnostics: list[Diagnostic]) -> None:
    paths = tuple(sorted({d.path for d in diagnostics}))
    result = RunResult(tuple(diagnostics), paths)
    for name in FORMATS:
        stream = io.StringIO()
        render(name, result, stream)
        if name == "json":
            assert len(json.loads(stream.getvalue())) == len(diagnostics)


# --- front-matter built from the schema ------------------------------------------

_WEIRD_TEXT = st.sampled_from(
    ["", " ", "yes", "no", "null", "~", "0777", "1:20", "1e3", ".inf", "-", "- x", "a: b", "#", "&a", "*a", "!x",
     "[", "{", "'", '"', "\\", "\t", "\r", "\n", "---", "...", "é", "\u2028", "\ufeff", "%", "@", "`", "?", "|"]
)  # fmt: skip
_TEXT = st.one_of(
    st.text(string.ascii_letters + string.digits + " -_.,:/?#'\"", max_size=30),
    st.text(max_size=20),
    _WEIRD_TEXT,
)
_ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | _TEXT,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(_TEXT, children, max_size=3),
    max_leaves=8,
)


def _date_times() -> st.SearchStrategy[str]:
    moments = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1))
    zones = st.sampled_from([timezone.utc, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5, minutes=-30))])
    valid = st.builds(lambda moment, zone: moment.replace(tzinfo=zone).isoformat(), moments, zones)
    near_misses = st.sampled_from(["2022-07-05", "2022-07-05 23:38:00", "2022-13-01T00:00:00Z", "2022-07-05T23:38"])
    return st.one_of(valid, valid.map(lambda text: text.replace("+00:00", "Z")), valid, near_misses)


def _urls() -> st.SearchStrategy[str]:
    hosts = st.sampled_from(["example.com", "news.example.co.uk", "xn--caf-dma.fr", "café.fr", "ex.com", "-x.com"])
    paths = st.text(string.ascii_letters + string.digits + "/-_.%?=&#", max_size=20)
    schemes = st.sampled_from(["https://", "https://", "http://", "", "ftp://", "https:/"])
    ports = st.sampled_from(["", "", ":8080", ":0", ":65536", ":x", ":" + "9" * 5000])
    return st.builds(lambda scheme, host, port, path: f"{scheme}{host}{port}/{path}", schemes, hosts, ports, paths)


_FORMATS = {"date-time": _date_times(), "uri": _urls(), "uri-reference": st.one_of(_urls(), st.just("/img/a.png"))}


def _rarely(draw: st.DrawFn, one_in: int) -> bool:
    """True about once in ``one_in`` draws (not at 0: hypothesis draws boundary values far more often)."""
    return draw(st.integers(0, one_in - 1)) == one_in // 2


def from_schema(schema: Any, base: str, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values for ``schema``: mostly valid, with the odd value of any kind or shape."""
    valid = _valid(schema, base, depth)
    if not depth:
        return valid

    @st.composite
    def value(draw: st.DrawFn) -> Any:
        return draw(_ANY_JSON if _rarely(draw, 16) else valid)

    return value()


def _valid(schema: Any, base: str, depth: int) -> st.SearchStrategy[Any]:
    if not isinstance(schema, dict):
        return _ANY_JSON
    if "$ref" in schema:
        uri = urljoin(base, schema["$ref"])
        document, fragment = urldefrag(uri)
        target: Any = SCHEMAS.resources[document]
        for part in filter(None, fragment.split("/")):
            target = target[part]
        return st.deferred(lambda: from_schema(target, document, depth + 1))
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "string":
        text = _TEXT.filter(bool) if schema.get("minLength") else _TEXT
        return _FORMATS.get(schema.get("format", ""), text)
    if kind == "integer":
        return st.one_of(st.integers(0, 120), st.integers(0, 120), st.integers())
    if kind == "boolean":
        return st.booleans()
    if kind == "array":
        return st.lists(from_schema(schema.get("items", {}), base, depth + 1), max_size=3 if depth < 3 else 0)
    if kind == "object" or "properties" in schema:
        return _objects(schema, base, depth)
    return _ANY_JSON


def _objects(schema: dict[str, Any], base: str, depth: int) -> st.SearchStrategy[dict[str, Any]]:
    properties = schema.get("properties", {})
    required = set(schema.get("required", ()))

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        value: dict[str, Any] = {}
        for name, sub in properties.items():
            wanted = not _rarely(draw, 30) if name in required else draw(st.booleans())
            if wanted and depth < 4:
                value[name] = draw(from_schema(sub, base, depth + 1))
        if _rarely(draw, 16):
            value[draw(_TEXT)] = draw(_ANY_JSON)  # an unknown field, often a typo
        keys = draw(st.permutations(list(value)))
        return {key: value[key] for key in keys}

    return build()


class _Dumper(yaml.SafeDumper):
    pass


@st.composite
def articles(draw: st.DrawFn) -> bytes:
    """A file whose front-matter is an article from the schema, written in one of YAML's styles."""
    article = draw(from_schema(SCHEMAS.schema, SCHEMAS.root))
    text = yaml.dump(
        article,
        Dumper=_Dumper,
        default_flow_style=draw(st.sampled_from([False, None, True])),
        allow_unicode=draw(st.booleans()),
        width=draw(st.sampled_from([40, 80, 10_000])),
        indent=draw(st.sampled_from([2, 4])),
        sort_keys=False,
    )
    newline = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    body = "---\n" + text + draw(st.sampled_from(["---\n", "...\n"])) + "The article body.\n"
    data = body.replace("\n", newline).encode("utf-8")
    return BOM + data if _rarely(draw, 10) else data


# --- mutations of real files ------------------------------------------------------

_FRAGMENTS = [
    b" ", b"  ", b"\t", b":", b": ", b"- ", b"#", b" #", b"'", b'"', b"[", b"]", b"{", b"}", b",", b"\n", b"\r\n",
    b"\r", b"\\", b"&a ", b"*a", b"!!python/object:os.system ", b"!x ", b"? ", b"|\n", b">-\n", b"---\n", b"...\n",
    b"%YAML 1.1\n", b"\0", b"\xff", b"\xef\xbb\xbf", b"\xc3", "é".encode(), b"\xe2\x80\xa8", b"yes", b"0777",
    b"1:20", b".inf", b"<<: ", b"~", b"9" * 40, b"9" * 400, b"!!float ", b"!!int ", b"!!bool ", b"!!null ", b"!!str ",
]  # fmt: skip


@st.composite
def mutated_corpus_files(draw: st.DrawFn, max_mutations: int = 6) -> bytes:
    """A real article with a few bytes inserted, deleted, lines repeated, moved or re-indented."""
    data = draw(st.sampled_from(CORPUS_FILES)).read_bytes()
    data = data[: data.find(b"\n---\n", 4) + 5 + draw(st.integers(0, 200))]  # the head, and a little body
    for _ in range(draw(st.integers(1, max_mutations))):
        data = draw(_mutation(data))
    return data


def _mutation(data: bytes) -> st.SearchStrategy[bytes]:
    size = max(len(data), 1)

    @st.composite
    def mutate(draw: st.DrawFn) -> bytes:
        # Mostly inside the block, past the opening fence (hypothesis favours drawing 0).
        first = 0 if _rarely(draw, 10) else min(4, size - 1)
        where = draw(st.integers(first, size - 1))
        action = draw(st.sampled_from(["insert", "insert", "insert", "delete", "delete", "repeat", "move", "indent"]))
        if action == "insert":
            fragment = draw(st.one_of(st.sampled_from(_FRAGMENTS), st.binary(max_size=4)))
            return data[:where] + fragment + data[where:]
        if action == "delete":
            return data[:where] + data[where + draw(st.integers(1, 8)) :]
        lines = data.split(b"\n")
        line = draw(st.integers(0 if first == 0 else min(1, len(lines) - 1), len(lines) - 1))
        if action == "repeat":
            lines.insert(line, lines[line])
        elif action == "move":
            lines.insert(draw(st.integers(1, len(lines))), lines.pop(line))
        else:
            lines[line] = b" " * draw(st.integers(0, 6)) + lines[line].lstrip(b" ")
        return b"\n".join(lines)

    return mutate()


# --- raw input for the fuzzer -----------------------------------------------------

_TOKENS = [fragment for fragment in _FRAGMENTS if fragment] + [b"title", b"a", b"topics", b"quality", b"0", b"x"]


@st.composite
def token_soup(draw: st.DrawFn) -> bytes:
    """A fenced block of YAML-significant tokens in random order."""
    tokens = draw(st.lists(st.sampled_from(_TOKENS), max_size=40))
    return b"---\n" + b"".join(tokens) + draw(st.sampled_from([b"\n---\n", b"\n", b""]))


def any_input() -> st.SearchStrategy[bytes]:
    fenced_bytes = st.binary(max_size=200).map(lambda data: b"---\n" + data + b"\n---\n")
    return st.one_of(articles(), mutated_corpus_files(), token_soup(), fenced_bytes, st.binary(max_size=200))
