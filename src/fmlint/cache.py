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
- its whole :class:`fmlint.lint.FileResult`, pickled: diagnostics (with their
  fixes) and the corpus rules' facts, so cross-file rules see every file on a warm
  run too.

Beside the shards, ``run.pickle`` keeps the findings of the last run and a hash of
every path and stat signature it linted: when nothing changed, the next run reuses
them without opening a shard.

Entries of files that no longer exist are dropped when their shard is written.

The cache is an optimisation, never a source of truth: a missing, corrupt, foreign
or unwritable cache means linting everything, never a crash or a wrong result.
Loading only accepts fmlint's own classes and plain data (a cache file planted in
a repository cannot run code). Shards are written at the end of a completed run,
each atomically (temporary file, then rename), so an interrupted run leaves the
previous cache intact.
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
    from collections.abc import Iterable
    from datetime import datetime
    from typing import Any

    from fmlint.lint import Settings
    from fmlint.rules.base import NowWindow

    StatKey = bytes
    Entry = tuple[StatKey | None, bytes, FileResult]

DEFAULT_DIRECTORY = ".fmlint_cache"
GITIGNORE = "# Automatically created by fmlint.\n*\n"
# Backup tools skip a folder holding this file (https://bford.info/cachedir/).
CACHEDIR_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# This folder is fmlint's result cache.\n"
_FORMAT = 3
_SHARDS = 64
_KEEP_CONFIGURATIONS = 8  # the folders of older configurations are removed beyond this many
_RACY_NS = 2_000_000_000
_STAT = Struct("<qqqQ")


def stat_key(info: os.stat_result) -> StatKey:
    """Size, mtime, ctime and inode, packed: a tuple of four large numbers weighs four times more."""
    fields = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
    try:
        return _STAT.pack(*fields)
    except struct_error:  # a time beyond the year 2262, or a negative inode
        return b"%d %d %d %d" % fields


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
    from dataclasses import fields

    parts: list[Any] = [_FORMAT, __version__, sys.version, _code_fingerprint(), _libraries(), cwd, _canonical(extra)]
    for field in fields(settings):
        if field.name not in ("now", "show_traceback"):
            parts.append((field.name, _canonical(getattr(settings, field.name))))
    key: str = _blake2b()(repr(parts).encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()
    return key


def _canonical(value: Any) -> Any:
    """``value`` as nested tuples whose ``repr`` is stable (sets and mappings sorted)."""
    from dataclasses import fields, is_dataclass

    if is_dataclass(value) and not isinstance(value, type):
        # Private fields hold compiled forms (validators), not configuration.
        public = (f.name for f in fields(value) if not f.name.startswith("_"))
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
    reads what the fast reader declines; jsonschema's errors become schema findings), read
    from the names of their ``.dist-info`` folders, without importing them."""
    from importlib.machinery import PathFinder

    folders = set()
    for name in ("yaml", "jsonschema", "referencing", "jsonschema_specifications"):
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


_LIBRARIES = ("pyyaml-", "jsonschema-", "referencing-", "jsonschema_specifications-")


class ResultCache:
    """Per-file results of one configuration, read as needed and written at the end of a run."""

    __slots__ = ("_dirty", "_now", "_run", "_shards", "_started_ns", "directory", "folder")

    def __init__(self, directory: str, key: str, now: datetime) -> None:
        import time

        self.directory = directory
        self.folder = os.path.join(directory, key)
        self._now = now
        self._shards: dict[int, dict[str, Entry]] = {}
        self._dirty: set[int] = set()
        self._run: tuple[Any, ...] | None = None  # the outcome of this run, to be saved
        self._started_ns = time.time_ns()

    def trusted_until(self) -> int:
        """A file modified (or its inode changed) after this time, in ns, may change again unseen."""
        return self._started_ns - _RACY_NS

    def remembered_run(self, fingerprint: bytes) -> list[Diagnostic] | None:
        """The findings of the last run, if it linted the same files (:func:`fmlint.runner._fingerprint`)."""
        loaded = _load_pickle(os.path.join(self.folder, "run.pickle"))
        if not (isinstance(loaded, tuple) and len(loaded) == 4 and loaded[:2] == (_FORMAT, fingerprint)):
            return None
        _, _, window, diagnostics = loaded
        if not holds_at(window, self._now):
            return None
        if not (type(diagnostics) is tuple and all(type(item) is Diagnostic for item in diagnostics)):
            return None
        return list(diagnostics)

    def remember_run(self, fingerprint: bytes, diagnostics: list[Diagnostic], window: NowWindow | None) -> None:
        if not _internal_error(diagnostics):
            self._run = (_FORMAT, fingerprint, window, tuple(diagnostics))

    def lookup(self, path: str, info: os.stat_result) -> FileResult | None:
        """The cached result of ``path`` if its stat signature is unchanged."""
        entry = self._entry(path)
        if entry is None or entry[0] is None or entry[0] != stat_key(info):
            return None
        return entry[2]

    def known_digest(self, path: str) -> bytes | None:
        """The hash of what was read from ``path`` when its cached result was made."""
        entry = self._entry(path)
        return None if entry is None else entry[1]

    def reuse(self, path: str, info: os.stat_result, content: bytes) -> FileResult | None:
        """The cached result of ``path`` if what fmlint reads from it is unchanged."""
        entry = self._entry(path)
        if entry is None or entry[1] != content:
            return None
        self._put(path, (self._trusted(info), content, entry[2]))
        return entry[2]

    def store(self, path: str, info: os.stat_result, content: bytes, result: FileResult) -> None:
        if not _internal_error(result.diagnostics):
            self._put(path, (self._trusted(info), content, result))

    def save(self) -> None:
        """Write the changed shards; any failure leaves the cache as it was (and costs only speed)."""
        if not self._dirty and self._run is None:
            return
        try:
            if not os.path.isdir(self.directory):
                # Only a folder fmlint made is ignored whole: a cache-dir that already
                # exists may hold files the project wants to keep.
                os.makedirs(self.directory)
                for name, text in ((".gitignore", GITIGNORE), ("CACHEDIR.TAG", CACHEDIR_TAG)):
                    with open(os.path.join(self.directory, name), "x", encoding="utf-8") as handle:
                        handle.write(text)
            os.makedirs(self.folder, exist_ok=True)
            for shard in sorted(self._dirty):
                entries = self._shards[shard]
                for gone in [path for path in entries if not os.path.lexists(path)]:
                    del entries[gone]
                data = pickle.dumps((_FORMAT, entries), protocol=pickle.HIGHEST_PROTOCOL)
                _write_atomically(os.path.join(self.folder, f"{shard:02d}.pickle"), data)
            self._dirty.clear()
            if self._run is not None:  # written last: it stands for the shards above
                data = pickle.dumps(self._run, protocol=pickle.HIGHEST_PROTOCOL)
                _write_atomically(os.path.join(self.folder, "run.pickle"), data)
                self._run = None
            _prune(self.directory, keep=self.folder)
        except (OSError, pickle.PicklingError, TypeError, AttributeError, RecursionError):
            pass

    def _entry(self, path: str) -> Entry | None:
        entry = self._shard(path).get(path)
        if entry is None or not _valid(path, entry) or not holds_at(entry[2].now_window, self._now):
            return None
        return entry

    def _put(self, path: str, entry: Entry) -> None:
        number = _shard_of(path)
        shard = self._shard(path)
        if shard.get(path) != entry:
            shard[path] = entry
            self._dirty.add(number)

    def _shard(self, path: str) -> dict[str, Entry]:
        number = _shard_of(path)
        shard = self._shards.get(number)
        if shard is None:
            shard = self._shards[number] = _load(os.path.join(self.folder, f"{number:02d}.pickle"))
        return shard

    def _trusted(self, info: os.stat_result) -> StatKey | None:
        if max(info.st_mtime_ns, info.st_ctime_ns) > self.trusted_until():
            return None
        return stat_key(info)


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


def _valid(path: str, entry: object) -> bool:
    """Whether ``entry`` has the shape this version writes (its stat and now are only compared)."""
    return (
        type(entry) is tuple
        and len(entry) == 3
        and type(entry[1]) is bytes
        and type(entry[2]) is FileResult
        and entry[2].path == path
        and type(entry[2].diagnostics) is tuple
        and all(type(item) is Diagnostic for item in entry[2].diagnostics)
    )


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
