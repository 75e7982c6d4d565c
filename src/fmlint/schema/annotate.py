"""Which values of a document have which ``format``, as its schema says.

The URL and date rules check the values the schema gives a URL or date format,
wherever they sit and whatever they are called. The schema is read once into a plan:
each subschema that can lead to a ``format`` keeps its own format and the subschemas
that apply to its properties and items (``$ref`` and ``allOf`` followed, everything
that cannot reach a format left out). Walking a document along the plan is then cheap
and goes only where a format can be.

As with annotations in JSON Schema, a branch counts only when it holds for the value:
the ``anyOf`` alternatives that hold, the one ``oneOf`` alternative that holds, ``then``
or ``else`` as the ``if`` decides, a ``dependentSchemas`` entry when its field is
there; the schema engine says what holds. A subschema that fails for another reason
(a missing field, an unknown one) still says which of its values are URLs: the rules
check a broken file's URLs too. ``not`` and ``contains`` give no formats.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple
from urllib.parse import quote, urljoin

from fmlint.schema.validation import Engine, EngineError, pattern_matcher

# Beyond this many subschemas the rest of a schema is not read for formats: they stay unknown.
MAX_PARTS = 20_000

_REFERENCES = ("$ref", "$dynamicRef", "$recursiveRef")
# When a value has several formats, the one that says the most about it.
_RANK = {name: rank for rank, name in enumerate(("date-time", "date", "uri", "iri", "uri-reference", "iri-reference"))}


class Formatted(NamedTuple):
    """A value of the document and the format its schema gives it."""

    pointer: str
    format: str
    value: Any


class _Part:
    """One subschema, as far as formats go."""

    __slots__ = (
        "additional",
        "choices",
        "closed",
        "closed_items",
        "formats",
        "in_place",
        "items",
        "known",
        "live",
        "location",
        "matchers",
        "patterns",
        "plain",
        "prefix",
        "properties",
        "static",
        "unevaluated",
        "unevaluated_items",
    )

    def __init__(self, location: str) -> None:
        self.location = location  # a URI naming the subschema, for the engine to check a value against
        self.formats: tuple[str, ...] = ()
        self.in_place: list[_Part] = []  # subschemas that always apply to the same value ($ref, allOf)
        self.choices: list[_Choice] = []  # subschemas that apply when they (or an ``if``) hold
        self.properties: dict[str, _Part] = {}
        self.patterns: list[tuple[Callable[[str], bool], _Part]] = []
        self.additional: _Part | None = None
        self.unevaluated: _Part | None = None
        self.prefix: list[_Part | None] = []
        self.items: _Part | None = None  # every item after ``prefix``
        self.unevaluated_items: _Part | None = None
        self.live = False  # whether a format can be reached from here
        # Set once read, when nothing in place depends on the value: every part that applies, their format.
        self.static: _Static | None = None
        self.plain = False  # set once read: only ``properties`` name its fields' subschemas
        # What ``unevaluated*`` needs to know, kept when the subschemas themselves are dropped:
        self.known: frozenset[str] = frozenset()  # the names ``properties`` lists
        self.matchers: list[Callable[[str], bool]] = []  # every ``patternProperties`` pattern
        self.closed = False  # ``additionalProperties`` is there: it covers every other field
        self.closed_items = False  # ``items`` (or ``additionalItems``) covers every item after ``prefix``

    def children(self) -> Iterator[_Part]:
        yield from self.in_place
        for choice in self.choices:
            yield from choice.parts()
        yield from self.properties.values()
        yield from (part for _, part in self.patterns)
        yield from (part for part in (*self.prefix, self.additional, self.unevaluated) if part is not None)
        yield from (part for part in (self.items, self.unevaluated_items) if part is not None)


class _Choice(NamedTuple):
    """``anyOf``/``oneOf`` (``branches``), ``if``/``then``/``else``, or a ``dependentSchemas`` entry (``field``)."""

    kind: str  # "anyOf", "oneOf", "if", "dependent"
    branches: tuple[_Part | None, ...]  # anyOf/oneOf: every branch; if: (if, then, else); dependent: (schema,)
    field: str = ""

    def parts(self) -> Iterator[_Part]:
        return (part for part in self.branches if part is not None)

    def holding(self, value: Any, engine: Engine) -> Iterator[_Part]:
        """The branches that apply to ``value``."""
        if self.kind == "dependent":
            if isinstance(value, dict) and self.field in value:
                yield from self.parts()
        elif self.kind == "if":
            condition, then, otherwise = self.branches
            assert condition is not None
            if engine.holds(condition.location, value):
                yield from (part for part in (condition, then) if part is not None and part.live)
            elif otherwise is not None and otherwise.live:
                yield otherwise
        elif self.kind == "anyOf":
            yield from (part for part in self.parts() if part.live and engine.holds(part.location, value))
        else:  # oneOf: annotations only when exactly one alternative holds
            held = [part for part in self.parts() if engine.holds(part.location, value)]
            if len(held) == 1 and held[0].live:
                yield held[0]


def _child_location(location: str, *tokens: str) -> str:
    escaped = "".join("/" + quote(token.replace("~", "~0").replace("/", "~1"), safe="") for token in tokens)
    return f"{location}{escaped}" if "#" in location else f"{location}#{escaped}"


class FormatPlan:
    """The formats a schema gives, read once; :meth:`walk` finds them in one document."""

    def __init__(self, root: str, schema: Any, engine: Engine, id_keyword: str = "$id") -> None:
        self._engine = engine
        self._id = id_keyword
        self._parts: dict[str, _Part] = {}
        self._todo: list[tuple[_Part, Any, str]] = []
        self.root = self._part(root, schema, root)
        while self._todo:
            self._read(*self._todo.pop())
        self._mark_live()
        self.conditional = any(part.choices for part in self._parts.values() if part.live)

    # --- reading the schema ---------------------------------------------------------

    def _part(self, location: str, schema: Any, base: str) -> _Part:
        """The part for the subschema at ``location``, read later (each one once, without recursion)."""
        if isinstance(schema, dict) and isinstance(schema.get(self._id), str):
            base = urljoin(base, schema[self._id])
            location = base
        part = self._parts.get(location)
        if part is None:
            part = self._parts[location] = _Part(location)
            if isinstance(schema, dict) and len(self._parts) <= MAX_PARTS:
                self._todo.append((part, schema, base))
        return part

    def _sub(self, part: _Part, value: Any, base: str, *tokens: str) -> _Part | None:
        if not isinstance(value, dict):
            return None  # true, false or not a schema: no format
        return self._part(_child_location(part.location, *tokens), value, base)

    def _read(self, part: _Part, schema: dict[str, Any], base: str) -> None:
        if isinstance(schema.get("format"), str):
            part.formats = (schema["format"],)
        for keyword in _REFERENCES:
            reference = schema.get(keyword)
            if isinstance(reference, str):
                try:
                    target, target_base = self._engine.resolve(base, reference)
                except EngineError:
                    continue  # the engine compiled the schema, so only an unusual reference gets here
                part.in_place.append(self._part(urljoin(base, reference), target, target_base))
        for index, sub in enumerate(schema.get("allOf") or () if isinstance(schema.get("allOf"), list) else ()):
            found = self._sub(part, sub, base, "allOf", str(index))
            if found is not None:
                part.in_place.append(found)
        self._read_choices(part, schema, base)
        self._read_children(part, schema, base)

    def _read_choices(self, part: _Part, schema: dict[str, Any], base: str) -> None:
        for keyword in ("anyOf", "oneOf"):
            branches = schema.get(keyword)
            if isinstance(branches, list) and branches:
                alternatives = tuple(self._branch(part, sub, base, keyword, str(i)) for i, sub in enumerate(branches))
                part.choices.append(_Choice(keyword, alternatives))
        if "if" in schema:
            condition = self._branch(part, schema["if"], base, "if")
            then = self._sub(part, schema.get("then"), base, "then")
            otherwise = self._sub(part, schema.get("else"), base, "else")
            part.choices.append(_Choice("if", (condition, then, otherwise)))
        for keyword in ("dependentSchemas", "dependencies"):
            entries = schema.get(keyword)
            if isinstance(entries, dict):
                for name, sub in entries.items():
                    dependent = self._sub(part, sub, base, keyword, name)
                    if dependent is not None:
                        part.choices.append(_Choice("dependent", (dependent,), name))

    def _branch(self, part: _Part, value: Any, base: str, *tokens: str) -> _Part:
        """A branch is checked against even when it is ``true`` or ``false``: it still needs a part."""
        location = _child_location(part.location, *tokens)
        return self._part(location, value, base) if isinstance(value, dict) else _Part(location)

    def _read_children(self, part: _Part, schema: dict[str, Any], base: str) -> None:
        properties = schema.get("properties")
        if isinstance(properties, dict):
            part.known = frozenset(properties)
            for name, sub in properties.items():
                found = self._sub(part, sub, base, "properties", name)
                if found is not None:
                    part.properties[name] = found
        patterns = schema.get("patternProperties")
        if isinstance(patterns, dict):
            for pattern, sub in patterns.items():
                match = pattern_matcher(pattern)
                part.matchers.append(match)
                found = self._sub(part, sub, base, "patternProperties", pattern)
                if found is not None:
                    part.patterns.append((match, found))
        part.closed = "additionalProperties" in schema
        part.additional = self._sub(part, schema.get("additionalProperties"), base, "additionalProperties")
        part.unevaluated = self._sub(part, schema.get("unevaluatedProperties"), base, "unevaluatedProperties")
        items = schema.get("items")
        if isinstance(items, list):  # drafts before 2020-12: a list of items, then additionalItems
            part.prefix = [self._sub(part, sub, base, "items", str(i)) for i, sub in enumerate(items)]
            part.closed_items = "additionalItems" in schema
            part.items = self._sub(part, schema.get("additionalItems"), base, "additionalItems")
        else:
            prefix = schema.get("prefixItems")
            if isinstance(prefix, list):
                part.prefix = [self._sub(part, sub, base, "prefixItems", str(i)) for i, sub in enumerate(prefix)]
            part.closed_items = "items" in schema
            part.items = self._sub(part, items, base, "items")
        part.unevaluated_items = self._sub(part, schema.get("unevaluatedItems"), base, "unevaluatedItems")

    def _mark_live(self) -> None:
        """Keep only what leads to a format: a part is live when it has one or a live child."""
        parents: dict[int, list[_Part]] = {}
        todo = []
        for part in self._parts.values():
            for child in part.children():
                parents.setdefault(id(child), []).append(part)
            if part.formats:
                part.live = True
                todo.append(part)
        while todo:
            for parent in parents.get(id(todo.pop()), ()):
                if not parent.live:
                    parent.live = True
                    todo.append(parent)
        # What unevaluatedProperties/Items apply to depends on every subschema beside them: keep those.
        beside = [part for part in self._parts.values() if _live(part.unevaluated) or _live(part.unevaluated_items)]
        while beside:
            for child in _in_place(beside.pop()):
                if not child.live:
                    child.live = True
                    beside.append(child)
        for part in self._parts.values():
            if part.live:
                _prune(part)
        for part in self._parts.values():
            if part.live:
                closure = _closure((part,))
                if not any(member.choices for member in closure):
                    part.static = _static(closure)

    # --- walking a document ---------------------------------------------------------

    def walk(self, data: Any) -> tuple[Formatted, ...]:
        """Every value of ``data`` the schema gives a format, in document order."""
        if not self.root.live:
            return ()
        found: list[Formatted] = []
        stack: list[tuple[str, Any, tuple[_Part, ...]]] = [("", data, (self.root,))]
        pop, push = stack.pop, stack.append
        while stack:
            pointer, value, given = pop()
            static = given[0].static if len(given) == 1 else None
            if static is None:
                static = _static(_closure(given, value, self._engine))
            if static.best is not None:
                found.append(Formatted(pointer, static.best, value))
            if isinstance(value, dict):
                named = static.named
                if named is not None:  # only fields named by ``properties``: the common case, kept quick
                    for key in reversed([key for key in value if key in named]):
                        token, parts = named[key]
                        push((pointer + token, value[key], parts))
                else:
                    stack.extend(reversed(list(_property_children(pointer, value, static.parts))))
            elif isinstance(value, list):
                every = static.items
                if every == ():
                    continue  # no item can have a format
                if every is not None:
                    stack.extend((f"{pointer}/{index}", value[index], every) for index in range(len(value) - 1, -1, -1))
                else:
                    stack.extend(reversed(list(_item_children(pointer, value, static.parts))))
        return tuple(found)


def _closure(given: tuple[_Part, ...], value: Any = None, engine: Engine | None = None) -> list[_Part]:
    """``given`` and every part that applies in place to the same value: with ``engine``, the
    branches that hold for ``value``; without, those that always apply."""
    seen: set[int] = set()
    parts: list[_Part] = []
    todo = list(reversed(given))
    while todo:
        part = todo.pop()
        if id(part) in seen:
            continue
        seen.add(id(part))
        parts.append(part)
        todo.extend(reversed(part.in_place))
        if engine is not None:
            for choice in part.choices:
                todo.extend(choice.holding(value, engine))
    return parts


class _Static(NamedTuple):
    """What applies to a value, worked out once when it does not depend on the value."""

    parts: tuple[_Part, ...]
    best: str | None  # the format
    # Each field's pointer token (``/name``, escaped) and parts, when only ``properties`` name them.
    named: dict[str, tuple[str, tuple[_Part, ...]]] | None
    items: tuple[_Part, ...] | None  # every item's parts, when they are the same for all


def _static(parts: Sequence[_Part]) -> _Static:
    formats = [name for part in parts for name in part.formats]
    best = min(formats, key=lambda name: _RANK.get(name, len(_RANK))) if formats else None
    named: dict[str, tuple[str, tuple[_Part, ...]]] | None = None
    if all(part.plain for part in parts):
        named = {}
        for part in parts:
            for name, child in part.properties.items():
                named[name] = ("/" + _escape(name), (*named.get(name, ("", ()))[1], child))
    items = None
    if not any(part.prefix or part.unevaluated_items for part in parts):
        items = tuple(part.items for part in parts if part.items is not None)
    return _Static(tuple(parts), best, named, items)


def _live(part: _Part | None) -> bool:
    return part is not None and part.live


def _in_place(part: _Part) -> Iterator[_Part]:
    yield from part.in_place
    for choice in part.choices:
        yield from choice.parts()


def _prune(part: _Part) -> None:
    part.in_place = [child for child in part.in_place if child.live]
    part.choices = [choice for choice in part.choices if any(branch.live for branch in choice.parts())]
    part.properties = {name: child for name, child in part.properties.items() if child.live}
    part.patterns = [(match, child) for match, child in part.patterns if child.live]
    for name in ("additional", "unevaluated", "items", "unevaluated_items"):
        child = getattr(part, name)
        if child is not None and not child.live:
            setattr(part, name, None)
    part.prefix = [child if child is not None and child.live else None for child in part.prefix]
    part.plain = not part.patterns and part.additional is None and part.unevaluated is None


def _escape(key: Any) -> str:
    token = str(key)
    return token.replace("~", "~0").replace("/", "~1") if "~" in token or "/" in token else token


def _property_children(
    pointer: str, value: dict[Any, Any], parts: Sequence[_Part]
) -> Iterator[tuple[str, Any, tuple[_Part, ...]]]:
    rest = [part.unevaluated for part in parts if part.unevaluated is not None]
    for key, item in value.items():
        name = str(key)
        found: list[_Part] = []
        for part in parts:
            child = part.properties.get(name)
            if child is not None:
                found.append(child)
            found.extend(sub for match, sub in part.patterns if match(name))
            if part.additional is not None and name not in part.known and not any(m(name) for m in part.matchers):
                found.append(part.additional)
        if rest and not any(_evaluates(part, name) for part in parts):
            found.extend(rest)
        if found:
            yield f"{pointer}/{_escape(key)}", item, tuple(found)


def _evaluates(part: _Part, name: str) -> bool:
    return part.closed or name in part.known or any(match(name) for match in part.matchers)


def _item_children(
    pointer: str, value: list[Any], parts: Sequence[_Part]
) -> Iterator[tuple[str, Any, tuple[_Part, ...]]]:
    rest = [part.unevaluated_items for part in parts if part.unevaluated_items is not None]
    for index, item in enumerate(value):
        found: list[_Part] = []
        for part in parts:
            child = part.prefix[index] if index < len(part.prefix) else part.items
            if child is not None:
                found.append(child)
        if rest and not any(index < len(part.prefix) or part.closed_items for part in parts):
            found.extend(rest)
        if found:
            yield f"{pointer}/{index}", item, tuple(found)
