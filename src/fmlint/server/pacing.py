"""When a changed buffer is linted: at once while linting it is quick, once typing pauses when not.

A small article is linted at every change (well under a millisecond), so its
diagnostics follow each keystroke. A file that takes longer (a front-matter of
thousands of lines) would fall behind a burst of changes, linting and publishing
every version in turn; such a file waits instead until its changes pause for twice
as long as its last lint took, and only its latest text is linted. A change that
arrives while one is waiting supersedes it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

QUICK = 0.02  # seconds: a file whose lint takes less is linted at every change
LONGEST_WAIT = 0.5  # seconds: however slow the file, a pause this long gets it linted


class Pacer:
    """Each path's last lint time, and the lint waiting for its changes to pause."""

    def __init__(self) -> None:
        self.costs: dict[str, float] = {}
        self.waiting: dict[str, asyncio.TimerHandle] = {}

    def wait_for(self, path: str) -> float:
        """How long ``path``'s changes must pause before it is linted (0: lint at once)."""
        cost = self.costs.get(path, 0.0)
        return 0.0 if cost < QUICK else min(2 * cost, LONGEST_WAIT)

    def run(self, path: str, lint: Callable[[], None]) -> None:
        """Call ``lint`` for ``path`` now, or once its changes pause; one still waiting is superseded."""
        self.cancel(path)
        delay = self.wait_for(path)
        if delay == 0:
            self._timed(path, lint)
        else:
            self.waiting[path] = asyncio.get_running_loop().call_later(delay, self._due, path, lint)

    def cancel(self, path: str) -> None:
        """Drop the lint waiting for ``path``, if any (the buffer was closed, or a newer change came)."""
        waiting = self.waiting.pop(path, None)
        if waiting is not None:
            waiting.cancel()

    def forget(self, path: str) -> None:
        self.cancel(path)
        self.costs.pop(path, None)

    def _due(self, path: str, lint: Callable[[], None]) -> None:
        self.waiting.pop(path, None)
        self._timed(path, lint)

    def _timed(self, path: str, lint: Callable[[], None]) -> None:
        start = time.perf_counter()
        try:
            lint()
        finally:
            self.costs[path] = time.perf_counter() - start
