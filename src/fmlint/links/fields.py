"""Which values of the front-matter are links, and what each file keeps of them.

The set of fields is data: JSON pointers in which ``*`` stands for every index of a
list (or every key of a mapping). Every value they reach that is an http(s) URL or a
site-relative path (``/assets/…``) is a link.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

_RECORD = ("originalUrl", "webUrl", "ampWebUrl", "cdnAmpWebUrl", "images/*/url", "provider/images/*/url")

# The article's own URLs, its images', its provider's, and the same of every related link.
URL_FIELDS: tuple[str, ...] = (
    *(f"/{field}" for field in _RECORD),
    *(f"/related/*/{field}" for field in _RECORD),
)


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def values_at(data: Any, pattern: str) -> Iterator[tuple[str, Any]]:
    """Each ``(pointer, value)`` that ``pattern`` reaches in ``data``."""
    found: list[tuple[str, Any]] = [("", data)]
    for token in pattern.strip("/").split("/"):
        following: list[tuple[str, Any]] = []
        for pointer, value in found:
            if isinstance(value, list):
                if token == "*":
                    following.extend((f"{pointer}/{index}", item) for index, item in enumerate(value))
                elif token.isdigit() and int(token) < len(value):
                    following.append((f"{pointer}/{token}", value[int(token)]))
            elif isinstance(value, dict):
                if token == "*":
                    following.extend((f"{pointer}/{_escape(str(key))}", item) for key, item in value.items())
                elif token in value:
                    following.append((f"{pointer}/{_escape(token)}", value[token]))
        found = following
    yield from found


def link_kind(text: str) -> str | None:
    """``"web"`` for an http(s) URL, ``"site"`` for a path on the site, ``None`` for anything else
    (another scheme, a relative path, a malformed URL: the URL rules speak of those)."""
    value = text.strip()
    lower = value[:8].lower()
    if lower.startswith(("http://", "https://")):
        return "web"
    if value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return "site"
    return None


def links_of(data: Any, fields: tuple[str, ...] = URL_FIELDS) -> Iterator[tuple[str, str, str]]:
    """Each ``(pointer, text, kind)`` link of ``data``, in the order of ``fields``."""
    for pattern in fields:
        for pointer, value in values_at(data, pattern):
            if isinstance(value, str):
                kind = link_kind(value)
                if kind is not None:
                    yield pointer, value.strip(), kind
