"""What the human formats need from a terminal: whether to colour, and safe text.

Colour follows the common conventions: never when ``NO_COLOR`` is set (no-color.org),
always when ``FORCE_COLOR`` is set (to anything but ``0`` or ``false``), otherwise
only on a terminal that is not ``dumb``.
Text taken from the files (paths, quoted lines, values inside messages) is made
printable first (:mod:`fmlint.escape`), so a file cannot send escape sequences to the
reader's terminal. Quoted lines are fitted to the terminal's width (:func:`width`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import NamedTuple, TextIO

from fmlint.diagnostic import Severity


def use_colour(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR", "") not in ("", "0", "false"):
        return True
    if env.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


class Style(NamedTuple):
    """ANSI styles; every method returns its text unchanged when colour is off."""

    colour: bool

    def _wrap(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.colour and text else text

    def bold(self, text: str) -> str:
        return self._wrap("1", text)

    def gutter(self, text: str) -> str:
        return self._wrap("1;34", text)

    def severity(self, severity: Severity, text: str) -> str:
        return self._wrap("1;31" if severity is Severity.ERROR else "1;33", text)


def width(stream: TextIO, environ: Mapping[str, str] | None = None) -> int | None:
    """The columns of the terminal ``stream`` writes to (``COLUMNS`` when set), or ``None``
    when it is not a terminal: a file or a pipe gets lines as long as they are.

    What :func:`shutil.get_terminal_size` does, without importing shutil (and the
    compression modules it imports) on every run.
    """
    isatty = getattr(stream, "isatty", None)
    try:
        if not (isatty and isatty()):
            return None
        env = os.environ if environ is None else environ
        columns = env.get("COLUMNS", "")
        if columns.isdigit() and int(columns) > 0:
            return int(columns)
        return os.get_terminal_size(stream.fileno()).columns or None
    except (ValueError, OSError):  # a closed stream, or one without a real descriptor
        return None
