"""Requests that take a while: done a step at a time, so a cancellation or a newer change is heard.

pygls reads the next message only while the event loop is free. A request handled in
one go is answered before its ``$/cancelRequest`` is even read; one that returns to
the loop between steps is stopped at the next step by a cancellation (pygls then
answers ``RequestCancelled``), and gives up with ``ContentModified`` once the buffer
it works on has changed (its answer would be for text the editor no longer has).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import TypeVar

from pygls.exceptions import JsonRpcContentModified

Item = TypeVar("Item")


async def gather(steps: Iterable[list[Item]], changed: Callable[[], bool]) -> list[Item]:
    """Every step's items, returning to the event loop after each step; ``changed()`` says
    whether the request's buffer has changed since it began."""
    found: list[Item] = []
    for step in steps:
        found.extend(step)
        await asyncio.sleep(0)  # a cancellation read meanwhile raises CancelledError here
        if changed():
            raise JsonRpcContentModified("the document changed while the request was answered")
    return found


def superseded(error: Exception) -> bool:
    """Whether ``error`` is a request giving up for a newer change, not a failure to log."""
    return isinstance(error, JsonRpcContentModified)
