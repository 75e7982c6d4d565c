"""fmlint's own ``format`` checks, and the words for each format.

The schema engine asserts every format it knows; the URL checks here replace its
own (they are FM301's behaviour: IRIs accepted, host names checked label by label).
The other checks give the *reason* a value fails, for the message; whether it fails
is the engine's call. Each check returns ``None`` for a valid value and otherwise a
short reason.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from functools import lru_cache

Check = Callable[[str], "str | None"]

# --- dates and times (RFC 3339, section 5.6) ---------------------------------

_DATE_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?\Z", re.ASCII
)
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})\Z", re.ASCII)
_TIME = re.compile(r"(\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?\Z", re.ASCII)
_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_in_month(year: int, month: int) -> int:
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _DAYS[month - 1]


def _check_date(year: str, month: str, day: str) -> str | None:
    y, m, d = int(year), int(month), int(day)
    if not 1 <= m <= 12:
        return f"month {month} does not exist"
    if not 1 <= d <= _days_in_month(y, m):
        return f"day {day} does not exist in {y:04d}-{m:02d}"
    return None


def _check_time(hour: str, minute: str, second: str, zone: str | None) -> str | None:
    if int(hour) > 23:
        return f"hour {hour} does not exist"
    if int(minute) > 59:
        return f"minute {minute} does not exist"
    if int(second) > 60:  # 60 is a leap second
        return f"second {second} does not exist"
    if zone is None:
        return "it has no time zone (add Z for UTC, or an offset such as +02:00)"
    if zone not in "Zz" and (int(zone[1:3]) > 23 or int(zone[4:6]) > 59):
        return f"time zone offset {zone} does not exist"
    return None


def check_date_time(value: str) -> str | None:
    """An RFC 3339 ``date-time``: date, ``T``, time and an explicit time zone."""
    match = _DATE_TIME.match(value)
    if match is None:
        return _date_time_shape(value)
    year, month, day, hour, minute, second, _, zone = match.groups()
    return _check_date(year, month, day) or _check_time(hour, minute, second, zone)


def _date_time_shape(value: str) -> str:
    text = value.strip()
    if not text:
        return "it is empty"
    if text != value:
        return "it has spaces around it"
    if _DATE.match(text):
        return "it is a date without a time and time zone"
    if re.match(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", text, re.ASCII):
        if re.search(r"(?:[Zz]|[+-]\d{2}:\d{2})\Z", text):
            return "date and time must be separated by T, not a space"
        return "date and time must be separated by T, not a space, and it has no time zone"
    if re.match(r"\d{4}-\d{1,2}-\d{1,2}[Tt]", text, re.ASCII) or re.match(r"\d{4}-\d{2}-\d{2}[Tt]\d", text, re.ASCII):
        return "it is not in the form YYYY-MM-DDThh:mm:ss with a time zone"
    return "it is not in the form YYYY-MM-DDThh:mm:ssZ"


def check_date(value: str) -> str | None:
    """An RFC 3339 ``full-date``."""
    match = _DATE.match(value)
    if match is None:
        return "it is not in the form YYYY-MM-DD"
    return _check_date(*match.groups())


def check_time(value: str) -> str | None:
    """An RFC 3339 ``full-time``: time with an explicit time zone."""
    match = _TIME.match(value)
    if match is None:
        return "it is not in the form hh:mm:ss with a time zone"
    hour, minute, second, _, zone = match.groups()
    return _check_time(hour, minute, second, zone)


# --- URLs (RFC 3986; non-ASCII accepted as in RFC 3987 IRIs) -----------------

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*\Z")
# Characters RFC 3986 never allows unencoded; non-ASCII is accepted (IRIs).
_BAD_CHAR = re.compile(
    r'[\x00-\x20\x7f"<>\\^`{|}\u0080-\u009f\u00a0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff]'
)
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_PORT = re.compile(r"[0-9]*\Z", re.ASCII)
_LABEL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?\Z", re.ASCII)
_NEEDS_HOST = frozenset({"http", "https", "ws", "wss", "ftp"})


def _split_reference(value: str) -> tuple[str | None, str | None, str]:
    """Split into scheme, authority (``None`` when absent) and the rest."""
    scheme = None
    rest = value
    colon = value.find(":")
    if colon > 0 and _SCHEME.match(value[:colon]) and not value[:colon].isdigit():
        slash = value.find("/")
        if slash == -1 or colon < slash:
            scheme, rest = value[:colon], value[colon + 1 :]
    authority = None
    if rest.startswith("//"):
        end = len(rest)
        for mark in "/?#":
            found = rest.find(mark, 2)
            if found != -1:
                end = min(end, found)
        authority, rest = rest[2:end], rest[end:]
    return scheme, authority, rest


def _common(value: str) -> str | None:
    bad = _BAD_CHAR.search(value)
    if bad is not None:
        char = bad.group()
        if char.isspace() or char == "\ufeff":
            return "it contains a space" if char == " " else f"it contains whitespace (U+{ord(char):04X})"
        if ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F:
            return f"it contains the control character U+{ord(char):04X}"
        return f"the character `{char}` must be percent-encoded (as %{ord(char):02X})"
    if _BAD_PERCENT.search(value):
        return "it has a `%` that is not followed by two hexadecimal digits"
    return None


def _check_authority(authority: str, scheme: str | None) -> str | None:
    host = authority.rpartition("@")[2]
    port = ""
    if host.startswith("["):
        close = host.find("]")
        if close == -1:
            return "its IPv6 host is missing the closing `]`"
        host, port = host[: close + 1], host[close + 1 :]
        if port and not port.startswith(":"):
            return "its host is followed by text that is not a port"
        port = port[1:]
    elif ":" in host:
        host, _, port = host.rpartition(":")
    # Compare the length first: Python refuses to read an integer of more than 4300 digits.
    if port and (not _PORT.match(port) or len(port.lstrip("0")) > 5 or int(port) > 65535):
        shown = port if len(port) <= 20 else port[:19] + "…"
        return f"its port `{shown}` is not a number from 0 to 65535"
    if not host:
        if scheme is not None and scheme.lower() in _NEEDS_HOST:
            return "it has no host name"
        return None
    return check_host(host)


@lru_cache(maxsize=1024)  # a site's files link to the same few hosts
def check_host(host: str) -> str | None:
    """A host: an IP literal, an IPv4 address or a DNS name (IDNA-aware)."""
    if host.startswith("["):
        import ipaddress

        inner = host[1:-1]
        if inner[:1] in ("v", "V"):
            return None if re.match(r"[vV][0-9A-Fa-f]+\.[^\s\[\]]+\Z", inner) else "its IP literal host is invalid"
        try:
            ipaddress.IPv6Address(inner)
        except ValueError:
            return f"its host `{host}` is not a valid IPv6 address"
        return None
    if "%" in host:
        from urllib.parse import unquote

        host = unquote(host)
    name = host[:-1] if host.endswith(".") else host
    labels = name.split(".")
    if all(label.isdigit() for label in labels) and len(labels) == 4:
        import ipaddress

        try:
            ipaddress.IPv4Address(name)
        except ValueError:
            return f"its host `{host}` is not a valid IPv4 address"
        return None
    if len(name) > 253:
        return "its host name is longer than 253 characters"
    for label in labels:
        problem = _check_label(label, host)
        if problem:
            return problem
    return None


def _check_label(label: str, host: str) -> str | None:
    if not label:
        return f"its host `{host}` has an empty label (two dots in a row, or a dot at the start)"
    if label.isascii():
        if len(label) > 63:
            return f"its host label `{label[:20]}…` is longer than 63 characters"
        if _LABEL.match(label):
            if label[:4].lower() == "xn--":
                return _check_punycode(label)
            return None
        if label.startswith("-") or label.endswith("-"):
            return f"its host label `{label}` starts or ends with a hyphen"
        return f"its host `{host}` contains characters not allowed in a host name"
    from encodings import idna

    try:
        encoded = idna.ToASCII(label)
    except UnicodeError:
        return f"its host label `{label}` is not a valid internationalised name"
    if len(encoded) > 63:
        return f"its host label `{label[:20]}…` is longer than 63 characters once encoded"
    return None


def _check_punycode(label: str) -> str | None:
    try:
        label[4:].encode("ascii").decode("punycode")
    except (UnicodeError, ValueError):
        return f"its host label `{label}` is not valid punycode"
    return None


@lru_cache(maxsize=4096)  # the schema check and the URL rules both ask about each URL of a file
def check_uri(value: str) -> str | None:
    """An absolute URI (RFC 3986), with a valid host when it has one."""
    if not value:
        return "it is empty"
    scheme, authority, rest = _split_reference(value)
    if scheme is None:
        return _missing_scheme(value)
    if authority is None and scheme.lower() in _NEEDS_HOST:
        if rest.startswith("/"):
            return f"it is missing the second `/` after `{scheme}:`"
        return f"`{scheme}:` must be followed by `//` and a host"
    problem = _common(value)
    if problem:
        return problem
    return _check_authority(authority, scheme) if authority is not None else None


def _missing_scheme(value: str) -> str:
    head = value.split("/", 1)[0].lower()
    if re.match(r"[a-z][a-z0-9+.-]*//", value, re.IGNORECASE | re.ASCII):
        return f"it is missing the `:` after `{value.split('//', 1)[0]}`"
    if value.startswith("//"):
        return "it has no scheme (start it with https:)"
    if value.startswith("/"):
        return "it is a relative path, not an absolute URL"
    if "." in head and " " not in head:
        return "it has no scheme (start it with https://)"
    return "it is not an absolute URL (it has no scheme such as https://)"


@lru_cache(maxsize=4096)
def check_uri_reference(value: str) -> str | None:
    """A URI or a relative reference such as ``/assets/logo.jpg`` (RFC 3986)."""
    if not value:
        return "it is empty"
    scheme, authority, rest = _split_reference(value)
    if scheme is not None:
        return check_uri(value)
    if re.match(r"[a-z][a-z0-9+.-]*//", value, re.IGNORECASE | re.ASCII):
        return f"it is missing the `:` after `{value.split('//', 1)[0]}`"
    problem = _common(value)
    if problem:
        return problem
    if authority is not None:
        return _check_authority(authority, None) if authority else "it has `//` but no host"
    first = rest.split("/", 1)[0]
    if ":" in first:
        return "its first path segment contains `:`; write ./ before it or add a scheme"
    return None


# --- other common formats ----------------------------------------------------


def check_email(value: str) -> str | None:
    local, at, domain = value.rpartition("@")
    if not at:
        return "it has no `@`"
    if not local:
        return "nothing stands before the `@`"
    if not domain:
        return "no domain follows the `@`"
    if any(char.isspace() for char in value):
        return "it contains white space"
    return None


def check_hostname(value: str) -> str | None:
    if not value or value.startswith("["):
        return "it is not a host name"
    return check_host(value)


def check_ipv4(value: str) -> str | None:
    import ipaddress

    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        return "it is not an IPv4 address"
    return None


def check_ipv6(value: str) -> str | None:
    import ipaddress

    try:
        ipaddress.IPv6Address(value)
    except ValueError:
        return "it is not an IPv6 address"
    return None


_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")


def check_uuid(value: str) -> str | None:
    return None if _UUID.match(value) else "it is not a UUID"


def check_regex(value: str) -> str | None:
    """A regular expression. The value is text from a file: compiling it may fail in any way."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # FutureWarning about syntax that may change meaning
        try:
            re.compile(value)
        except re.error as exc:
            return f"it is not a valid regular expression ({exc})"
        except (RecursionError, OverflowError, ValueError):
            return "it is not a regular expression fmlint can check: it is nested too deeply or repeats too often"
    return None


FORMATS: dict[str, Check] = {
    "date-time": check_date_time,
    "date": check_date,
    "time": check_time,
    "uri": check_uri,
    "iri": check_uri,
    "uri-reference": check_uri_reference,
    "iri-reference": check_uri_reference,
    "email": check_email,
    "idn-email": check_email,
    "hostname": check_hostname,
    "idn-hostname": check_hostname,
    "ipv4": check_ipv4,
    "ipv6": check_ipv6,
    "uuid": check_uuid,
    "regex": check_regex,
}

DESCRIPTIONS = {
    "date-time": "an RFC 3339 date-time with a time zone (2022-07-05T23:38:00Z)",
    "date": "a date such as 2022-07-05",
    "time": "a time with a time zone, such as 23:38:00Z",
    "uri": "an absolute URL",
    "iri": "an absolute URL",
    "uri-reference": "a URL or a path on the site",
    "iri-reference": "a URL or a path on the site",
    "email": "an email address",
    "idn-email": "an email address",
    "hostname": "a host name",
    "idn-hostname": "a host name",
    "ipv4": "an IPv4 address",
    "ipv6": "an IPv6 address",
    "uuid": "a UUID",
    "regex": "a regular expression",
    "duration": "an ISO 8601 duration such as PT43M",
    "json-pointer": "a JSON pointer such as /a/b",
    "relative-json-pointer": "a relative JSON pointer such as 1/a",
    "uri-template": "a URI template",
}
