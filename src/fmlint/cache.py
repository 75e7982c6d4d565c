"""The result cache: what linting each file produced, so unchanged files are not linted again.

One cache file per configuration lives in ``.fmlint_cache/``. Its name is a hash of
everything a file's result depends on besides the file itself: fmlint's version,
the Python version, the schemas, the selected rules and their options, and the
limits. Inside, each file's entry is keyed by its absolute path and holds

- its ``os.stat`` signature (size, mtime, ctime, inode), so an untouched file is
  recognised without being read, and
- a hash of the bytes fmlint reads from it (the front-matter), so a file that was
  touched but not changed (a checkout, a ``touch``) is recognised after one read,

and the file's result: diagnostics without their path, and the corpus rules'
facts, so cross-file rules see every file on a warm run too.

The cache is an optimisation and never a source of truth: a missing, corrupt,
foreign or unwritable cache means linting everything, never a crash or a wrong
result. It is written once per run, atomically (temporary file, then rename), so an
interrupted run leaves the previous cache intact.
"""

from __future__ import annotations

import marshal
import os
import sys

from fmlint import __version__

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    StatKey = tuple[int, int, int, int]
    Entry = tuple[StatKey, bytes, Any]

_FORMAT = 1
_KEEP_CONFIGURATIONS = 8  # older cache files are removed beyond this many
# A file modified this close to the moment its stat signature was taken may change
# again within the file system's timestamp granularity: check its content instead.
_RACY_NS = 2_000_000_000

GITIGNORE = "# Automatically created by fmlint.\n*\n"


def stat_key(info: os.stat_result) -> StatKey:
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def digest(data: bytes) -> bytes:
    from hashlib import blake2b

    return blake2b(data, digest_size=16).digest()


def configuration_key(parts: Any) -> str:
    """A short stable name for everything a result depends on besides the file."""
    from hashlib import blake2b

    text = repr((_FORMAT, __version__, sys.version_info[:2], parts))
    return blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


class ResultCache:
    """Per-file results of one configuration, loaded at the start of a run and saved at its end."""

    __slots__ = ("_changed", "_entries", "_path", "_started_ns", "directory")

    def __init__(self, directory: str, key: str) -> None:
        self.directory = directory
        self._path = os.path.join(directory, f"{key}.cache")
        self._entries: dict[str, Entry] = {}
        self._changed = False
        self._started_ns = 0

    @classmethod
    def open(cls, directory: str, key: str) -> ResultCache:
        """Load the cache for ``key`` from ``directory``; an unusable cache loads as empty."""
        cache = cls(directory, key)
        import time

        cache._started_ns = time.time_ns()
        try:
            with open(cache._path, "rb") as handle:
                loaded = marshal.load(handle)
        except (OSError, EOFError, ValueError, TypeError):
            return cache
        if _valid(loaded):
            cache._entries = loaded[1]
        return cache

    def get(self, path: str, info: os.stat_result) -> Any | None:
        """The cached result of ``path`` if its stat signature is unchanged (and not racy)."""
        entry = self._entries.get(path)
        if entry is None or entry[0] != stat_key(info):
            return None
        if self._started_ns - info.st_mtime_ns < _RACY_NS:
            return None
        return entry[2]

    def get_by_content(self, path: str, info: os.stat_result, content: bytes) -> Any | None:
        """The cached result of ``path`` if what fmlint reads from it is unchanged."""
        entry = self._entries.get(path)
        if entry is None or entry[1] != content:
            return None
        if entry[0] != stat_key(info):
            self._entries[path] = (stat_key(info), content, entry[2])
            self._changed = True
        return entry[2]

    def put(self, path: str, info: os.stat_result, content: bytes, result: Any) -> None:
        self._entries[path] = (stat_key(info), content, result)
        self._changed = True

    def save(self) -> None:
        """Write the cache atomically; any failure leaves the previous cache as it was."""
        if not self._changed:
            return
        temporary = None
        try:
            os.makedirs(self.directory, exist_ok=True)
            ignore = os.path.join(self.directory, ".gitignore")
            if not os.path.exists(ignore):
                with open(ignore, "w", encoding="utf-8") as handle:
                    handle.write(GITIGNORE)
            import tempfile

            descriptor, temporary = tempfile.mkstemp(prefix=".tmp-", dir=self.directory)
            with os.fdopen(descriptor, "wb") as handle:
                marshal.dump((_FORMAT, self._entries), handle)
            os.replace(temporary, self._path)
            temporary = None
            self._prune()
        except (OSError, ValueError):
            pass  # an unwritable cache only costs speed
        finally:
            if temporary is not None:
                try:
                    os.unlink(temporary)
                except OSError:
                    pass

    def _prune(self) -> None:
        """Keep the cache files of the most recently used configurations only."""
        try:
            names = [name for name in os.listdir(self.directory) if name.endswith(".cache")]
            if len(names) <= _KEEP_CONFIGURATIONS:
                return
            paths = sorted((os.path.join(self.directory, name) for name in names), key=os.path.getmtime)
            for path in paths[:-_KEEP_CONFIGURATIONS]:
                os.unlink(path)
        except OSError:
            pass


def _valid(loaded: object) -> bool:
    """Whether ``loaded`` has the shape this version writes (anything else is ignored)."""
    if not (isinstance(loaded, tuple) and len(loaded) == 2 and loaded[0] == _FORMAT and isinstance(loaded[1], dict)):
        return False
    for path, entry in loaded[1].items():
        if not (isinstance(path, str) and isinstance(entry, tuple) and len(entry) == 3):
            return False
        stat, content, _ = entry
        if not (isinstance(stat, tuple) and len(stat) == 4 and isinstance(content, bytes)):
            return False
    return True
