"""Find, load and check the schemas a run validates against.

The built-in schemas ship inside the package (they are copied from the repository's
``schemas/`` folder when the wheel is built); in a source checkout they are read
from that folder directly. A user schema may refer to the built-in ones by their
``$id`` and to files next to it by relative ``$ref``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urldefrag, urljoin

from fmlint.schema.compile import DRAFT_2020_12, Check, Compiler, Unsupported
from fmlint.schema.formats import FORMATS

BUILTIN = {
    "article": "article.schema.json",
    "related-link": "related-link.schema.json",
    "diagnostics": "diagnostics.schema.json",
}
DEFAULT = "article"


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


def builtin_text(name: str) -> str:
    with open(os.path.join(schema_dir(), BUILTIN[name]), encoding="utf-8") as handle:
        return handle.read()


def _load_file(path: str) -> Any:
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise SchemaError(f"cannot read schema {path}: {exc.strerror or exc}") from None
    try:
        if path.endswith((".yaml", ".yml")):
            import yaml

            return yaml.safe_load(raw)
        return json.loads(raw)
    except ValueError as exc:
        raise SchemaError(f"schema {path} is not valid JSON: {exc}") from None
    except Exception as exc:  # yaml.YAMLError and friends
        raise SchemaError(f"schema {path} is not valid YAML: {exc}") from None


class SchemaSet:
    """The schema a run validates against, and every schema it refers to.

    ``_fields`` are what it is made of (the result cache's key reads them); the
    compiled checks are made on first use.
    """

    _fields = ("root", "resources", "user_supplied")
    _fast: Check | None = None
    _fast_ready: bool = False
    _validator: Any = None
    _finder: Any = None  # an ErrorFinder, made on the first invalid document

    def __init__(self, root: str, resources: dict[str, Any], user_supplied: bool) -> None:
        self.root = root  # the root schema's URI
        self.resources = resources
        self.user_supplied = user_supplied

    @property
    def schema(self) -> Any:
        return self.resources[self.root]

    def __getstate__(self) -> dict[str, Any]:
        # The compiled checks are closures: a worker process that is sent the set compiles its own.
        return {"root": self.root, "resources": self.resources, "user_supplied": self.user_supplied}

    def fast_check(self) -> Check | None:
        """The compiled validity check, or ``None`` when the schema needs jsonschema."""
        if not self._fast_ready:
            self._fast_ready = True
            if _draft(self.schema) == DRAFT_2020_12:
                try:
                    self._fast = Compiler(self.resources).compile_resource(self.root)
                except (Unsupported, ValueError, TypeError, AttributeError):
                    self._fast = None
        return self._fast

    def is_valid(self, data: Any) -> bool:
        fast = self.fast_check()
        if fast is not None:
            return fast(data)
        return bool(self.validator().is_valid(data))

    def errors(self, data: Any) -> Iterable[Any]:
        """Why ``data`` is invalid, as jsonschema errors (or errors read alike, see errors.py).

        fmlint finds them itself when it can: importing jsonschema and building its
        validator costs about 0.13 s, in every process that meets an invalid file."""
        if self.fast_check() is not None:
            if self._finder is None:
                from fmlint.schema.errors import ErrorFinder

                self._finder = ErrorFinder(self.resources)
            try:
                return self._finder.errors(self.root, data)  # type: ignore[no-any-return]
            except Unsupported:
                pass
        return self.validator().iter_errors(data)  # type: ignore[no-any-return]

    def validator(self) -> Any:
        """A jsonschema validator for the root schema, with fmlint's format checks."""
        if self._validator is None:
            from fmlint.schema.engine import build_validator

            self._validator = build_validator(self.root, self.resources)
        return self._validator


def _draft(schema: Any) -> str:
    if isinstance(schema, dict):
        declared = schema.get("$schema", DRAFT_2020_12)
        if isinstance(declared, str):
            return declared.rstrip("#")
    return DRAFT_2020_12


def _builtin_resources() -> dict[str, Any]:
    resources = {}
    folder = schema_dir()
    for name in ("article", "related-link"):
        schema = _load_file(os.path.join(folder, BUILTIN[name]))
        resources[schema["$id"]] = schema
    return resources


def load_schema_set(path: str | None = None) -> SchemaSet:
    """The built-in article schema, or the user's schema at ``path`` with what it refers to."""
    resources = _builtin_resources()
    if path is None:
        root = next(uri for uri, schema in resources.items() if uri.endswith("/article.schema.json"))
        return SchemaSet(root, resources, user_supplied=False)
    schema = _load_file(path)
    if not isinstance(schema, (dict, bool)):
        raise SchemaError(f"schema {path} must be a JSON object")
    base = urljoin(_file_uri(path), schema.get("$id", "")) if isinstance(schema, dict) else _file_uri(path)
    if isinstance(schema, dict):
        # Relative references resolve against the schema's own location when it has no $id.
        schema = {**schema, "$id": base}
    resources[base] = schema
    _load_references(base, schema, resources)
    for uri, document in resources.items():
        _check_schema(uri, document)
    return SchemaSet(base, resources, user_supplied=True)


def _file_uri(path: str) -> str:
    from pathlib import Path

    return Path(os.path.abspath(path)).as_uri()


def _load_references(base: str, schema: Any, resources: dict[str, Any]) -> None:
    """Load the local files a schema refers to; remote references are an error."""
    for ref in _refs(schema):
        target, _ = urldefrag(urljoin(base, ref))
        if not target or target in resources:
            continue
        if not target.startswith("file:"):
            raise SchemaError(
                f"schema refers to {target}, which fmlint cannot fetch; download it and refer to the file"
            )
        from urllib.request import url2pathname

        document = _load_file(url2pathname(target[len("file://") :]))
        resources[target] = document
        _load_references(target, document, resources)


_DATA_KEYWORDS = frozenset({"enum", "const", "default", "examples"})


def _subschemas(schema: Any) -> Iterator[dict[str, Any]]:
    """Every schema object inside ``schema`` (not the data in enum/const/default/examples)."""
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            yield node
            for keyword, value in node.items():
                if keyword in _DATA_KEYWORDS:
                    continue
                if keyword in ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas"):
                    if isinstance(value, dict):
                        stack.extend(value.values())
                elif isinstance(value, (dict, list)):
                    stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)


def _refs(schema: Any) -> Iterator[str]:
    for node in _subschemas(schema):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield ref


def _check_schema(uri: str, schema: Any) -> None:
    """A user schema must be a valid schema, every format it uses enforced, every pattern usable."""
    from fmlint.schema.engine import check_schema, enforced_formats
    from fmlint.schema.regex import problem as pattern_problem

    problem = check_schema(schema)
    if problem:
        raise SchemaError(f"schema {uri} is not a valid JSON Schema: {problem}")
    known = set(FORMATS) | enforced_formats()
    for node in _subschemas(schema):
        name = node.get("format")
        if isinstance(name, str) and name not in known:
            raise SchemaError(
                f"schema {uri} uses format {name!r}, which no installed checker enforces; "
                f"fmlint would silently accept any value (known formats: {', '.join(sorted(known))})"
            )
        patterns = [node.get("pattern"), *(node.get("patternProperties") or {})]
        for pattern in patterns:
            reason = pattern_problem(pattern) if isinstance(pattern, str) else None
            if reason:
                raise SchemaError(f"schema {uri} has the pattern {pattern!r}, which cannot be used: {reason}")
