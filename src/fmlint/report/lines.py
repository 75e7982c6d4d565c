"""Source lines for reporters that quote the file, read lazily and only as far as needed.

Findings sit in the front-matter, near the top of a file, so a report reads each
file with a finding up to the last line it quotes, and never the body after it. The
file is opened the way the linter opens it (non-blocking, regular files only), so
quoting a line can neither hang on a FIFO nor read a device.

Reports come sorted by path, so only the lines of the file being quoted are kept:
the lines of every file with a finding would take tens of megabytes on a large run.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable

from fmlint.diagnostic import Diagnostic

_FIRST_READ = 65536
_MAX_BYTES = 16 * 1024 * 1024  # far beyond any front-matter fmlint lints by default


def read_lines(diagnostics: Iterable[Diagnostic], known: dict[tuple[str, int], str]) -> dict[tuple[str, int], str]:
    """The line each finding is on, ``(path, line)`` -> text, from ``known`` or else from its file
    (a file that could not or must not be read is not opened: it has no line to show)."""
    lines = SourceLines(known=known)
    quoted: dict[tuple[str, int], str] = {}
    for diagnostic in diagnostics:
        if diagnostic.rule == "unreadable-file":
            continue
        text = lines.line(diagnostic.path, diagnostic.line)
        if text is not None:
            quoted[diagnostic.path, diagnostic.line] = text
    return quoted


class SourceLines:
    """``line(path, number)``: the text of a 1-based line, without its line ending."""

    def __init__(self, max_bytes: int = _MAX_BYTES, known: dict[tuple[str, int], str] | None = None) -> None:
        """``known`` holds lines already read (``(path, line)`` -> text); with ``max_bytes=0``
        they are all there is: no file is read."""
        self._max_bytes = max_bytes
        self._path: str | None = None  # the file whose lines are kept
        self._lines: list[bytes] = []
        self._complete = False
        self._known = known or {}

    def line(self, path: str, number: int) -> str | None:
        """The line, or ``None`` when it cannot be shown (no such line, unreadable file)."""
        if not path or number < 1:
            return None
        text = self._known.get((path, number))
        if text is None:
            if not self._max_bytes:
                return None
            if path != self._path:
                self._path, self._lines, self._complete = path, [], False
            if len(self._lines) < number and not self._complete:
                self._lines, self._complete = self._read(path, number)
            lines = self._lines
            if number > len(lines):
                return None
            text = lines[number - 1].decode("utf-8", "replace")
        return text

    def _read(self, path: str, number: int) -> tuple[list[bytes], bool]:
        """Read enough of ``path`` to hold ``number`` whole lines (or all of it)."""
        size = _FIRST_READ
        while True:
            data, complete = _read_prefix(path, min(size, self._max_bytes))
            if data is None:
                return [], True
            if complete or data.count(b"\n") >= number or size >= self._max_bytes:
                return _split(data, complete), complete or size >= self._max_bytes
            size *= 4


def _read_prefix(path: str, limit: int) -> tuple[bytes | None, bool]:
    """The first ``limit`` bytes of a regular file and whether that is all of it."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None, True
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None, True
        chunks: list[bytes] = []
        size = 0
        while size < limit:
            chunk = os.read(fd, limit - size)
            if not chunk:
                return b"".join(chunks), True
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks), os.read(fd, 1) == b""
    except OSError:
        return None, True
    finally:
        os.close(fd)


def _split(data: bytes, complete: bool) -> list[bytes]:
    """The lines, without line endings; a last line cut off by the read limit is left out.
    A line is decoded when it is quoted: most of a file never is."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]  # columns count from after the byte-order mark
    raw = data.split(b"\n")
    if not complete or raw[-1] == b"":
        raw.pop()
    return [line.removesuffix(b"\r") for line in raw]
