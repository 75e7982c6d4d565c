"""The result cache: what linting each file produced, so unchanged files are not linted again.

The cache lives in ``.fmlint_cache/`` (or ``cache-dir``), with a ``.gitignore``
inside. Each configuration has its own folder, named by a hash of everything a
result depends on besides the file itself (:func:`configuration_key`): fmlint's
version and code, the Python version, the working directory (paths are reported
as given), and every field of :class:`fmlint.lint.Settings` but ``now``. The
folder holds 64 shard files, chosen by a hash of the path, so a run over one file
loads 1/64 of the cache.

Each file's entry is keyed by its path and holds

- its ``os.stat`` signature (size, mtime, ctime, inode), so an untouched file is
  recognised without being read. A file modified less than two seconds before it
  was read may change again within the file system's timestamp granularity, so its
  signature is not trusted: it is read and compared again next time;
- a hash of the bytes fmlint read from it, so a touched but unchanged file (a
  checkout, a ``touch``) is recognised after one read;
- (in the result) the run's ``now`` values it holds for: a rule that compared a
  date with ``now`` makes it hold on one side of that date only, one that read
  ``now`` (to print it) for that very ``now`` only;
- its whole :class:`fmlint.lint.FileResult`, pickled on its own: diagnostics (with
  their fixes) and the corpus rules' facts, so cross-file rules see every file on a
  warm run too.

Beside the shards, ``run.pickle`` keeps the findings of the last run, the lines its
report quoted, and a hash of every path and stat signature it linted: when nothing
changed, the next run reuses them without opening a shard or a linted file.

Entries of files that no longer exist are dropped when their shard is written.

The cache is an optimisation, never a source of truth: a missing, corrupt, foreign
or unwritable cache means linting everything, never a crash or a wrong result.
Loading only accepts fmlint's own classes and plain data (a cache file planted in
a repository cannot run code). Shards are written at the end of a completed run,
each atomically (temporary file, then rename), so an interrupted run leaves the
previous cache intact.

A run holds little of the cache in memory, whatever the number of files: a result
is unpickled when its file is looked up, and let go of by its shard then; the
entries a run makes wait in an unnamed temporary file per shard (a journal), and a
changed shard is read again from disk when it is written.
"""

from __future__ import annotations

import os
import pickle
import sys
from struct import Struct
from struct import error as struct_error
from zlib import crc32

from fmlint import __version__
from fmlint.diagnostic import Diagnostic
from fmlint.lint import FileResult
from fmlint.rules.base import holds_at

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from datetime import datetime
    from typing import Any, BinaryIO

    from fmlint.lint import Settings
    from fmlint.rules.base import NowWindow

    StatKey = bytes
    Entry = tuple[StatKey | None, bytes, bytes]  # stat signature, hash of what was read, pickled result

DEFAULT_DIRECTORY = ".fmlint_cache"
GITIGNORE = "# Automatically created by fmlint.\n*\n"
# Backup tools skip a folder holding this file (https://bford.info/cachedir/).
CACHEDIR_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# This folder is fmlint's result cache.\n"
_FORMAT = 4
_SHARDS = 64
_KEEP_CONFIGURATIONS = 8  # the folders of older configurations are removed beyond this many
_RACY_NS = 2_000_000_000
_BATCH = 32  # entries of a shard written to its journal at once: a pickle call each costs as much as its data
_STAT = Struct("<qqqQ")


def stat_key(info: os.stat_result) -> StatKey:
    """Size, mtime, ctime and inode, packed: a tuple of four large numbers weighs four times more."""
    fields = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
    try:
        return _STAT.pack(*fields)
    except struct_error:  # a time beyond the year 2262, or a negative inode
        return b"%d %d %d %d" % fields


def pack(result: FileResult) -> bytes:
    """``result`` as a cache entry keeps it (a worker process packs the results it makes)."""
    return pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)


def digest(data: bytes) -> bytes:
    hashed: bytes = _blake2b()(data, digest_size=16).digest()
    return hashed


def new_hash() -> Any:
    return _blake2b()(digest_size=16)


def _blake2b() -> Any:
    try:  # hashlib itself loads OpenSSL, a tenth of the time of linting one file
        from _blake2 import blake2b
    except ImportError:  # pragma: no cover - a Python built without its own BLAKE2
        from hashlib import blake2b
    return blake2b


def configuration_key(settings: Settings, cwd: str, extra: Any = ()) -> str:
    """A short stable name for everything a result depends on besides the file and ``now``.

    ``extra`` holds any other setting that changes results."""
    parts: list[Any] = [_FORMAT, __version__, sys.version, _code_fingerprint(), _libraries(), cwd, _canonical(extra)]
    for name in settings._fields:
        if name not in ("now", "show_traceback"):
            parts.append((name, _canonical(getattr(settings, name))))
    key: str = _blake2b()(repr(parts).encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()
    return key


def _canonical(value: Any) -> Any:
    """``value`` as nested tuples whose ``repr`` is stable (sets and mappings sorted)."""
    names = getattr(value, "_fields", None)  # a NamedTuple, or a class that lists its fields alike
    if isinstance(names, tuple) and not isinstance(value, type):
        # Private fields hold compiled forms (validators), not configuration.
        public = (name for name in names if not name.startswith("_"))
        return (type(value).__qualname__, tuple((name, _canonical(getattr(value, name))) for name in public))
    if isinstance(value, dict):
        return ("dict", tuple(sorted((repr(key), _canonical(item)) for key, item in value.items())))
    if isinstance(value, (set, frozenset)):
        return ("set", tuple(sorted(repr(_canonical(item)) for item in value)))
    if isinstance(value, (list, tuple)):
        return ("list", tuple(_canonical(item) for item in value))
    return repr(value)


def _code_fingerprint() -> tuple[tuple[str, int, int], ...]:
    """Name, size and mtime of fmlint's own files: an edited rule invalidates the cache even
    when the version number stays the same."""
    package = os.path.dirname(os.path.abspath(__file__))
    found = []
    stack = [package]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False) and entry.name != "__pycache__":
                        stack.append(entry.path)
                    elif entry.name.endswith((".py", ".json")):
                        info = entry.stat()
                        found.append((entry.path[len(package) :], info.st_size, info.st_mtime_ns))
        except OSError:
            continue
    return tuple(sorted(found))


def _libraries() -> tuple[str, ...]:
    """The installed versions of the libraries whose behaviour reaches the findings (PyYAML
    reads what the fast reader declines; jsonschema-rs decides and explains the schema check), read
    from the names of their ``.dist-info`` folders, without importing them."""
    from importlib.machinery import PathFinder

    folders = set()
    for name in ("yaml", "jsonschema_rs"):
        spec = PathFinder.find_spec(name)
        if spec is not None and spec.origin:
            folders.add(os.path.dirname(os.path.dirname(spec.origin)))
    found: list[str] = []
    for folder in sorted(folders):
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        found.extend(name for name in names if name.lower().startswith(_LIBRARIES) and name.endswith(".dist-info"))
    return tuple(sorted(found))


_LIBRARIES = ("pyyaml-", "jsonschema_rs-")


class ResultCache:
    """Per-file results of one configuration, read as needed and written at the end of a run."""

    __slots__ = (
        "_journals",
        "_now",
        "_pending",
        "_quoted",
        "_run",
        "_shards",
        "_started_ns",
        "_unwritable",
        "directory",
        "folder",
        "remembered_lines",
    )

    def __init__(self, directory: str, key: str, now: datetime) -> None:
        import time

        self.directory = directory
        self.folder = os.path.join(directory, key)
        self._now = now
        self._shards: dict[int, dict[str, Entry]] = {}  # as loaded, less the entries taken
        self._journals: dict[int, BinaryIO] = {}  # this run's new entries of each shard, in order
        self._pending: dict[int, list[tuple[str, Entry]]] = {}  # not yet in its journal: a few per shard
        self._unwritable = False
        self._run: tuple[Any, ...] | None = None  # the outcome of this run, to be saved
        self._quoted: dict[tuple[str, int], str] = {}  # the lines its report quoted, saved with it
        # The lines the last run's report quoted, when its outcome is this run's (remembered_run).
        self.remembered_lines: dict[tuple[str, int], str] = {}
        self._started_ns = time.time_ns()

    def trusted_until(self) -> int:
        """A file modified (or its inode changed) after this time, in ns, may change again unseen."""
        return self._started_ns - _RACY_NS

    def remembered_run(self, fingerprint: bytes) -> list[Diagnostic] | None:
        """The findings of the last run, if it linted the same files (:func:`fmlint.runner._fingerprint`)."""
        # Two pickles: what the run stands for, then its findings, only read when they are the answer.
        try:
            with open(os.path.join(self.folder, "run.pickle"), "rb") as handle:
                header = _Unpickler(handle).load()
                if not (isinstance(header, tuple) and len(header) == 3 and header[:2] == (_FORMAT, fingerprint)):
                    return None
                if not holds_at(header[2], self._now):
                    return None
                diagnostics = _Unpickler(handle).load()
                quoted = _quoted_lines(handle)
        except Exception:  # a corrupt cache of any kind is only a cache miss
            return None
        if not (type(diagnostics) is tuple and all(type(item) is Diagnostic for item in diagnostics)):
            return None
        self.remembered_lines = quoted
        return list(diagnostics)

    def remember_run(self, fingerprint: bytes, diagnostics: list[Diagnostic], window: NowWindow | None) -> None:
        if not _internal_error(diagnostics):
            self._run = ((_FORMAT, fingerprint, window), tuple(diagnostics))

    def remember_lines(self, quoted: dict[tuple[str, int], str]) -> None:
        """Keep the lines this run's report quoted (``(path, line)`` -> text) with its outcome: a
        next run with the same outcome quotes them without opening a file, since none changed."""
        self._quoted = quoted

    def take(
        self, paths: Iterable[str], keep: Callable[[str, FileResult], FileResult] | None = None
    ) -> dict[str, FileResult]:
        """The cached results of ``paths`` whose stat signature is unchanged (each passed through
        ``keep``, with its path), read one shard at a time.

        A shard is loaded, its results for ``paths`` taken, and the rest let go of but the
        entries of the files to read again (:meth:`known_digest`): looking files up in
        the order of the run would load every shard at its start, and hold all their
        entries in memory beside the results the run builds up."""
        wanted: dict[int, list[str]] = {}
        for path in paths:
            wanted.setdefault(_shard_of(path), []).append(path)
        found: dict[str, FileResult] = {}
        for number, names in sorted(wanted.items()):
            self._shards.pop(number, None)
            shard = self._shard(names[0])
            for path in names:
                if path not in shard:  # nothing kept for it (a cold run: nothing at all)
                    continue
                try:
                    result = self.lookup(path, os.stat(path))
                except OSError:
                    result = None
                if result is not None:
                    found[path] = result if keep is None else keep(path, result)
            self._shards[number] = {path: shard[path] for path in names if path in shard}
        return found

    def lookup(self, path: str, info: os.stat_result) -> FileResult | None:
        """The cached result of ``path`` if its stat signature is unchanged."""
        found = self._entry(path)
        if found is None or found[0][0] is None or found[0][0] != stat_key(info):
            return None
        self._take(path)
        return found[1]

    def known_digest(self, path: str) -> bytes | None:
        """The hash of what was read from ``path`` when its cached result was made."""
        found = self._entry(path)
        return None if found is None else found[0][1]

    def reuse(self, path: str, info: os.stat_result, content: bytes) -> FileResult | None:
        """The cached result of ``path`` if what fmlint reads from it is unchanged."""
        found = self._entry(path)
        if found is None or found[0][1] != content:
            return None
        (stat, _, packed), result = found
        self._take(path)
        trusted = self._trusted(info)
        if trusted != stat:
            self._record(path, (trusted, content, packed))
        return result

    def store(self, path: str, info: os.stat_result, content: bytes, result: FileResult, packed: bytes) -> None:
        """Keep ``result`` (``packed`` by :func:`pack`) for ``path``."""
        self._take(path)
        if not _internal_error(result.diagnostics):
            self._record(path, (self._trusted(info), content, packed))

    def save(self) -> None:
        """Write the changed shards; any failure leaves the cache as it was (and costs only speed)."""
        if not self._journals and not self._pending and self._run is None:
            return
        try:
            self._make_folder()
            for shard in list(self._pending):
                self._write_pending(shard)
            for shard in sorted(self._journals):
                # Read again: the loaded shard has let go of the entries this run took.
                entries = _load(self._shard_path(shard))
                journal = self._journals[shard]
                journal.seek(0)
                linted = set()  # read by this run: they exist
                while True:
                    try:
                        batch = pickle.load(journal)  # written by this process, to an unnamed file
                    except EOFError:
                        break
                    for path, entry in batch:
                        entries[path] = entry
                        linted.add(path)
                for gone in [path for path in entries if path not in linted and not os.path.lexists(path)]:
                    del entries[gone]
                data = pickle.dumps((_FORMAT, entries), protocol=pickle.HIGHEST_PROTOCOL)
                _write_atomically(self._shard_path(shard), data)
            self.close()
            if self._run is not None:  # written last: it stands for the shards above
                header, findings = self._run
                data = pickle.dumps(header, protocol=pickle.HIGHEST_PROTOCOL)
                data += pickle.dumps(findings, protocol=pickle.HIGHEST_PROTOCOL)
                data += pickle.dumps(self._quoted, protocol=pickle.HIGHEST_PROTOCOL)
                _write_atomically(os.path.join(self.folder, "run.pickle"), data)
                self._run = None
            _prune(self.directory, keep=self.folder)
        except (OSError, pickle.PicklingError, pickle.UnpicklingError, TypeError, AttributeError, RecursionError):
            pass

    def close(self) -> None:
        """Let go of this run's journals (they vanish with their file handles)."""
        from contextlib import suppress

        journals, self._journals = self._journals, {}
        self._pending.clear()
        for journal in journals.values():
            with suppress(OSError):
                journal.close()

    def _entry(self, path: str) -> tuple[Entry, FileResult] | None:
        entry = self._shard(path).get(path)
        if entry is None or not _valid(entry):
            return None
        result = _unpack(path, entry[2])
        if result is None or not holds_at(result.now_window, self._now):
            return None
        return entry, result

    def _take(self, path: str) -> None:
        """Let the loaded shard go of ``path``'s entry: each file is looked up once a run, and
        the entries of every shard would otherwise stay in memory to the end of the run."""
        self._shard(path).pop(path, None)

    def _record(self, path: str, entry: Entry) -> None:
        """Write ``entry`` to its shard's journal, a batch at a time; an unwritable cache records nothing."""
        if self._unwritable:
            return
        shard = _shard_of(path)
        pending = self._pending.setdefault(shard, [])
        pending.append((path, entry))
        if len(pending) >= _BATCH:
            self._write_pending(shard)

    def _write_pending(self, shard: int) -> None:
        pending = self._pending.pop(shard, [])
        journal = self._journals.get(shard)
        try:
            if journal is None:
                if self._unwritable:
                    return
                self._make_folder()
                journal = self._journals[shard] = _unnamed_file(self.folder)
            pickle.dump(pending, journal, protocol=pickle.HIGHEST_PROTOCOL)
        except OSError:
            self._unwritable = True
            self.close()

    def _make_folder(self) -> None:
        if not os.path.isdir(self.directory):
            # Only a folder fmlint made is ignored whole: a cache-dir that already
            # exists may hold files the project wants to keep.
            os.makedirs(self.directory)
            for name, text in ((".gitignore", GITIGNORE), ("CACHEDIR.TAG", CACHEDIR_TAG)):
                with open(os.path.join(self.directory, name), "x", encoding="utf-8") as handle:
                    handle.write(text)
        os.makedirs(self.folder, exist_ok=True)

    def _shard_path(self, number: int) -> str:
        return os.path.join(self.folder, f"{number:02d}.pickle")

    def _shard(self, path: str) -> dict[str, Entry]:
        number = _shard_of(path)
        shard = self._shards.get(number)
        if shard is None:
            shard = self._shards[number] = _load(self._shard_path(number))
        return shard

    def _trusted(self, info: os.stat_result) -> StatKey | None:
        if max(info.st_mtime_ns, info.st_ctime_ns) > self.trusted_until():
            return None
        return stat_key(info)


def _quoted_lines(handle: BinaryIO) -> dict[tuple[str, int], str]:
    """The third pickle of ``run.pickle``: the lines its report quoted; empty when it has none
    (or they are not of that shape): the report then reads them from the files."""
    try:
        quoted = _Unpickler(handle).load()
    except Exception:
        return {}
    if type(quoted) is not dict or not all(
        type(key) is tuple and len(key) == 2 and type(key[0]) is str and type(key[1]) is int and type(text) is str
        for key, text in quoted.items()
    ):
        return {}
    return quoted


def _internal_error(diagnostics: Iterable[Diagnostic]) -> bool:
    """An internal error (FM902) is not kept: the next run shows it again, with
    ``--show-traceback`` if asked, and one caused by the machine (out of memory) goes away."""
    return any(diagnostic.code == "FM902" for diagnostic in diagnostics)


def _is_key(name: str) -> bool:
    return len(name) == 24 and all(character in "0123456789abcdef" for character in name)


def _shard_of(path: str) -> int:
    return crc32(path.encode("utf-8", "surrogateescape")) % _SHARDS


def _load(path: str) -> dict[str, Entry]:
    """One shard; anything unreadable or of another shape loads as empty."""
    loaded = _load_pickle(path)
    if isinstance(loaded, tuple) and len(loaded) == 2 and loaded[0] == _FORMAT and isinstance(loaded[1], dict):
        return loaded[1]  # each entry is checked when it is used
    return {}


def _load_pickle(path: str) -> Any:
    try:
        with open(path, "rb") as handle:
            return _Unpickler(handle).load()
    except Exception:  # a corrupt cache of any kind is only a cache miss
        return None


def _valid(entry: object) -> bool:
    """Whether ``entry`` has the shape this version writes (its stat is only compared)."""
    return (
        type(entry) is tuple
        and len(entry) == 3
        and (entry[0] is None or type(entry[0]) is bytes)
        and type(entry[1]) is bytes
        and type(entry[2]) is bytes
    )


def _unpack(path: str, packed: bytes) -> FileResult | None:
    """The result of ``path`` in a cache entry; ``None`` when it is not one this version writes."""
    from io import BytesIO

    try:
        result = _Unpickler(BytesIO(packed)).load()
    except Exception:  # a corrupt cache of any kind is only a cache miss
        return None
    if (
        type(result) is FileResult
        and result.path == path
        and type(result.diagnostics) is tuple
        and all(type(item) is Diagnostic for item in result.diagnostics)
    ):
        return result
    return None


def _unnamed_file(folder: str) -> BinaryIO:
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


_PLAIN = frozenset(
    {
        ("builtins", "frozenset"),
        ("builtins", "set"),
        ("builtins", "complex"),
        ("datetime", "date"),
        ("datetime", "datetime"),
        ("datetime", "time"),
        ("datetime", "timedelta"),
        ("datetime", "timezone"),
    }
)


class _Unpickler(pickle.Unpickler):
    """Only fmlint's own classes and plain data: a planted cache file cannot call anything else."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _PLAIN:
            return super().find_class(module, name)
        if (module == "fmlint" or module.startswith("fmlint.")) and "." not in name:
            found = super().find_class(module, name)
            if isinstance(found, type):
                return found
        raise pickle.UnpicklingError(f"the cache may not refer to {module}.{name}")


def _write_atomically(path: str, data: bytes) -> None:
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


def _prune(directory: str, keep: str) -> None:
    """Keep the folders of the most recently used configurations only (and nothing else is touched)."""
    try:
        os.utime(keep)
        folders = [
            entry.path for entry in os.scandir(directory) if entry.is_dir(follow_symlinks=False) and _is_key(entry.name)
        ]
        if len(folders) <= _KEEP_CONFIGURATIONS:
            return
        import shutil

        folders.sort(key=os.path.getmtime)
        for folder in folders[:-_KEEP_CONFIGURATIONS]:
            if folder != keep:
                shutil.rmtree(folder, ignore_errors=True)
    except OSError:
        pass
