"""``--output-format text`` (the default): each finding with the source line it points at.

    article.md:3:8: FM301 `htps://example.com` is not a valid URL: ...
      |
    3 | webUrl: htps://example.com
      |         ^^^^^^^^^^^^^^^^^^
      |

then a summary line. Colour only on a terminal (see :mod:`fmlint.report.terminal`).
On a terminal a quoted line is cut to its width around the marked part, with ``…``
where text is left out, so that it does not wrap and the carets stay under what they
mark; in a file or a pipe a line is cut only beyond 200 characters.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TextIO

from fmlint.diagnostic import Diagnostic
from fmlint.escape import line_start, printable
from fmlint.report import RunResult
from fmlint.report.terminal import Style, use_colour, width

_TAB = "    "
_MAX_CHARS = 200  # not on a terminal, a longer line is shown as a window around the finding
_CONTEXT = 40  # characters (columns on a terminal) kept before the finding when a line is cut
_MIN_COLUMNS = 20  # on a narrower terminal the excerpt wraps rather than shows nothing


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(result: RunResult) -> str:
    """The closing lines: what was found, what ``--fix`` fixed or could fix."""
    files = _plural(result.files_checked, "file")
    if not result.diagnostics:
        found = f"All checks passed ({files} checked)."
    else:
        # Counted among the files checked only: a folder that could not be listed, and a
        # finding about the whole run (no path), are not files; the folders are named apart.
        checked = set(result.checked_paths)
        paths = {diagnostic.path for diagnostic in result.diagnostics if diagnostic.path}
        folders = len(paths - checked)
        unlisted = f", and {_plural(folders, 'folder')} that could not be listed" if folders else ""
        found = (
            f"Found {_plural(result.errors, 'error')} and {_plural(result.warnings, 'warning')} "
            f"in {len(paths & checked)} of {files}{unlisted}."
        )
    if result.fixing:
        fixed = f"Fixed {_plural(result.fixed, 'problem')} in {_plural(result.fixed_files, 'file')}."
        return f"{fixed}\n{found}"
    return found + _fixable(result)


def _fixable(result: RunResult) -> str:
    """``[*] 2 fixable with `--fix`.``, and how many more ``--unsafe-fixes`` would fix."""
    safe = sum(1 for diagnostic in result.diagnostics if diagnostic.fixable())
    unsafe = sum(1 for diagnostic in result.diagnostics if diagnostic.fixable(True)) - safe
    if result.unsafe_fixes and safe + unsafe:
        return f"\n[*] {safe + unsafe} fixable with `--fix --unsafe-fixes`."
    more = f"{unsafe} more with `--fix --unsafe-fixes`" if unsafe else ""
    if safe:
        return f"\n[*] {safe} fixable with `--fix`" + (f" ({more})." if more else ".")
    return f"\n{unsafe} fixable with `--fix --unsafe-fixes`." if unsafe else ""


def header(diagnostic: Diagnostic, style: Style, fixable: bool = False) -> str:
    """``path:line:column: CODE message``, the line every human format starts with.

    ``[*]`` after the code marks a finding ``--fix`` can fix.
    """
    d = diagnostic
    where = f"{style.bold(line_start(d.path or '(all files)'))}:{d.line}:{d.column}:"
    marker = " [*]" if fixable else ""
    return f"{where} {style.severity(d.severity, d.code)}{marker} {printable(d.message)}"


def render(result: RunResult, stream: TextIO) -> None:
    render_diagnostics(result, stream)
    stream.write(summary(result) + "\n")


def render_diagnostics(result: RunResult, stream: TextIO) -> None:
    """The findings alone, without the summary (``--quiet``)."""
    style = Style(use_colour(stream))
    columns = width(stream)
    for diagnostic in result.diagnostics:
        stream.write(header(diagnostic, style, result.fixable(diagnostic)) + "\n")
        # A file that could not (or must not) be read has no line to show: quoting it would
        # open what the run refused to read, such as the target of a link out of the tree.
        unread = diagnostic.rule == "unreadable-file"
        source = None if unread else result.lines.line(diagnostic.path, diagnostic.line)
        if source is not None:
            stream.write("".join(line + "\n" for line in snippet(diagnostic, source, style, columns)))
        stream.write("\n")


def snippet(diagnostic: Diagnostic, source: str, style: Style, columns: int | None = None) -> list[str]:
    """The gutter, the source line, and carets under the span of ``diagnostic``.

    With ``columns`` (a terminal's width) the line is cut to fit it; without, to
    :data:`_MAX_CHARS` characters.
    """
    start = min(max(diagnostic.column - 1, 0), len(source))
    end = diagnostic.end_column - 1 if diagnostic.end_line == diagnostic.line else len(source)
    end = max(min(end, len(source)), start + 1)
    number = str(diagnostic.line)
    if columns is None:
        left, right = _char_window(len(source), start)
    else:
        room = max(columns - len(number) - 3, _MIN_COLUMNS)  # after "12 | "
        # When the line is cut, the budget leaves a column for each "…".
        budget = room if _fits(source, room) else room - 2
        left, right = _column_window(source, start, budget, min(_CONTEXT, budget // 3))
    shown, offset, span_width = _excerpt(source, left, right, start, end)
    blank = style.gutter(" " * len(number) + " |")
    carets = style.severity(diagnostic.severity, "^" * span_width)
    return [blank, f"{style.gutter(number + ' |')} {shown}", f"{blank} {' ' * offset}{carets}", blank]


def _char_window(length: int, start: int) -> tuple[int, int]:
    """The characters ``[left, right)`` shown of a line of ``length``: all of it, or
    :data:`_MAX_CHARS` from :data:`_CONTEXT` before the finding (or the last ones)."""
    if length <= _MAX_CHARS:
        return 0, length
    left = max(0, min(start - _CONTEXT, length - _MAX_CHARS))
    return left, left + _MAX_CHARS


def _column_window(source: str, start: int, budget: int, context: int) -> tuple[int, int]:
    """The characters ``[left, right)`` of ``source`` shown in ``budget`` terminal columns:
    up to ``context`` columns before the finding, then as much as fits after it; near the
    end of the line, more from before."""
    left, used = start, 0
    while left > 0 and used + _columns(source[left - 1]) <= context:
        left -= 1
        used += _columns(source[left])
    right, used = left, 0
    while right < len(source) and used + _columns(source[right]) <= budget:
        used += _columns(source[right])
        right += 1
    while left > 0 and used + _columns(source[left - 1]) <= budget:  # the end is in view
        left -= 1
        used += _columns(source[left])
    return left, max(right, min(start + 1, len(source)))  # the first marked character, whatever it takes


def _excerpt(source: str, left: int, right: int, start: int, end: int) -> tuple[str, int, int]:
    """``source[left:right]`` as shown, with ``…`` where it is cut, and the display offset
    and width of ``[start, end)`` in it."""
    before = "…" if left else ""
    after = "…" if right < len(source) else ""
    head = _display(source[left:start])
    span = _display(source[start : min(end, right)])
    tail = _display(source[min(end, right) : right])
    offset = _width(before) + _width(head)
    return before + head + span + tail + after, offset, max(1, _width(span))


def _fits(source: str, room: int) -> bool:
    """Whether the whole of ``source`` is shown in ``room`` columns."""
    used = 0
    for char in source:
        used += _columns(char)
        if used > room:
            return False
    return True


def _columns(char: str) -> int:
    """The terminal columns ``char`` takes as :func:`_display` shows it."""
    return _width(_display(char))


def _display(text: str) -> str:
    return printable(text).replace("\t", _TAB)


def _width(text: str) -> int:
    """Terminal columns: wide East Asian characters take two, combining marks none."""
    if text.isascii():
        return len(text)
    return sum(map(_char_width, text))


@lru_cache(maxsize=4096)  # quoted excerpts repeat the same few non-ASCII characters
def _char_width(char: str) -> int:
    import unicodedata

    if unicodedata.combining(char) or unicodedata.category(char) == "Cf":
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
