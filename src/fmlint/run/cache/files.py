"""The result cache's files on disk: signed, read with care, written whole.

Every cache file is its signature (:class:`fmlint.run.cache.signing.Signer`, in hex), a space,
and its data; a signature binds the data to a context that says what the file is and
where it belongs. Reading opens regular files only, without following a link or
waiting on a pipe, and up to a bound; writing goes to a temporary name, then a
rename, so a reader sees the old file or the new one, never a part.
"""

from __future__ import annotations

import os

from fmlint.run.cache.signing import SIGNATURE_BYTES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import BinaryIO

    from fmlint.run.cache.signing import Signer

MAX_FILE = 256 << 20  # larger is not a cache file fmlint wrote (100,000 files take a few MB)
KEEP_CONFIGURATIONS = 8  # the folders of older configurations are removed beyond this many
_SIGNATURE_HEX = 2 * SIGNATURE_BYTES


def signed(signer: Signer, context: bytes, data: bytes) -> bytes:
    """``data`` after its signature, in hex, and a space."""
    return signer.sign(context, data).hex().encode("ascii") + b" " + data


def unsigned(signer: Signer, context: bytes, content: bytes) -> bytes | None:
    """The data of ``content`` (as :func:`signed` made it), or ``None`` when its signature does not verify."""
    try:
        signature = bytes.fromhex(content[:_SIGNATURE_HEX].decode("ascii"))
    except (UnicodeError, ValueError):
        return None
    if len(signature) != SIGNATURE_BYTES or content[_SIGNATURE_HEX : _SIGNATURE_HEX + 1] != b" ":
        return None
    data = content[_SIGNATURE_HEX + 1 :]
    return data if signer.verify(context, data, signature) else None


def open_regular(path: str) -> BinaryIO | None:
    """``path`` opened for reading if it is a regular file of at most :data:`MAX_FILE` bytes: a
    link, a pipe or a device planted in its place is not read (nor waited for)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        import stat

        info = os.fstat(descriptor)
        if stat.S_ISREG(info.st_mode) and info.st_size <= MAX_FILE:
            return os.fdopen(descriptor, "rb")
    except OSError:
        pass
    os.close(descriptor)
    return None


def unnamed_file(folder: str) -> BinaryIO:
    """A temporary file in ``folder`` that no other process can open, and that goes away
    with its handle, even when the run is killed."""
    flags = os.O_RDWR | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    if hasattr(os, "O_TMPFILE"):
        try:
            return os.fdopen(os.open(folder, flags | os.O_TMPFILE, 0o600), "w+b")
        except OSError:  # a file system without unnamed files
            pass
    name = os.path.join(folder, f".tmp-{os.getpid()}-{os.urandom(4).hex()}")
    descriptor = os.open(name, flags | os.O_CREAT | os.O_EXCL | getattr(os, "O_TEMPORARY", 0), 0o600)
    if not hasattr(os, "O_TEMPORARY"):  # Windows removes it on close; elsewhere it goes now
        os.unlink(name)
    return os.fdopen(descriptor, "w+b")


def write_atomically(path: str, data: bytes) -> None:
    temporary = os.path.join(os.path.dirname(path), f".tmp-{os.getpid()}-{os.urandom(4).hex()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        from contextlib import suppress

        with suppress(OSError):
            os.unlink(temporary)
        raise


def prune(directory: str, keep: str) -> None:
    """Keep the folders of the most recently used configurations only (and nothing else is touched)."""
    try:
        os.utime(keep)
        folders = [
            entry.path for entry in os.scandir(directory) if entry.is_dir(follow_symlinks=False) and is_key(entry.name)
        ]
        if len(folders) <= KEEP_CONFIGURATIONS:
            return
        import shutil

        folders.sort(key=os.path.getmtime)
        for folder in folders[:-KEEP_CONFIGURATIONS]:
            if folder != keep:
                shutil.rmtree(folder, ignore_errors=True)
    except OSError:
        pass


def is_key(name: str) -> bool:
    """Whether ``name`` is that of a configuration's folder (:func:`fmlint.run.cache.configuration_key`)."""
    return len(name) == 24 and all(character in "0123456789abcdef" for character in name)
