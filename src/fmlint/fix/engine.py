"""Apply fixes: turn the diagnostics' edits into new front-matter, check it, write it safely.

A fix is a set of edits to the front-matter text, so everything outside the edited
characters (the opening fence, a byte-order mark, the line endings, comments, the
body) is copied byte for byte. Fixes are applied in passes: the fixes that do not
overlap are applied together, the result is linted again, and the next pass applies
what is still fixable, until nothing is (or :data:`MAX_PASSES` is reached).

Each pass is checked before it is kept: the new text must still be a front-matter
block, read as YAML without errors, resolve the problems it fixes, add no problem
(or only one that a later pass fixes), and leave every field it does not fix with
the same value. A pass that fails is retried one fix at a time; a fix that fails on
its own is reverted and reported.

A file is replaced atomically, and never at the cost of what another program wrote
to it meanwhile (:mod:`fmlint.fix.atomic`). A symbolic link is written through (the file
it points to is fixed and the link stays a link) only when its target is a file of
the tree being fixed (:func:`fmlint.pipeline.discover.link_problem`): the folder it was found
in, or the current folder for a file named on the command line. A file with several
hard links, a read-only file, a file whose YAML has errors, a link out of the tree,
and a file that changed since it was read are left alone, with a note saying why.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from fmlint.diagnostic import Diagnostic, Edit, Severity
from fmlint.fix.atomic import Refused, read_at, replace_head
from fmlint.pipeline.discover import link_problem
from fmlint.pipeline.fastyaml import read_front_matter_yaml
from fmlint.pipeline.lint import Linter
from fmlint.pipeline.result import FileResult
from fmlint.pipeline.source import Source, open_regular, read_head, split_front_matter
from fmlint.pipeline.yamlread import ParsedYaml
from fmlint.rules import BY_NAME

MAX_PASSES = 20
_DIFF_CONTEXT_LINES = 3


@dataclass(frozen=True, slots=True)
class Outcome:
    """What fixing one file did.

    ``result`` holds what remains to report (after the fixes, or as read when nothing
    was written). ``before`` and ``after`` are the file's head (everything up to the
    closing fence) as read and as fixed; ``context`` is the start of the body, for
    a diff. ``notes`` say which fixes were not applied, or why the file was left alone.
    """

    path: str
    result: FileResult
    fixed: int = 0
    before: bytes = b""
    after: bytes = b""
    context: bytes = b""
    notes: tuple[str, ...] = ()


class Fixer:
    """Fix files with the rules of ``linter``; write them only when ``write`` is true (not for ``--diff``).

    ``trees`` are the paths the run was given: a file found in one of those folders may
    be written through a symbolic link only to a file inside that folder; any other
    file, only to a file inside the current folder."""

    def __init__(
        self,
        linter: Linter,
        *,
        unsafe: bool = False,
        write: bool = True,
        trees: Sequence[str] = (),
        found: Mapping[str, tuple[Diagnostic, ...]] | None = None,
    ) -> None:
        self.linter = linter
        # Findings with fixes that linting one file cannot make (the cross-file pass's, such as
        # moved links), by path: offered in the first pass, when their edits still apply.
        self.found = found or {}
        self.unsafe = unsafe
        self.write = write
        self.max_bytes = linter.settings.limits.max_front_matter_bytes
        # Longest first: a file is in the innermost folder named that holds it.
        folders = {os.path.normpath(tree) for tree in trees if os.path.isdir(tree)}
        self.trees = sorted(folders, key=len, reverse=True)

    def fix_file(self, path: str) -> Outcome:
        try:
            fd, info = open_regular(path)
        except OSError:
            return Outcome(path, self.linter.lint_file(path))  # it reports why the file cannot be read
        try:
            try:
                data, complete = read_head(fd, info.st_size, self.max_bytes)
            except OSError:
                return Outcome(path, self.linter.lint_file(path))  # it reports the read error
            source = split_front_matter(path, data, complete, self.max_bytes)
            result = self.linter.lint_source(path, source)
            if path in self.found:
                result = result._replace(diagnostics=(*result.diagnostics, *self.found[path]))
            if not isinstance(source, Source) or not any(d.fixable(self.unsafe) for d in result.diagnostics):
                return Outcome(path, result)
            try:
                fixed, new_result, after, notes = self.fix_source(path, source, result)
                if fixed and self.write:
                    self._check_link(path)
                    replace_head(path, fd, info, source.head, after)
            except Refused as exc:
                return Outcome(path, result, before=source.head, after=source.head, notes=(f"not fixed: {exc}",))
            context = b"" if self.write or not fixed else _body_start(fd, len(source.head))
            return Outcome(path, new_result, fixed, source.head, after, context, notes)
        finally:
            os.close(fd)

    def _check_link(self, path: str) -> None:
        """Refuse to write through a symbolic link to a file outside the tree ``path`` belongs to."""
        if os.path.islink(path):
            problem = link_problem(path, self._tree(path))
            if problem is not None:
                raise Refused(f"it is {problem}")

    def _tree(self, path: str) -> str:
        """The folder given to the run that ``path`` was found in (as the walk writes its paths), or
        the current folder for a file named on its own."""
        path = os.path.normpath(path)
        for tree in self.trees:
            if tree == os.curdir:
                if not os.path.isabs(path) and path.split(os.sep)[0] != os.pardir:
                    return tree
            elif path.startswith(tree.rstrip(os.sep) + os.sep):
                return tree
        return os.curdir

    def fix_source(
        self, path: str, source: Source, result: FileResult
    ) -> tuple[int, FileResult, bytes, tuple[str, ...]]:
        """Apply fixes pass after pass; return how many were applied, what remains, the new head and notes."""
        prefix, suffix = frame(source)
        problem = yaml_problem(source.text, self.linter)
        if problem is not None:
            raise Refused(f"its front-matter has a YAML problem ({problem})")
        text, fixed = source.text, 0
        notes: list[str] = []
        history = [(text, result, fixed)]  # every accepted state, to step back to
        rejected: set[tuple[str, str, str]] = set()
        for _ in range(MAX_PASSES):
            candidates = [d for d in result.diagnostics if self._wanted(d, rejected)]
            if not candidates:
                break
            chosen = _non_overlapping(candidates)
            attempt = self.attempt(path, prefix, suffix, text, result, chosen)
            if isinstance(attempt, str) and len(chosen) > 1:
                chosen, attempt = self._one_by_one(path, prefix, suffix, text, result, chosen, rejected, notes)
            elif isinstance(attempt, str):
                rejected.add(_key(chosen[0]))
                notes.append(_reverted(chosen[0], attempt))
            if not isinstance(attempt, str) and any(attempt[0] == seen for seen, _, _ in history):
                rejected.update(_key(diagnostic) for diagnostic in chosen)
                notes.extend(_reverted(diagnostic, "it undoes an earlier fix") for diagnostic in chosen)
            elif not isinstance(attempt, str):
                text, result = attempt
                fixed += len(chosen)
                history.append((text, result, fixed))
        else:
            if any(self._wanted(d, rejected) for d in result.diagnostics):
                notes.append(f"fixes did not settle after {MAX_PASSES} passes; the rest are left as they are")
        # A pass may add a problem that a later pass fixes; one that is still there at the
        # end means the fixes together made the file worse: step back to before it appeared.
        added = _added(history[0][1], result)
        if added is not None:
            while _added(history[0][1], history[-1][1]) is not None:
                history.pop()
            text, result, fixed = history[-1]
            notes.append(f"fixes reverted: together they would add {added.code} ({added.message})")
        return fixed, result, prefix + text.encode("utf-8") + suffix, tuple(notes)

    def _wanted(self, diagnostic: Diagnostic, rejected: set[tuple[str, str, str]]) -> bool:
        fix = diagnostic.fix
        return (
            fix is not None
            and diagnostic.fixable(self.unsafe)
            and _key(diagnostic) not in rejected
            and _well_formed(fix.edits)
        )

    def _one_by_one(
        self,
        path: str,
        prefix: bytes,
        suffix: bytes,
        text: str,
        result: FileResult,
        chosen: list[Diagnostic],
        rejected: set[tuple[str, str, str]],
        notes: list[str],
    ) -> tuple[list[Diagnostic], tuple[str, FileResult] | str]:
        """Fixes that fail together, tried alone: the first that passes, after rejecting those that fail."""
        for diagnostic in chosen:
            attempt = self.attempt(path, prefix, suffix, text, result, [diagnostic])
            if not isinstance(attempt, str):
                return [diagnostic], attempt
            rejected.add(_key(diagnostic))
            notes.append(_reverted(diagnostic, attempt))
        return [], "no fix passed on its own"

    def attempt(
        self, path: str, prefix: bytes, suffix: bytes, text: str, result: FileResult, chosen: list[Diagnostic]
    ) -> tuple[str, FileResult] | str:
        """The text and result after applying ``chosen``, or why that change is refused."""
        edits = [with_newlines(edit, text) for d in chosen for edit in d.fix.edits]  # type: ignore[union-attr]
        if any(edit.end > len(text) for edit in edits):
            return "its edits fall outside the front-matter"
        new_text = apply_edits(text, edits)
        if new_text == text:
            return "it changes nothing"
        try:
            head = prefix + new_text.encode("utf-8") + suffix
        except UnicodeEncodeError:
            return "it writes text that is not valid UTF-8"
        source = split_front_matter(path, head, True, self.max_bytes)
        if not isinstance(source, Source) or source.text != new_text:
            return "it would move the end of the front-matter"
        old, new = _parse(text, self.linter), _parse(new_text, self.linter)
        problem = _parse_problem(new)
        if problem is not None:
            return f"it would make the YAML unreadable ({problem})"
        new_result = self.linter.lint_source(path, source)
        added = _added(result, new_result)
        if added is not None and not added.fixable(self.unsafe):
            return f"it would add {added.code} ({added.message})"
        before = Counter((d.code, d.pointer) for d in result.diagnostics)
        after = Counter((d.code, d.pointer) for d in new_result.diagnostics)
        for diagnostic in chosen:
            if after[diagnostic.code, diagnostic.pointer] >= before[diagnostic.code, diagnostic.pointer]:
                return "it does not resolve the problem"
        fixed_pointers = [d.pointer for d in chosen if d.pointer]  # a fix about the whole file changes no field
        if _outside(old.data, fixed_pointers) != _outside(new.data, fixed_pointers):
            return "it would change a field it does not fix"
        return new_text, new_result


def _added(before: FileResult, after: FileResult) -> Diagnostic | None:
    """A problem ``after`` has more often than ``before`` (by rule and field); an unfixable one first."""
    counts = Counter((d.code, d.pointer) for d in before.diagnostics)
    counts.subtract((d.code, d.pointer) for d in after.diagnostics)
    added = [d for d in after.diagnostics if counts[d.code, d.pointer] < 0]
    return min(added, key=lambda d: d.fix is not None, default=None)


def with_newlines(edit: Edit, text: str) -> Edit:
    """``edit``, with the line breaks it writes in the style of ``text`` (a CRLF file stays CRLF)."""
    if "\n" not in edit.text or text.count("\r\n") != text.count("\n") or "\n" not in text:
        return edit
    return Edit(edit.start, edit.end, re.sub(r"\r?\n", "\r\n", edit.text))


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """``text`` with every edit applied; the edits must not overlap."""
    for edit in sorted(edits, key=lambda edit: (edit.start, edit.end), reverse=True):
        text = text[: edit.start] + edit.text + text[edit.end :]
    return text


def _overlap(a: Edit, b: Edit) -> bool:
    return (a.start < b.end and b.start < a.end) or a.start == b.start


def _well_formed(edits: tuple[Edit, ...]) -> bool:
    ordered = sorted(edits, key=lambda edit: (edit.start, edit.end))
    return (
        bool(ordered)
        and all(0 <= edit.start <= edit.end for edit in ordered)
        and not any(_overlap(edit, after) for edit, after in pairwise(ordered))
    )


def _non_overlapping(candidates: list[Diagnostic]) -> list[Diagnostic]:
    """The fixes to apply in one pass: in order of position, each one that overlaps no earlier one."""
    chosen: list[Diagnostic] = []
    taken: list[Edit] = []
    for diagnostic in sorted(candidates, key=lambda d: min(edit.start for edit in d.fix.edits)):  # type: ignore[union-attr]
        edits = diagnostic.fix.edits  # type: ignore[union-attr]
        if not any(_overlap(edit, other) for edit in edits for other in taken):
            chosen.append(diagnostic)
            taken.extend(edits)
    return chosen


def _key(diagnostic: Diagnostic) -> tuple[str, str, str]:
    return (diagnostic.code, diagnostic.pointer, diagnostic.fix.description if diagnostic.fix else "")


def _reverted(diagnostic: Diagnostic, reason: str) -> str:
    where = diagnostic.pointer or "the file"
    return f"fix for {diagnostic.code} at {where} reverted: {reason}"


def frame(source: Source) -> tuple[bytes, bytes]:
    """The bytes of the head before and after the front-matter text."""
    head = source.head
    start = head.index(b"\n", 3 if source.bom else 0) + 1
    raw = source.text.encode("utf-8")
    if head[start : start + len(raw)] != raw:  # pragma: no cover - the reader guarantees it
        raise Refused("its front-matter could not be located in the file")
    return head[:start], head[start + len(raw) :]


def _parse(text: str, linter: Linter) -> ParsedYaml:
    return read_front_matter_yaml(text, linter.settings.limits)


def yaml_problem(text: str, linter: Linter) -> str | None:
    """Why front-matter ``text`` cannot be fixed safely (see :func:`_parse_problem`), or ``None``."""
    return _parse_problem(_parse(text, linter))


def _parse_problem(parsed: ParsedYaml) -> str | None:
    """Why the YAML cannot be fixed safely: a syntax error, a limit, or an error the reader reports."""
    for issue in parsed.issues:
        if parsed.fatal or BY_NAME[issue.kind].severity is Severity.ERROR:
            return f"{BY_NAME[issue.kind].code} {issue.message}"
    if parsed.fatal:
        return "it cannot be read"
    if not isinstance(parsed.data, dict):
        return "it is not a mapping"
    return None


def _outside(data: Any, pointers: list[str]) -> dict[str, tuple[str, str]]:
    """Every leaf value not at or under one of ``pointers``, with its type."""
    return {
        pointer: (type(value).__name__, repr(value))
        for pointer, value in _leaves(data, "")
        if not any(pointer == fixed or pointer.startswith(fixed + "/") for fixed in pointers)
    }


def _leaves(data: Any, pointer: str) -> Iterator[tuple[str, Any]]:
    if isinstance(data, dict) and data:
        for key, value in data.items():
            yield from _leaves(value, f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}")
    elif isinstance(data, list) and data:
        for index, value in enumerate(data):
            yield from _leaves(value, f"{pointer}/{index}")
    else:
        yield pointer, data


def _body_start(fd: int, offset: int) -> bytes:
    """The first lines of the body, so a diff of the head shows its trailing context."""
    data = read_at(fd, 65536, offset)
    lines = data.splitlines(keepends=True)[:_DIFF_CONTEXT_LINES]
    if len(data) == 65536 and lines and not lines[-1].endswith(b"\n"):
        lines.pop()
    return b"".join(lines)
