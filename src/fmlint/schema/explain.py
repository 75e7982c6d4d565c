"""Translate schema violations into plain problems a content editor understands.

The validator's own messages (``-5 is less than the minimum of 0``) are written for
programmers and are kept out of results; each :class:`~fmlint.schema.validation.Violation`
becomes a :class:`Problem` with a fmlint rule name, the JSON pointer of the field and
a sentence such as "`quality` must be an integer ≥ 0, got -5".
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple

from fmlint.pipeline.yamlread import escape_pointer
from fmlint.schema.formats import DESCRIPTIONS, FORMATS
from fmlint.schema.validation import Violation


class Problem(NamedTuple):
    """One schema violation. ``part`` is where it is shown: the value, the key, or the mapping."""

    rule: str
    pointer: str
    part: str
    message: str


# When one field breaks several keywords, only the most telling one is reported.
_PRIORITY = {
    "wrong-type": 0,
    "missing-field": 1,
    "invalid-value": 2,
    "empty-value": 3,
    "invalid-date-time": 4,
    "invalid-url": 4,
    "invalid-format": 4,
    "pattern-mismatch": 5,
    "invalid-length": 6,
    "out-of-range": 7,
    "duplicate-items": 8,
    "unknown-field": 9,
    "schema-violation": 10,
}

_DATE_FORMATS = frozenset({"date-time", "date", "time"})
_URL_FORMATS = frozenset({"uri", "uri-reference", "iri", "iri-reference"})


def explain(errors: Iterable[Violation]) -> list[Problem]:
    """One problem per field, the most relevant one, for a set of violations."""
    best: dict[str, Problem] = {}
    for error in errors:
        for problem in _translate(error):
            current = best.get(problem.pointer)
            if current is None or _PRIORITY[problem.rule] < _PRIORITY[current.rule]:
                best[problem.pointer] = problem
    return list(best.values())


def field_name(path: Sequence[Any]) -> str:
    """``related[2].webUrl`` for the path ``related, 2, webUrl``."""
    if not path:
        return "the front-matter"
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return f"`{text}`"


def pointer_of(path: Iterable[Any]) -> str:
    return "".join(f"/{escape_pointer(str(part))}" for part in path)


def show(value: Any) -> str:
    """A short rendering of a value as it would be written in YAML."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)
    if isinstance(value, int):
        text = str(value) if value.bit_length() < 200 else f"a {len(str(abs(value)))}-digit integer"
        return text
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return json.dumps(shown, ensure_ascii=False)
    if isinstance(value, list):
        return "an empty list" if not value else f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, dict):
        return "a mapping"
    return repr(value)


_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping",
    "null": "null",
}


def describe(schema: Any) -> str:
    """What a schema expects, in words: "an integer ≥ 0", "one of article, video"."""
    if not isinstance(schema, dict):
        return "valid" if schema else "absent"
    if "enum" in schema and isinstance(schema["enum"], list):
        options = [show(option) for option in schema["enum"]]
        if not options:
            return "absent (the schema allows no value here)"
        if len(options) == 1:
            return options[0]
        return "one of " + ", ".join(options[:-1]) + " or " + options[-1]
    if "const" in schema:
        return f"exactly {show(schema['const'])}"
    types = schema.get("type")
    names = [types] if isinstance(types, str) else list(types or [])
    if "format" in schema and schema["format"] in DESCRIPTIONS:
        return DESCRIPTIONS[schema["format"]]
    if names == ["string"] and schema.get("minLength") == 1:
        return "a non-empty string"
    if len(names) == 1 and names[0] in ("integer", "number"):
        return _TYPE_NAMES[names[0]] + _range(schema)
    if names:
        return " or ".join(_TYPE_NAMES.get(name, name) for name in names)
    return "valid"


def _range(schema: dict[str, Any]) -> str:
    low, high = schema.get("minimum"), schema.get("maximum")
    parts = []
    if low is not None and high is not None:
        parts.append(f" from {low} to {high}")
    elif low is not None:
        parts.append(f" ≥ {low}")
    elif high is not None:
        parts.append(f" ≤ {high}")
    if schema.get("exclusiveMinimum") is not None:
        parts.append(f" > {schema['exclusiveMinimum']}")
    if schema.get("exclusiveMaximum") is not None:
        parts.append(f" < {schema['exclusiveMaximum']}")
    if schema.get("multipleOf") is not None:
        parts.append(f", a multiple of {schema['multipleOf']}")
    return "".join(parts)


def suggest(word: str, candidates: Iterable[str]) -> str:
    """`` (did you mean `title`?)`` when a candidate is close to ``word``."""
    options = [candidate for candidate in candidates if isinstance(candidate, str)]
    if not isinstance(word, str) or not options:
        return ""
    lowered = {option.lower(): option for option in options}
    if word.lower() in lowered:
        return f" (did you mean `{lowered[word.lower()]}`?)"
    import difflib

    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f" (did you mean `{close[0]}`?)" if close else ""


def _translate(error: Violation) -> Iterator[Problem]:
    keyword = error.keyword
    path = list(error.path)
    pointer = pointer_of(path)
    name = field_name(path)
    instance = error.instance
    schema = error.schema if isinstance(error.schema, dict) else {}
    value = error.value
    if keyword == "required":
        yield _missing(error, path, name, pointer, schema)
    elif keyword == "type":
        yield Problem("wrong-type", pointer, "value", f"{name} must be {describe(schema)}, got {show(instance)}")
    elif keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"):
        yield Problem("out-of-range", pointer, "value", f"{name} must be {describe(schema)}, got {show(instance)}")
    elif keyword in ("enum", "const"):
        options = (value if isinstance(value, list) else []) if keyword == "enum" else [value]
        hint = suggest(instance, options) if isinstance(instance, str) else ""
        yield Problem(
            "invalid-value", pointer, "value", f"{name} must be {describe(schema)}, got {show(instance)}{hint}"
        )
    elif keyword == "additionalProperties":
        yield from _unknown_fields(error, schema, path, "")
    elif keyword == "unevaluatedProperties":
        yield from _unevaluated(error, schema, path)
    elif keyword in ("minLength", "minItems", "minProperties") and value == 1:
        yield Problem("empty-value", pointer, "value", f"{name} must not be empty")
    elif keyword in ("minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"):
        yield Problem("invalid-length", pointer, "value", _length_message(name, keyword, value, instance))
    elif keyword == "pattern":
        yield Problem(
            "pattern-mismatch", pointer, "value", f"{name} must match the pattern `{value}`, got {show(instance)}"
        )
    elif keyword == "format":
        yield _format_problem(error, pointer, name)
    elif keyword == "uniqueItems":
        yield from _duplicates(instance, path)
    elif keyword in ("anyOf", "oneOf"):
        yield from _alternatives(error, pointer, path, name)
    elif keyword == "contains":
        yield Problem("schema-violation", pointer, "value", _contains_message(name, schema))
    elif keyword == "not":
        yield Problem(
            "schema-violation", pointer, "value", f"{name} must not be {describe(value)}, got {show(instance)}"
        )
    elif keyword == "falseSchema":
        where = f"{name} is not allowed here" if path else "the front-matter is not allowed by the schema"
        yield Problem("schema-violation", pointer, "key" if path else "value", where)
    elif keyword == "propertyNames":
        message = f"{name} has a field name that is not valid: {error.detail}"
        yield Problem("schema-violation", pointer, "value", message)
    else:
        yield Problem("schema-violation", pointer, "value", f"{name} is not valid: {_plain(error.message)}")


def _missing(error: Violation, path: list[Any], name: str, pointer: str, schema: dict[str, Any]) -> Problem:
    missing = str(error.detail)
    where = f" in {name}" if path else ""
    triggers = schema.get("dependentRequired") or schema.get("dependencies") or {}
    instance = error.instance if isinstance(error.instance, dict) else {}
    for trigger, needed in triggers.items() if isinstance(triggers, dict) else ():
        if trigger in instance and isinstance(needed, list) and missing in needed and missing not in instance:
            message = f"missing field `{missing}`{where}, which is required when `{trigger}` is present"
            return Problem("missing-field", f"{pointer}/{escape_pointer(missing)}", "mapping", message)
    message = f"missing required field `{missing}`{where}"
    return Problem("missing-field", f"{pointer}/{escape_pointer(missing)}", "mapping", message)


def _contains_message(name: str, schema: dict[str, Any]) -> str:
    wanted = describe(schema.get("contains", True))
    low, high = schema.get("minContains", 1), schema.get("maxContains")
    if high is not None and low == 0:
        return f"{name} must hold at most {high} items that are {wanted}"
    count = ("at least one" if low == 1 else f"at least {low}") if high is None else f"between {low} and {high}"
    noun = "item that is" if low == 1 and high is None else "items that are"
    return f"{name} must hold {count} {noun} {wanted}"


def _plain(message: str) -> str:
    return message if len(message) <= 200 else message[:197] + "..."


def _length_message(name: str, keyword: str, limit: int, instance: Any) -> str:
    unit = "characters" if keyword.endswith("Length") else "items" if keyword.endswith("Items") else "fields"
    bound = "at least" if keyword.startswith("min") else "at most"
    size = len(instance) if isinstance(instance, (str, list, dict)) else 0
    return f"{name} must have {bound} {limit} {unit}, it has {size}"


def _format_problem(error: Violation, pointer: str, name: str) -> Problem:
    fmt = str(error.detail or error.value)
    check = FORMATS.get(fmt)
    reason = check(error.instance) if check is not None and isinstance(error.instance, str) else None
    expected = DESCRIPTIONS.get(fmt, f"a valid {fmt}")
    rule = "invalid-date-time" if fmt in _DATE_FORMATS else "invalid-url" if fmt in _URL_FORMATS else "invalid-format"
    return Problem(
        rule, pointer, "value", f"{name} must be {expected}, but {reason or 'it is not'}; got {show(error.instance)}"
    )


def _unknown_fields(
    error: Violation, schema: dict[str, Any], path: list[Any], why: str, keys: Iterable[Any] | None = None
) -> Iterator[Problem]:
    known = list(schema.get("properties", {}))
    where = f" in {field_name(path)}" if path else ""
    for key in (error.detail or ()) if keys is None else keys:
        message = f"unknown field `{key}`{where}{why}{suggest(key, known)}"
        yield Problem("unknown-field", pointer_of([*path, key]), "key", message)


def _unevaluated(error: Violation, schema: dict[str, Any], path: list[Any]) -> Iterator[Problem]:
    """The fields no keyword of the schema evaluated (the library names them exactly)."""
    rest = schema.get("unevaluatedProperties")
    if rest is False:
        # A field that the schema's own `properties` or an `allOf` part describes is unevaluated
        # only because that part failed (a field it requires is missing, say), and that failure is
        # reported on its own: only the others are unknown. Near misses are looked for among the
        # fields any part describes, such as the built-in article's, extended by its address.
        always = set(described_fields(schema, ("allOf",)))
        unknown = [key for key in error.detail or () if key not in always]
        known = {"properties": dict.fromkeys(described_fields(schema))}
        yield from _unknown_fields(error, known, path, ": no part of the schema describes it", unknown)
        return
    wanted = describe(rest)
    instance = error.instance if isinstance(error.instance, dict) else {}
    for key in error.detail or ():
        field = field_name([*path, key])
        message = f"{field} must be {wanted}, got {show(instance.get(key))}"
        yield Problem("schema-violation", pointer_of([*path, key]), "value", message)


_PARTS = ("allOf", "anyOf", "oneOf", "then", "else")


def described_fields(schema: Any, parts_of: Sequence[str] = _PARTS, depth: int = 0) -> list[str]:
    """The field names that ``schema``'s ``properties`` and its parts (those under the keywords
    ``parts_of``, and a ``$ref`` to a built-in schema by its address) describe."""
    if not isinstance(schema, dict) or depth > 8:
        return []
    names = list(schema["properties"]) if isinstance(schema.get("properties"), dict) else []
    parts = [part for key in parts_of if isinstance(schema.get(key), list) for part in schema[key]]
    parts.extend(schema[key] for key in parts_of if isinstance(schema.get(key), dict))
    reference = schema.get("$ref")
    if isinstance(reference, str) and reference.startswith("https://fmlint.dev/schemas/") and "#" not in reference:
        from fmlint.schema.store import builtin_by_id

        parts.append(builtin_by_id(reference))
    for part in parts:
        names.extend(name for name in described_fields(part, parts_of, depth + 1) if name not in names)
    return names


def json_equal(one: Any, other: Any) -> bool:
    """Equality as JSON Schema defines it: 1 equals 1.0, but true is not 1."""
    if isinstance(one, bool) or isinstance(other, bool):
        return isinstance(one, bool) and isinstance(other, bool) and one == other
    if isinstance(one, list) and isinstance(other, list):
        return len(one) == len(other) and all(json_equal(a, b) for a, b in zip(one, other, strict=True))
    if isinstance(one, dict) and isinstance(other, dict):
        return one.keys() == other.keys() and all(json_equal(one[key], other[key]) for key in one)
    if isinstance(one, (int, float)) and isinstance(other, (int, float)):
        return one == other
    return type(one) is type(other) and one == other


def _duplicates(instance: Any, path: list[Any]) -> Iterator[Problem]:
    if not isinstance(instance, list):
        return
    for index, item in enumerate(instance):
        for earlier in range(index):
            if json_equal(item, instance[earlier]):
                message = f"{field_name([*path, index])} repeats {field_name([*path, earlier])} ({show(item)})"
                yield Problem("duplicate-items", pointer_of([*path, index]), "value", message)
                break


def _alternatives(error: Violation, pointer: str, path: list[Any], name: str) -> Iterator[Problem]:
    branches = error.value if isinstance(error.value, list) else []
    if error.several_match:
        yield Problem("schema-violation", pointer, "value", f"{name} matches more than one of the allowed forms")
        return
    if branches and all(isinstance(branch, dict) and set(branch) == {"required"} for branch in branches):
        instance = error.instance if isinstance(error.instance, dict) else {}
        names = [field for branch in branches for field in branch["required"]]
        missing = [field for field in names if field not in instance]
        if missing:
            listed = " or ".join(f"`{field}`" for field in missing)
            where = f" in {name}" if path else ""
            yield Problem(
                "missing-field",
                f"{pointer}/{escape_pointer(missing[0])}",
                "mapping",
                f"missing {listed}{where}: at least one is required",
            )
            return
    best = _best_branch(error, branches)
    if best is None:
        yield Problem("schema-violation", pointer, "value", f"{name} matches none of the allowed forms")
        return
    for violation in best:
        yield from _translate(violation)


def _best_branch(error: Violation, branches: list[Any]) -> list[Violation] | None:
    """The alternative closest to what the value is: one whose ``if`` holds, then the fewest errors.

    An alternative written as ``if``/``then``/``else: false`` whose ``if`` fails says only
    "false", which tells the reader nothing: the one whose ``if`` holds names the field."""

    def rank(index: int) -> tuple[int, int, int]:
        found = error.context[index]
        only_false = all(violation.keyword == "falseSchema" for violation in found)
        deepest = max((len(violation.path) for violation in found), default=0)
        return (int(only_false), len(found), -deepest)

    candidates = [index for index, found in enumerate(error.context) if found]
    if not candidates:
        return None
    return error.context[min(candidates, key=rank)]
