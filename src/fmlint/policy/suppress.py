"""Suppressions: ``# fmlint:`` comments in the front-matter, and ``per-file-ignores``.

A comment is found the way YAML finds it: a ``#`` at the start of a line or after a
space or tab, outside every scalar. The readers already know where each scalar
starts and ends (the spans), so a ``#`` inside a quoted value or a block scalar is
not taken for a comment, and one inside a plain value (``page#part``) never follows
a space. The forms are::

    key: value  # fmlint: ignore[FM201, FM3]   the findings of these rules on this line
    key: value  # fmlint: ignore               every finding on this line
    # fmlint: disable-file[FM205]              these rules, in the whole file
    # fmlint: disable-file                     every rule, in the whole file

A reason may follow after ``--``. A suppression is plain data (picklable), so the
per-file pass can hand the ones cross-file findings may still need to the
cross-file pass.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import NamedTuple

from fmlint.diagnostic import Diagnostic, Edit, Fix
from fmlint.pipeline.discover import path_matches
from fmlint.pipeline.document import Document, Position
from fmlint.pipeline.yamlread import Span

UNUSED = "FM901"
INVALID = "FM903"
# Findings about suppressions cannot themselves be suppressed by a comment.
NOT_SUPPRESSIBLE = frozenset({UNUSED, INVALID})

_HASH = re.compile(r"(?:^|(?<=[ \t]))#", re.MULTILINE)
_DIRECTIVE = re.compile(r"#[ \t]*fmlint[ \t]*:[ \t]*", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z-]*")
_SCALAR_STYLES = frozenset(("", "'", '"'))
_BLOCK_STYLES = frozenset(("|", ">"))
_FORMS = "write `ignore`, `ignore[CODES]`, `disable-file` or `disable-file[CODES]`"

Resolve = Callable[[str], frozenset[str]]  # a selector to the codes it names; empty when unknown


class Selector(NamedTuple):
    """One entry of ``[FM201, FM3]``: as written, the codes it names, where it is, and its
    index among the comment's entries (unknown ones included)."""

    text: str
    codes: frozenset[str]
    position: Position
    item: int


class Suppression(NamedTuple):
    """One suppression comment. ``selectors`` is ``None`` for every rule.

    ``used`` holds the indexes of the selectors that suppressed a finding (``0`` for
    a suppression of every rule), so far. ``removal`` is what to delete to remove the
    comment (its line, when it is alone on it) and ``listing`` where the entries between
    the brackets are, as offsets in the front-matter text; ``items`` are those entries
    as written. The fix of FM901 needs them.
    """

    whole_file: bool
    position: Position  # the comment
    selectors: tuple[Selector, ...] | None
    removal: tuple[int, int]
    listing: tuple[int, int] | None = None
    items: tuple[str, ...] = ()
    used: frozenset[int] = frozenset()

    def matches(self, diagnostic: Diagnostic) -> list[int]:
        """The selectors that cover ``diagnostic`` (``[0]`` for every rule); empty if none."""
        if diagnostic.code in NOT_SUPPRESSIBLE or (not self.whole_file and diagnostic.line != self.position.line):
            return []
        if self.selectors is None:
            return [0]
        return [index for index, selector in enumerate(self.selectors) if diagnostic.code in selector.codes]

    def names(self, codes: frozenset[str]) -> bool:
        """Whether this suppression could suppress a finding of one of ``codes``."""
        if self.selectors is None:
            return bool(codes)
        return any(selector.codes & codes for selector in self.selectors)


class Invalid(NamedTuple):
    """A suppression comment fmlint cannot use, and why (reported as FM903)."""

    position: Position
    message: str


class FileIgnore(NamedTuple):
    """One ``per-file-ignores`` entry: files matching ``pattern`` (from ``root``) leave out ``codes``."""

    pattern: str
    root: str
    codes: frozenset[str]

    def applies_to(self, path: str) -> bool:
        return path_matches(self.pattern, path, self.root)


def ignored_codes(ignores: Iterable[FileIgnore], path: str) -> frozenset[str]:
    """The codes ``per-file-ignores`` leaves out for ``path``."""
    codes: set[str] = set()
    for ignore in ignores:
        if not ignore.codes <= codes and ignore.applies_to(path):
            codes |= ignore.codes
    return frozenset(codes)


# --- reading comments --------------------------------------------------------


def comments(text: str, spans: Mapping[str, Span]) -> list[tuple[int, int]]:
    """The ``[start, end)`` offsets of every YAML comment in ``text`` (without the line break)."""
    starts, ends = _scalar_extents(text, spans)
    found = []
    position = 0
    while (match := _HASH.search(text, position)) is not None:
        at = match.start()
        index = bisect_right(starts, at) - 1
        if index >= 0 and at < ends[index]:  # inside a scalar: not a comment
            position = at + 1
            continue
        newline = text.find("\n", at)
        end = len(text) if newline == -1 else newline
        found.append((at, end - 1 if text[end - 1 : end] == "\r" else end))
        position = end
    return found


def _scalar_extents(text: str, spans: Mapping[str, Span]) -> tuple[list[int], list[int]]:
    """Sorted starts of every scalar, and the furthest end reached by each scalar so far."""
    extents = []
    for span in spans.values():
        if span.key_end > span.key_start:
            extents.append((span.key_start, span.key_end))
        if span.style in _SCALAR_STYLES:
            extents.append((span.start, span.end))
        elif span.style in _BLOCK_STYLES:
            # The header line (`|-  # a comment`) may hold a comment; the content never does.
            header_end = text.find("\n", span.start, span.end)
            if header_end != -1:
                extents.append((header_end, span.end))
    extents.sort()
    starts = [start for start, _ in extents]
    ends = []
    furthest = 0
    for _, end in extents:
        furthest = max(furthest, end)
        ends.append(furthest)
    return starts, ends


def read_suppressions(doc: Document, resolve: Resolve) -> tuple[list[Suppression], list[Invalid]]:
    """The suppressions written in ``doc``'s comments, and the comments that are not valid ones."""
    text = doc.text
    # The usual case: no suppression, nothing to scan. `in text.lower()` is three times as fast
    # as a case-insensitive search; the directive's search also takes both Turkish i for an i.
    if "fmlint" not in text.lower() and "\u0130" not in text and "\u0131" not in text:
        return [], []
    reader = _CommentReader(doc, resolve)
    for start, end in comments(text, doc.spans):
        directive = _DIRECTIVE.match(text, start, end)
        if directive is not None:
            while text[end - 1] in " \t":
                end -= 1
            reader.read(start, directive.end(), end)
    return reader.suppressions, reader.invalid


class _CommentReader:
    """Reads ``# fmlint:`` comments of one document into suppressions and invalid ones."""

    def __init__(self, doc: Document, resolve: Resolve) -> None:
        self.doc = doc
        self.text = doc.text
        self.resolve = resolve
        self.suppressions: list[Suppression] = []
        self.invalid: list[Invalid] = []

    def read(self, start: int, at: int, end: int) -> None:
        """The comment ``[start, end)``, whose directive starts at ``at`` (after ``# fmlint:``)."""
        text = self.text
        comment = self.doc.position_of_offsets(start, end)
        word_match = _WORD.match(text, at, end)
        assert word_match is not None  # the pattern matches the empty string
        word = word_match.group().lower()
        if word not in ("ignore", "disable-file"):
            shown = text[at:end].split(maxsplit=1)
            what = f"`{shown[0][:40]}` is not an fmlint suppression" if shown else "`# fmlint:` says nothing"
            self.invalid.append(Invalid(comment, f"{what}: {_FORMS}"))
            return
        position = word_match.end()
        selectors: tuple[Selector, ...] | None = None
        listing = None
        if text.startswith("[", position, end):
            close = text.find("]", position, end)
            if close == -1:
                self.invalid.append(Invalid(comment, f"the list of rule codes is not closed with `]`: {_FORMS}"))
                return
            listing = (position + 1, close)
            selectors = self.selectors(*listing)
            if not selectors:
                if not text[position + 1 : close].strip(" \t,"):
                    self.invalid.append(Invalid(comment, f"`{word}[]` names no rule: list codes, or {_FORMS}"))
                return  # only unknown codes: they were meant to be specific, so not every rule
            position = close + 1
        rest = text[position:end].strip(" \t")
        if rest and not rest.startswith("--"):
            self.invalid.append(Invalid(comment, f"unexpected `{rest}` after the suppression; put a reason after `--`"))
            return
        items = () if listing is None else _items(text[listing[0] : listing[1]])
        removal = _removal(text, start, end)
        self.suppressions.append(Suppression(word == "disable-file", comment, selectors, removal, listing, items))

    def selectors(self, start: int, end: int) -> tuple[Selector, ...]:
        """The known selectors between ``start`` and ``end``; each unknown one is reported."""
        selectors = []
        position = start
        index = 0
        for item in self.text[start:end].split(","):
            offset = position + len(item) - len(item.lstrip(" \t"))
            position += len(item) + 1
            name = item.strip(" \t")
            if not name:
                continue
            index += 1
            where = self.doc.position_of_offsets(offset, offset + len(name))
            if name.upper() in NOT_SUPPRESSIBLE:
                message = (
                    f"`{name}` reports on suppressions themselves and cannot be suppressed by a comment; "
                    f"leave it out with `ignore` or `per-file-ignores` in the configuration"
                )
                self.invalid.append(Invalid(where, message))
                continue
            codes = self.resolve(name) - NOT_SUPPRESSIBLE
            if not codes:
                message = f"unknown rule code or prefix `{name}` in suppression (see `fmlint rules`)"
                self.invalid.append(Invalid(where, message))
                continue
            selectors.append(Selector(name, codes, where, index - 1))
        return tuple(selectors)


def _items(listing: str) -> tuple[str, ...]:
    """The entries of a list of codes, as written."""
    return tuple(name for name in (item.strip(" \t") for item in listing.split(",")) if name)


def _removal(text: str, start: int, end: int) -> tuple[int, int]:
    """What to delete to remove the comment ``[start, end)``: its line if it is alone there,
    else the comment and the blanks before it."""
    line_start = text.rfind("\n", 0, start) + 1
    before = start
    while before > line_start and text[before - 1] in " \t":
        before -= 1
    if before > line_start:
        return before, end
    newline = text.find("\n", end)
    return line_start, len(text) if newline == -1 else newline + 1


# --- applying them -----------------------------------------------------------


def apply(
    suppressions: Sequence[Suppression], diagnostics: Iterable[Diagnostic]
) -> tuple[list[Diagnostic], list[Suppression]]:
    """Drop the suppressed ``diagnostics``; return the rest, and the suppressions with their use recorded."""
    used = [set(suppression.used) for suppression in suppressions]
    whole_file = [index for index, suppression in enumerate(suppressions) if suppression.whole_file]
    by_line: dict[int, list[int]] = {}
    for index, suppression in enumerate(suppressions):
        if not suppression.whole_file:
            by_line.setdefault(suppression.position.line, []).append(index)
    kept = []
    for diagnostic in diagnostics:
        suppressed = False
        for index in (*by_line.get(diagnostic.line, ()), *whole_file):
            matched = suppressions[index].matches(diagnostic)
            if matched:
                used[index].update(matched)
                suppressed = True
        if not suppressed:
            kept.append(diagnostic)
    updated = [
        suppression if len(seen) == len(suppression.used) else suppression._replace(used=frozenset(seen))
        for suppression, seen in zip(suppressions, used, strict=True)
    ]
    return kept, updated


class Unused(NamedTuple):
    """A suppression (or some of its codes) that suppressed nothing, and the fix that removes it."""

    position: Position
    message: str
    fix: Fix


def unused(suppressions: Iterable[Suppression], judged: frozenset[str]) -> Iterable[Unused]:
    """The suppressions that suppressed nothing, among the rules in ``judged``.

    A selector is judged only when it names a rule that ran (``judged``): a suppression of
    a rule left out of this run is not reported as unused, nor removed by the fix.
    """
    for suppression in suppressions:
        scope = "in this file" if suppression.whole_file else "on this line"
        remove = Fix("remove the unused suppression", (Edit(*suppression.removal, ""),))
        if suppression.selectors is None:
            if not suppression.used and judged:
                yield Unused(suppression.position, f"unused suppression: no finding {scope} to suppress", remove)
            continue
        idle = [
            index
            for index, selector in enumerate(suppression.selectors)
            if index not in suppression.used and selector.codes & judged
        ]
        if not idle:
            continue
        listed = ", ".join(f"`{suppression.selectors[index].text}`" for index in idle)
        dropped = {suppression.selectors[index].item for index in idle}
        kept = [item for index, item in enumerate(suppression.items) if index not in dropped]
        if kept and suppression.listing is not None:
            remove = Fix(f"remove {listed} from the suppression", (Edit(*suppression.listing, ", ".join(kept)),))
        yield Unused(suppression.position, f"unused suppression: no finding of {listed} {scope}", remove)


def parse_ignore_flag(value: str) -> tuple[str, list[str]]:
    """``GLOB:CODES`` (``--per-file-ignores``) into the glob and its codes."""
    pattern, colon, codes = value.rpartition(":")
    if not colon or not pattern.strip():
        raise ValueError(f"`{value}` is not GLOB:CODES (such as `drafts/*:FM201,FM3`)")
    return pattern.strip(), [code.strip() for code in codes.split(",") if code.strip()]
