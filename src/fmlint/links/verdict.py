"""What an answer means: a working link, a dead one, a moved one, or one that could not be checked."""

from __future__ import annotations

from typing import NamedTuple

from fmlint.links.answer import Answer, status_text
from fmlint.links.settings import LinkSettings

DEAD = "FM801"
MOVED = "FM802"
UNCHECKED = "FM803"
LOOP = "FM804"
PRIVATE = "FM805"
MISSING_FILE = "FM806"


class Verdict(NamedTuple):
    """A finding about one URL, for every place it is used; ``moved_to`` is what a fix writes."""

    code: str
    message: str
    moved_to: str | None = None


def judge(answer: Answer, settings: LinkSettings) -> Verdict | None:
    """The finding ``answer`` calls for, or ``None`` for a working link."""
    url, status = answer.url, answer.status
    via = f" (after redirects to {answer.final})" if answer.final and answer.final != url else ""
    if answer.error == "refused":
        return Verdict(PRIVATE, f"{url} was not requested: {answer.detail}")
    if answer.error in ("loop", "redirects"):
        return Verdict(LOOP, f"{url} never arrives: {answer.detail}")
    if answer.error is not None:
        return Verdict(UNCHECKED, f"{url} could not be checked: {answer.detail}{via}")
    assert status is not None
    if settings.accepted(status):
        if answer.moved_to is not None and answer.moved_to != url:
            return Verdict(MOVED, f"{url} has moved permanently to {answer.moved_to}", answer.moved_to)
        return None
    if status in (404, 410):
        return Verdict(DEAD, f"dead link: {url} answers {status_text(status)}{via}")
    if status >= 500:
        return Verdict(UNCHECKED, f"{url} could not be checked: the server answered {status_text(status)}{via}")
    return Verdict(UNCHECKED, f"{url} could not be checked: it answers {status_text(status)}{via}")


def succeeded(answer: Answer, settings: LinkSettings) -> bool:
    """Whether the answer is a working link (kept in the cache for the longer max age)."""
    return answer.error is None and answer.status is not None and settings.accepted(answer.status)
