"""FM702: values that must name another file of the site, such as the videos a collection lists.

``[[tool.fmlint.references]]`` says which files hold references (``files``, a glob),
where (``field``, a JSON pointer in which ``*`` matches every list index or key) and
which file each value names (``target``, a path from the configuration's folder with
``{value}`` in it). Each file collects its references while it is linted; the
cross-file pass checks that the files they name exist, at the end of every run, so a
deleted target is reported on a warm run as on a cold one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from fmlint.diagnostic import Diagnostic, Severity
from fmlint.pipeline.discover import path_matches
from fmlint.pipeline.document import Position
from fmlint.rules.base import Context, CorpusContext, Example, Option, Rule

# One reference: the index of its ``[[tool.fmlint.references]]`` entry, its pointer, its value, its position.
_Reference = tuple[int, str, str, tuple[int, int, int, int]]


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def values_at(data: Any, pattern: str) -> Iterator[tuple[str, Any]]:
    """Each ``(pointer, value)`` of ``data`` that the JSON pointer ``pattern`` names; a ``*`` token
    matches every index of a list and every key of a mapping."""
    found: list[tuple[str, Any]] = [("", data)]
    for token in pattern.split("/")[1:]:
        step: list[tuple[str, Any]] = []
        for pointer, value in found:
            if isinstance(value, list):
                indexes = range(len(value)) if token == "*" else [int(token)] if token.isdigit() else []
                step.extend((f"{pointer}/{index}", value[index]) for index in indexes if index < len(value))
            elif isinstance(value, dict):
                keys = list(value) if token == "*" else [_unescape(token)]
                step.extend((f"{pointer}/{_escape(str(key))}", value[key]) for key in keys if key in value)
        found = step
    yield from found


def _names_something(value: Any) -> bool:
    """Text or a whole number (``items: [42]``): a list of booleans or of mappings names no file."""
    if isinstance(value, str):
        return bool(value.strip())
    return isinstance(value, int) and not isinstance(value, bool)


def _collect(ctx: Context) -> tuple[_Reference, ...] | None:
    path = ctx.doc.path
    found: list[_Reference] = []
    for index, reference in enumerate(ctx.options["references"]):
        if not path_matches(reference["files"], path, reference.get("root", ".")):
            continue
        for pointer, value in values_at(ctx.data, reference["field"]):
            if _names_something(value):
                at = ctx.position(pointer)
                found.append((index, pointer, str(value), (at.line, at.column, at.end_line, at.end_column)))
    return tuple(found) or None


class _Site:
    """What the cross-file pass asks of the file system, asked once per path."""

    def __init__(self) -> None:
        self._exists: dict[str, bool] = {}
        self._listings: dict[str, list[str]] = {}

    def exists(self, path: str) -> bool:
        if path not in self._exists:
            self._exists[path] = os.path.isfile(path)
        return self._exists[path]

    def names_beside(self, path: str) -> list[str]:
        folder = os.path.dirname(path)
        if folder not in self._listings:
            try:
                self._listings[folder] = sorted(os.listdir(folder))
            except OSError:
                self._listings[folder] = []
        return self._listings[folder]


def _inside(path: str, root: str) -> bool:
    real_root = os.path.realpath(root)
    return os.path.commonpath([real_root, os.path.realpath(path)]) == real_root


def _check(ctx: CorpusContext) -> Iterator[Diagnostic]:
    references = ctx.options["references"]
    if references:
        ctx.volatile()  # the targets are looked for now: a run whose files did not change is not replayed
    site = _Site()
    for fact in ctx.facts:
        for index, pointer, value, where in fact.value:
            reference = references[index]
            root = reference.get("root", ".")
            target = os.path.normpath(os.path.join(root, reference["target"].replace("{value}", value)))
            shown = os.path.relpath(target, root)
            if not _inside(target, root):
                message = f"`{pointer[1:]}` names {shown}, which is outside the site's folder; name a file of the site"
            elif site.exists(target):
                continue
            else:
                from fmlint.schema.explain import suggest

                hint = suggest(os.path.basename(target), site.names_beside(target))
                message = f"`{pointer[1:]}` names {shown}, which does not exist{hint}"
            yield ctx.report(fact.path, Position(*where), pointer, message)


def _example(name: str, text: str) -> Example:
    return Example(text, name, schema=_EXAMPLE_SCHEMA, options=(("references", _EXAMPLE_REFERENCES),))


# The documentation's examples are linted from the folder they are written to, which is their site.
_EXAMPLE_REFERENCES = ({"files": "collections", "field": "/items/*", "target": "{value}.md"},)
_EXAMPLE_SCHEMA = """{
  "type": "object",
  "properties": {"title": {"type": "string"}, "items": {"type": "array", "items": {"type": "string"}}},
  "required": ["title"],
  "additionalProperties": false
}"""

RULES = (
    Rule(
        code="FM702",
        name="missing-reference",
        severity=Severity.WARNING,
        summary="A value that must name another file of the site names none (a deleted or misspelt entry).",
        what="For every `[[tool.fmlint.references]]` entry, reads the values at `field` (a JSON pointer; "
        "`*` matches every list index or key) of the files matching `files`, and reports each value "
        "for which the file `target` names does not exist, at the value, with the nearest existing "
        "name when one is close. `target` is a path from the configuration's folder in which "
        "`{value}` stands for the value; a value naming a file outside that folder is reported too. "
        "The files are looked for at the end of every run, so a target deleted since the last run is "
        "reported even when no file that refers to it changed.",
        why="A collection that lists a video, a course or a person that no longer exists (renamed, "
        "deleted, or misspelt) shows a broken entry or silently drops it when the site is built.",
        bad=(
            _example("collections/basics.md", "---\ntitle: Basics\nitems:\n  - intro\n  - setup\n---\n"),
            _example("intro.md", "---\ntitle: Introduction\n---\n"),
        ),
        good=(
            _example("collections/basics.md", "---\ntitle: Basics\nitems:\n  - intro\n---\n"),
            _example("intro.md", "---\ntitle: Introduction\n---\n"),
        ),
        stage="corpus",
        collect=_collect,
        finish=_check,
        options=(
            Option(
                "references",
                (list, tuple),
                (),
                "which files hold references (`files`), where (`field`), and the file each names (`target`)",
                table="references",
            ),
        ),
    ),
)
