"""The schema cache: copies of remote schema documents, kept in the user's cache directory.

Each copy is one file in ``$XDG_CACHE_HOME/fmlint/schemas/`` (else
``~/.cache/fmlint/schemas/``), named by the SHA-256 of its URL, never by the URL's text
(a URL cannot name a path). The file is one line of JSON (the URL, when it was fetched,
the server's ``ETag`` and ``Last-Modified``, the body's size and SHA-256, and the
non-public addresses it came through) followed by the body as the server sent it. It is
written whole under a temporary name and renamed into place. Reading trusts nothing: a
file that is not exactly such a copy of that URL (truncated, edited, of another URL, too
large) is a miss, never an error. The folder is made private (0700); one that other
users can write is not used.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from contextlib import suppress
from typing import NamedTuple

from fmlint.schema.store import MAX_SCHEMA_BYTES

_MAX_HEAD = 16384  # the JSON line; what it holds is short


class Copy(NamedTuple):
    url: str
    body: bytes
    fetched: float  # time.time() of the last fetch or revalidation
    etag: str | None
    last_modified: str | None
    private: tuple[tuple[str, str], ...]  # (host, address) pairs allow-private-hosts let through


def default_folder() -> str | None:
    """Where copies live, or ``None`` when there is no home to keep them in."""
    from fmlint.run.cache.signing import KeyUnavailable, user_cache_directory

    try:
        return os.path.join(user_cache_directory(), "schemas")
    except KeyUnavailable:
        return None


class CopyStore:
    """The copies in ``folder``; ``problem`` says why they cannot be kept (``None``: they can)."""

    def __init__(self, folder: str | None) -> None:
        self.folder = folder
        self.problem: str | None = None if folder else "there is no home directory to keep copies in"
        self._checked = False

    def _usable(self) -> bool:
        if self.folder is None or self.problem is not None:
            return False
        if not self._checked:
            self._checked = True
            self.problem = _private_folder(self.folder)
        return self.problem is None

    def _path(self, url: str) -> str:
        from hashlib import sha256  # only runs that fetch a schema pay for OpenSSL

        assert self.folder is not None
        return os.path.join(self.folder, sha256(url.encode("utf-8", "surrogatepass")).hexdigest() + ".schema")

    def read(self, url: str) -> Copy | None:
        """The copy of ``url``, or ``None`` when there is none that can be trusted to be one."""
        if not self._usable():
            return None
        try:
            raw = _read_regular(self._path(url), _MAX_HEAD + MAX_SCHEMA_BYTES + 1)
        except OSError:
            return None
        return _parse(raw, url)

    def write(self, copy: Copy) -> None:
        """Keep ``copy`` (replacing the one before); a copy that cannot be written only costs a fetch."""
        if not self._usable():
            return
        assert self.folder is not None
        head = json.dumps(
            {
                "url": copy.url,
                "fetched": copy.fetched,
                "etag": copy.etag,
                "last-modified": copy.last_modified,
                "size": len(copy.body),
                "sha256": _digest(copy.body),
                "private": [list(pair) for pair in copy.private],
            },
            ensure_ascii=True,
        ).encode("ascii")
        if len(head) >= _MAX_HEAD:
            return
        try:
            descriptor, temporary = tempfile.mkstemp(prefix=".copy-", suffix=".tmp", dir=self.folder)
        except OSError:
            return
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(head + b"\n" + copy.body)
            os.replace(temporary, self._path(copy.url))
        except OSError:
            with suppress(OSError):
                os.unlink(temporary)


def _parse(raw: bytes, url: str) -> Copy | None:
    head, newline, body = raw.partition(b"\n")
    if not newline or len(head) >= _MAX_HEAD:
        return None
    try:
        record = json.loads(head)
    except ValueError:
        return None
    if not isinstance(record, dict) or record.get("url") != url:
        return None
    fetched, size, private = record.get("fetched"), record.get("size"), record.get("private")
    if not isinstance(fetched, (int, float)) or isinstance(fetched, bool) or not 0 <= fetched < 1e11:
        return None
    if size != len(body) or record.get("sha256") != _digest(body):
        return None
    etag, modified = record.get("etag"), record.get("last-modified")
    if not all(value is None or (isinstance(value, str) and len(value) < 1024) for value in (etag, modified)):
        return None
    if not isinstance(private, list) or not all(
        isinstance(pair, list) and len(pair) == 2 and all(isinstance(part, str) for part in pair) for pair in private
    ):
        return None
    return Copy(url, body, float(fetched), etag, modified, tuple((host, address) for host, address in private))


def _digest(body: bytes) -> str:
    from hashlib import sha256

    return sha256(body).hexdigest()


def _read_regular(path: str, limit: int) -> bytes:
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags)
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            raise OSError("not a copy")
        chunks, size = [], 0
        while chunk := os.read(descriptor, 1 << 20):
            size += len(chunk)
            if size > limit:
                raise OSError("not a copy")
            chunks.append(chunk)
    finally:
        os.close(descriptor)
    return b"".join(chunks)


def _private_folder(folder: str) -> str | None:
    """Make ``folder`` (0700) if needed; why it cannot hold copies, or ``None``."""
    try:
        os.makedirs(os.path.dirname(folder), mode=0o700, exist_ok=True)
        with suppress(FileExistsError):
            os.mkdir(folder, 0o700)
        info = os.lstat(folder)
    except OSError as exc:
        return f"cannot create the folder {folder}: {exc.strerror or exc}"
    if not stat.S_ISDIR(info.st_mode):
        return f"{folder} is not a folder"
    getuid = getattr(os, "getuid", None)
    if (getuid is not None and info.st_uid != getuid()) or info.st_mode & 0o022:
        return f"{folder} can be written by other users"
    return None
