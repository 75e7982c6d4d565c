"""Property: on real articles with random stray whitespace, random line endings, byte-order
mark, comments and body, ``--fix`` gives back the article without the whitespace, byte for
byte (so it changed nothing outside the fixed values), and a second ``--fix`` changes nothing.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import run_cli
from fixcases import clean_articles, pad, variant

# Whitespace as it can be written inside double quotes: the character itself or an escape.
DOUBLE_QUOTED = [" ", "\t", "\u00a0", "\u3000", "\\t", "\\x20", "\\_", "\\n", "\\r", "\\u2003", "\\U00002009"]
SINGLE_QUOTED = [" ", "\t", "\u00a0", "\u3000"]
_TITLE = re.compile(rb'^title: "([^"\\\']*)"(\r?)$', re.MULTILINE)


def whitespace(tokens: list[str]) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(tokens), max_size=3).map("".join)


@st.composite
def articles(draw: st.DrawFn) -> tuple[bytes, bytes]:
    """An article with stray whitespace, and the same article as ``--fix`` must leave it."""
    base = variant(
        draw(st.sampled_from(clean_articles()[:120])).read_bytes(), crlf=draw(st.booleans()), bom=draw(st.booleans())
    )
    newline = b"\r\n" if b"\r\n" in base else b"\n"
    if draw(st.booleans()):  # a comment line that must survive
        base = base.replace(b"\ncategory:", b"\n# edited by hand" + newline + b"category:", 1)
    single = draw(st.booleans()) and _TITLE.search(base) is not None
    if single:  # the title single-quoted instead
        base = _TITLE.sub(lambda match: b"title: '" + match[1] + b"'" + match[2], base, count=1)
    lead = draw(whitespace(SINGLE_QUOTED if single else DOUBLE_QUOTED))
    trail = draw(whitespace(SINGLE_QUOTED if single else DOUBLE_QUOTED))
    padded = pad(base, {"excerpt": (draw(whitespace(DOUBLE_QUOTED)), draw(whitespace(DOUBLE_QUOTED)))})
    if single:
        padded = padded.replace(b"title: '", b"title: '" + lead.encode(), 1)
        padded = re.sub(rb"^(title: '[^\r\n]*)'", lambda m: m[1] + trail.encode() + b"'", padded, count=1, flags=re.M)
    else:
        padded = pad(padded, {"title": (lead, trail)})
    body = draw(st.binary(max_size=200))  # anything at all, even bytes that are not UTF-8
    return padded + body, base + body


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(articles())
def test_fix_removes_only_the_stray_whitespace_and_is_idempotent(case: tuple[bytes, bytes]) -> None:
    dirty, clean = case
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "article.md"
        path.write_bytes(dirty)
        first = run_cli("check", "--isolated", "--select", "FM650", "--fix", str(path))
        assert first.code == 0, first.out + first.err
        assert path.read_bytes() == clean
        before = os.stat(path)
        second = run_cli("check", "--isolated", "--select", "FM650", "--fix", str(path))
        assert second.out == "Fixed 0 problems in 0 files.\nAll checks passed (1 file checked).\n"
        assert path.read_bytes() == clean
        assert (os.stat(path).st_ino, os.stat(path).st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
