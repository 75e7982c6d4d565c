"""Each URL and date defect, injected into a copy of a real article, is reported where it is.

Every case copies a real file (a corpus article, or the seed article with related
links), makes one textual edit, and expects exactly the findings listed, at the
line and column of the edited value, with the field's pointer. The untouched
files are clean, so any other finding is noise and fails the test.
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ALL_CODES, CORPUS, VALID_SEED, lint_paths
from fmlint.diagnostic import Applicability, Diagnostic
from fmlint.pipeline.source import Source, read_front_matter

GEEKWIRE = CORPUS / "2020-09-23-as-low-code-competition-grows-microsoft-integrates-power-apps-with-github-and-teams.md"
VIDEO = CORPUS / "2019-08-19-microsoft-power-apps-2019-release-wave-2-overview.md"
DEFAULT = frozenset(ALL_CODES - {"FM404"})  # every rule enabled by default (FM404 is the opt-in one)


@dataclass(frozen=True)
class Case:
    id: str
    source: Path
    old: str
    new: str
    codes: tuple[str, ...]
    pointer: str
    at: str = ""  # text on the reported line, once in the edited file (default: the last line of new)
    fixed_back: bool = False  # the fix restores the real file exactly

    def __str__(self) -> str:
        return self.id


G, S = GEEKWIRE, VALID_SEED
CASES = [
    # FM301: syntax, from the schema's uri format
    Case("missing-colon", G, 'originalUrl: "https://', 'originalUrl: "https//', ("FM301",), "/originalUrl"),
    Case("no-scheme", G, 'originalUrl: "https://www.', 'originalUrl: "www.', ("FM301",), "/originalUrl"),
    Case("relative", G, 'originalUrl: "https://www.geekwire.com/', 'originalUrl: "/', ("FM301",), "/originalUrl"),
    Case("space", G, 'webUrl: "https://www.geekwire', 'webUrl: "https://www.geek wire', ("FM301",), "/webUrl"),
    Case("empty-label", G, 'webUrl: "https://www.', 'webUrl: "https://www..', ("FM301",), "/webUrl"),
    Case(
        "no-host",
        G,
        'originalUrl: "https://www.geekwire.com/2020/low-code-competition-grows-microsoft-integrates'
        '-power-apps-github-teams/"',
        'originalUrl: "https://"',
        ("FM301",),
        "/originalUrl",
    ),
    Case("image-bad-path", G, '  - url: "https://cdn.geekwire.com/wp-', '  - url: "/wp ', ("FM301",), "/images/0/url"),
    Case("image-site-path", G, '  - url: "https://cdn.geekwire.com/wp-', '  - url: "/wp-', (), "/images/0/url"),
    # FM302: scheme
    Case("javascript", G, 'webUrl: "https://www.geekwire.com/', 'webUrl: "javascript:void(0)/', ("FM302",), "/webUrl"),
    Case("ftp", G, 'webUrl: "https://', 'webUrl: "ftp://', ("FM302",), "/webUrl"),
    Case("htps", G, 'webUrl: "https://', 'webUrl: "htps://', ("FM302",), "/webUrl"),
    # FM303, FM304: plain http, hosts readers cannot reach
    Case(
        "http",
        G,
        '- url: "https://everyday',
        '- url: "http://everyday',
        ("FM303",),
        "/provider/images/0/url",
        fixed_back=True,
    ),
    Case("localhost", G, '"https://cdn.geekwire.com/', '"https://localhost:4000/', ("FM304",), "/images/0/url"),
    Case("private-ip", G, '"https://cdn.geekwire.com/', '"https://192.168.0.10/', ("FM304",), "/images/0/url"),
    # FM305, FM306, FM307: fields that must agree
    Case(
        "hosts-differ",
        G,
        'webUrl: "https://www.geekwire.com/',
        'webUrl: "https://geekwire.co.uk/',
        ("FM305",),
        "/webUrl",
    ),
    Case(
        "cdn-amp",
        G,
        '"https://www-geekwire-com.',
        '"https://www.geekwire.com.',
        ("FM306",),
        "/cdnAmpWebUrl",
        fixed_back=True,
    ),
    Case(
        "amp-moved",
        G,
        'ampWebUrl: "https://www.',
        'ampWebUrl: "https://amp.',
        ("FM306",),
        "/cdnAmpWebUrl",
        at="cdnAmpWebUrl: ",
    ),
    Case("provider", G, "domain: geekwire.com", "domain: geekwire.org", ("FM307",), "/provider/domain"),
    Case("video-as-article", VIDEO, "type: video", "type: article", ("FM307",), "/provider/domain", at="  domain: "),
    # FM401: impossible or zone-less date-times, quoted or not
    *[
        Case(
            f"date-{value}",
            G,
            "publishedDateTime: 2020-09-22T23:13:00Z",
            f"publishedDateTime: {value}",
            (code,),
            "/publishedDateTime",
        )
        for value, code in [
            ("2020-13-22T23:13:00Z", "FM401"),
            ('"2020-02-30T23:13:00Z"', "FM401"),
            ("2020-09-22T25:13:00Z", "FM401"),
            ("2020-09-22", "FM401"),
            ("09/22/2020", "FM401"),
            ("'September 22, 2020'", "FM401"),
            ("2020-09-22T23:13:00", "FM401"),
            ('"2020-09-22T23:13:00"', "FM401"),
            ('""', "FM206"),
        ]
    ],
    # FM402, FM403: the future, the file name
    Case("future", G, "publishedDateTime: 2020-", "publishedDateTime: 2030-", ("FM402", "FM403"), "/publishedDateTime"),
    Case("file-name", G, "DateTime: 2020-09-22", "DateTime: 2020-09-20", ("FM403",), "/publishedDateTime"),
    # the same inside related links (the seed article has them)
    Case(
        "related-cdn",
        S,
        "org/c/s/www.forbes.com",
        "org/c/www.forbes.com",
        ("FM306",),
        "/related/0/cdnAmpWebUrl",
        fixed_back=True,
    ),
    Case(
        "related-future",
        S,
        "DateTime: 2022-07-05T10",
        "DateTime: 2032-07-05T10",
        ("FM402",),
        "/related/0/publishedDateTime",
    ),
    Case(
        "related-zone-less",
        S,
        "2022-07-07T07:00:00Z",
        "2022-07-07T07:00:00",
        ("FM401",),
        "/related/1/publishedDateTime",
    ),
    Case("related-provider", S, "domain: forbes.com", "domain: forbes.co.uk", ("FM307",), "/related/0/provider/domain"),
    Case(
        "related-http",
        S,
        'webUrl: "https://apnews',
        'webUrl: "http://apnews',
        ("FM303",),
        "/related/2/webUrl",
        fixed_back=True,
    ),
    Case("related-javascript", S, '"https://www.asiaone.com/', '"javascript:void(0)/', ("FM302",), "/related/3/webUrl"),
    Case(
        "related-image-ip",
        S,
        '"https://imageio.forbes.com/',
        '"https://10.1.2.3/',
        ("FM304",),
        "/related/0/images/0/url",
    ),
    Case(
        "related-hosts-differ",
        S,
        '    webUrl: "https://www.asiaone.com/',
        '    originalUrl: "https://www.straitstimes.com/x"\n    webUrl: "https://www.asiaone.com/',
        ("FM305",),
        "/related/3/webUrl",
    ),
]


def _position(text: str, at: str) -> tuple[int, int]:
    """Where the value starts on the line holding ``at`` (which occurs once in ``text``)."""
    assert text.count(at) == 1, at
    start = text.rfind("\n", 0, text.index(at)) + 1
    line = text[start : text.index("\n", start)]
    return text.count("\n", 0, start) + 1, line.index(": ") + 3


def _copy(tmp_path: Path, source: Path, old: str, new: str, name: str | None = None) -> tuple[Path, str]:
    text = source.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    edited = text.replace(old, new)
    path = tmp_path / (name or source.name)
    path.write_text(edited, encoding="utf-8", newline="")
    return path, edited


def _fixed(path: Path, diagnostic: Diagnostic) -> str:
    """The file with the fix's edits applied to its front-matter text."""
    source = read_front_matter(str(path), 1 << 20)
    assert isinstance(source, Source) and diagnostic.fix is not None
    front = source.text
    for edit in sorted(diagnostic.fix.edits, key=lambda edit: edit.start, reverse=True):
        front = front[: edit.start] + edit.text + front[edit.end :]
    whole = path.read_text(encoding="utf-8")
    assert whole.count(source.text) == 1
    return whole.replace(source.text, front)


def test_the_real_files_are_clean() -> None:
    assert lint_paths([GEEKWIRE, VIDEO, VALID_SEED], select=ALL_CODES - {"FM404"}) == []


@pytest.mark.parametrize("case", CASES, ids=str)
def test_injected_defect_is_reported_at_its_field(tmp_path: Path, case: Case) -> None:
    path, edited = _copy(tmp_path, case.source, case.old, case.new)
    diagnostics = lint_paths([path], select=DEFAULT)
    line, column = _position(edited, case.at or case.new.split("\n")[-1])
    assert [(d.line, d.column, d.code, d.pointer) for d in diagnostics] == [
        (line, column, code, case.pointer) for code in case.codes
    ]
    if case.fixed_back:
        (diagnostic,) = diagnostics
        assert _fixed(path, diagnostic) == case.source.read_text(encoding="utf-8")


def test_a_renamed_file_disagrees_with_its_date(tmp_path: Path) -> None:
    name = GEEKWIRE.name.replace("2020-09-23", "2020-09-26")
    path, _ = _copy(tmp_path, GEEKWIRE, "type: article", "type: article", name)
    diagnostics = lint_paths([path], select=DEFAULT)
    assert [(d.line, d.column, d.code, d.pointer) for d in diagnostics] == [(5, 20, "FM403", "/publishedDateTime")]
    assert "the file name says 2020-09-26 but `publishedDateTime` is 2020-09-22, 4 days apart" in diagnostics[0].message


def test_unquoted_date_times_of_a_real_file_are_quoted_by_the_opt_in_fix(tmp_path: Path) -> None:
    path, text = _copy(tmp_path, VALID_SEED, "type: article\nquality: 43", "type: article\nquality: 43")
    diagnostics = lint_paths([path], select={"FM404"})
    lines = [index + 1 for index, line in enumerate(text.split("\n")) if "publishedDateTime: 20" in line]
    assert [(d.line, d.code) for d in diagnostics] == [(line, "FM404") for line in lines]
    assert len(lines) == 8
    assert diagnostics[3].pointer == "/related/2/publishedDateTime"
    for diagnostic in reversed(diagnostics):
        assert diagnostic.fix is not None and diagnostic.fix.applicability is Applicability.SAFE
        path.write_text(_fixed(path, diagnostic), encoding="utf-8", newline="")
    assert path.read_text(encoding="utf-8").count('publishedDateTime: "20') == 8
    assert lint_paths([path], select=ALL_CODES) == []


def test_crlf_files_get_the_same_positions_and_fixes(tmp_path: Path) -> None:
    original = GEEKWIRE.read_text(encoding="utf-8").replace("\n", "\r\n")
    edited = original.replace('cdnAmpWebUrl: "https://www-geekwire-com.', 'cdnAmpWebUrl: "https://www-geekwire.com.')
    path = tmp_path / GEEKWIRE.name
    path.write_bytes(edited.encode("utf-8"))
    (diagnostic,) = lint_paths([path], select=DEFAULT)
    assert (diagnostic.line, diagnostic.column, diagnostic.code) == (9, 15, "FM306")
    source = read_front_matter(str(path), 1 << 20)
    assert isinstance(source, Source) and diagnostic.fix is not None
    (edit,) = diagnostic.fix.edits
    front = source.text[: edit.start] + edit.text + source.text[edit.end :]
    assert edited.replace(source.text, front) == original


_ODD = [
    "http://example.com/a",
    "HTTP://Example.com/a",
    "https://localhost./a",
    "https://[::1]/a",
    "https://u@www.geekwire.com:8443/a,b/amp?x=1&y='2'",
    "https://bücher.example/a",
    "//cdn.example/a",
    "/site/path",
    "ftp://example.com/a",
    "javascript:void(0)",
    "https://www-geekwire-com.cdn.ampproject.org/c/s/wrong",
    "2999-01-01T00:00:00Z",
    "2020-09-22T23:13:60-23:59",
    "2020-09-22",
    "",
]
_FIELDS = ["originalUrl", "webUrl", "ampWebUrl", "cdnAmpWebUrl", "publishedDateTime"]


def _written(value: str, style: str) -> str:
    if style == "'":
        return "'" + value.replace("'", "''") + "'"
    if style == '"':
        return json.dumps(value, ensure_ascii=False)
    return value


@settings(max_examples=60, deadline=None, database=None, derandomize=True)
@given(
    st.sampled_from([GEEKWIRE, VALID_SEED]),
    st.lists(st.tuples(st.sampled_from(_FIELDS), st.sampled_from(_ODD), st.sampled_from(["", "'", '"'])), max_size=4),
)
def test_odd_values_in_real_files_never_break_a_rule_and_every_fix_holds(
    source: Path, changes: list[tuple[str, str, str]]
) -> None:
    text = source.read_text(encoding="utf-8")
    for key, value, style in changes:
        line = f"{key}: {_written(value, style)}"
        text = re.sub(rf"(?m)^{key}: .*$", line.replace("\\", "\\\\"), text, count=1)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / source.name
        path.write_text(text, encoding="utf-8")
        before = lint_paths([path], select=ALL_CODES)
        assert "FM902" not in {d.code for d in before}
        seen = {(d.code, d.pointer) for d in before}
        for diagnostic in before:
            if diagnostic.fix is None:
                continue
            fixed = Path(folder) / "fixed" / source.name
            fixed.parent.mkdir(exist_ok=True)
            fixed.write_text(_fixed(path, diagnostic), encoding="utf-8")
            after = {(d.code, d.pointer) for d in lint_paths([fixed], select=ALL_CODES)}
            assert (diagnostic.code, diagnostic.pointer) not in after
            assert after <= seen
