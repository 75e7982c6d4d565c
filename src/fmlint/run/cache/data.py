"""What the result cache writes, as plain JSON, and the field-by-field check of what it reads.

A result is written with :func:`json.dumps` as nested arrays: the named tuples
(:class:`~fmlint.pipeline.check.FileResult`, :class:`~fmlint.diagnostic.Diagnostic`, fixes,
suppressions) are arrays of their fields in order, sets are sorted arrays and
times ISO 8601 strings. Reading builds each object from its fields, checking every
type and range on the way: anything else (a missing or extra field, a wrong type,
a number out of range, an unknown severity, a code that is not a rule code, a
nesting too deep) raises :class:`Invalid`, which the cache treats as a miss.
Nothing read is ever called or looked up by name.
"""

from __future__ import annotations

import json
from datetime import datetime

from fmlint.diagnostic import Applicability, Diagnostic, Edit, Fix, Severity
from fmlint.pipeline.document import Position
from fmlint.pipeline.result import FileResult
from fmlint.policy.suppress import Selector, Suppression

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from fmlint.run.clock import NowWindow

_SEVERITIES = {severity.value: severity for severity in Severity}
_APPLICABILITIES = {applicability.value: applicability for applicability in Applicability}
_POSITION_MAX = 2**31 - 1  # a line, a column, an offset into the front-matter
_FACT_INT_MAX = 2**160  # a fact's numbers include a device and inode as one 128-bit number
_FACT_DEPTH = 8  # facts are flat tuples of strings, numbers and positions


class Invalid(Exception):
    """Data that is not what this version of fmlint writes."""


def _plain(value: object) -> Any:
    if isinstance(value, frozenset):
        return sorted(value)
    if type(value) is datetime:
        return value.isoformat()
    raise TypeError(f"the cache does not keep {type(value).__name__}")


# One encoder for every call: json.dumps with options makes a new one each time, which
# costs more than encoding a small value.
_ENCODER = json.JSONEncoder(separators=(",", ":"), allow_nan=False, default=_plain)


def dumps(value: Any) -> str:
    """``value`` (a result, diagnostics, a ``now`` window) as compact JSON; :class:`Invalid`
    if it holds something JSON cannot say exactly (a NaN, a type of its own)."""
    try:
        return _ENCODER.encode(value)
    except (TypeError, ValueError, RecursionError) as exc:
        raise Invalid(str(exc)) from None


def loads(data: bytes | str) -> Any:
    """JSON, strictly: no NaN or infinity, and any error is :class:`Invalid`."""
    try:
        return json.loads(data, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise Invalid(str(exc)) from None


def _no_constant(name: str) -> Any:
    raise Invalid(f"{name} is not a number")


def result(path: str, data: Any) -> FileResult:
    """The result of ``path`` from its JSON form; :class:`Invalid` unless that is what it is."""
    fields = _array(data, 5)
    if fields[0] != path:  # an entry filed under another path
        raise Invalid("the result is of another file")
    return FileResult(
        path,
        diagnostics(fields[1]),
        tuple(_fact(item) for item in _list(fields[2])),
        tuple(_suppression(item) for item in _list(fields[3])),
        window(fields[4]),
    )


def diagnostics(data: Any) -> tuple[Diagnostic, ...]:
    return tuple(_diagnostic(item) for item in _list(data))


def _diagnostic(data: Any) -> Diagnostic:
    path, line, column, end_line, end_column, code, rule, severity, message, pointer, fix = _array(data, 11)
    if not (type(code) is str and len(code) == 5 and code.startswith("FM") and code[2:].isascii()):
        raise Invalid("not a rule code")
    if not code[2:].isdigit() or type(severity) is not str or severity not in _SEVERITIES:
        raise Invalid("not a rule code or severity")
    if not (_text(rule) and (_text(pointer) == "" or pointer.startswith("/"))):
        raise Invalid("not a rule name or JSON pointer")
    return Diagnostic(
        _text(path),
        _position(line),
        _position(column),
        _position(end_line),
        _position(end_column),
        code,
        rule,
        _SEVERITIES[severity],
        _text(message),
        pointer,
        None if fix is None else _fix(fix),
    )


def _fix(data: Any) -> Fix:
    description, edits, applicability = _array(data, 3)
    if type(applicability) is not str or applicability not in _APPLICABILITIES:
        raise Invalid("not an applicability")
    made = []
    for edit in _list(edits):
        start, end, text = _array(edit, 3)
        if _offset(start) > _offset(end):
            raise Invalid("an edit ends before it starts")
        made.append(Edit(start, end, _text(text)))
    return Fix(_text(description), tuple(made), _APPLICABILITIES[applicability])


def _suppression(data: Any) -> Suppression:
    whole_file, position, selectors, removal, listing, items, used = _array(data, 7)
    if type(whole_file) is not bool:
        raise Invalid("not a flag")
    return Suppression(
        whole_file,
        _span(position),
        None if selectors is None else tuple(_selector(item) for item in _list(selectors)),
        _range(removal),
        None if listing is None else _range(listing),
        tuple(_text(item) for item in _list(items)),
        frozenset(_offset(index) for index in _list(used)),
    )


def _selector(data: Any) -> Selector:
    text, codes, position, item = _array(data, 4)
    return Selector(_text(text), frozenset(_text(code) for code in _list(codes)), _span(position), _offset(item))


def _span(data: Any) -> Position:
    line, column, end_line, end_column = _array(data, 4)
    return Position(_position(line), _position(column), _position(end_line), _position(end_column))


def _range(data: Any) -> tuple[int, int]:
    start, end = _array(data, 2)
    return _offset(start), _offset(end)


def _fact(data: Any) -> tuple[str, Any]:
    name, value = _array(data, 2)
    return _text(name), _plain_value(value, _FACT_DEPTH)


def _plain_value(value: Any, depth: int) -> Any:
    """A fact's value: strings, numbers, booleans, ``None``, and arrays of them as tuples."""
    kind = type(value)
    if kind is list:
        if depth <= 0:
            raise Invalid("a fact nested too deep")
        return tuple(_plain_value(item, depth - 1) for item in value)
    if kind is int and not -_FACT_INT_MAX <= value <= _FACT_INT_MAX:
        raise Invalid("a number out of range")
    if kind in (str, int, float, bool) or value is None:
        return value
    raise Invalid("not plain data")


def window(data: Any) -> NowWindow | None:
    """A ``now`` window (:meth:`fmlint.rules.base.ClockUse.window`) from its JSON form."""
    if data is None:
        return None
    if type(data) is list and len(data) == 2 and data[0] == "exact":
        return ("exact", _time(data[1]))
    kind, since, until = _array(data, 3)
    if kind != "range":
        raise Invalid("not a window")
    return ("range", None if since is None else _time(since), None if until is None else _time(until))


def _time(data: Any) -> datetime:
    try:
        return datetime.fromisoformat(_text(data))
    except ValueError:
        raise Invalid("not a time") from None


def quoted_lines(data: Any) -> dict[tuple[str, int], str]:
    """The lines a report quoted, ``[path, line, text]`` each."""
    found = {}
    for item in _list(data):
        path, line, text = _array(item, 3)
        found[_text(path), _position(line)] = _text(text)
    return found


def _array(data: Any, length: int) -> list[Any]:
    if type(data) is not list or len(data) != length:
        raise Invalid(f"not an array of {length}")
    return data


def _list(data: Any) -> list[Any]:
    if type(data) is not list:
        raise Invalid("not an array")
    return data


def _text(data: Any) -> str:
    if type(data) is not str:
        raise Invalid("not a string")
    return data


def _position(data: Any) -> int:
    if type(data) is not int or not 1 <= data <= _POSITION_MAX:
        raise Invalid("not a line or column")
    return data


def _offset(data: Any) -> int:
    if type(data) is not int or not 0 <= data <= _POSITION_MAX:
        raise Invalid("not an offset")
    return data
