"""Find, read and load the schemas a run validates against.

The built-in schemas ship inside the package (they are copied from the repository's
``schemas/`` folder when the wheel is built); in a source checkout they are read
from that folder directly. A user schema may refer to the built-in ones by their
``$id``, to files next to it by relative ``$ref``, and to ``http(s)`` documents, which the
run's :class:`fmlint.schema.remote.Fetcher` fetches (and keeps); without one, they are refused.

A schema is input like any linted file: it is read as a regular file only, without
blocking, up to a size, and it must not nest deeper than a limit. Everything wrong
with it is a :class:`SchemaError` when it loads, so a run never starts with a
schema it cannot use.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from fmlint.pipeline.source import open_regular

TYPE_CHECKING = False
if TYPE_CHECKING:
    from fmlint.schema.annotate import FormatPlan
    from fmlint.schema.remote import Fetcher
    from fmlint.schema.validation import Engine, Violation

# The engine (fmlint.schema.validation, and jsonschema-rs with it) is imported when a schema is
# first compiled: a run whose files all come from the result cache never needs it.

BUILTIN = {
    "article": "article.schema.json",
    "related-link": "related-link.schema.json",
    "diagnostics": "diagnostics.schema.json",
}
DEFAULT = "article"
MAX_SCHEMA_BYTES = 4 * 1024 * 1024
MAX_SCHEMA_DEPTH = 64  # objects and lists inside each other; real schemas stay far below it


class SchemaError(Exception):
    """A schema cannot be used; the message says which and why."""


def schema_dir() -> str:
    """The folder holding the built-in schemas, installed or in a source checkout."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    installed = os.path.join(package, "schemas")
    if os.path.isdir(installed):
        return installed
    checkout = os.path.join(os.path.dirname(os.path.dirname(package)), "schemas")
    if os.path.isdir(checkout):
        return checkout
    raise SchemaError("the built-in schemas are missing from this installation of fmlint")


ARTICLE_ID = "https://fmlint.dev/schemas/article.schema.json"
ARTICLE_FIELDS_ID = "https://fmlint.dev/schemas/article-fields.schema.json"
DERIVED = ("article-fields",)  # the article schema open to more fields (:func:`article_fields`)


def builtin_text(name: str) -> str:
    if name in DERIVED:
        article = load_schema_file(os.path.join(schema_dir(), BUILTIN["article"]))
        return json.dumps(article_fields(article), indent=2) + "\n"
    with open(os.path.join(schema_dir(), BUILTIN[name]), encoding="utf-8") as handle:
        return handle.read()


def article_fields(article: dict[str, Any]) -> dict[str, Any]:
    """The built-in article schema open to more fields: the same fields, required fields and formats,
    without ``additionalProperties: false``, under an ``$id`` of its own.

    A schema that extends the article refers to it in an ``allOf`` and closes itself with
    ``unevaluatedProperties: false``; the closed article stays as it is, so its findings
    and their messages do not change."""
    fields = {key: value for key, value in article.items() if key != "additionalProperties"}
    fields["$id"] = ARTICLE_FIELDS_ID
    fields["title"] = "Article front-matter fields (open to more)"
    fields["description"] = (
        "The fields of the built-in article schema without additionalProperties: false, to extend in an allOf "
        "beside your own properties and unevaluatedProperties: false."
    )
    return fields


def read_schema_bytes(path: str) -> bytes:
    """The bytes of the schema file ``path``: a regular file, read without blocking, bounded in size."""
    try:
        fd, info = open_regular(path)
    except OSError as exc:
        what = getattr(exc, "what", None)
        reason = f"it is not a regular file ({what})" if what else (exc.strerror or str(exc))
        raise SchemaError(f"cannot read schema {path}: {reason}") from None
    try:
        if info.st_size > MAX_SCHEMA_BYTES:
            raise SchemaError(f"schema {path} is larger than {MAX_SCHEMA_BYTES} bytes")
        chunks = []
        size = 0
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            size += len(chunk)
            if size > MAX_SCHEMA_BYTES:  # the file grew while being read
                raise SchemaError(f"schema {path} is larger than {MAX_SCHEMA_BYTES} bytes")
            chunks.append(chunk)
    except OSError as exc:
        raise SchemaError(f"cannot read schema {path}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    return b"".join(chunks)


def load_schema_file(path: str) -> Any:
    """Read and parse a schema file (JSON, or YAML for ``.yaml``/``.yml``)."""
    return parse_schema(read_schema_bytes(path), path, yaml_text=path.endswith((".yaml", ".yml")))


def parse_schema(raw: bytes, path: str, yaml_text: bool) -> Any:
    """The schema ``raw`` holds (JSON, or YAML when ``yaml_text``), refused when nested too deep;
    ``path`` names it in messages."""
    try:
        if yaml_text:
            import yaml

            document = yaml.safe_load(raw)
        else:
            document = json.loads(raw)
    except RecursionError:
        raise SchemaError(_too_deep(path)) from None
    except ValueError as exc:
        raise SchemaError(f"schema {path} is not valid JSON: {exc}") from None
    except Exception as exc:  # yaml.YAMLError and friends
        raise SchemaError(f"schema {path} is not valid YAML: {exc}") from None
    if _depth(document) > MAX_SCHEMA_DEPTH:
        raise SchemaError(_too_deep(path))
    return document


def _too_deep(path: str) -> str:
    return f"schema {path} is nested more than {MAX_SCHEMA_DEPTH} levels deep; fmlint does not load such schemas"


def _depth(document: Any) -> int:
    deepest = 0
    stack = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (dict, list)):
            deepest = max(deepest, depth)
            if deepest > MAX_SCHEMA_DEPTH:
                return deepest
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


class SchemaSet:
    """The schema a run validates against, and every schema it refers to.

    ``_fields`` are what it is made of (the result cache's key reads them); the
    compiled validators are made on first use, in each process.
    """

    _fields = ("root", "resources", "user_supplied")
    _engine: Engine | None = None
    _formats: FormatPlan | None = None

    def __init__(self, root: str, resources: dict[str, Any], user_supplied: bool, stepwise: bool = False) -> None:
        self.root = root  # the root schema's URI
        self.resources = resources
        self.user_supplied = user_supplied
        self.stepwise = stepwise  # its errors are found one alternative at a time (see validation.py)

    @property
    def schema(self) -> Any:
        return self.resources[self.root]

    def __getstate__(self) -> dict[str, Any]:
        # Compiled validators cannot travel: a worker process that is sent the set compiles its own.
        return {name: getattr(self, name) for name in (*self._fields, "stepwise")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = _compile(self.root, self.resources, self.stepwise)
        return self._engine

    def is_valid(self, data: Any) -> bool:
        return self.engine().is_valid(data)

    def formats(self) -> FormatPlan:
        """Which values of a document have which ``format`` (read from the schema once per process)."""
        if self._formats is None:
            from fmlint.schema.annotate import FormatPlan

            self._formats = FormatPlan(self.root, self.schema, self.engine(), _id_keyword(self.schema))
        return self._formats

    def violations(self, data: Any) -> list[Violation]:
        """Why ``data`` is invalid, found within a bounded effort."""
        return self.engine().violations(data)


def _compile(root: str, resources: dict[str, Any], stepwise: bool, fetcher: Fetcher | None = None) -> Engine:
    from fmlint.schema.validation import Engine, EngineError

    retrieve = _Retriever(resources, fetcher)
    for _ in range(_MAX_LATE_DOCUMENTS):
        try:
            return Engine(root, resources, retrieve, stepwise)
        except EngineError as exc:
            missing = urldefrag(exc.missing)[0] if exc.missing else None
            if missing is None or missing in resources:
                raise SchemaError(f"schema {_shown(root)} cannot be used: {exc}") from None
        # The library reads a $dynamicRef's document only once its registry is made, and then
        # cannot ask for it: read it as it would have been, and compile again.
        try:
            resources[missing] = retrieve(missing)
        except ValueError as exc:
            raise SchemaError(f"schema {_shown(root)} cannot be used: {exc}") from None
    raise SchemaError(f"schema {_shown(root)} cannot be used: it refers to more than {_MAX_LATE_DOCUMENTS} documents")


_MAX_LATE_DOCUMENTS = 32


class _Retriever:
    """Reads the local files a schema refers to (like the schema itself), and has ``fetcher`` fetch
    the ``http(s)`` ones; refuses anything else.

    Each document read is added to ``resources``, so the result cache's key covers it."""

    def __init__(self, resources: dict[str, Any], fetcher: Fetcher | None = None) -> None:
        self.resources = resources
        self.fetcher = fetcher

    def __call__(self, uri: str) -> Any:
        document_uri = urldefrag(uri)[0]
        metaschema = _metaschemas().get(document_uri)
        if metaschema is not None:
            return metaschema
        if self.fetcher is not None and document_uri[:8].lower().startswith(("http://", "https://")):
            try:
                document = self.fetcher.fetch(document_uri)
            except SchemaError as exc:
                raise ValueError(str(exc)) from None
            except Exception as exc:  # a fault of fmlint's: said as such, not as a refusal
                raise ValueError(f"schema {document_uri} cannot be fetched ({type(exc).__name__}: {exc})") from None
            self.resources[document_uri] = document
            return document
        if not document_uri.startswith("file:"):
            why = ": only http and https addresses are fetched" if self.fetcher is not None else ""
            raise ValueError(
                f"the schema refers to {document_uri}, which fmlint cannot fetch{why}; "
                "download it and refer to the file"
            )
        try:
            document = load_schema_file(_file_path(document_uri))
        except SchemaError as exc:
            raise ValueError(str(exc)) from None
        self.resources[document_uri] = document
        return document


_METASCHEMAS: dict[str, Any] = {}


def _metaschemas() -> dict[str, Any]:
    """The dialects' metaschemas and vocabularies by URI, from the copies fmlint ships
    (the library validates against its own, but does not give them to a schema's ``$ref``)."""
    if not _METASCHEMAS:
        folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), "metaschemas")
        for name in sorted(os.listdir(folder)):
            if name.endswith(".json"):
                with open(os.path.join(folder, name), encoding="utf-8") as handle:
                    document = json.load(handle)
                _METASCHEMAS[urldefrag(document.get("$id") or document["id"])[0]] = document
    return _METASCHEMAS


def _referenced_metaschemas(resources: dict[str, Any]) -> dict[str, Any]:
    """The metaschemas (with their vocabularies) that ``resources`` name, for their references to resolve."""
    text = json.dumps(list(resources.values()))
    found = {}
    for uri in _metaschemas():
        if uri in text:
            dialect = uri.rsplit("/meta/", 1)[0].rsplit("/schema", 1)[0]
            found.update({other: doc for other, doc in _metaschemas().items() if other.startswith(dialect)})
    return found


def _id_keyword(schema: Any) -> str:
    """The keyword that names a resource: ``id`` in draft 4, ``$id`` since."""
    declared = schema.get("$schema", "") if isinstance(schema, dict) else ""
    return "id" if str(declared).startswith("http://json-schema.org/draft-04/") else "$id"


def _file_path(uri: str) -> str:
    return unquote(urlsplit(uri).path)


def _shown(uri: str) -> str:
    return _file_path(uri) if uri.startswith("file:") else uri


_BUILTIN_RESOURCES: dict[str, Any] = {}


def _builtin_resources() -> dict[str, Any]:
    """Every built-in schema by its ``$id`` (a fresh mapping; the documents are read once per process)."""
    if not _BUILTIN_RESOURCES:
        folder = schema_dir()
        for name in ("article", "related-link"):
            schema = load_schema_file(os.path.join(folder, BUILTIN[name]))
            _BUILTIN_RESOURCES[schema["$id"]] = schema
        _BUILTIN_RESOURCES[ARTICLE_FIELDS_ID] = article_fields(_BUILTIN_RESOURCES[ARTICLE_ID])
    return dict(_BUILTIN_RESOURCES)


def builtin_by_id(uri: str) -> Any:
    """The built-in schema whose ``$id`` is ``uri``, or ``None``."""
    return _builtin_resources().get(uri)


def is_remote(location: str) -> bool:
    """Whether ``location`` is an address to fetch (``http``/``https``) rather than a path."""
    return location[:8].lower().startswith(("http://", "https://"))


def load_schema_set(location: str | None = None, fetcher: Fetcher | None = None) -> SchemaSet:
    """The built-in article schema, or the user's schema at ``location`` with what it refers to.

    ``location`` is a path, or an ``http``/``https`` address: a built-in schema's ``$id``
    names the built-in copy (no network), any other address is fetched. ``fetcher`` gets
    the remote documents; without one, a fetcher with the default settings (public
    addresses only, the user's schema cache) is made when one is needed."""
    resources = _builtin_resources()
    if location is None or location == ARTICLE_ID:
        return SchemaSet(ARTICLE_ID, resources, user_supplied=False)
    if fetcher is None:
        from fmlint.schema.remote import Fetcher, RemoteSettings

        fetcher = Fetcher(RemoteSettings())
    if is_remote(location):
        uri = urldefrag(location)[0]
        schema = resources[uri] if uri in resources else fetcher.fetch(uri)
    else:
        schema = load_schema_file(location)
        uri = Path(os.path.abspath(location)).as_uri()
    if not isinstance(schema, (dict, bool)):
        raise SchemaError(f"schema {location} must be a JSON object")
    return schema_set_from(schema, uri, resources, fetcher)


def schema_set_from(
    schema: Any, location: str, resources: dict[str, Any] | None = None, fetcher: Fetcher | None = None
) -> SchemaSet:
    """A set for ``schema`` found at ``location`` (a URI), checked and compiled now; ``fetcher``
    gets the remote documents it refers to (``None``: they are refused)."""
    resources = _builtin_resources() if resources is None else dict(resources)
    base = location
    if isinstance(schema, dict):
        # Relative references resolve against the schema's own location when it has no $id.
        key = _id_keyword(schema)
        declared = schema.get(key)
        base = urljoin(location, declared) if isinstance(declared, str) else location
        schema = {**schema, key: base}
    resources[base] = schema
    builtin = set(resources) - {base}
    resources.update(_referenced_metaschemas(resources))
    from fmlint.schema.graph import shape  # only user schemas need their shape read
    from fmlint.schema.validation import EngineError, schema_problem

    try:
        engine = _compile(base, resources, stepwise=False, fetcher=fetcher)
    except SchemaError:
        # Say so when the schema itself is the reason (its metaschema may be one fetched for it).
        problem = schema_problem(schema, resources=resources, retrieve=_Retriever(resources, fetcher))
        if problem is not None:
            raise SchemaError(f"schema {_shown(base)} is not a valid JSON Schema: {problem}") from None
        raise
    for uri in set(resources) - builtin:  # it and the files it refers to, read while compiling
        problem = engine.schema_problem(resources[uri])
        if problem is not None:
            raise SchemaError(f"schema {_shown(uri)} is not a valid JSON Schema: {problem}")
    resolved: dict[tuple[str, str], tuple[Any, str]] = {}

    def resolve(base: str, reference: str) -> tuple[Any, str]:
        if (base, reference) not in resolved:  # each lookup copies the target out of the library
            try:
                resolved[base, reference] = engine.resolve(base, reference)
            except EngineError:
                document = urldefrag(urljoin(base, reference))[0]
                if document not in _metaschemas():  # the library knows them without its registry holding them
                    raise
                resolved[base, reference] = _metaschemas()[document], document
        return resolved[base, reference]

    try:
        found = shape(base, schema, resolve, _id_keyword(schema))
    except EngineError as exc:
        raise SchemaError(f"schema {_shown(base)} cannot be used: {exc}") from None
    if found.cycle is not None:
        raise SchemaError(
            f"schema {_shown(base)} cannot be used: the reference to {_shown(found.cycle)} leads back to "
            f"itself without reaching a field or an item, so checking any value would never end"
        )
    result = SchemaSet(base, resources, user_supplied=True, stepwise=found.multiplies)
    if not found.multiplies:
        result._engine = engine
    return result
