"""What the human formats need from a terminal: whether to colour, and safe text.

Colour follows the common conventions: never when ``NO_COLOR`` is set (no-color.org),
always when ``FORCE_COLOR`` is set (to anything but ``0`` or ``false``), otherwise
only on a terminal that is not ``dumb``.
Text taken from the files (paths, quoted lines, values inside messages) is made
printable first, so a file cannot send escape sequences to the reader's terminal.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import NamedTuple, TextIO

from fmlint.diagnostic import Severity

# C0 and C1 control characters except tab, and the bidirectional overrides that can
# make a line read differently from what it holds.
_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` with control characters shown as symbols (U+2400…) instead of acting."""
    return _UNPRINTABLE.sub(_symbol, text)


def _symbol(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)
    return "\u2421" if code == 0x7F else "\ufffd"


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
