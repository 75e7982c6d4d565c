"""The ``[tool.fmlint.links]`` table and ``allow-private-hosts``, validated when loaded."""

from __future__ import annotations

import math
import os
import re
from typing import Any

from fmlint import __version__

DEFAULT_ACCEPT = ((200, 299),)
_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*\Z")
_UNITS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


class LinksConfigError(ValueError):
    """A key of ``[tool.fmlint.links]`` has a value fmlint cannot use; the message names the key."""


class LinkSettings:
    """How links are checked in one run.

    The attributes listed in ``_fields`` come from the configuration and are part of
    the result cache's key; ``offline``, ``use_cache``, ``cache_file``, ``progress`` and
    ``network`` only say how this run goes about it (its files' facts do not depend on them).
    """

    _fields = (
        "accept",
        "exclude",
        "timeout",
        "max_retries",
        "max_redirects",
        "max_per_host",
        "max_concurrency",
        "host_interval",
        "max_retry_wait",
        "cache_max_age",
        "cache_failure_max_age",
        "site_root",
        "user_agent",
        "allow_private_hosts",
    )

    def __init__(self, site_root: str) -> None:
        self.accept: tuple[tuple[int, int], ...] = DEFAULT_ACCEPT
        self.exclude: tuple[str, ...] = ()
        self.timeout = 20.0
        self.max_retries = 2
        self.max_redirects = 10
        self.max_per_host = 10
        self.max_concurrency = 128
        self.host_interval = 0.0
        self.max_retry_wait = 60.0
        self.cache_max_age = 7 * 86400.0
        self.cache_failure_max_age = 3600.0
        self.site_root = site_root
        self.user_agent = f"fmlint/{__version__} (link check)"
        self.allow_private_hosts: tuple[str, ...] = ()
        # How this run goes about it.
        self.network = False  # False: no request at all, as if offline with nothing cached
        self.offline = False
        self.use_cache = True
        self.cache_file: str | None = None  # None: the user's cache directory
        self.progress = False

    def accepted(self, status: int) -> bool:
        return any(low <= status <= high for low, high in self.accept)


def parse_links(table: Any, where: str, root: str, allow_private_hosts: list[str]) -> LinkSettings:
    """``[tool.fmlint.links]`` (keys in kebab case) as :class:`LinkSettings`; ``root`` is the
    configuration file's folder, which relative paths start from."""
    settings = LinkSettings(site_root=root)
    settings.allow_private_hosts = parse_private_hosts(allow_private_hosts, where)
    if not isinstance(table, dict):
        raise LinksConfigError(f"{where}: `links` must be a table ([tool.fmlint.links])")
    for key, value in table.items():
        parse = _KEYS.get(key)
        if parse is None:
            from fmlint.schema.explain import suggest

            raise LinksConfigError(f"{where}: unknown key `links.{key}`{suggest(key, sorted(_KEYS))}")
        attribute, converted = parse(value, f"{where}: `links.{key}`", root)
        setattr(settings, attribute, converted)
    return settings


def parse_private_hosts(value: Any, where: str) -> tuple[str, ...]:
    """Host names, addresses or networks (``10.0.0.0/8``) that may be contacted though not public."""
    import ipaddress

    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise LinksConfigError(f"{where}: `allow-private-hosts` must be a list of host names, addresses or networks")
    hosts = []
    for item in value:
        text = item.strip().lower().strip("[]")
        if "/" in text:
            try:
                ipaddress.ip_network(text, strict=False)
            except ValueError:
                raise LinksConfigError(f"{where}: `allow-private-hosts`: `{item}` is not a network") from None
        hosts.append(text)
    return tuple(hosts)


def _accept(value: Any, where: str, root: str) -> tuple[str, Any]:
    """Status codes (``200``) and ranges (``"200..299"``) that count as a working link."""
    if not isinstance(value, list) or not value:
        raise LinksConfigError(f'{where} must be a list of status codes or ranges such as "200..299"')
    ranges = []
    for item in value:
        if isinstance(item, int) and not isinstance(item, bool):
            low = high = item
        elif isinstance(item, str) and re.fullmatch(r"\s*\d{3}\s*\.\.=?\s*\d{3}\s*", item):
            low, high = (int(part.strip("= ")) for part in item.split(".."))
        else:
            raise LinksConfigError(f'{where}: `{item!r}` is neither a status code nor a range such as "200..299"')
        if not 100 <= low <= high <= 599:
            raise LinksConfigError(f"{where}: `{item}` is not a range of HTTP status codes (100 to 599)")
        ranges.append((low, high))
    return "accept", tuple(ranges)


def _exclude(value: Any, where: str, root: str) -> tuple[str, Any]:
    from fmlint.patterns import problem

    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise LinksConfigError(f"{where} must be a list of regular expressions")
    for pattern in value:
        reason = problem(pattern)
        if reason is not None:
            raise LinksConfigError(f"{where}: `{pattern}` is not a usable regular expression: {reason}")
    return "exclude", tuple(value)


def _seconds(attribute: str, allow_zero: bool) -> Any:
    def parse(value: Any, where: str, root: str) -> tuple[str, Any]:
        seconds = duration(value)
        if seconds is None or (seconds == 0 and not allow_zero):
            least = "zero or more" if allow_zero else "more than zero"
            raise LinksConfigError(f'{where} must be a number of seconds ({least}) or a duration such as "12h"')
        return attribute, seconds

    return parse


def duration(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str) and (match := _DURATION.match(value)):
        seconds = float(match.group(1)) * _UNITS[match.group(2)]
    else:
        return None
    return seconds if math.isfinite(seconds) and 0 <= seconds <= 366 * 86400 else None


def _count(attribute: str, least: int, most: int) -> Any:
    def parse(value: Any, where: str, root: str) -> tuple[str, Any]:
        if not isinstance(value, int) or isinstance(value, bool) or not least <= value <= most:
            raise LinksConfigError(f"{where} must be a whole number from {least} to {most}")
        return attribute, value

    return parse


def _site_root(value: Any, where: str, root: str) -> tuple[str, Any]:
    if not isinstance(value, str) or not value.strip():
        raise LinksConfigError(f"{where} must be the path of a folder")
    return "site_root", os.path.normpath(os.path.join(root, value))


def _user_agent(value: Any, where: str, root: str) -> tuple[str, Any]:
    if not isinstance(value, str) or not value.strip() or any(ord(char) < 32 for char in value):
        raise LinksConfigError(f"{where} must be one line of text")
    return "user_agent", value.strip()


_KEYS = {
    "accept": _accept,
    "exclude": _exclude,
    "timeout": _seconds("timeout", allow_zero=False),
    "max-retries": _count("max_retries", 0, 10),
    "max-redirects": _count("max_redirects", 0, 30),
    "max-per-host": _count("max_per_host", 1, 100),
    "max-concurrency": _count("max_concurrency", 1, 1024),
    "host-interval": _seconds("host_interval", allow_zero=True),
    "max-retry-wait": _seconds("max_retry_wait", allow_zero=True),
    "cache-max-age": _seconds("cache_max_age", allow_zero=True),
    "cache-failure-max-age": _seconds("cache_failure_max_age", allow_zero=True),
    "site-root": _site_root,
    "user-agent": _user_agent,
}
