"""FM212: the top-level fields in a set order: the schema's ``properties``, or a configured list.

Documentation sites keep their front-matter in one order so that files read alike and
diffs stay small (MDN's own linter enforces ``title``, ``short-title``, ``slug``,
``page-type``, …). Only the fields the order names are judged; others may sit anywhere.
The fix moves whole entries, each with the comment lines right above it, and changes
nothing else.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from fmlint.diagnostic import Diagnostic, Edit, Fix, Severity
from fmlint.rules.base import Context, Example, Option, Rule

_SCHEMA = """{
  "type": "object",
  "properties": {"title": {"type": "string"}, "slug": {"type": "string"}, "page-type": {"type": "string"}}
}"""


def schema_order(schema: Any) -> list[str]:
    """The fields a schema's ``properties`` list, in their order (those of inline ``allOf`` parts after)."""
    if not isinstance(schema, dict):
        return []
    names = list(schema.get("properties", {})) if isinstance(schema.get("properties"), dict) else []
    for part in schema.get("allOf", ()) if isinstance(schema.get("allOf"), list) else ():
        names.extend(name for name in schema_order(part) if name not in names)
    return names


def _pointer(key: str) -> str:
    return "/" + key.replace("~", "~0").replace("/", "~1")


def _check(ctx: Context) -> Iterator[Diagnostic]:
    schemas = ctx.doc.schema  # the file's own: collections of one site each have their order
    order = ctx.options["order"] or (schema_order(schemas.schema) if schemas and schemas.user_supplied else ())
    rank = {name: index for index, name in enumerate(order)}
    keys = [key for key in ctx.data if key in rank]
    expected = sorted(keys, key=rank.__getitem__)
    if keys == expected:
        return
    first = next(index for index, (key, wanted) in enumerate(zip(keys, expected, strict=True)) if key != wanted)
    moved, before = expected[first], keys[first]
    listing = ", ".join(f"`{name}`" for name in expected)
    yield ctx.report(
        _pointer(moved),
        f"`{moved}` should come before `{before}`: these fields go in the order {listing}",
        part="key",
        fix=_fix(ctx, list(ctx.data), rank),
    )


def _fix(ctx: Context, keys: Sequence[str], rank: dict[str, int]) -> Fix | None:
    """One edit that puts the judged entries in order, each with the comments right above it; ``None``
    when the mapping is not one entry a line block (a flow mapping, keys on one line)."""
    text = ctx.doc.text
    spans = ctx.doc.spans
    if not text.endswith("\n") or any(_pointer(key) not in spans for key in keys):
        return None
    starts: list[int] = []
    for key in keys:
        offset = spans[_pointer(key)].key_start
        line = text.rfind("\n", 0, offset) + 1
        if text[line:offset].strip() or (starts and line <= starts[-1]):
            return None  # not at the start of its own line
        starts.append(_with_comments_above(text, line, starts[-1] if starts else 0))
    blocks = [text[start:end] for start, end in zip(starts, [*starts[1:], len(text)], strict=True)]
    slots = [index for index, key in enumerate(keys) if key in rank]
    ordered = sorted(slots, key=lambda index: rank[keys[index]])
    arranged = list(blocks)
    for slot, source in zip(slots, ordered, strict=True):
        arranged[slot] = blocks[source]
    if any(not block.endswith("\n") for block in arranged):
        return None
    return Fix("put the fields in order", (Edit(starts[0], len(text), "".join(arranged)),))


def _with_comments_above(text: str, line: int, floor: int) -> int:
    """The start of the comment lines right above the line at ``line`` (no blank line between), not
    before ``floor``."""
    while line > floor:
        previous = text.rfind("\n", 0, line - 1) + 1
        if previous < floor or not text[previous:line].lstrip().startswith("#"):
            break
        line = previous
    return line


def _example(text: str) -> tuple[Example, ...]:
    return (Example(text, "page.md", _SCHEMA, (("order", ["title", "slug", "page-type"]),)),)


RULES = (
    Rule(
        code="FM212",
        name="key-order",
        severity=Severity.WARNING,
        summary="The top-level fields are not in the order the schema's `properties` (or `order`) gives.",
        what="Compares the order of the top-level fields with the `order` option, or, when it is empty, "
        "with the order of a user schema's `properties` (with the built-in article schema, only a "
        "configured `order` is judged). Only the fields the order names are judged; "
        "others may sit anywhere. The finding is at the first field out of place and names the "
        "order. Its safe fix moves whole entries, each with the comment lines right above it, "
        "into the slots those fields held, and changes nothing else; it is offered for block "
        "mappings (one entry a line), not for a `{…}` mapping.",
        why="Files whose fields come in one order read alike, and their diffs stay small; "
        "documentation sites such as MDN enforce it in review.",
        bad=_example("---\nslug: Web/CSS/color\n# the page's title\ntitle: color\npage-type: css-property\n---\n"),
        good=_example("---\n# the page's title\ntitle: color\nslug: Web/CSS/color\npage-type: css-property\n---\n"),
        stage="document",
        check=_check,
        options=(Option("order", list, [], "the fields' order (default: the schema's `properties`)", items=str),),
        default_enabled=False,
        fixable=True,
    ),
)
