"""The result cache: what linting each file produced, so unchanged files are not linted again.

The cache lives in ``.fmlint_cache/`` (or ``cache-dir``), with a ``.gitignore``
inside. Each configuration has its own folder, named by a hash of everything a
result depends on besides the file itself (:func:`configuration_key`): fmlint's
version and code, the Python version, the working directory (paths are reported
as given), and every field of :class:`fmlint.pipeline.check.Settings` but ``now``. The
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
- its whole :class:`fmlint.pipeline.check.FileResult`: diagnostics (with their fixes) and the
  corpus rules' facts, so cross-file rules see every file on a warm run too.

Beside the shards, ``run.record`` keeps the findings of the last run, the lines its
report quoted, and a hash of every path and stat signature it linted: when nothing
changed, the next run reuses them without opening a shard or a linted file.

Entries of files that no longer exist are dropped when their shard is written.

The cache is an optimisation, never a source of truth: a missing, corrupt, foreign
or unwritable cache means linting everything, never a crash or a wrong result.
Everything in it is plain JSON (:mod:`fmlint.run.cache.data`), checked field by field
when it is read; nothing in it is ever run. Every file is signed with the user's own
key (:mod:`fmlint.run.cache.signing`), bound to its configuration folder and name: a file
fmlint did not write here for this user (committed, copied, edited) is not used.
Shards are written at the end of a completed run, each atomically (temporary file,
then rename), so an interrupted run leaves the previous cache intact.

A run holds little of the cache in memory, whatever the number of files: a result
is decoded when its file is looked up, and let go of by its shard then; the
entries a run makes wait in an unnamed temporary file per shard (a journal), and a
changed shard is read again from disk when it is written.
"""

from __future__ import annotations

import os
from zlib import crc32

from fmlint.diagnostic import Diagnostic
from fmlint.pipeline.result import FileResult
from fmlint.run.cache import data as cachedata
from fmlint.run.cache import files as cachefiles
from fmlint.run.cache.configuration import FORMAT as _FORMAT
from fmlint.run.cache.configuration import blake2b
from fmlint.run.cache.configuration import configuration_key as configuration_key
from fmlint.run.cache.data import Invalid
from fmlint.run.cache.signing import Signer
from fmlint.run.clock import holds_at

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from datetime import datetime
    from typing import Any, BinaryIO

    from fmlint.run.clock import NowWindow

    StatKey = str
    # Stat signature, hash of what was read, and the result: as JSON text when this run
    # made it (:func:`pack`), as parsed JSON when it was read from a shard.
    Entry = tuple[StatKey | None, str, Any]

DEFAULT_DIRECTORY = ".fmlint_cache"
GITIGNORE = "# Automatically created by fmlint.\n*\n"
# Backup tools skip a folder holding this file (https://bford.info/cachedir/).
CACHEDIR_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# This folder is fmlint's result cache.\n"
RECORD = "run.record"
_SHARDS = 64
_RACY_NS = 2_000_000_000
_BATCH = 32  # entries of a shard written to its journal at once
_HEADER_MAX = 4096  # the first line of the run record: its signature, format, fingerprint, window


def stat_key(info: os.stat_result) -> StatKey:
    """Size, mtime, ctime and inode: what says a file is untouched without reading it."""
    return f"{info.st_size} {info.st_mtime_ns} {info.st_ctime_ns} {info.st_ino}"


def pack(result: FileResult) -> str | None:
    """``result`` as a cache entry keeps it (a worker process packs the results it makes);
    ``None`` for one JSON cannot hold exactly, which is then not kept."""
    try:
        return cachedata.dumps(result)
    except Invalid:
        return None


def digest(data: bytes) -> str:
    hashed: str = blake2b()(data, digest_size=16).hexdigest()
    return hashed


def new_hash() -> Any:
    return blake2b()(digest_size=16)


class ResultCache:
    """Per-file results of one configuration, read as needed and written at the end of a run.

    ``signer`` signs and checks every cache file (default: this user's key, which
    raises :class:`fmlint.run.cache.signing.KeyUnavailable` when it cannot be had). What was
    refused is counted, for ``--verbose``: ``unsigned`` files whose signature does not
    match, ``invalid`` files and entries that are signed but not what this version
    writes."""

    __slots__ = (
        "_holds",
        "_journals",
        "_now",
        "_pending",
        "_quoted",
        "_run",
        "_shards",
        "_signer",
        "_started_ns",
        "_unwritable",
        "directory",
        "folder",
        "from_cache",
        "invalid",
        "remembered_lines",
        "unsigned",
        "whole_run",
    )

    def __init__(
        self,
        directory: str,
        key: str,
        now: datetime,
        signer: Signer | None = None,
        holds: Callable[[FileResult], bool] | None = None,
    ) -> None:
        import time

        self.directory = directory
        self.folder = os.path.join(directory, key)
        self._signer = signer if signer is not None else Signer.for_user()
        self._now = now
        self._holds = holds  # whether a result still holds beyond its file (the schema its `$schema` names)
        self._shards: dict[int, dict[str, Any]] = {}  # as loaded, less the entries taken
        self._journals: dict[int, BinaryIO] = {}  # this run's new entries of each shard, in order
        self._pending: dict[int, list[tuple[str, Entry]]] = {}  # not yet in its journal: a few per shard
        self._unwritable = False
        self._run: tuple[bytes, str] | None = None  # the outcome of this run, to be saved: fingerprint, JSON
        self._quoted: dict[tuple[str, int], str] = {}  # the lines its report quoted, saved with it
        # The lines the last run's report quoted, when its outcome is this run's (remembered_run).
        self.remembered_lines: dict[tuple[str, int], str] = {}
        self._started_ns = time.time_ns()
        self.from_cache = 0  # files answered from their entries
        self.whole_run = False  # every file answered by the run record
        self.unsigned = 0
        self.invalid = 0

    def trusted_until(self) -> int:
        """A file modified (or its inode changed) after this time, in ns, may change again unseen."""
        return self._started_ns - _RACY_NS

    def remembered_run(self, fingerprint: bytes) -> list[Diagnostic] | None:
        """The findings of the last run, if it linted the same files (:func:`fmlint.run._fingerprint`)."""
        # Its first line says what the run stands for, signed on its own: a run of other
        # files reads no further.
        path = os.path.join(self.folder, RECORD)
        handle = cachefiles.open_regular(path)
        if handle is None:
            return None
        context = self._context(RECORD)
        with handle:
            try:
                line = handle.readline(_HEADER_MAX)
                header = self._verified(context + b" header", line.rstrip(b"\n"))
                if header is None:
                    return None
                form, recorded, window = cachedata.loads(header)
                if form != _FORMAT or recorded != fingerprint.hex():
                    return None
                if not holds_at(cachedata.window(window), self._now):
                    return None
                body = self._verified(context + b" " + header, handle.read())
                if body is None:
                    return None
                findings, quoted = cachedata.loads(body)
                diagnostics = cachedata.diagnostics(findings)
            except (Invalid, OSError, ValueError, TypeError):  # ValueError: not two or three fields
                self.invalid += 1
                return None
        try:
            self.remembered_lines = cachedata.quoted_lines(quoted)
        except Invalid:  # the report reads them from the files instead
            self.remembered_lines = {}
        self.whole_run = True
        return list(diagnostics)

    def remember_run(self, fingerprint: bytes, diagnostics: list[Diagnostic], window: NowWindow | None) -> None:
        if _internal_error(diagnostics):
            return
        try:
            header = cachedata.dumps([_FORMAT, fingerprint.hex(), window])
            self._run = (header.encode("ascii"), cachedata.dumps(diagnostics))
        except Invalid:
            self._run = None

    def remember_lines(self, quoted: dict[tuple[str, int], str]) -> None:
        """Keep the lines this run's report quoted (``(path, line)`` -> text) with its outcome: a
        next run with the same outcome quotes them without opening a file, since none changed."""
        self._quoted = quoted

    def take(self, paths: Iterable[str]) -> Iterator[tuple[str, FileResult]]:
        """The cached results of ``paths`` whose stat signature is unchanged, with their paths, read
        one shard at a time (so the caller can make each compact before the next shard loads).

        A shard is loaded, its results for ``paths`` taken, and the rest let go of but the
        entries of the files to read again (:meth:`known_digest`): looking files up in
        the order of the run would load every shard at its start, and hold all their
        entries in memory beside the results the run builds up."""
        wanted: dict[int, list[str]] = {}
        for path in paths:
            wanted.setdefault(_shard_of(path), []).append(path)
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
                    yield path, result
            self._shards[number] = {path: shard[path] for path in names if path in shard}

    def lookup(self, path: str, info: os.stat_result) -> FileResult | None:
        """The cached result of ``path`` if its stat signature is unchanged."""
        found = self._entry(path)
        if found is None or found[0][0] is None or found[0][0] != stat_key(info):
            return None
        self._take(path)
        self.from_cache += 1
        return found[1]

    def known_digest(self, path: str) -> str | None:
        """The hash of what was read from ``path`` when its cached result was made."""
        found = self._entry(path)
        return None if found is None else found[0][1]

    def reuse(self, path: str, info: os.stat_result, content: str) -> FileResult | None:
        """The cached result of ``path`` if what fmlint reads from it is unchanged."""
        found = self._entry(path)
        if found is None or found[0][1] != content:
            return None
        (stat, _, _), result = found
        self._take(path)
        self.from_cache += 1
        trusted = self._trusted(info)
        if trusted != stat:
            packed = pack(result)
            if packed is not None:
                self._record(path, (trusted, content, packed))
        return result

    def store(self, path: str, info: os.stat_result, content: str, result: FileResult, packed: str | None) -> None:
        """Keep ``result`` (``packed`` by :func:`pack`) for ``path``."""
        self._take(path)
        if packed is not None and not _internal_error(result.diagnostics):
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
                self._save_shard(shard)
            self.close()
            if self._run is not None:  # written last: it stands for the shards above
                header, findings = self._run
                quoted = [[path, line, text] for (path, line), text in self._quoted.items()]
                body = f"[{findings},{cachedata.dumps(quoted)}]".encode("ascii")
                context = self._context(RECORD)
                data = self._signed(context + b" header", header) + b"\n" + self._signed(context + b" " + header, body)
                cachefiles.write_atomically(os.path.join(self.folder, RECORD), data)
                self._run = None
            cachefiles.prune(self.directory, keep=self.folder)
        except (OSError, Invalid, UnicodeError):
            pass

    def _save_shard(self, shard: int) -> None:
        """The shard as on disk, with this run's entries (from its journal) in, and those of removed files out."""
        path = self._shard_path(shard)
        entries: dict[str, tuple[str, str]] = {}  # path -> the path and its entry, as JSON text
        for name, entry in _load(path, self._signer)[0].items():
            try:  # read again: the loaded shard let go of what the run took
                entries[name] = (cachedata.dumps(name), cachedata.dumps(entry))
            except Invalid:
                continue
        journal = self._journals[shard]
        journal.seek(0)
        linted = set()  # read by this run: they exist
        # The journal is this process's own unnamed file: pairs of lines, each path then its
        # entry, both as JSON text (:meth:`_write_pending`).
        for line in journal:
            quoted = line.rstrip(b"\n").decode("ascii")
            entry = next(journal, b"").rstrip(b"\n").decode("ascii")
            if not entry:
                raise Invalid("a journal cut short")
            name = cachedata.loads(quoted)
            entries[name] = (quoted, entry)
            linted.add(name)
        for gone in [name for name in entries if name not in linted and not os.path.lexists(name)]:
            del entries[gone]
        body = ",".join(f"{quoted}:{entry}" for quoted, entry in entries.values())
        data = f"[{_FORMAT},{{{body}}}]".encode("ascii")
        cachefiles.write_atomically(path, self._signed(_file_context(path), data))

    def close(self) -> None:
        """Let go of this run's journals (they vanish with their file handles)."""
        from contextlib import suppress

        journals, self._journals = self._journals, {}
        self._pending.clear()
        for journal in journals.values():
            with suppress(OSError):
                journal.close()

    def _entry(self, path: str) -> tuple[Entry, FileResult] | None:
        shard = self._shard(path)
        entry = shard.get(path)
        if entry is None:
            return None
        try:
            if type(entry) is not list or len(entry) != 3:
                raise Invalid("not an entry")
            stat, content, data = entry
            if not (stat is None or type(stat) is str) or type(content) is not str or len(content) != 32:
                raise Invalid("not a stat signature and hash")
            result = cachedata.result(path, data)
        except Invalid:
            self.invalid += 1
            shard.pop(path, None)  # counted once
            return None
        if not holds_at(result.now_window, self._now) or (self._holds is not None and not self._holds(result)):
            return None
        return (stat, content, data), result

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
                journal = self._journals[shard] = cachefiles.unnamed_file(self.folder)
            lines = (f"{cachedata.dumps(path)}\n{_entry_text(*entry)}\n" for path, entry in pending)
            journal.write("".join(lines).encode("ascii"))
        except (OSError, Invalid, UnicodeError):
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
        return os.path.join(self.folder, f"{number:02d}.shard")

    def _shard(self, path: str) -> dict[str, Any]:
        number = _shard_of(path)
        shard = self._shards.get(number)
        if shard is None:
            shard, refused = _load(self._shard_path(number), self._signer)
            self._shards[number] = shard
            if refused == "unsigned":
                self.unsigned += 1
            elif refused == "invalid":
                self.invalid += 1
        return shard

    def _trusted(self, info: os.stat_result) -> StatKey | None:
        if max(info.st_mtime_ns, info.st_ctime_ns) > self.trusted_until():
            return None
        return stat_key(info)

    def _context(self, name: str) -> bytes:
        return _file_context(os.path.join(self.folder, name))

    def _signed(self, context: bytes, data: bytes) -> bytes:
        return cachefiles.signed(self._signer, context, data)

    def _verified(self, context: bytes, signed: bytes) -> bytes | None:
        """What follows a valid signature in ``signed``; ``None`` (counted) when it does not verify."""
        data = cachefiles.unsigned(self._signer, context, signed)
        if data is None:
            self.unsigned += 1
        return data


def _entry_text(stat: StatKey | None, digest: str, packed: str) -> str:
    """An entry as JSON text. A stat signature (:func:`stat_key`) is digits and spaces, a hash hex
    digits: neither needs escaping, and encoding each would cost as much as the rest of the entry."""
    signature = "null" if stat is None else f'"{stat}"'
    return f'[{signature},"{digest}",{packed}]'


def _file_context(path: str) -> bytes:
    """What a signature binds a cache file to: the format, its configuration folder and its name
    (a file copied to another name or folder does not verify)."""
    folder, name = os.path.split(path)
    return b"fmlint cache %d %s/%s" % (_FORMAT, os.path.basename(folder).encode(), name.encode())


def _internal_error(diagnostics: Iterable[Diagnostic]) -> bool:
    """An internal error (FM902) is not kept: the next run shows it again, with
    ``--show-traceback`` if asked, and one caused by the machine (out of memory) goes away."""
    return any(diagnostic.code == "FM902" for diagnostic in diagnostics)


def _shard_of(path: str) -> int:
    return crc32(path.encode("utf-8", "surrogateescape")) % _SHARDS


def _load(path: str, signer: Signer) -> tuple[dict[str, Any], str | None]:
    """One shard's entries (each is checked when it is used), and why it was refused if it was:
    ``"unsigned"`` or ``"invalid"``. Anything unreadable or refused loads as empty."""
    handle = cachefiles.open_regular(path)
    if handle is None:
        return {}, None
    try:
        with handle:
            signed = handle.read()  # of a size open_regular checked
    except OSError:
        return {}, None
    data = cachefiles.unsigned(signer, _file_context(path), signed)
    if data is None:
        return {}, "unsigned"
    try:
        form, entries = cachedata.loads(data)
    except (Invalid, ValueError, TypeError):
        return {}, "invalid"
    if form != _FORMAT or type(entries) is not dict:
        return {}, "invalid"
    return entries, None
