"""``--diff``: what ``--fix`` would change, as a unified diff that ``patch -p0`` applies."""

from __future__ import annotations

import difflib
from typing import TextIO

_NO_NEWLINE = "\\ No newline at end of file\n"


def render_diff(path: str, before: bytes, after: bytes, stream: TextIO) -> None:
    """Write the unified diff from ``before`` to ``after`` (the start of the file ``path``).

    Both are decoded for display only; a line that ends without a newline is marked
    the way ``diff`` marks it, so that the diff applies as it is.
    """
    old, new = _lines(before), _lines(after)
    for line in difflib.unified_diff(old, new, fromfile=path, tofile=path):
        stream.write(line if line.endswith("\n") else line + "\n" + _NO_NEWLINE)


def _lines(data: bytes) -> list[str]:
    """Lines split at LF only, as ``diff`` splits them (a CR stays part of its line)."""
    text = data.decode("utf-8", "replace")
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]
