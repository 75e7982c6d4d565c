"""What a server answered for one URL: plain data, kept in the link cache as JSON."""

from __future__ import annotations

import math
from typing import Any, NamedTuple

# Why a URL has no final status. ``loop``/``redirects``: its redirects never end;
# ``refused``: a non-public address fmlint would not contact; the others: the request failed.
ERRORS = (
    "timeout",
    "dns",
    "tls",
    "connect",
    "protocol",
    "loop",
    "redirects",
    "bad-redirect",
    "refused",
    "rate-limited",
)
_MAX_TEXT = 8192


class Answer(NamedTuple):
    """The outcome of checking ``url``.

    ``status`` is the last status received (after following redirects), ``error`` why
    there is none worth judging (one of :data:`ERRORS`), ``detail`` a short human
    explanation. ``moved_to`` is where the URL's permanent redirects (301, 308) lead,
    when every redirect before them was permanent too; ``final`` the last URL asked.
    """

    url: str
    status: int | None
    error: str | None = None
    detail: str = ""
    moved_to: str | None = None
    final: str | None = None
    at: float = 0.0  # when it was received (seconds since the epoch)

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "status": self.status,
            "error": self.error,
            "detail": self.detail,
            "moved_to": self.moved_to,
            "final": self.final,
            "at": self.at,
        }


def from_json(value: Any) -> Answer | None:
    """An :class:`Answer` from what :meth:`Answer.to_json` wrote, or ``None`` for anything else."""
    if not isinstance(value, dict) or set(value) != {"url", "status", "error", "detail", "moved_to", "final", "at"}:
        return None
    url, status, error, detail = value["url"], value["status"], value["error"], value["detail"]
    moved_to, final, at = value["moved_to"], value["final"], value["at"]
    if not (isinstance(url, str) and 0 < len(url) <= _MAX_TEXT):
        return None
    if status is not None and not (type(status) is int and 100 <= status <= 599):
        return None
    if error is not None and error not in ERRORS:
        return None
    if status is None and error is None:
        return None  # an error may keep the last status (a loop, a rate limit), but one of them is there
    if not (isinstance(detail, str) and len(detail) <= 500):
        return None
    for text in (moved_to, final):
        if text is not None and not (isinstance(text, str) and 0 < len(text) <= _MAX_TEXT):
            return None
    if not (type(at) in (int, float) and math.isfinite(at) and at >= 0):
        return None
    return Answer(url, status, error, detail, moved_to, final, float(at))


def status_text(status: int) -> str:
    """``404 Not Found``: the status with its reason phrase, when it has one."""
    from http import HTTPStatus

    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)
