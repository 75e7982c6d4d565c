"""Read a file without trusting it, and split off its front-matter block.

Only the front-matter is read: the body after the closing fence is never needed to
lint a file, so a file of any size costs one small read. Files are opened
non-blocking and must be regular files, so a FIFO or a device named ``x.md`` cannot
hang or exhaust the run.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from typing import NamedTuple

BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_OPEN_FENCE = re.compile(rb"---[ \t]*(?:\r?\n|\Z)")
_CLOSE_FENCE = re.compile(rb"^(?:---|\.\.\.)[ \t]*\r?$", re.MULTILINE)
_CHUNK = 65536
_BINARY_SNIFF = 8000


class Source(NamedTuple):
    """The front-matter of a file, decoded, with where it sits in the file.

    ``text`` is everything between the opening and the closing fence lines; it starts
    on file line 2. ``head`` holds the raw bytes read from the start of the file up
    to and including the closing fence line.
    """

    path: str
    text: str
    head: bytes
    bom: bool
    close_line: int  # 1-based line of the closing fence
    close_width: int  # characters on the closing fence line, without the newline


class ReadProblem(NamedTuple):
    """Why a file has no usable front-matter. ``kind`` selects the rule that reports it."""

    kind: str
    message: str
    line: int = 1
    column: int = 1
    end_line: int = 1
    end_column: int = 2  # exclusive: a problem with the whole file marks its first character


class Head(NamedTuple):
    """The bytes read from the start of a file, and the file's ``os.fstat`` taken before reading."""

    data: bytes
    complete: bool  # ``data`` is the whole file
    info: os.stat_result


def read_front_matter(path: str, max_bytes: int) -> Source | ReadProblem:
    """Read ``path`` and return its front-matter, or the reason it has none."""
    head = read_file_head(path, max_bytes)
    if isinstance(head, ReadProblem):
        return head
    return split_front_matter(path, head.data, head.complete, max_bytes)


def read_file_head(path: str, max_bytes: int) -> Head | ReadProblem:
    """Read the start of ``path`` (everything linting it needs), or say why it cannot be read."""
    try:
        fd, info = open_regular(path)
        try:
            data, complete = read_head(fd, info.st_size, max_bytes)
        finally:
            os.close(fd)
    except _NotRegular as exc:
        return ReadProblem("unreadable-file", f"not a regular file ({exc.what}); nothing to lint")
    except OSError as exc:
        return ReadProblem("unreadable-file", _describe_os_error(path, exc))
    return Head(data, complete, info)


def split_front_matter(path: str, data: bytes, complete: bool, max_bytes: int) -> Source | ReadProblem:
    """Split raw bytes into the front-matter block; ``complete`` says ``data`` is the whole file."""
    if data.startswith(_UTF16_BOMS):
        return ReadProblem("encoding-error", "file is UTF-16 encoded; front-matter must be UTF-8")
    bom = data.startswith(BOM)
    start = 3 if bom else 0
    opening = _OPEN_FENCE.match(data, start)
    if opening is None:
        if b"\0" in data[:_BINARY_SNIFF]:
            return ReadProblem("encoding-error", "file contains NUL bytes; it looks like a binary file, not text")
        return _no_front_matter(data, start)
    body_start = opening.end()
    closing = _closing_fence(data, body_start, len(data))
    if closing is None:
        fence = ReadProblem("unclosed-front-matter", "", 1, 1, 1, 4)
        if complete:
            return _replace(fence, "front-matter opened on line 1 is never closed by a `---` line")
        return _replace(
            fence,
            f"front-matter is not closed within the first {max_bytes} bytes "
            f"(limit max-front-matter-bytes); it is too large to lint",
            kind="limit-exceeded",
        )
    raw = data[body_start : closing.start()]
    if len(raw) > max_bytes:
        return ReadProblem(
            "limit-exceeded",
            f"front-matter is {len(raw)} bytes, more than {max_bytes} (limit max-front-matter-bytes); "
            f"it is too large to lint",
            1,
            1,
            1,
            4,
        )
    if b"\0" in raw:
        line = data.count(b"\n", 0, body_start + raw.index(b"\0")) + 1
        return ReadProblem("encoding-error", "front-matter contains a NUL byte", line, 1, line, 2)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _decode_problem(data, body_start, raw, exc)
    close_line = data.count(b"\n", 0, closing.start()) + 1
    fence_text = data[closing.start() : closing.end()].rstrip(b"\r")
    end = closing.end()
    if data[end : end + 1] == b"\n":
        end += 1
    return Source(path, text, data[:end], bom, close_line, len(fence_text))


def _no_front_matter(data: bytes, start: int) -> ReadProblem:
    first_line = data[start : data.find(b"\n", start) if b"\n" in data[start:] else len(data)]
    width = max(1, min(len(first_line.rstrip(b"\r").decode("utf-8", "replace")), 200))  # characters
    if not data[start:].strip():
        message = "file is empty; it has no front-matter (a block between `---` lines at the top)"
    elif data[start:].lstrip().startswith(b"---"):
        message = "front-matter must start on the first line; found blank space before `---`"
    else:
        message = "file has no front-matter: it must start with a `---` line"
    return ReadProblem("missing-front-matter", message, 1, 1, 1, width + 1)


def _decode_problem(data: bytes, body_start: int, raw: bytes, exc: UnicodeDecodeError) -> ReadProblem:
    bad = body_start + exc.start
    line = data.count(b"\n", 0, bad) + 1
    line_start = data.rfind(b"\n", 0, bad) + 1
    column = len(data[line_start:bad].decode("utf-8", "replace")) + 1
    return ReadProblem(
        "encoding-error",
        f"front-matter is not valid UTF-8: byte 0x{raw[exc.start]:02x} cannot be decoded",
        line,
        column,
        line,
        column + 1,
    )


def _replace(problem: ReadProblem, message: str, kind: str | None = None) -> ReadProblem:
    return ReadProblem(
        kind or problem.kind,
        message,
        problem.line,
        problem.column,
        problem.end_line,
        problem.end_column,
    )


class _NotRegular(OSError):
    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def open_regular(path: str) -> tuple[int, os.stat_result]:
    """Open ``path`` for reading without blocking; raise unless it is a regular file.

    Returns the descriptor and its ``fstat``, which callers need anyway."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _NotRegular(next((name for test, name in _KINDS if test(info.st_mode)), "a special file"))
    except BaseException:
        os.close(fd)
        raise
    return fd, info


def read_head(fd: int, size_on_disk: int, max_bytes: int) -> tuple[bytes, bool]:
    """Read the start of an open regular file (``size_on_disk`` from its ``fstat``): enough for
    a front-matter of ``max_bytes``.

    Returns the bytes and whether they are the whole file. Reading stops at the
    closing fence, so the body of a large file is never read.
    """
    cap = max_bytes + 4096  # room for the fence lines around a block of max_bytes
    data = bytearray()
    scanned = 4  # the complete lines before this offset hold no closing fence
    while len(data) < cap:
        chunk = os.read(fd, min(_CHUNK, cap - len(data)))
        if not chunk:
            return bytes(data), True
        data += chunk
        if size_on_disk and len(data) >= size_on_disk:
            return bytes(data), True
        # Each complete line is searched once, so reading stays linear in the size read.
        lines_end = data.rfind(b"\n", len(data) - len(chunk)) + 1
        if lines_end > scanned:
            if _closing_fence(data, scanned, lines_end):
                return bytes(data), False
            scanned = lines_end
    return bytes(data), False


def _closing_fence(data: bytes | bytearray, start: int, end: int) -> re.Match[bytes] | None:
    """``_CLOSE_FENCE.search(data, start, end)``, found faster: the pattern is tried only where a
    line starts with ``---`` or ``...`` (a multi-line search tries it on every line)."""
    if start == 0 or data[start - 1] == 0x0A:
        found = _CLOSE_FENCE.match(data, start, end)
        if found is not None:
            return found
    position = start
    while True:
        dashes, dots = data.find(b"\n---", position, end), data.find(b"\n...", position, end)
        if dashes == -1 and dots == -1:
            return None
        line = (dots if dashes == -1 else dashes if dots == -1 else min(dashes, dots)) + 1
        found = _CLOSE_FENCE.match(data, line, end)
        if found is not None:
            return found
        position = line


def _describe_os_error(path: str, exc: OSError) -> str:
    if exc.errno == errno.ENOENT:
        if os.path.islink(path):
            return "dangling symbolic link: its target does not exist"
        if os.path.basename(path).startswith("-"):
            # pre-commit puts a hook's `args` after its entry, which ends with `--`: an option there is a path.
            return (
                "no such file; options after `--` are read as paths: with pre-commit, put options in the hook's "
                "`entry` (`entry: fmlint check --strict --`) rather than in `args`"
            )
        return "no such file"
    if exc.errno == errno.ELOOP:
        return "symbolic link loop"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.EISDIR:
        return "is a directory"
    return f"cannot read file: {exc.strerror or exc}"
