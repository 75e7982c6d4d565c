"""Real corpus articles with stray whitespace injected, for the ``--fix`` tests.

An injected file, once fixed, must be the original file again byte for byte: the
articles chosen have no stray whitespace of their own, so anything else ``--fix``
changed would show.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from conftest import CORPUS, lint_paths

BOM = b"\xef\xbb\xbf"
_FIELD = re.compile(rb'^(title|excerpt): "(.*)"(\r?)$', re.MULTILINE)


@cache
def clean_articles() -> tuple[Path, ...]:
    """Corpus articles with no FM650 finding (the others already have stray whitespace)."""
    found = {d.path for d in lint_paths(sorted(CORPUS.glob("*.md")), select=["FM650"])}
    return tuple(path for path in sorted(CORPUS.glob("*.md")) if str(path) not in found)


def variant(data: bytes, *, crlf: bool = False, bom: bool = False) -> bytes:
    """The same article with CRLF line endings and/or a byte-order mark."""
    if crlf:
        data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    return BOM + data if bom else data


def inject(data: bytes, lead: str = "  ", trail: str = "\\t\u00a0") -> bytes:
    """``data`` with ``lead`` and ``trail`` (YAML double-quoted source) inside the title and excerpt quotes."""
    return pad(data, {"title": (lead, trail), "excerpt": (lead, trail)})


def pad(data: bytes, pads: dict[str, tuple[str, str]]) -> bytes:
    """``data`` with whitespace (YAML source) added inside the quotes of the fields named in ``pads``."""

    def padded(match: re.Match[bytes]) -> bytes:
        name, value, cr = match.groups()
        lead, trail = (part.encode() for part in pads.get(name.decode(), ("", "")))
        return name + b': "' + lead + value + trail + b'"' + cr

    end = data.index(b"\n---", 3)  # only inside the front-matter, not in the body
    injected, count = _FIELD.subn(padded, data[:end])
    assert count >= 1
    return injected + data[end:]
