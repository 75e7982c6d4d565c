"""``--diff``: what ``--fix`` would change, as a git-style unified diff.

    diff --git a/content/a.md b/content/a.md
    --- a/content/a.md
    +++ b/content/a.md
    @@ -1,5 +1,5 @@

Paths are relative to the current directory, so from the top of a checkout the diff
applies with ``git apply`` and with ``patch -p1``. A name that git would quote (a
control character, a quote, a backslash, a byte above 0x7F) is quoted as git quotes
it (:func:`fmlint.escape.git_quote`), so a name cannot add lines of its own to the
diff: both tools read the quoted name back as the one file.

The lines of a diff must be the file's bytes, so they cannot be escaped. A diff whose
lines would act on a terminal or a CI log (a control character, a bidirectional
control, a line a CI runner reads as a workflow command, a line that is not UTF-8) is
not printed; :func:`render_diff` says why instead, and ``--fix`` still applies it.
"""

from __future__ import annotations

import difflib
import re
from typing import TextIO

from fmlint.escape import git_quote, is_command_line, printable
from fmlint.report.identity import portable_path

_NO_NEWLINE = "\\ No newline at end of file\n"
_HUNK = re.compile(r"@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")


def render_diff(path: str, before: bytes, after: bytes, stream: TextIO) -> str | None:
    """Write the diff from ``before`` to ``after`` (the start of the file ``path``), or
    return why it cannot be shown safely (and write nothing).

    Both are decoded for display only; a line that ends without a newline is marked
    the way ``diff`` marks it, so that the diff applies as it is.
    """
    hunks = list(difflib.unified_diff(_lines(before), _lines(after)))[2:]  # without difflib's ---/+++ lines
    problem = _unsafe(hunks)
    if problem is not None:
        return problem
    name = portable_path(path)
    old, new = git_quote("a/" + name), git_quote("b/" + name)
    tab = "\t" if " " in name else ""  # as git ends a name with a space, for patch to see where it ends
    stream.write(f"diff --git {old} {new}\n--- {old}{tab}\n+++ {new}{tab}\n")
    for line in hunks:
        stream.write(line if line.endswith("\n") else line + "\n" + _NO_NEWLINE)
    return None


def _unsafe(hunks: list[str]) -> str | None:
    """Why the first line of ``hunks`` that would act on its reader does, or ``None``."""
    old = new = 0
    for line in hunks:
        found = _HUNK.match(line)
        if found:
            old, new = int(found.group(1)), int(found.group(2))
            continue
        number = new if line.startswith("+") else old
        text = line[1:-2] if line.endswith("\r\n") else line[1:].removesuffix("\n")
        if printable(text, hidden=False) != text:
            return f"line {number} holds characters a terminal or a CI log would act on, or bytes that are not UTF-8"
        if is_command_line(line):
            return f"line {number} would read as a CI workflow command"
        old += not line.startswith("+")
        new += not line.startswith("-")
    return None


def _lines(data: bytes) -> list[str]:
    """Lines split at LF only, as ``diff`` splits them (a CR stays part of its line).
    Bytes that are not UTF-8 are kept as surrogates, for :func:`_unsafe` to find."""
    text = data.decode("utf-8", "surrogateescape")
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]
