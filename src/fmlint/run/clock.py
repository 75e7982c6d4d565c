"""How a run's findings depend on its reference time (``now``), so the cache knows when they hold.

A file's result made at one ``now`` holds at another when no rule's answer changes
between them: a rule comparing a date with ``now`` narrows the result to the ``now``
values on the same side of that date; a rule quoting ``now`` ties it to that instant.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

NowWindow = tuple[Any, ...]  # ("exact", now) or ("range", since or None, until or None)


class ClockUse:
    """How what the rules found in one file (or across files) depends on the run's ``now``.

    Quoting ``now`` (:meth:`fmlint.rules.base.Context.quote_now`) ties it to that very ``now`` (``exact``); comparing
    with :meth:`fmlint.rules.base.Context.after_now` only to the ``now`` values that give the same
    answer: from ``since`` (inclusive) to ``until`` (exclusive), either open.
    """

    __slots__ = ("exact", "since", "until")

    def __init__(self) -> None:
        self.exact = False
        self.since: datetime | None = None
        self.until: datetime | None = None

    def window(self, now: datetime) -> NowWindow | None:
        """The ``now`` values the result holds for; ``None``: every one."""
        if self.exact:
            return ("exact", now)
        if self.since is None and self.until is None:
            return None
        return ("range", self.since, self.until)

    def include(self, window: NowWindow | None) -> None:
        """Narrow this use of the clock to the ``now`` values ``window`` holds for as well."""
        if window is None:
            return
        if window[0] == "exact":
            self.exact = True
            return
        _, since, until = window
        if since is not None:
            self.since = since if self.since is None else max(self.since, since)
        if until is not None:
            self.until = until if self.until is None else min(self.until, until)


def holds_at(window: Any, now: datetime) -> bool:
    """Whether a result made with ``window`` (:meth:`ClockUse.window`) holds at ``now``."""
    if window is None:
        return True
    try:
        if window[0] == "exact":
            return bool(window[1] == now)
        kind, since, until = window
        return bool(kind == "range" and (since is None or since <= now) and (until is None or now < until))
    except (TypeError, ValueError, IndexError):  # not a window this version writes
        return False


def combined(windows: Iterable[NowWindow | None], now: datetime) -> NowWindow | None:
    """The ``now`` values every one of ``windows`` holds for."""
    clock = ClockUse()
    for window in windows:
        clock.include(window)
    return clock.window(now)
