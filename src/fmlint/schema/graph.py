"""The shape of a schema as a graph of subschemas, read once when the schema loads.

Two questions need the whole graph, references followed:

- Does a chain of ``$ref`` (through ``allOf``, ``anyOf``, ``not``, … but no
  ``properties`` or ``items``) come back to where it started? Then checking any value
  never ends, whatever the value: the schema is refused.
- Could its errors multiply? Every path from the root to a subschema is a place an
  error may be reported from; a recursive schema, or one where alternatives share
  what they refer to, has more paths than anyone can read. Such schemas are explained
  one alternative at a time, within a budget (see :mod:`fmlint.schema.validation`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, NamedTuple
from urllib.parse import urljoin

# Beyond this many paths from the root, explaining a document could take too long.
MAX_PATHS = 5000

_IN_PLACE_LISTS = ("allOf", "anyOf", "oneOf")
_IN_PLACE = ("not", "if", "then", "else")
_IN_PLACE_MAPS = ("dependentSchemas", "dependencies")
_REFERENCES = ("$ref", "$dynamicRef", "$recursiveRef")
_CHILD_MAPS = ("properties", "patternProperties")
_CHILD = (
    "additionalProperties",
    "unevaluatedProperties",
    "propertyNames",
    "additionalItems",
    "unevaluatedItems",
    "contains",
)
_CHILD_LISTS = ("prefixItems",)

Resolve = Callable[[str, str], tuple[Any, str]]  # (base, reference) -> (schema, its base)


class Shape(NamedTuple):
    cycle: str | None  # the reference that loops without reaching a child value
    multiplies: bool  # recursive, or more than MAX_PATHS paths


class _Edge(NamedTuple):
    key: str
    schema: Any
    base: str
    in_place: bool


def _edges(key: str, schema: Any, base: str, resolve: Resolve, id_keyword: str) -> Iterator[_Edge]:
    if not isinstance(schema, dict):
        return
    for keyword, value in schema.items():
        where = f"{key}/{keyword}" if "#" in key else f"{key}#/{keyword}"
        if keyword in _REFERENCES and isinstance(value, str):
            target = urljoin(base, value)
            found, found_base = resolve(base, value)
            yield _Edge(target, found, found_base, True)
        elif keyword in _IN_PLACE_LISTS and isinstance(value, list):
            yield from (_child(f"{where}/{i}", sub, base, True, id_keyword) for i, sub in enumerate(value))
        elif keyword in _IN_PLACE:
            yield _child(where, value, base, True, id_keyword)
        elif keyword in _IN_PLACE_MAPS and isinstance(value, dict):
            yield from (_child(f"{where}/{name}", sub, base, True, id_keyword) for name, sub in value.items())
        elif keyword in _CHILD_MAPS and isinstance(value, dict):
            yield from (_child(f"{where}/{name}", sub, base, False, id_keyword) for name, sub in value.items())
        elif keyword in _CHILD:
            yield _child(where, value, base, False, id_keyword)
        elif keyword == "items" or keyword in _CHILD_LISTS:
            subs = value if isinstance(value, list) else [value]
            yield from (_child(f"{where}/{i}", sub, base, False, id_keyword) for i, sub in enumerate(subs))


def _child(key: str, schema: Any, base: str, in_place: bool, id_keyword: str) -> _Edge:
    if isinstance(schema, dict) and isinstance(schema.get(id_keyword), str):
        base = urljoin(base, schema[id_keyword])
        key = base
    return _Edge(key, schema, base, in_place)


def shape(root: str, schema: Any, resolve: Resolve, id_keyword: str = "$id") -> Shape:
    """Walk every subschema reachable from ``schema`` (whose base URI is ``root``) once.

    ``id_keyword`` is ``id`` for a draft 4 schema, which names its resources so."""
    paths: dict[str, int] = {}  # finished nodes: how many paths start at each
    on_stack: dict[str, bool] = {}  # nodes being walked: whether reached in place from the one below
    cycle: str | None = None
    recursive = False
    # Each frame: the node's key, its edges still to walk, the paths counted so far.
    stack: list[tuple[str, Iterator[_Edge], list[int]]] = [(root, _edges(root, schema, root, resolve, id_keyword), [1])]
    in_place_chain: list[bool] = [False]
    on_stack[root] = False
    while stack:
        key, edges, count = stack[-1]
        edge = next(edges, None)
        if edge is None:
            stack.pop()
            in_place_chain.pop()
            del on_stack[key]
            paths[key] = min(count[0], MAX_PATHS + 1)
            if stack:
                stack[-1][2][0] += paths[key]
            continue
        if edge.key in paths:
            count[0] += paths[edge.key]
            continue
        if edge.key in on_stack:
            recursive = True
            if cycle is None and edge.in_place and _all_in_place(stack, in_place_chain, edge.key):
                cycle = edge.key
            continue
        on_stack[edge.key] = edge.in_place
        in_place_chain.append(edge.in_place)
        stack.append((edge.key, _edges(edge.key, edge.schema, edge.base, resolve, id_keyword), [1]))
    return Shape(cycle, recursive or paths.get(root, 0) > MAX_PATHS)


def _all_in_place(stack: list[tuple[str, Iterator[_Edge], list[int]]], chain: list[bool], target: str) -> bool:
    """Whether every step from ``target`` down to the top of the stack stays on the same value."""
    for (key, _, _), in_place in zip(reversed(stack), reversed(chain), strict=True):
        if key == target:
            return True
        if not in_place:
            return False
    return False
