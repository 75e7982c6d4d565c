"""Make text from files, file names and configurations safe to print.

Everything fmlint prints that it did not write itself (a path, a quoted line, a value
inside a message, a configuration key) may come from a stranger's commit, and is read
by a terminal or by a CI runner. Two kinds of characters act there instead of being
shown:

- *acting* characters: the C0 controls but tab (a newline could start a forged GitHub
  workflow command such as ``::error`` or ``::stop-commands::``, ESC starts a terminal
  escape sequence), DEL, the C1 controls (CSI, and NEL, U+0085, a line break to some
  readers), and the bidirectional embeddings, overrides and isolates (U+202A-U+202E,
  U+2066-U+2069), which make a line read differently from what it holds;
- *hidden* characters: zero-width characters and direction marks (U+200B-U+200F,
  U+061C, U+FEFF) and the line and paragraph separators U+2028/U+2029, which show
  nothing, or break a line, where a reader expects text.

:func:`printable` is the one function every such text passes through before it is
printed for people: acting characters always, hidden ones for a terminal. Control
characters become their Unicode control pictures (ESC is shown as ``␛``, a newline as
``␊``); the others, and the bytes of a file name that is not UTF-8, are written as
``<U+202E>`` and ``<0xFF>``. The machine formats keep every character exactly, in
their own escapes (:func:`json_safe`, :func:`xml_escape`); diffs quote names the way
git does (:func:`git_quote`), and listings as JSON strings (:func:`listed`).
"""

from __future__ import annotations

import re

# The classes of characters below, as patterns that ``re`` compiles (and keeps) when first
# used: a run that prints nothing from a file compiles none of them.

_C0 = "\x00-\x08\x0b-\x0c\x0e-\x1f\x7f"  # C0 without tab and the line breaks, and DEL
_BREAKS = "\n\r"
_C1_AND_BIDI = "\x80-\x9f\u202a-\u202e\u2066-\u2069"
_HIDDEN = "\u200b-\u200f\u2028\u2029\u061c\ufeff"
_SURROGATES = "\udc80-\udcff"  # the bytes of a name that is not UTF-8, as Python decodes them
_ACTING = _C0 + _BREAKS + _C1_AND_BIDI

_FOR_TERMINAL = f"[{_ACTING}{_HIDDEN}{_SURROGATES}]"
_FOR_ANNOTATION = f"[{_ACTING}{_SURROGATES}]"
_FOR_ANNOTATION_KEEPING_BREAKS = f"[{_C0}{_C1_AND_BIDI}{_SURROGATES}]"
_FOR_JSON = f"[\x7f{_C1_AND_BIDI}{_HIDDEN}{_SURROGATES}]"  # JSON itself escapes C0


def printable(text: str, *, hidden: bool = True, line_breaks: bool = False) -> str:
    """``text`` with every acting character (and, unless ``hidden`` is false, every hidden
    one) shown instead of acting.

    ``hidden=False`` suits a reader that shows text as text (GitHub's annotations);
    ``line_breaks=True`` (which implies it) keeps LF and CR for a caller that encodes
    them itself (the workflow commands' ``%0A``).
    """
    if line_breaks:
        return re.sub(_FOR_ANNOTATION_KEEPING_BREAKS, _shown, text)
    return re.sub(_FOR_TERMINAL if hidden else _FOR_ANNOTATION, _shown, text)


def _shown(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ … ␟
    if code == 0x7F:
        return "\u2421"  # ␡
    if 0xDC80 <= code <= 0xDCFF:
        return f"<0x{code - 0xDC00:02X}>"
    return f"<U+{code:04X}>"


def is_command_line(line: str) -> bool:
    """Whether a CI runner would read ``line`` as a GitHub workflow command.

    The runner trims leading white space and takes a line that then starts with ``::``
    as a command; a line that holds a CR is two lines to it.
    """
    return "\r" in line.rstrip("\n").removesuffix("\r") or line.lstrip().startswith("::")


def line_start(text: str) -> str:
    """``printable(text)`` for the start of a line: a relative path that would read as a
    workflow command there is written ``./PATH``, which names the same file."""
    shown = printable(text)
    return "./" + shown if shown.lstrip().startswith("::") else shown


def json_safe(document: str) -> str:
    """A JSON document with acting and hidden characters written as ``\\uXXXX`` escapes.

    JSON's own escaping covers only C0; the escapes read back as the same characters,
    and outside strings a JSON document holds none of these, so only strings change.
    """
    return re.sub(_FOR_JSON, lambda match: f"\\u{ord(match.group()):04x}", document)


# XML 1.0 cannot hold most C0 controls, lone surrogates, U+FFFE and U+FFFF, not even as
# references: they become U+FFFD. What it can hold but would act on a reader of the raw
# report (LF, CR, DEL, C1, bidirectional controls, hidden characters) is written as a
# character reference, which an XML parser reads back as the same character.
_NOT_XML = "[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]"
_XML_MARKUP = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;"}
_XML_REFERENCED = f"\n\r\x7f{_C1_AND_BIDI}{_HIDDEN}"
_XML_CONTENT = f"[&<>{_XML_REFERENCED}]"
_XML_ATTRIBUTE = f'[&<>"\t{_XML_REFERENCED}]'


def xml_escape(text: str, *, attribute: bool = False) -> str:
    """``text`` for an XML attribute value (``attribute``) or element content, on one line."""
    text = re.sub(_NOT_XML, "\ufffd", text)
    return re.sub(_XML_ATTRIBUTE if attribute else _XML_CONTENT, _reference, text)


def _reference(match: re.Match[str]) -> str:
    char = match.group()
    return _XML_MARKUP.get(char) or f"&#x{ord(char):X};"


# git's quoting of a path (``quote_c_style``): a name with a control character, a double
# quote, a backslash or a byte above 0x7F is written in double quotes, C-style.
_GIT_ESCAPES = {0x07: "\\a", 0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0B: "\\v", 0x0C: "\\f", 0x0D: "\\r"}
_GIT_ESCAPES.update({ord('"'): '\\"', ord("\\"): "\\\\"})


def git_quote(name: str) -> str:
    """``name`` as git writes it in a diff header: as it is, or quoted with C-style escapes
    (``"a\\nb"``) and octal bytes (``"caf\\303\\251"``), which ``git apply`` and
    ``patch`` read back to the same bytes."""
    data = name.encode("utf-8", "surrogateescape")
    if not any(byte < 0x20 or byte >= 0x7F or byte in (0x22, 0x5C) for byte in data):
        return name
    parts = []
    for byte in data:
        if byte in _GIT_ESCAPES:
            parts.append(_GIT_ESCAPES[byte])
        elif byte < 0x20 or byte >= 0x7F:
            parts.append(f"\\{byte:03o}")
        else:
            parts.append(chr(byte))
    return '"' + "".join(parts) + '"'


def listed(text: str) -> str:
    """``text`` for a listing read by programs and people alike (``--show-files``, ``--show-settings``):
    as it is when every character is printable, else as a JSON string (``"a\\nb"``), which a
    program reads back to the same name."""
    if text.isprintable() and not text.startswith('"'):
        return text
    import json

    return json.dumps(text.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))
