"""The secret that proves a cache file was written by fmlint, on this machine, for this user.

The result cache lives in the checkout, and everything in a checkout may come from a
stranger: a committed ``.fmlint_cache/`` could say "clean" for a file that is not.
So every cache file is signed with an HMAC-SHA256 whose key is 32 random bytes kept
in the user's own cache directory (``$XDG_CACHE_HOME/fmlint/key``, else
``~/.cache/fmlint/key``), never in the checkout. A file whose signature does not
match was not written by this user's fmlint, and is not used.

The folder is made private (0700) and the key file private (0600), created whole
under a temporary name and then linked into place, so two runs starting at once
agree on one key and neither reads half of one. A folder or key that another user
could write (or read) is not trusted: the run goes without the cache instead.
"""

from __future__ import annotations

import os
import stat
from contextlib import suppress

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

KEY_BYTES = 32
SIGNATURE_BYTES = 32  # SHA-256
_BLOCK = 64  # SHA-256's block size, which HMAC pads its key to
_INNER = bytes(byte ^ 0x36 for byte in range(256))
_OUTER = bytes(byte ^ 0x5C for byte in range(256))


class KeyUnavailable(Exception):
    """The user cache directory or its key cannot be used (the message says why)."""


def user_cache_directory() -> str:
    """``$XDG_CACHE_HOME/fmlint``, or ``~/.cache/fmlint`` when it is unset or relative."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    # The XDG specification: a relative path is invalid and ignored. It would name a
    # folder in the current directory, which may be the checkout.
    if not os.path.isabs(base):
        home = os.path.expanduser("~")
        if not os.path.isabs(home):
            raise KeyUnavailable("there is no home directory to keep the cache key in")
        base = os.path.join(home, ".cache")
    return os.path.join(base, "fmlint")


class Signer:
    """HMAC-SHA256 (RFC 2104) with one key.

    Written out here over the built-in SHA-256 because the ``hmac`` module imports
    ``hashlib``, which loads OpenSSL: that costs more than linting one file, and a
    pre-commit run lints one file. A test holds it equal to ``hmac``."""

    __slots__ = ("_inner", "_outer", "folder")

    def __init__(self, key: bytes, folder: str = "") -> None:
        sha256 = _sha256()
        if len(key) > _BLOCK:
            key = sha256(key).digest()
        key = key.ljust(_BLOCK, b"\0")
        self._inner = sha256(key.translate(_INNER))
        self._outer = sha256(key.translate(_OUTER))
        self.folder = folder  # where the key lives, to say so

    @classmethod
    def for_user(cls) -> Signer:
        """The signer of this user's key, made on first use; :class:`KeyUnavailable` when it cannot be."""
        folder = user_cache_directory()
        return cls(load_key(folder), folder)

    def sign(self, context: bytes, data: bytes) -> bytes:
        """The signature of ``data`` as the content of ``context`` (what the file is, and where)."""
        inner = self._inner.copy()
        inner.update(b"%d:%s\0" % (len(context), context))
        inner.update(data)
        outer = self._outer.copy()
        outer.update(inner.digest())
        signature: bytes = outer.digest()
        return signature

    def verify(self, context: bytes, data: bytes, signature: bytes) -> bool:
        return _compare_digest(self.sign(context, data), signature)


def load_key(folder: str) -> bytes:
    """The key kept in ``folder``, created (with the folder) on first use."""
    _private_folder(folder)
    path = os.path.join(folder, "key")
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise KeyUnavailable(f"cannot read the cache key {path}: {exc.strerror or exc}") from None
    try:
        _create_key(folder, path)
        return _read_key(path)  # this run's key, or the one a run starting at the same time made first
    except OSError as exc:
        raise KeyUnavailable(f"cannot create the cache key {path}: {exc.strerror or exc}") from None


def _private_folder(folder: str) -> None:
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        info = os.stat(folder)
    except OSError as exc:
        raise KeyUnavailable(f"cannot create the folder {folder}: {exc.strerror or exc}") from None
    if not stat.S_ISDIR(info.st_mode):
        raise KeyUnavailable(f"{folder} is not a folder")
    if not _owned(info) or info.st_mode & 0o022:
        raise KeyUnavailable(f"{folder} can be written by other users")


def _read_key(path: str) -> bytes:
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags)
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_size != KEY_BYTES:
            raise KeyUnavailable(f"{path} is not a cache key fmlint made")
        if not _owned(info) or info.st_mode & 0o077:
            raise KeyUnavailable(f"{path} can be read or written by other users")
        key = os.read(descriptor, KEY_BYTES + 1)
    finally:
        os.close(descriptor)
    if len(key) != KEY_BYTES:
        raise KeyUnavailable(f"{path} is not a cache key fmlint made")
    return key


def _create_key(folder: str, path: str) -> None:
    """Write a new key under a temporary name, then link it to ``path`` unless a key is there already."""
    temporary = os.path.join(folder, f".key-{os.getpid()}-{os.urandom(4).hex()}")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(temporary, flags, 0o600)
    try:
        try:
            os.write(descriptor, os.urandom(KEY_BYTES))
            os.fsync(descriptor)  # a key lost to a crash would leave a signed cache nobody can read
        finally:
            os.close(descriptor)
        with suppress(FileExistsError):  # another run made it first: both use that one
            os.link(temporary, path)
    finally:
        os.unlink(temporary)


def _owned(info: os.stat_result) -> bool:
    getuid = getattr(os, "getuid", None)
    return getuid is None or info.st_uid == getuid()


def _sha256() -> Any:
    from importlib import import_module

    for name in ("_sha256", "_sha2"):  # the built-in SHA-256 (see Signer): Python 3.11, then 3.12 and later
        try:
            return import_module(name).sha256
        except ImportError:
            continue
    from hashlib import sha256  # pragma: no cover - a Python built without its own SHA-2

    return sha256  # pragma: no cover


def _compare_digest(first: bytes, second: bytes) -> bool:
    """In constant time, like ``hmac.compare_digest`` (``operator`` has it without OpenSSL)."""
    from _operator import _compare_digest as compare

    return bool(compare(first, second))
