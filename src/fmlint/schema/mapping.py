"""Which schema each file is checked against: ``[tool.fmlint.schemas]``, a file's ``$schema``, ``schema``.

The choice, in order: ``--schema`` on the command line (every file, nothing else is
read); a ``$schema`` key in the file's front-matter (a path from the file's folder, or
an ``http``/``https`` address); the first ``[tool.fmlint.schemas]`` glob that matches
the file (globs as in ``per-file-ignores``); ``schema``; the built-in article schema.

A configured schema is loaded, checked and compiled once, when the run starts; a
mistake in one is a usage error naming the file and the key. A ``$schema`` comes from
the linted file itself, so whatever is wrong with it is a finding of that file
(FM213), and it may only name a file inside the configuration's folder. Each schema a
``$schema`` names is loaded once per process, and again only when its file changes.
"""

from __future__ import annotations

import os
from typing import Any, NamedTuple

from fmlint.pipeline.discover import path_matches
from fmlint.schema.remote import Fetcher
from fmlint.schema.store import ARTICLE_FIELDS_ID, SchemaError, SchemaSet, is_remote, load_schema_set

BUILTIN_NAMES = {"article": None, "article-fields": ARTICLE_FIELDS_ID}  # name -> location for load_schema_set
SCHEMA_KEY = "$schema"
FACT = "$schema"  # the fact a file keeps of the schema its ``$schema`` names, for the result cache


class FileSchemaError(Exception):
    """A file's ``$schema`` cannot be used; the message says why (reported at the value)."""


class MappedSchema(NamedTuple):
    """One ``[tool.fmlint.schemas]`` entry: files matching ``pattern`` (from ``root``) use ``schemas``."""

    pattern: str
    root: str
    label: str  # the value as configured: a built-in name, a path or an address
    schemas: SchemaSet


class SchemaMap:
    """How the files of a run choose their schema (everything but the default, which ``Settings`` holds).

    ``_fields`` are what the result cache's key reads; the schemas ``$schema`` keys name
    are kept per process in ``_loaded`` (by their path and stat signature, or address)."""

    _fields = ("entries", "default_label", "forced", "root")

    def __init__(
        self,
        entries: tuple[MappedSchema, ...],
        default_label: str,
        forced: bool,
        root: str,
        fetcher: Fetcher | None = None,
    ) -> None:
        self.entries = entries
        self.default_label = default_label
        self.forced = forced  # --schema: every file uses the default, whatever it or the mapping says
        self.root = root  # the folder a ``$schema`` path must stay in
        self.fetcher = fetcher  # gets the documents a ``$schema`` address names (the run's settings)
        self._loaded: dict[Any, tuple[SchemaSet | None, str]] = {}  # key -> the set (None: unusable), why

    def __getstate__(self) -> dict[str, Any]:
        # A worker loads its own ``$schema`` files, and fetches with the run's settings.
        state = {name: getattr(self, name) for name in self._fields}
        state["remote"] = self.fetcher.settings if self.fetcher is not None else None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        remote = state.pop("remote", None)
        self.__dict__.update(state)
        self.fetcher = Fetcher(remote) if remote is not None else None
        self._loaded = {}

    def choose(self, path: str, data: Any, default: SchemaSet) -> SchemaSet:
        """The schema ``path`` (whose front-matter is ``data``) is checked against; :class:`FileSchemaError`
        when its ``$schema`` cannot be used."""
        if not self.forced and isinstance(data, dict) and SCHEMA_KEY in data:
            return self._from_key(path, data[SCHEMA_KEY])
        for entry in self.entries:
            if path_matches(entry.pattern, path, entry.root):
                return entry.schemas
        return default

    def label(self, path: str, data: Any) -> str:
        """The schema of ``path`` as configured or written: a built-in name, a path or an address."""
        if not self.forced and isinstance(data, dict) and SCHEMA_KEY in data:
            value = data[SCHEMA_KEY]
            from fmlint.schema.explain import show

            return value if isinstance(value, str) else show(value)
        for entry in self.entries:
            if path_matches(entry.pattern, path, entry.root):
                return entry.label
        return self.default_label

    def labels(self) -> list[tuple[str, str]]:
        """Each configured schema and the files it is for, in the order they are chosen."""
        shown = [(entry.label, entry.pattern) for entry in self.entries]
        return [*shown, (self.default_label, "every other file" if shown else "every file")]

    def dependency(self, path: str, data: Any) -> tuple[str, Any] | None:
        """The fact that ties ``path``'s result to the schema its ``$schema`` names (``None``: no such key):
        where it is, and a fingerprint of what loading it gives now."""
        if self.forced or not isinstance(data, dict) or not isinstance(data.get(SCHEMA_KEY), str):
            return None
        location = self._location(path, data[SCHEMA_KEY])
        return FACT, (location, self._fingerprint(location))

    def holds(self, result: Any) -> bool:
        """Whether the schema a cached ``result``'s :meth:`dependency` fact names is still what it was."""
        for code, fact in result.facts:
            if code != FACT:
                continue
            try:
                location, fingerprint = fact
            except (TypeError, ValueError):
                return False
            if self.forced or not isinstance(location, str) or self._fingerprint(location) != fingerprint:
                return False
        return True

    def read_by(self, results: Any) -> bool:
        """Whether any of ``results`` (:class:`fmlint.pipeline.result.FileResult`) depends on a schema its ``$schema``
        names: a run's outcome is then not replayed whole, since only each file's lookup checks the schema."""
        return any(code == FACT for result in results for code, _ in result.facts)

    def _location(self, path: str, value: str) -> str:
        if is_remote(value):
            return value
        return os.path.normpath(os.path.join(os.path.dirname(path), value))

    def _from_key(self, path: str, value: Any) -> SchemaSet:
        if not isinstance(value, str) or not value.strip():
            from fmlint.schema.explain import show

            shown = "an empty string" if isinstance(value, str) else show(value)
            raise FileSchemaError(
                f"`$schema` must name a schema: a path from this file's folder or an http(s) address; got {shown}"
            )
        schemas, why = self._load(self._location(path, value))
        if schemas is None:
            raise FileSchemaError(why)
        return schemas

    def _load(self, location: str) -> tuple[SchemaSet | None, str]:
        key = (location, _signature(location))
        found = self._loaded.get(key)
        if found is None:
            found = self._loaded[key] = self._read(location)
        return found

    def _read(self, location: str) -> tuple[SchemaSet | None, str]:
        if not is_remote(location):
            problem = _outside(location, self.root)
            if problem:
                return None, f"`$schema` names {location}, {problem}; name a schema file inside the site's folder"
        try:
            schemas = load_schema_set(location, self.fetcher)
        except SchemaError as exc:
            return None, f"`$schema` names a schema fmlint cannot use: {exc}"
        except RecursionError:  # a schema nested past what the engine's own walk can take
            return None, f"`$schema` names a schema fmlint cannot use: {location} is nested too deeply"
        return schemas, _digest(schemas)

    def _fingerprint(self, location: str) -> str:
        schemas, why = self._load(location)
        return why if schemas is None else "ok " + why


def _signature(location: str) -> Any:
    """What says a schema file is unchanged without reading it (an address: nothing more)."""
    if is_remote(location):
        return None
    try:
        info = os.stat(location)
    except OSError:
        return "missing"
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def _outside(location: str, root: str) -> str | None:
    """Why a ``$schema`` path must not be read: outside ``root``, or through a symbolic link out of it."""
    absolute, base = os.path.abspath(location), os.path.abspath(root)
    real, real_root = os.path.realpath(location), os.path.realpath(root)
    try:
        if os.path.commonpath([base, absolute]) != base:
            return "which is outside the site's folder"
        if os.path.commonpath([real_root, real]) != real_root:
            return "a symbolic link that leads out of the site's folder"
    except ValueError:  # Windows: another drive
        return "which is outside the site's folder"
    return None


def _digest(schemas: SchemaSet) -> str:
    """A fingerprint of every document the set was loaded from (the schema and what it refers to)."""
    import json
    from hashlib import blake2b

    text = json.dumps(schemas.resources, sort_keys=True, default=repr)
    return blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def without_schema_key(data: Any) -> Any:
    """``data`` as the schema sees it: ``$schema`` says which schema applies, it is not a field."""
    if isinstance(data, dict) and SCHEMA_KEY in data:
        return {key: value for key, value in data.items() if key != SCHEMA_KEY}
    return data


def resolve(
    configured: dict[str, str],
    schema: str | None,
    flag: str | None,
    root: str,
    where: str,
    fetcher: Fetcher | None = None,
) -> tuple[SchemaSet, SchemaMap]:
    """The default schema and the map of a run, every schema loaded and compiled once.

    ``configured`` is ``[tool.fmlint.schemas]`` and ``schema`` the key of that name (both
    from ``root``), ``flag`` is ``--schema`` (from the current directory), which wins over
    both. A mistake is a :class:`SchemaError` naming the key (``where`` is the file). ``fetcher``
    gets the remote documents (see :mod:`fmlint.schema.remote`)."""
    loaded: dict[Any, SchemaSet] = {}
    if flag is not None:
        default = _configured(flag, os.getcwd(), "--schema", loaded, fetcher)
        return default, SchemaMap((), flag, True, root, fetcher)
    label = schema or "article"
    default = _configured(label, root, f"{where}: `schema`", loaded, fetcher)
    entries = tuple(
        MappedSchema(
            pattern, root, value, _configured(value, root, f"{where}: `schemas`: `{pattern}`", loaded, fetcher)
        )
        for pattern, value in configured.items()
    )
    return default, SchemaMap(entries, label, False, root, fetcher)


def shown(value: str | None, base: str) -> str | None:
    """Where a configured schema is, as ``--verbose`` and ``--show-settings`` say it: ``None`` for the
    built-in article schema, the name of another built-in one, an address, or the path from ``base``."""
    if value is None or value == "article":
        return None
    if value in BUILTIN_NAMES or is_remote(value):
        return value
    return os.path.join(base, value)


def _configured(value: str, base: str, key: str, loaded: dict[Any, SchemaSet], fetcher: Fetcher | None) -> SchemaSet:
    """The schema a configured value names: a built-in name, an address, or a path from ``base``."""
    if value in BUILTIN_NAMES:
        location = BUILTIN_NAMES[value]
    elif is_remote(value):
        location = value
    elif "/" not in value and "\\" not in value and "." not in value:
        from fmlint.schema.explain import suggest

        raise SchemaError(
            f"{key}: no built-in schema named `{value}`{suggest(value, list(BUILTIN_NAMES))}; the built-in ones are "
            f"{', '.join(f'`{name}`' for name in BUILTIN_NAMES)}, and a schema file is named by its path "
            f"(such as `schemas/{value}.schema.json`)"
        )
    else:
        location = os.path.normpath(os.path.join(base, value))
    if location not in loaded:
        try:
            loaded[location] = load_schema_set(location, fetcher)
        except SchemaError as exc:
            raise SchemaError(f"{key}: {exc}") from None
    return loaded[location]


def setup_lines(settings: Any, default_shown: str | None) -> list[str]:
    """What ``--verbose`` says of the schemas of a run (``settings``): each configured one, the files it
    is for, and the files each refers to; ``default_shown`` is where ``schema`` (or ``--schema``) is."""
    entries = settings.schema_map.entries
    lines: list[str] = []
    for entry in entries:
        lines.extend(_described(_builtin_or(entry.label), entry.schemas, f" for {entry.pattern}"))
    default = _builtin_or("article") if default_shown is None else default_shown
    lines.extend(_described(default, settings.schemas, " for every other file" if entries else ""))
    return lines


def _builtin_or(label: str) -> str:
    return f"the built-in {label} schema" if label in BUILTIN_NAMES else label


def _described(label: str, schemas: SchemaSet, files: str) -> list[str]:
    referred = [f"{uri} (referred to)" for uri in schemas.resources if uri != schemas.root and uri.startswith("file:")]
    return [label + files, *referred]


def file_label(settings: Any, path: str) -> str:
    """The schema ``path`` is checked against, as configured or as its ``$schema`` writes it; its
    front-matter is read only when it may hold a ``$schema`` key."""
    data = None
    if not settings.schema_map.forced:
        from fmlint.pipeline.source import ReadProblem, read_file_head, split_front_matter

        limit = settings.limits.max_front_matter_bytes
        head = read_file_head(path, limit)
        if not isinstance(head, ReadProblem) and SCHEMA_KEY.encode() in head.data:
            from fmlint.pipeline.fastyaml import read_front_matter_yaml

            try:
                source = split_front_matter(path, head.data, head.complete, limit)
                if not isinstance(source, ReadProblem):
                    data = read_front_matter_yaml(source.text, settings.limits).data
            except Exception:  # a listing: a file fmlint cannot read is reported when it is linted
                data = None
    label = settings.schema_map.label(path, data)
    return label or "the schema given"
