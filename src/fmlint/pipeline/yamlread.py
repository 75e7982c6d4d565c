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
from typing import Any

from fmlint.pipeline.yamlcore import (
    COLLECTION_TAGS,
    SCALAR_TAGS,
    Issue,
    Limits,
    ParsedYaml,
    Span,
    escape_pointer,
    non_string_key_message,
    read_plain,
    repeated_key,
    tagged_scalar,
    unknown_tag_message,
)

# The types are defined with the scalar rules both readers share; they are imported from here too.
__all__ = ["Issue", "Limits", "ParsedYaml", "Span", "escape_pointer", "flow_depth_offset", "read_yaml"]

# PyYAML is imported only when the fast reader (fmlint.pipeline.fastyaml) hands a file over:
# importing it costs more than linting a typical file. The wording of syntax errors
# (fmlint.pipeline.yamlerrors) is imported only when there is one.
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


class _Abort(Exception):
    """Stop composing: the issue has been recorded and the data is unusable."""


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
        elif tag in SCALAR_TAGS:
            value, problem = tagged_scalar(tag, text, self.limits.max_number_length)
            if problem:
                self.issue("yaml-tag", problem, self.child_pointer(), start, end)
        else:
            self.issue("yaml-tag", unknown_tag_message(tag, "a scalar"), self.child_pointer(), start, end)
            value = text
        if event.anchor is not None:
            self.anchors[event.anchor] = (value, 1, start, end)
        self.deliver(value, start, end, style)

    def plain(self, text: str, start: int, end: int) -> Any:
        frame = self.stack[-1] if self.stack else None
        is_key = frame is not None and frame.is_map and frame.key is _NO_KEY
        if is_key and text == "<<":
            return _MERGE
        value, kind, note = read_plain(text, self.limits.max_number_length)
        # A key that is not a string is reported as such, not for how YAML 1.2 would read it.
        if kind is not None and note is not None and (not is_key or kind == "limit-exceeded"):
            self.issue(kind, note, self.child_pointer(), start, end)
        return value

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
        if tag is not None and tag != "!" and tag not in COLLECTION_TAGS:
            what = "a mapping" if is_map else "a list"
            self.issue("yaml-tag", unknown_tag_message(tag, what), self.child_pointer(), start, event.end_mark.index)
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
        elif name not in self.anchors:
            from fmlint.pipeline.yamlerrors import undefined_alias_message

            self.issue(
                "yaml-syntax-error",
                undefined_alias_message(name),
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
            non_string_key_message(source, key),
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
        assert frame.seen is not None
        repeated = repeated_key(frame.seen, key, frame.key_start, self.text)
        if repeated is not None and not frame.hidden:
            self.issue("duplicate-key", repeated, pointer, frame.key_start, frame.key_end)
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
        from fmlint.pipeline.yamlerrors import syntax_message

        mark = exc.problem_mark or exc.context_mark
        index = mark.index if mark is not None else 0
        composer.issue("yaml-syntax-error", syntax_message(exc, counted), "", index, index + 1)
        fatal = True
    except yaml.reader.ReaderError as exc:
        from fmlint.pipeline.yamlerrors import reader_message

        index = exc.position
        if "c" in _parsers:  # libyaml reports a byte offset into the UTF-8 stream
            index = len(stream.encode("utf-8")[:index].decode("utf-8", "ignore")) - (len(stream) - len(counted))
        composer.issue("yaml-syntax-error", reader_message(exc), "", index, index + 1)
        fatal = True
    finally:
        parser.dispose()
    if not fatal and composer.stack:  # pragma: no cover - the parser reports unclosed collections
        fatal = True
    empty = not fatal and not composer.have_root
    return ParsedYaml(composer.root if not fatal else None, composer.spans, composer.issues, fatal, empty)
