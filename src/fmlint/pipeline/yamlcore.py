"""What both YAML readers share: their result types, how a scalar reads, and what they report.

The full reader (:mod:`fmlint.pipeline.yamlread`, on libyaml's events) and the fast reader
(:mod:`fmlint.pipeline.fastyaml`, pure Python, for the plain YAML most front-matter is
written in) must give the same data, spans and issues. Everything that decides a
value or words an issue lives here, once, so the two cannot drift apart.

Plain scalars are read as PyYAML reads them (YAML 1.1): its implicit resolvers in
``yaml/resolver.py`` are the reference, and the tests compare every reading with
``yaml.safe_load``. Where YAML 1.2 reads the same text differently, the reading
comes with a sentence saying so, which becomes a warning.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple


class Limits(NamedTuple):
    """Bounds that keep hostile input from exhausting the run (all configurable)."""

    max_front_matter_bytes: int = 1_048_576
    max_depth: int = 64
    max_nodes: int = 100_000
    max_number_length: int = 1000


class Issue(NamedTuple):
    """Something the reader noticed. ``kind`` names the rule that reports it.

    ``start``/``end`` are character offsets in the front-matter text.
    """

    kind: str
    message: str
    pointer: str
    start: int
    end: int


class Span(NamedTuple):
    """Where a node sits: its key (for mapping values) and its value, as offsets.

    A named tuple: a file has one per node, and it is made in a quarter of the time a
    frozen dataclass takes."""

    key_start: int
    key_end: int
    start: int
    end: int
    style: str  # "" plain, "'" or '"' quoted, "|" or ">" block scalar, "[" / "{" flow, "-" / ":" block


class ParsedYaml:
    """The outcome of reading a block: data (``None`` when unusable), spans and issues."""

    __slots__ = ("data", "empty", "fatal", "issues", "spans")

    def __init__(self, data: Any, spans: dict[str, Span], issues: list[Issue], fatal: bool, empty: bool) -> None:
        self.data = data
        self.spans = spans
        self.issues = issues
        self.fatal = fatal  # the data cannot be trusted: syntax error or a limit was hit
        self.empty = empty  # the block holds no YAML node at all


def escape_pointer(key: str) -> str:
    """Escape one JSON pointer reference token (RFC 6901)."""
    if "~" in key or "/" in key:
        return key.replace("~", "~0").replace("/", "~1")
    return key


def line_of(text: str, offset: int) -> int:
    """The file line of ``offset`` in a front-matter block (the block starts on line 2)."""
    return text.count("\n", 0, offset) + 2


def repeated_key(seen: dict[str, int], key: str, start: int, text: str) -> str | None:
    """Record ``key`` of a mapping at ``start``; if the mapping had it already, the message."""
    first = seen.setdefault(key, start)
    if first == start:
        return None
    return f"duplicate key `{key}`; it is first defined on line {line_of(text, first)}"


def non_string_key_message(source: str, key: Any) -> str:
    """The message for a key written as ``source`` that reads as a scalar other than text."""
    if key is None:
        what = "null"
    elif isinstance(key, bool):
        what = f"the boolean {str(key).lower()}"
    else:
        what = "an integer" if isinstance(key, int) else "a number"
    return f"keys must be strings; `{source}` is read as {what} (quote it to make it a string)"


# --- plain scalars -----------------------------------------------------------

_YAML11_BOOLS = {
    "yes": True, "Yes": True, "YES": True, "on": True, "On": True, "ON": True,
    "no": False, "No": False, "NO": False, "off": False, "Off": False, "OFF": False,
}  # fmt: skip
_WORDS: dict[str, Any] = {
    "true": True, "True": True, "TRUE": True,
    "false": False, "False": False, "FALSE": False,
    "null": None, "Null": None, "NULL": None, "~": None,
}  # fmt: skip
# PyYAML's float resolver: `[-+]?\.(inf|Inf|INF)` but `\.(nan|NaN|NAN)` without a sign.
_SPECIAL_FLOATS = {
    ".inf": float("inf"), ".Inf": float("inf"), ".INF": float("inf"),
    "+.inf": float("inf"), "+.Inf": float("inf"), "+.INF": float("inf"),
    "-.inf": float("-inf"), "-.Inf": float("-inf"), "-.INF": float("-inf"),
    ".nan": float("nan"), ".NaN": float("nan"), ".NAN": float("nan"),
}  # fmt: skip
NUMBER_START = frozenset("0123456789+-.")
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")  # the common case, read alike by YAML 1.1 and 1.2
# The alternatives of PyYAML's int and float resolvers, one pattern each.
_HEX = re.compile(r"[-+]?0x[0-9a-fA-F_]+\Z")
_OCTAL11 = re.compile(r"[-+]?0[0-7_]+\Z")
_BINARY = re.compile(r"[-+]?0b[01_]+\Z")
_UNDERSCORE_INT = re.compile(r"[-+]?[1-9][0-9_]*\Z")
# A base-60 integer cannot start with 0 (`09:30` is text), a base-60 float can (`0:30.5`).
_SEXAGESIMAL_INT = re.compile(r"[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+\Z")
_SEXAGESIMAL_FLOAT = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*\Z")
# A float starting with its point has no sign and a digit after the point (`-.5`, `._5` are text).
_FLOAT11 = re.compile(r"(?:[-+]?[0-9][0-9_]*\.[0-9_]*|\.[0-9][0-9_]*)(?:[eE][-+][0-9]+)?\Z")
# YAML 1.2's core schema, to say when it reads the text otherwise.
_OCTAL12 = re.compile(r"0o[0-7]+\Z")
_LEADING_ZERO = re.compile(r"[-+]?0[0-9]+\Z")
_FLOAT12 = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")


def read_plain(text: str, max_length: int) -> tuple[Any, str | None, str | None]:
    """Read an untagged plain scalar: its value, and the kind and message of its issue, if any.

    The issue is ``yaml11-boolean`` or ``yaml11-number`` when YAML 1.1 and 1.2 read the
    text differently, and ``limit-exceeded`` for a number longer than ``max_length``
    (it is kept as text). A plain tuple: this runs for every scalar of every file.
    """
    value, note = resolve_plain(text, max_length)
    if note is not None:
        return value, ("yaml11-boolean" if isinstance(value, bool) else "yaml11-number"), note
    if len(text) > max_length and text[0] in NUMBER_START and _looks_numeric(text):
        message = (
            f"number of {len(text)} characters is longer than {max_length} "
            f"(limit max-number-length); it is read as text"
        )
        return value, "limit-exceeded", message
    return value, None, None


def _looks_numeric(text: str) -> bool:
    """Whether a text too long to resolve starts as a number would (whole digits only)."""
    probe = text[:64].rstrip(":._+-eE")  # `1:1:1:…` cut after a colon is text
    return not isinstance(resolve_plain(probe, 64)[0], str)


def resolve_plain(text: str, max_length: int) -> tuple[Any, str | None]:
    """Read an untagged plain scalar the way a YAML 1.1 parser does.

    Returns the value and, when YAML 1.1 and YAML 1.2 read the text differently, a
    sentence saying how (it becomes a warning).
    """
    if not text:
        return None, None
    first = text[0]
    if first not in NUMBER_START:
        if text in _WORDS:
            return _WORDS[text], None
        if text in _YAML11_BOOLS:
            value = _YAML11_BOOLS[text]
            word = "true" if value else "false"
            return (
                value,
                f'`{text}` is the boolean {word} in YAML 1.1 but the text "{text}" in YAML 1.2; '
                f"write {word}, or quote it",
            )
        return text, None
    if len(text) > max_length:
        return text, None
    if _DECIMAL.match(text):
        try:
            return int(text), None
        except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits): keep the text
            return text, None
    if text in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[text], None
    try:
        return _resolve_number(text)
    except ValueError:  # no digits (`0x_`), or more than Python converts: keep the text
        return text, None


def _spelled(number: float) -> str:
    """How YAML writes a float: too large a number is infinite, and YAML spells that ``.inf``."""
    if number in (float("inf"), float("-inf")):
        return "-.inf" if number < 0 else ".inf"
    return str(number)


def _differs(text: str, yaml11: str, yaml12: str, advice: str) -> str:
    return f"`{text}` is {yaml11} in YAML 1.1 but {yaml12} in YAML 1.2; {advice}"


def _sexagesimal(text: str) -> int | float:
    sign = -1 if text[0] == "-" else 1
    value: int | float = 0
    for part in text.lstrip("+-").replace("_", "").split(":"):
        value = value * 60 + (float(part) if "." in part else int(part))
    return sign * value


def _resolve_number(text: str) -> tuple[Any, str | None]:
    as_text = f'the text "{text}"'
    quote = "quote it if it is text"
    if _HEX.match(text):
        value = int(text.replace("_", ""), 16)
        if "_" in text or text[0] in "+-":
            return value, _differs(text, f"the number {value}", as_text, f"write {value}, or {quote}")
        return value, None
    if _OCTAL11.match(text):
        value = int(text.replace("_", ""), 8)
        decimal = text.replace("_", "")
        yaml12 = f"the number {int(decimal)}" if "_" not in text else as_text
        return value, _differs(
            text, f"the octal number {value}", yaml12, f"write the number without leading zeros, or {quote}"
        )
    if _OCTAL12.match(text):
        value = int(text[2:], 8)
        return text, _differs(text, as_text, f"the octal number {value}", f"write {value}, or quote it")
    if _BINARY.match(text):
        value = int(text.replace("_", ""), 2)
        return value, _differs(text, f"the binary number {value}", as_text, f"write {value}, or {quote}")
    if _UNDERSCORE_INT.match(text):
        value = int(text.replace("_", ""))
        return value, _differs(text, f"the number {value}", as_text, f"write {value}, or {quote}")
    if _SEXAGESIMAL_INT.match(text) or _SEXAGESIMAL_FLOAT.match(text):
        number = _sexagesimal(text)
        return number, _differs(text, f"the base-60 number {number}", as_text, "quote it")
    if _LEADING_ZERO.match(text):
        return text, _differs(text, as_text, f"the number {int(text)}", f"write {int(text)}, or quote it")
    if _FLOAT11.match(text):
        number = float(text.replace("_", ""))
        if "_" in text or not _FLOAT12.match(text):
            return number, _differs(text, f"the number {number}", as_text, f"write {_spelled(number)}, or {quote}")
        return number, None
    if _FLOAT12.match(text):
        number = float(text)
        return text, _differs(text, as_text, f"the number {number}", f"write {_spelled(number)}, or quote it")
    return text, None


# --- tags --------------------------------------------------------------------

CORE_TAG = "tag:yaml.org,2002:"
SCALAR_TAGS = frozenset(CORE_TAG + name for name in ("str", "int", "float", "bool", "null", "timestamp", "binary"))
COLLECTION_TAGS = frozenset(CORE_TAG + name for name in ("map", "seq", "omap", "pairs", "set"))


def tagged_scalar(tag: str, text: str, max_length: int) -> tuple[Any, str | None]:
    """Read a scalar with an explicit core tag; returns the value and a problem, if any."""
    name = tag[len(CORE_TAG) :]
    if name in ("str", "timestamp", "binary"):
        return text, None
    value, _ = resolve_plain(text, max_length) if text else (None, None)
    types: dict[str, type | tuple[type, ...]] = {"int": int, "float": (int, float), "bool": bool, "null": type(None)}
    expected = types[name]
    if isinstance(value, expected) and not (name != "bool" and isinstance(value, bool)):
        return (_as_float(value) if name == "float" else value), None  # type: ignore[arg-type]
    return text, f"`{text}` is not a valid !!{name}"


def _as_float(value: float) -> float:
    """``float(value)``; an integer too large for a float is infinite, as YAML reads ``!!float 1e400``."""
    try:
        return float(value)
    except OverflowError:
        return float("inf") if value > 0 else float("-inf")


def unknown_tag_message(tag: str, what: str) -> str:
    short = "!!" + tag[len(CORE_TAG) :] if tag.startswith(CORE_TAG) else tag
    if tag in SCALAR_TAGS or tag in COLLECTION_TAGS:
        return f"tag `{short}` cannot be applied to {what}; the tag is ignored"
    return f"tag `{short}` is not supported; front-matter is read as plain data and the tag is ignored"


# --- double-quoted escapes ---------------------------------------------------

DOUBLE_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r",
    "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0",
    "L": "\u2028", "P": "\u2029",
}  # fmt: skip
HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")


def unescape(inner: str) -> str | None:
    """The text of a one-line double-quoted scalar's inside; ``None`` for an escape YAML rejects."""
    parts = []
    position = 0
    while True:
        slash = inner.find("\\", position)
        if slash == -1:
            parts.append(inner[position:])
            return "".join(parts)
        parts.append(inner[position:slash])
        code = inner[slash + 1 : slash + 2]
        if code in DOUBLE_ESCAPES:
            parts.append(DOUBLE_ESCAPES[code])
            position = slash + 2
        elif code in HEX_ESCAPES:
            digits = inner[slash + 2 : slash + 2 + HEX_ESCAPES[code]]
            if len(digits) != HEX_ESCAPES[code] or not _HEX_DIGITS.issuperset(digits):
                return None
            point = int(digits, 16)
            if 0xD800 <= point <= 0xDFFF or point > 0x10FFFF:
                return None
            parts.append(chr(point))
            position = slash + 2 + len(digits)
        else:
            return None
