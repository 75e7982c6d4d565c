"""Replace a file atomically with a new head and its own body, never losing what others write to it.

A temporary file in the same directory, with a short hidden name of its own
(``.fmlint-<16 hex digits>.tmp``, so a file whose name is as long as the system
allows can still be fixed), gets the new head and the rest of the original, its mode
and owner, and is synced to disk before it is renamed over the original; then the
directory is synced. Ctrl-C and SIGTERM wait while a temporary file exists, so an
interrupted run leaves none behind.

Another program may write to the file meanwhile. Right before the rename, the file
must still be the one read (same inode, size, modification time and head), and, where
the system has leases (Linux), no other program may have it open for writing: a read
lease on it is taken, which fails if one has, and which makes any program that opens
it for writing until the check after the rename wait, and shows that it tried
(programs that only read it are neither refused nor kept waiting). Just before the
rename the original gets a second, hidden name (``.fmlint-<hex>.old``). After the
rename, the old file must hold exactly what was copied from it and nobody may have
tried to open it for writing; otherwise the old file is renamed back (a program
waiting to open it then opens it where it was, so what it writes is kept), and the fix
is given up. Then the hidden name is removed. A run killed in between leaves that name
behind; the next run recognises it as its own and removes it.

Without leases (another system, a file of another user, a network file system), a
program that opened the file before the rename and writes to it only after the check
that follows can still lose that write: that is true of every program that replaces
a file by renaming a new one over it.
"""

from __future__ import annotations

import errno
import hashlib
import os
import secrets
import signal
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

_COPY_CHUNK = 1 << 20
_BACKUP = ".old"  # the end of the hidden second name the original has during the rename


class Refused(Exception):
    """The file cannot be replaced safely; the message says why."""


class _Written:
    """What the replacement holds: the digest of the body copied into it, and its ``fstat``."""

    def __init__(self, body: bytes, info: os.stat_result) -> None:
        self.body = body
        self.info = info


def replace_head(path: str, fd: int, info: os.stat_result, old_head: bytes, new_head: bytes) -> None:
    """Replace the file open as ``fd`` (``info`` is its ``fstat`` from when it was read, ``old_head``
    its first bytes) with ``new_head`` followed by the rest of it. Raise :class:`Refused` when
    that cannot be done without breaking a link or losing someone else's write."""
    real = os.path.realpath(path)
    directory = os.path.dirname(real) or "."
    links = info.st_nlink - (_remove_stale_backups(directory, info) if info.st_nlink > 1 else 0)
    if links > 1:
        raise Refused(f"it has {links} hard links, and replacing it would break them")
    _check_unchanged(real, fd, info, old_head)
    if not os.access(real, os.W_OK):
        raise Refused("it is read-only")
    with _signals_held():  # Ctrl-C or SIGTERM takes effect once the temporary file is gone
        name, out = _temporary(directory)
        try:
            try:
                written = _copy(fd, out, info, len(old_head), new_head)
            finally:
                os.close(out)
            with _lease(fd) as leased:
                _check_unchanged(real, fd, info, old_head)
                backup = _backup(real, directory)
                try:
                    os.replace(name, real)
                except BaseException:
                    if backup is not None:
                        _unlink(backup)
                    raise
                untouched = _holds(fd, info, old_head, written.body) and (not leased or _lease_kept(fd))
                if not untouched:
                    _put_back(real, fd, directory, written.info, backup)
                if backup is not None:
                    _unlink(backup)
        except OSError as exc:
            _unlink(name)
            raise Refused(f"cannot replace it: {exc.strerror or exc}") from None
        except BaseException:
            _unlink(name)
            raise
        _sync_directory(directory)
        if not untouched:
            raise Refused("it changed while fmlint was fixing it; the fix was undone, keeping what was written")


@contextmanager
def _lease(fd: int) -> Iterator[bool]:
    """A read lease on the file open as ``fd``, while the block runs: whether one is held.

    Taking it fails when another program has the file open for writing, and then the
    file is refused. While it is held, a program that opens the file for writing waits
    (for the block, at most the system's lease-break time) and the lease shows it tried;
    one that opens it to read it is let through, as it cannot change it. The system tells
    the holder with SIGIO, whose default action would end the run: it is ignored meanwhile.
    """
    setlease = getattr(fcntl, "F_SETLEASE", None) if fcntl is not None else None
    if setlease is None or not hasattr(signal, "SIGIO"):  # pragma: no cover - not Linux
        yield False
        return
    try:
        previous = signal.signal(signal.SIGIO, signal.SIG_IGN)
    except ValueError:  # not the main thread: signals belong to the program that runs fmlint
        yield False
        return
    try:
        try:
            fcntl.fcntl(fd, setlease, fcntl.F_RDLCK)
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EBUSY):
                raise Refused("it is open for writing in another program") from None
            held = False  # not the owner, or a file system without leases: the checks alone
        else:
            held = True
        try:
            yield held
        finally:
            if held:
                with suppress(OSError):
                    fcntl.fcntl(fd, setlease, fcntl.F_UNLCK)
    finally:
        signal.signal(signal.SIGIO, previous)


def _lease_kept(fd: int) -> bool:
    """Whether nobody tried to open the file for writing since the lease was taken (a lease
    being broken shows as the weaker lease it is becoming)."""
    try:
        return bool(fcntl.fcntl(fd, fcntl.F_GETLEASE) == fcntl.F_RDLCK)
    except OSError:  # pragma: no cover - the lease is held
        return False


def _backup(real: str, directory: str) -> str | None:
    """A second, hidden name for the original, to rename it back by; ``None`` when the file
    system has no hard links."""
    name = os.path.join(directory, f".fmlint-{secrets.token_hex(8)}{_BACKUP}")
    try:
        os.link(real, name, follow_symlinks=False)
    except OSError:
        return None
    return name


def _remove_stale_backups(directory: str, info: os.stat_result) -> int:
    """Remove the hidden names a killed run left for this very file; return how many there were."""
    removed = 0
    try:
        with os.scandir(directory) as scan:
            for entry in scan:
                if entry.name.startswith(".fmlint-") and entry.name.endswith(_BACKUP):
                    found = entry.stat(follow_symlinks=False)
                    if (found.st_dev, found.st_ino) == (info.st_dev, info.st_ino):
                        os.unlink(entry.path)
                        removed += 1
    except OSError:
        pass  # the hard links are then reported as they are
    return removed


def read_at(fd: int, size: int, offset: int) -> bytes:
    """Up to ``size`` bytes at ``offset`` (``os.pread`` where the system has it)."""
    if hasattr(os, "pread"):
        return os.pread(fd, size, offset)
    os.lseek(fd, offset, os.SEEK_SET)  # pragma: no cover - Windows
    return os.read(fd, size)  # pragma: no cover


def _temporary(directory: str) -> tuple[str, int]:
    """A new hidden file in ``directory``, open for writing; its name is short whatever the original's."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
    name = os.path.join(directory, f".fmlint-{secrets.token_hex(8)}.tmp")
    try:
        return name, os.open(name, flags, 0o600)
    except OSError as exc:
        raise Refused(f"cannot create a temporary file next to it: {exc.strerror or exc}") from None


@contextmanager
def _signals_held() -> Iterator[None]:
    """Hold back SIGINT and SIGTERM: between creating the temporary file and renaming (or
    removing) it, an interruption would leave it behind."""
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - not on this platform
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _copy(fd: int, out: int, info: os.stat_result, offset: int, new_head: bytes) -> _Written:
    """Write the new head and the original body to ``out``, with the original's mode and owner."""
    body = hashlib.blake2b(digest_size=16)
    try:
        _write_all(out, new_head)
        while chunk := read_at(fd, _COPY_CHUNK, offset):
            _write_all(out, chunk)
            body.update(chunk)
            offset += len(chunk)
        _keep_mode_and_owner(out, info)
        os.fsync(out)
        return _Written(body.digest(), os.fstat(out))
    except PermissionError as exc:
        raise Refused(f"cannot keep its owner and permissions: {exc.strerror or exc}") from None
    except OSError as exc:
        raise Refused(f"cannot write it: {exc.strerror or exc}") from None


def _keep_mode_and_owner(out: int, info: os.stat_result) -> None:
    os.fchmod(out, stat.S_IMODE(info.st_mode))
    written = os.fstat(out)
    if (written.st_uid, written.st_gid) != (info.st_uid, info.st_gid):
        os.fchown(out, info.st_uid, info.st_gid)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino, a.st_size, a.st_mtime_ns) == (b.st_dev, b.st_ino, b.st_size, b.st_mtime_ns)


def _check_unchanged(real: str, fd: int, info: os.stat_result, old_head: bytes) -> None:
    """Refuse unless ``real`` is still the file read as ``fd``, with the same size, time and head."""
    try:
        same = _same_file(os.stat(real), info) and _same_file(os.fstat(fd), info)
        same = same and read_at(fd, len(old_head), 0) == old_head
    except OSError:
        same = False
    if not same:
        raise Refused("it changed while fmlint was fixing it")


def _holds(fd: int, info: os.stat_result, old_head: bytes, body: bytes) -> bool:
    """Whether the old file, open as ``fd``, still holds ``old_head`` and the body copied from it.

    Its change time is not compared: the rename that unlinked it changed that."""
    try:
        now = os.fstat(fd)
        if (now.st_size, now.st_mtime_ns) != (info.st_size, info.st_mtime_ns):
            return False
        if read_at(fd, len(old_head), 0) != old_head:
            return False
        return _digest(fd, len(old_head)) == body
    except OSError:
        return False


def _digest(fd: int, offset: int) -> bytes:
    hashed = hashlib.blake2b(digest_size=16)
    while chunk := read_at(fd, _COPY_CHUNK, offset):
        hashed.update(chunk)
        offset += len(chunk)
    return hashed.digest()


def _put_back(real: str, fd: int, directory: str, replacement: os.stat_result, backup: str | None) -> None:
    """Someone wrote to the old file, or opened it, after it was replaced: make ``real`` the
    old file again (by its hidden name ``backup``, or else as a copy of what it holds now),
    unless the replacement (``replacement`` is its ``fstat``) was written to as well; then
    the old file is kept under a hidden name next to it, and the refusal names it."""
    if backup is None:
        backup, out = _temporary(directory)
        try:
            try:
                _copy_all(fd, out, os.fstat(fd))
            finally:
                os.close(out)
        except OSError as exc:
            _unlink(backup)
            raise Refused(
                f"it changed while fmlint was fixing it, and could not be put back: {exc.strerror or exc}"
            ) from None
    kept = f"it changed while fmlint was fixing it, and again after; what it held before is kept in {backup}"
    try:
        current = os.stat(real)
        if (current.st_ino, current.st_size, current.st_mtime_ns) != (
            replacement.st_ino,
            replacement.st_size,
            replacement.st_mtime_ns,
        ):
            raise Refused(kept)
        os.replace(backup, real)
    except OSError:
        raise Refused(kept) from None
    finally:
        _sync_directory(directory)


def _copy_all(fd: int, out: int, info: os.stat_result) -> None:
    offset = 0
    while chunk := read_at(fd, _COPY_CHUNK, offset):
        _write_all(out, chunk)
        offset += len(chunk)
    _keep_mode_and_owner(out, info)
    os.fsync(out)


def _unlink(name: str) -> None:
    with suppress(OSError):
        os.unlink(name)


def _sync_directory(directory: str) -> None:
    """Make the rename durable. Some systems cannot sync a directory; the rename is still atomic."""
    try:
        dir_fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)
