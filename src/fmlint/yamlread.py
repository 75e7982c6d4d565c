"""Turn front-matter YAML into plain data plus the source span of every node.

PyYAML's event parser (libyaml when available) does the scanning; composition is
done here, iteratively, so that:

- only plain data comes out (``dict``, ``list``, ``str``, ``int``, ``float``,
  ``bool``, ``None``): no tag can construct anything else;
- timestamps stay the text they were written as;
- YAML 1.1 readings that surprise people (``yes``, ``0777``, ``1:20``) are kept as
  a YAML 1.1 parser would read them, but reported;
- duplicate keys, non-string keys, unknown tags and recursive aliases are reported
  at the node that has them;
- nesting depth, the number of nodes (aliases counted at their expanded size) and
  the length of numbers are bounded, so no input can exhaust time or memory.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

# PyYAML is imported only when the fast reader (fmlint.fastyaml) hands a file over:
# importing it costs more than linting a typical file.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import yaml

_parsers: dict[str, Any] = {}


def _parser(text: str) -> Any:
    """libyaml's event parser, or PyYAML's pure-Python one when libyaml is not available."""
    make = _parsers.get("make")
    if make is None:
        try:
            from yaml._yaml import CParser

            make = CParser
            _parsers["c"] = CParser
        except ImportError:  # pragma: no cover - PyYAML built without libyaml
            make = _py_parser_class()
        _parsers["make"] = make
    return make(text)


def _libyaml() -> bool:
    """Whether :func:`_parser` gives libyaml's parser (importing PyYAML if not done yet)."""
    if "make" not in _parsers:
        _parser("").dispose()
    return "c" in _parsers


def _py_parser_class() -> Any:
    import yaml

    class PyParser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
        """PyYAML's pure-Python event parser."""

        def __init__(self, text: str) -> None:
            yaml.reader.Reader.__init__(self, text)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)

        def dispose(self) -> None:
            pass

    return PyParser


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


class _Abort(Exception):
    """Stop composing: the issue has been recorded and the data is unusable."""


# --- scalar resolution -------------------------------------------------------

_YAML11_BOOLS = {
    "yes": True, "Yes": True, "YES": True, "on": True, "On": True, "ON": True,
    "no": False, "No": False, "NO": False, "off": False, "Off": False, "OFF": False,
}  # fmt: skip
_WORDS: dict[str, Any] = {
    "true": True, "True": True, "TRUE": True,
    "false": False, "False": False, "FALSE": False,
    "null": None, "Null": None, "NULL": None, "~": None,
}  # fmt: skip
_SPECIAL_FLOATS = {
    ".inf": float("inf"), ".Inf": float("inf"), ".INF": float("inf"),
    "+.inf": float("inf"), "+.Inf": float("inf"), "+.INF": float("inf"),
    "-.inf": float("-inf"), "-.Inf": float("-inf"), "-.INF": float("-inf"),
    ".nan": float("nan"), ".NaN": float("nan"), ".NAN": float("nan"),
}  # fmt: skip
_NUMBER_START = frozenset("0123456789+-.")
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")
_HEX = re.compile(r"[-+]?0x[0-9a-fA-F_]+\Z")
_OCTAL11 = re.compile(r"[-+]?0[0-7_]+\Z")
_OCTAL12 = re.compile(r"0o[0-7]+\Z")
_BINARY = re.compile(r"[-+]?0b[01_]+\Z")
_UNDERSCORE_INT = re.compile(r"[-+]?[1-9][0-9_]*\Z")
_SEXAGESIMAL = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?\Z")
_LEADING_ZERO = re.compile(r"[-+]?0[0-9]+\Z")
_FLOAT11 = re.compile(r"[-+]?(?:[0-9][0-9_]*\.[0-9_]*|\.[0-9_]+)(?:[eE][-+][0-9]+)?\Z")
_FLOAT12 = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")


def _sexagesimal(text: str) -> int | float:
    sign = -1 if text[0] == "-" else 1
    value: int | float = 0
    for part in text.lstrip("+-").replace("_", "").split(":"):
        value = value * 60 + (float(part) if "." in part else int(part))
    return sign * value


def resolve_plain(text: str, max_length: int) -> tuple[Any, str | None]:
    """Read an untagged plain scalar the way a YAML 1.1 parser does.

    Returns the value and, when YAML 1.1 and YAML 1.2 read the text differently, a
    sentence saying how (it becomes a warning).
    """
    if not text:
        return None, None
    first = text[0]
    if first not in _NUMBER_START:
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
    except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits): keep the text
        return text, None


def _spelled(number: float) -> str:
    """How YAML writes a float: too large a number is infinite, and YAML spells that ``.inf``."""
    if number in (float("inf"), float("-inf")):
        return "-.inf" if number < 0 else ".inf"
    return str(number)


def _differs(text: str, yaml11: str, yaml12: str, advice: str) -> str:
    return f"`{text}` is {yaml11} in YAML 1.1 but {yaml12} in YAML 1.2; {advice}"


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
    if _SEXAGESIMAL.match(text):
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


_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = frozenset(_CORE + name for name in ("str", "int", "float", "bool", "null", "timestamp", "binary"))
_COLLECTION_TAGS = frozenset(_CORE + name for name in ("map", "seq", "omap", "pairs", "set"))


def _tagged_scalar(tag: str, text: str, max_length: int) -> tuple[Any, str | None]:
    """Read a scalar with an explicit tag; returns the value and a problem, if any."""
    name = tag[len(_CORE) :]
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


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag


def escape_pointer(key: str) -> str:
    """Escape one JSON pointer reference token (RFC 6901)."""
    if "~" in key or "/" in key:
        return key.replace("~", "~0").replace("/", "~1")
    return key


# --- composition -------------------------------------------------------------


class _Frame:
    """A collection being composed."""

    __slots__ = (
        "anchor", "hidden", "is_map", "key", "key_end", "key_start", "key_text",
        "merges", "nodes_before", "pointer", "seen", "start", "style", "value",
    )  # fmt: skip

    def __init__(
        self,
        value: Any,
        pointer: str,
        is_map: bool,
        start: int,
        style: str,
        anchor: str | None,
        nodes: int,
        hidden: bool,
    ) -> None:
        self.value = value
        self.pointer = pointer
        self.is_map = is_map
        self.key: Any = _NO_KEY
        self.key_text = ""
        self.key_start = 0
        self.key_end = 0
        self.start = start
        self.style = style
        self.anchor = anchor
        self.nodes_before = nodes
        self.seen: dict[str, int] | None = {} if is_map else None
        self.merges: list[tuple[Any, int, int]] | None = None
        self.hidden = hidden  # part of a complex key or of a dropped value: no spans recorded


_NO_KEY = object()
_SKIP = object()  # a key that cannot be used; its value is composed and dropped
_MERGE = object()


class _Composer:
    def __init__(self, text: str, limits: Limits) -> None:
        self.text = text
        self.limits = limits
        self.spans: dict[str, Span] = {}
        self.issues: list[Issue] = []
        self.anchors: dict[str, tuple[Any, int, int, int]] = {}  # name -> value, size, start, end
        self.open_anchors: set[str] = set()
        self.nodes = 0
        self.stack: list[_Frame] = []
        self.root: Any = None
        self.have_root = False

    def issue(self, kind: str, message: str, pointer: str, start: int, end: int) -> None:
        self.issues.append(Issue(kind, message, pointer, start, end))

    def abort(self, message: str, pointer: str, start: int, end: int) -> None:
        self.issue("limit-exceeded", message, pointer, start, end)
        raise _Abort

    def child_pointer(self) -> str:
        """The pointer of the node that starts now (its mapping's, for a key or a dropped value)."""
        if not self.stack:
            return ""
        frame = self.stack[-1]
        if frame.hidden:
            return frame.pointer
        if not frame.is_map:
            return f"{frame.pointer}/{len(frame.value)}"
        if frame.key is _NO_KEY or frame.key is _SKIP or frame.key is _MERGE:
            return frame.pointer
        return f"{frame.pointer}/{escape_pointer(frame.key_text)}"

    def hides_child(self) -> bool:
        """Whether the node that starts now is outside the data (a key, or the value of a bad key)."""
        if not self.stack:
            return False
        frame = self.stack[-1]
        return frame.hidden or (frame.is_map and (frame.key is _NO_KEY or frame.key is _SKIP))

    def count(self, size: int, start: int, end: int) -> None:
        self.nodes += size
        if self.nodes > self.limits.max_nodes:
            self.abort(
                f"front-matter expands to more than {self.limits.max_nodes} nodes "
                f"(limit max-nodes); aliases that expand this much are not supported",
                self.child_pointer(),
                start,
                end,
            )

    def run(self, parser: Any) -> None:
        from yaml.events import (
            AliasEvent,
            MappingEndEvent,
            MappingStartEvent,
            ScalarEvent,
            SequenceEndEvent,
            SequenceStartEvent,
            StreamEndEvent,
        )

        get_event = parser.get_event
        while True:
            event = get_event()
            cls = event.__class__
            if cls is ScalarEvent:
                self.scalar(event)
            elif cls is MappingStartEvent or cls is SequenceStartEvent:
                self.start(event, cls is MappingStartEvent)
            elif cls is MappingEndEvent or cls is SequenceEndEvent:
                self.end(event)
            elif cls is AliasEvent:
                self.alias(event)
            elif cls is StreamEndEvent:
                return

    def scalar(self, event: Any) -> None:
        start = event.start_mark.index
        end = event.end_mark.index
        self.nodes += 1
        if self.nodes > self.limits.max_nodes:
            self.count(0, start, end)
        text = event.value
        tag = event.tag
        style = event.style or ""
        value: Any
        if tag is None or tag == "!":
            value = self.plain(text, start, end) if style == "" and event.implicit[0] else text
        elif tag in _SCALAR_TAGS:
            value, problem = _tagged_scalar(tag, text, self.limits.max_number_length)
            if problem:
                self.issue("yaml-tag", problem, self.child_pointer(), start, end)
        else:
            self.issue("yaml-tag", _unknown_tag_message(tag, "a scalar"), self.child_pointer(), start, end)
            value = text
        if event.anchor is not None:
            self.anchors[event.anchor] = (value, 1, start, end)
        self.deliver(value, start, end, style)

    def plain(self, text: str, start: int, end: int) -> Any:
        frame = self.stack[-1] if self.stack else None
        is_key = frame is not None and frame.is_map and frame.key is _NO_KEY
        if is_key and text == "<<":
            return _MERGE
        value, note = resolve_plain(text, self.limits.max_number_length)
        if note is not None and not is_key:  # a key that is not a string is reported as such
            kind = "yaml11-boolean" if isinstance(value, bool) else "yaml11-number"
            self.issue(kind, note, self.child_pointer(), start, end)
        elif len(text) > self.limits.max_number_length and text[0] in _NUMBER_START:
            self.maybe_long_number(text, start, end)
        return value

    def maybe_long_number(self, text: str, start: int, end: int) -> None:
        probe = text[:64].rstrip(":._+-eE")  # whole digits: `1:1:1:…` cut after a colon is text
        value, _ = resolve_plain(probe, 64)
        if not isinstance(value, str):
            self.issue(
                "limit-exceeded",
                f"number of {len(text)} characters is longer than {self.limits.max_number_length} "
                f"(limit max-number-length); it is read as text",
                self.child_pointer(),
                start,
                end,
            )

    def start(self, event: Any, is_map: bool) -> None:
        start = event.start_mark.index
        if len(self.stack) >= self.limits.max_depth:
            self.abort(
                f"front-matter is nested deeper than {self.limits.max_depth} levels (limit max-depth)",
                self.child_pointer(),
                start,
                event.end_mark.index,
            )
        self.count(1, start, event.end_mark.index)
        tag = event.tag
        if tag is not None and tag != "!" and tag not in _COLLECTION_TAGS:
            what = "a mapping" if is_map else "a list"
            self.issue("yaml-tag", _unknown_tag_message(tag, what), self.child_pointer(), start, event.end_mark.index)
        style = ("{" if is_map else "[") if event.flow_style else (":" if is_map else "-")
        frame = _Frame(
            {} if is_map else [],
            self.child_pointer(),
            is_map,
            start,
            style,
            event.anchor,
            self.nodes - 1,
            self.hides_child(),
        )
        if event.anchor is not None:
            self.open_anchors.add(event.anchor)
        self.stack.append(frame)

    def end(self, event: Any) -> None:
        frame = self.stack.pop()
        end = event.end_mark.index
        if frame.merges:
            self.apply_merges(frame)
        if frame.anchor is not None:
            self.open_anchors.discard(frame.anchor)
            self.anchors[frame.anchor] = (frame.value, self.nodes - frame.nodes_before, frame.start, end)
        self.deliver(frame.value, frame.start, end, frame.style)

    def alias(self, event: Any) -> None:
        start = event.start_mark.index
        end = event.end_mark.index
        name = event.anchor
        if name in self.open_anchors:
            self.issue(
                "recursive-alias",
                f"alias `*{name}` refers to the node that contains it",
                self.child_pointer(),
                start,
                end,
            )
            value: Any = None
        elif name not in self.anchors:  # libyaml rejects these first; kept for the pure-Python parser
            self.issue(
                "yaml-syntax-error",
                f"YAML syntax error: found undefined alias `*{name}`",
                self.child_pointer(),
                start,
                end,
            )
            raise _Abort
        else:
            value, size, _, _ = self.anchors[name]
            self.count(size, start, end)
        self.deliver(value, start, end, "*")

    def deliver(self, value: Any, start: int, end: int, style: str) -> None:
        if not self.stack:
            if self.have_root:
                self.issue(
                    "yaml-syntax-error",
                    "YAML syntax error: front-matter holds more than one YAML document",
                    "",
                    start,
                    end,
                )
                raise _Abort
            self.root = value
            self.have_root = True
            self.spans[""] = Span(start, start, start, end, style)
            return
        frame = self.stack[-1]
        if not frame.is_map:
            if not frame.hidden:
                self.spans[f"{frame.pointer}/{len(frame.value)}"] = Span(start, start, start, end, style)
            frame.value.append(value)
        elif frame.key is _NO_KEY:
            self.set_key(frame, value, start, end)
        else:
            self.set_value(frame, value, start, end, style)

    def set_key(self, frame: _Frame, key: Any, start: int, end: int) -> None:
        frame.key_start, frame.key_end = start, end
        if key is _MERGE:
            frame.key = _MERGE
            return
        if isinstance(key, str):
            frame.key, frame.key_text = key, key
            return
        source = self.text[start:end]
        if isinstance(key, (dict, list)):
            what = "a mapping" if isinstance(key, dict) else "a list"
            self.issue("non-string-key", f"keys must be strings; this key is {what}", frame.pointer, start, end)
            frame.key = _SKIP
            return
        self.issue(
            "non-string-key",
            f"keys must be strings; `{source}` is read as {_describe_scalar(key)} (quote it to make it a string)",
            f"{frame.pointer}/{escape_pointer(source)}",
            start,
            end,
        )
        frame.key, frame.key_text = source, source

    def set_value(self, frame: _Frame, value: Any, start: int, end: int, style: str) -> None:
        key = frame.key
        frame.key = _NO_KEY
        if key is _SKIP:
            return
        if key is _MERGE:
            if frame.merges is None:
                frame.merges = []
            frame.merges.append((value, start, end))
            return
        pointer = f"{frame.pointer}/{escape_pointer(frame.key_text)}"
        seen = frame.seen
        assert seen is not None
        if key in seen:
            first = self.text.count("\n", 0, seen[key]) + 2  # file line: the block starts on line 2
            if not frame.hidden:
                message = f"duplicate key `{key}`; it is first defined on line {first}"
                self.issue("duplicate-key", message, pointer, frame.key_start, frame.key_end)
        else:
            seen[key] = frame.key_start
        frame.value[key] = value
        if not frame.hidden:
            self.spans[pointer] = Span(frame.key_start, frame.key_end, start, end, style)

    def apply_merges(self, frame: _Frame) -> None:
        assert frame.merges is not None and frame.seen is not None
        for value, start, end in frame.merges:
            sources = value if isinstance(value, list) else [value]
            if not all(isinstance(source, dict) for source in sources):
                self.issue(
                    "yaml-tag", "merge key `<<` needs a mapping or a list of mappings", frame.pointer, start, end
                )
                continue
            for source in sources:
                for key, item in source.items():
                    if key not in frame.value:
                        frame.value[key] = item


def _unknown_tag_message(tag: str, what: str) -> str:
    if tag in _SCALAR_TAGS or tag in _COLLECTION_TAGS:
        return f"tag `{_short_tag(tag)}` cannot be applied to {what}; the tag is ignored"
    return f"tag `{_short_tag(tag)}` is not supported; front-matter is read as plain data and the tag is ignored"


def _describe_scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int):
        return "an integer"
    return "a number"


_FLOW_CHARACTERS = re.compile(r"[\[\]{}\"'#\n]")
_BEFORE_QUOTE = frozenset(" \t\n[{,:?-")


def flow_depth_offset(text: str, max_depth: int) -> int | None:
    """The offset of the first flow bracket nested deeper than ``max_depth``, if any.

    libyaml's scanner reads a whole flow collection ahead before it returns the first
    event, recursing as it goes: deep nesting slows it quadratically and crashes it
    near depth 40,000. This scan bounds the depth before libyaml sees the text. It
    skips quoted text and comments; brackets in plain text count as well, which can
    only make it stricter on text that is itself absurd (dozens of unclosed brackets).
    """
    if text.count("[") + text.count("{") <= max_depth:
        return None
    depth = 0
    position = 0
    search = _FLOW_CHARACTERS.search
    while (match := search(text, position)) is not None:
        character = match.group()
        position = match.end()
        if character in "[{":
            depth += 1
            if depth > max_depth:
                return match.start()
        elif character in "]}":
            depth = max(depth - 1, 0)
        elif character == "\n":
            continue
        elif character == "#" and (match.start() == 0 or text[match.start() - 1] in " \t\n"):
            newline = text.find("\n", position)
            position = len(text) if newline == -1 else newline
        elif match.start() == 0 or text[match.start() - 1] in _BEFORE_QUOTE:
            # a quoted scalar (an apostrophe inside plain text is not): skip to its end
            position = _quoted_end(text, position, character)
    return None


def _quoted_end(text: str, position: int, quote: str) -> int:
    while True:
        end = text.find(quote, position)
        if end == -1:
            return len(text)
        if quote == '"':
            backslashes = len(text[position:end]) - len(text[position:end].rstrip("\\"))
            if backslashes % 2:
                position = end + 1
                continue
        elif text.startswith("''", end):
            position = end + 2
            continue
        return end + 1


def read_yaml(text: str, limits: Limits) -> ParsedYaml:
    """Compose ``text`` into plain data with spans and issues; never raises for bad input."""
    if not text.startswith("\ufeff") or not _libyaml():
        return _read(text, text, limits)
    # A byte-order mark opening the block: libyaml drops it without counting it in its
    # marks (the pure-Python parser counts it). Compose against the text libyaml counts,
    # then put the mark back in every offset.
    parsed = _read(text, text[1:], limits)
    parsed.spans = {
        pointer: Span(span.key_start + 1, span.key_end + 1, span.start + 1, span.end + 1, span.style)
        for pointer, span in parsed.spans.items()
    }
    parsed.issues = [Issue(i.kind, i.message, i.pointer, i.start + 1, i.end + 1) for i in parsed.issues]
    return parsed


def _read(stream: str, counted: str, limits: Limits) -> ParsedYaml:
    """Parse ``stream``; ``counted`` is the text the parser's marks are offsets into."""
    composer = _Composer(counted, limits)
    deep = flow_depth_offset(counted, limits.max_depth)
    if deep is not None:
        message = f"front-matter is nested deeper than {limits.max_depth} levels (limit max-depth)"
        composer.issue("limit-exceeded", message, "", deep, deep + 1)
        return ParsedYaml(None, {}, composer.issues, True, False)
    import yaml

    parser = _parser(stream)
    fatal = False
    try:
        composer.run(parser)
    except _Abort:
        fatal = True
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        index = mark.index if mark is not None else 0
        composer.issue("yaml-syntax-error", _syntax_message(exc, counted), "", index, index + 1)
        fatal = True
    except yaml.reader.ReaderError as exc:
        index = exc.position
        if "c" in _parsers:  # libyaml reports a byte offset into the UTF-8 stream
            index = len(stream.encode("utf-8")[:index].decode("utf-8", "ignore")) - (len(stream) - len(counted))
        composer.issue("yaml-syntax-error", _reader_message(exc), "", index, index + 1)
        fatal = True
    finally:
        parser.dispose()
    if not fatal and composer.stack:  # pragma: no cover - the parser reports unclosed collections
        fatal = True
    empty = not fatal and not composer.have_root
    return ParsedYaml(composer.root if not fatal else None, composer.spans, composer.issues, fatal, empty)


def _syntax_message(exc: yaml.MarkedYAMLError, text: str) -> str:
    problem = (exc.problem or "invalid YAML").strip()
    message = f"YAML syntax error: {problem}"
    context, start, at = exc.context, exc.context_mark, exc.problem_mark
    if context and start is not None and at is not None:
        if start.line != at.line:
            message += f" ({context} that starts on line {text.count(chr(10), 0, start.index) + 2})"
        else:
            message += f" ({context})"
    return message


def _reader_message(exc: yaml.reader.ReaderError) -> str:
    character = exc.character
    code = ord(character) if isinstance(character, str) else int(character)
    return f"YAML syntax error: the control character U+{code:04X} is not allowed in YAML"
