"""Validate documents with jsonschema-rs, and find why one is invalid within a bounded effort.

jsonschema-rs decides validity for every schema: each resource in its own dialect
(from its ``$schema``; 2020-12 when absent), formats asserted, patterns matched by
a linear-time engine. Its errors become :class:`Violation` objects, fmlint's own,
which :mod:`fmlint.schema.explain` turns into messages.

Finding *all* errors is exponential in the nesting of ``anyOf``/``oneOf`` (each
failing alternative's errors are collected, and each alternative may hold more).
For schemas whose alternatives could multiply (see :mod:`fmlint.schema.graph`) the
errors are found by a second validator in which ``anyOf`` and ``oneOf`` stop at
themselves; fmlint then looks into the alternatives one at a time, within a budget
of steps and time per document, and keeps the errors found so far when it runs out.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import jsonschema_rs

from fmlint.schema.formats import check_uri, check_uri_reference

# fmlint's URL checks are the behaviour of FM301 (IRIs accepted, hosts checked label by
# label, numeric hosts read as IPv4); every other format is the library's, which follows
# the standard more closely than fmlint's own checks did (host names, leap seconds, regex).
_OWN_FORMATS: dict[str, Callable[[str], str | None]] = {
    "uri": check_uri,
    "iri": check_uri,
    "uri-reference": check_uri_reference,
    "iri-reference": check_uri_reference,
}

# Explaining one document stops after this many steps (an error read or an alternative
# checked) or this much processor time, whichever comes first. Processor time, not the
# clock: a busy machine must not change which errors are found.
MAX_STEPS = 2000
MAX_SECONDS = 0.5

Path = tuple[str | int, ...]


def _asserting(check: Callable[[str], str | None]) -> Callable[[Any], bool]:
    return lambda value: not isinstance(value, str) or check(value) is None


FORMAT_FUNCTIONS = {name: _asserting(check) for name, check in _OWN_FORMATS.items()}


class EngineError(Exception):
    """The schema cannot be compiled; the message says why. ``missing``: the document the library
    asked for only after its registry was made (a ``$dynamicRef``'s), to be added before trying again."""

    def __init__(self, message: str, missing: str | None = None) -> None:
        super().__init__(message)
        self.missing = missing


_UNREAD: Any = object()


class Violation:
    """One failed keyword: which, the schema holding it, the value it failed on and where.

    The value and the library's message are read from the library's error only when a
    message needs them: reading the value copies it, and at the root that is the document."""

    __slots__ = ("_instance", "_message", "_source", "context", "detail", "keyword", "path", "schema", "several_match")

    def __init__(
        self,
        keyword: str,
        schema: Any,
        instance: Any,
        path: Path,
        message: str = "",
        detail: Any = None,
        source: Any = None,
    ) -> None:
        self.keyword = keyword
        self.schema = schema  # the schema object holding the keyword (``False`` for a false schema)
        self._instance = instance
        self.path = path
        self._message = message
        self._source = source  # the library's error, read for the value and the message when asked
        self.detail = detail  # what the library adds: the unexpected names, the format, the missing field
        self.context: list[list[Violation]] = []  # each alternative's errors
        self.several_match = False  # a ``oneOf`` that more than one alternative satisfies

    @property
    def instance(self) -> Any:
        if self._instance is _UNREAD:
            self._instance = self._source.instance
        return self._instance

    @property
    def message(self) -> str:
        if not self._message and self._source is not None:
            self._message = _first_line(self._source)
        return self._message

    @property
    def value(self) -> Any:
        return self.schema.get(self.keyword) if isinstance(self.schema, dict) else None

    def __repr__(self) -> str:
        return f"Violation({self.keyword!r} at {list(self.path)!r})"


class _Stop:
    """``anyOf``/``oneOf`` for the explaining validator: always fails, without looking inside."""

    def __init__(self, parent: Any, value: Any, path: Any) -> None:
        pass

    def validate(self, instance: Any) -> None:
        raise ValueError("alternatives")


class _Budget:
    """What explaining one document may still spend, and what it found so far.

    Alternatives that are the same schema (two ``$ref`` to one definition, say) at the
    same place in the document are checked and explained once: a chain of them stays linear."""

    def __init__(self) -> None:
        self.steps = MAX_STEPS
        self.deadline = time.process_time() + MAX_SECONDS
        self.valid: dict[tuple[str, str, Path], bool] = {}
        self.explained: dict[tuple[str, str, Path], list[Violation]] = {}

    def spend(self) -> bool:
        """Take one step; ``False`` once the budget is gone."""
        self.steps -= 1
        return self.steps >= 0 and time.process_time() < self.deadline


def _options(explaining: bool) -> dict[str, Any]:
    options: dict[str, Any] = {
        "validate_formats": True,
        "ignore_unknown_formats": False,
        "formats": FORMAT_FUNCTIONS,
        "pattern_options": jsonschema_rs.RegexOptions(),
        "offline": True,  # references reach only the registry, whose retriever reads local files
    }
    if explaining:
        options["keywords"] = {"anyOf": _Stop, "oneOf": _Stop}
    return options


class Engine:
    """The compiled validators for one root schema and the resources it may refer to."""

    def __init__(
        self, root: str, resources: Mapping[str, Any], retrieve: Callable[[str], Any], explain_stepwise: bool
    ) -> None:
        self.root = root
        try:
            self.registry = jsonschema_rs.Registry(list(resources.items()), retriever=retrieve)
            schema = resources[root]
            self.validator = jsonschema_rs.validator_for(schema, registry=self.registry, **_options(False))
            self._explainer = (
                jsonschema_rs.validator_for(schema, registry=self.registry, **_options(True))
                if explain_stepwise
                else None
            )
        except (jsonschema_rs.ValidationError, jsonschema_rs.ReferencingError, ValueError) as exc:
            late = _LATE.match(_first_line(exc))
            raise EngineError(_compile_problem(exc), late.group(1) if late else None) from None
        self._nodes: dict[str, Any] = {}
        self._branches: dict[str, tuple[Any, Any]] = {}
        self._holders: dict[str, Any] = {}

    def is_valid(self, data: Any) -> bool:
        return bool(self.validator.is_valid(data))

    def holds(self, location: str, instance: Any) -> bool:
        """Whether ``instance`` is valid against the subschema at ``location`` (a URI); ``False`` when
        that names no subschema the library can compile, or the instance is nested too deeply."""
        validator = self._holders.get(location, _UNREAD)
        if validator is _UNREAD:
            try:
                validator = jsonschema_rs.validator_for(
                    {"$ref": location}, registry=self.registry, **_options(explaining=False)
                )
            except (jsonschema_rs.ValidationError, jsonschema_rs.ReferencingError, ValueError):
                validator = None
            self._holders[location] = validator
        try:
            return validator is not None and bool(validator.is_valid(instance))
        except ValueError:  # the library's recursion limit
            return False

    def schema_problem(self, document: Any) -> str | None:
        """Why ``document`` (a schema it refers to) is not a valid schema of its dialect, or ``None``."""
        return schema_problem(document, self.registry)

    def violations(self, data: Any) -> list[Violation]:
        """Why ``data`` is invalid (``RecursionError`` when it is nested too deeply to be checked)."""
        try:
            if self._explainer is None:
                return [self._violation(error, ()) for error in self.validator.iter_errors(data)]
            return list(self._stepwise(self._explainer, data, (), _Budget()))
        except ValueError as exc:
            if "Recursion limit" in str(exc):
                raise RecursionError(str(exc)) from None
            raise

    def lookup(self, uri: str) -> Any:
        """The schema object at ``uri`` (a resource and a JSON pointer), read once."""
        if uri not in self._nodes:
            try:
                self._nodes[uri] = self.resolve(self.root, uri)[0]
            except EngineError:
                self._nodes[uri] = None
        return self._nodes[uri]

    def resolve(self, base: str, reference: str) -> tuple[Any, str]:
        """The schema ``reference`` names from ``base``, and the base URI inside it."""
        try:
            resolved = self.registry.resolver(base).lookup(reference)
        except (jsonschema_rs.ReferencingError, ValueError) as exc:
            raise EngineError(_first_line(exc)) from None
        return resolved.contents, resolved.resolver.base_uri

    # --- errors as the library gives them ---------------------------------------------

    def _violation(self, error: Any, prefix: Path) -> Violation:
        kind = error.kind
        keyword = kind.name
        schema = self._schema_of(error)
        path = (*prefix, *error.instance_path)
        violation = Violation(keyword, schema, _UNREAD, path, detail=_detail(kind), source=error)
        if keyword in ("anyOf", "oneOf"):
            violation.several_match = type(kind).__name__ == "OneOfMultipleValid"
            if not violation.several_match:
                # A branch's paths are relative to the document, like the others.
                violation.context = [[self._violation(inner, prefix) for inner in branch] for branch in kind.context]
        return violation

    def _schema_of(self, error: Any) -> Any:
        if error.kind.name == "falseSchema":
            return False
        location = error.absolute_keyword_location
        document = location.partition("#")[0] if location else self.root
        pointer = "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in error.schema_path[:-1])
        return self.lookup(f"{document}#{pointer}")

    # --- errors found one alternative at a time ---------------------------------------

    def _stepwise(self, validator: Any, data: Any, prefix: Path, budget: _Budget) -> Iterator[Violation]:
        for error in validator.iter_errors(data):
            if not budget.spend():
                return
            if not (type(error.kind).__name__ == "Custom" and error.kind.keyword in ("anyOf", "oneOf")):
                yield self._violation(error, prefix)
                continue
            found = self._alternatives(error, prefix, budget)
            if found is not None:
                yield found

    def _alternatives(self, error: Any, prefix: Path, budget: _Budget) -> Violation | None:
        keyword = error.kind.keyword
        location = error.absolute_keyword_location or f"{self.root}#/" + "/".join(map(str, error.schema_path))
        schema = self.lookup(location.rsplit("/", 1)[0])
        branches = schema.get(keyword) if isinstance(schema, dict) else None
        if not isinstance(branches, list):
            return None
        path = (*prefix, *error.instance_path)
        document = location.split("#", 1)[0]
        keys = [(document, json.dumps(branch, sort_keys=True, default=str), path) for branch in branches]
        matching = 0
        for index, key in enumerate(keys):
            if key not in budget.valid:
                if not budget.spend():
                    break
                budget.valid[key] = bool(self._branch(f"{location}/{index}")[0].is_valid(error.instance))
            matching += budget.valid[key]
        if (keyword == "anyOf" and matching) or (keyword == "oneOf" and matching == 1):
            return None  # the library's stand-in fails every alternatives keyword: this one holds
        violation = Violation(keyword, schema, error.instance, path, f"{keyword} failed")
        if matching:
            violation.several_match = True
            return violation
        for index, key in enumerate(keys):
            if key not in budget.explained:
                explaining = self._branch(f"{location}/{index}")[1]
                budget.explained[key] = list(self._stepwise(explaining, error.instance, path, budget))
            violation.context.append(budget.explained[key])
        return violation

    def _branch(self, location: str) -> tuple[Any, Any]:
        """The checking and the explaining validator of the schema at ``location``."""
        found = self._branches.get(location)
        if found is None:
            wrapper = {"$ref": location}
            found = (
                jsonschema_rs.validator_for(wrapper, registry=self.registry, **_options(False)),
                jsonschema_rs.validator_for(wrapper, registry=self.registry, **_options(True)),
            )
            self._branches[location] = found
        return found


def pattern_matcher(pattern: str) -> Callable[[str], bool]:
    """Whether a text matches ``pattern`` as ``patternProperties`` matches a field name: by the
    library's linear-time engine (ECMA-262 syntax). A pattern it cannot compile matches nothing."""
    try:
        validator = jsonschema_rs.validator_for({"pattern": pattern}, pattern_options=jsonschema_rs.RegexOptions())
    except (jsonschema_rs.ValidationError, ValueError):
        return lambda text: False
    return lambda text: bool(validator.is_valid(text))


def _refuse(uri: str) -> Any:
    raise ValueError(f"the schema refers to {uri}, which fmlint cannot fetch")


def schema_problem(
    document: Any, registry: Any = None, resources: Mapping[str, Any] | None = None, retrieve: Any = None
) -> str | None:
    """Why ``document`` is not a valid schema of its dialect (its ``$schema``), or ``None``; its
    metaschema is looked for in ``registry``, else in ``resources`` and through ``retrieve``."""
    if registry is None and resources is not None:
        try:
            registry = jsonschema_rs.Registry(list(resources.items()), retriever=retrieve or _refuse)
        except (jsonschema_rs.ReferencingError, ValueError):
            registry = None
    if registry is None:  # without one, the library would fetch an unknown metaschema over the network
        registry = jsonschema_rs.Registry([], retriever=_refuse)
    try:
        jsonschema_rs.meta.validate(document, registry=registry)
    except jsonschema_rs.ValidationError as exc:
        if exc.kind.name == "format" and getattr(exc.kind, "format", None) == "regex":
            return _PATTERN_PROBLEM.format(pattern=exc.instance)
        where = "/".join(str(part) for part in exc.instance_path)
        return _first_line(exc) + (f" (at /{where})" if where else "")
    except (jsonschema_rs.ReferencingError, ValueError) as exc:
        return _compile_problem(exc)
    return None


_PATTERN_PROBLEM = (
    "it has the pattern {pattern!r}, which cannot be used: it is not a regular expression fmlint can match "
    "(ECMA-262 syntax, matched in linear time: no backreferences, no lookahead or lookbehind)"
)
_LATE = re.compile(
    r"Resource '(.*)' is not present in a registry and retrieving it failed: "
    r"Retrieving external resources is not supported once the registry is populated"
)
_UNKNOWN_FORMAT = re.compile(r"Unknown format: '(.*)'\. Adjust configuration")
_UNKNOWN_DIALECT = re.compile(r"Unknown meta-schema: '(.*)'\.")
_NOT_RETRIEVED = re.compile(
    r"Resource '(.*)' is not present in a registry and retrieving it failed: (?:ValueError: )?(.*)"
)


def _compile_problem(exc: BaseException) -> str:
    """The library's reason for refusing a schema, said in fmlint's words where they differ."""
    message = _first_line(exc)
    unknown = _UNKNOWN_FORMAT.match(message)
    if unknown:
        return (
            f"it uses format {unknown.group(1)!r}, which no installed checker enforces; "
            f"fmlint would silently accept any value"
        )
    missing = _NOT_RETRIEVED.match(message)
    if missing:
        if missing.group(2).startswith(("the schema refers to", "schema ", "cannot read schema")):
            return missing.group(2)  # fmlint's own reason, from reading the file
        return f"the schema refers to {missing.group(1)}, which fmlint cannot fetch; download it and refer to the file"
    dialect = _UNKNOWN_DIALECT.match(message)
    if dialect:
        return (
            f"its $schema {dialect.group(1)} is not a dialect fmlint knows "
            f"(draft 4, 6, 7, 2019-09 or 2020-12), and no metaschema was fetched for it"
        )
    kind = getattr(exc, "kind", None)
    if kind is not None and kind.name == "format" and kind.format == "regex":
        return _PATTERN_PROBLEM.format(pattern=exc.instance)  # type: ignore[attr-defined]
    return message


def _detail(kind: Any) -> Any:
    name = kind.name
    if name in ("additionalProperties", "unevaluatedProperties", "unevaluatedItems"):
        return list(kind.unexpected)
    if name == "format":
        return kind.format
    if name == "required":
        return kind.property
    if name == "propertyNames":
        return _first_line(kind.error)
    return None


def _first_line(error: BaseException) -> str:
    message = getattr(error, "message", None) or str(error)
    return str(message).strip().splitlines()[0] if str(message).strip() else type(error).__name__
