"""The progress display on stderr, when it is a terminal: URLs checked, and the hosts they wait on."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any


class Progress:
    """A bar of URLs checked, with the busiest hosts' queues (``host 12 waiting``) beside it."""

    def __init__(self, total: int, hosts: Callable[[], list[Any]]) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as Bar

        self._hosts = hosts
        self._bar = Bar(
            TextColumn("checking links"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[queues]}"),
            console=Console(stderr=True),
            transient=True,
        )
        self._task = self._bar.add_task("links", total=total, queues="")

    def __enter__(self) -> Progress:
        self._bar.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._bar.stop()

    def advance(self) -> None:
        busy = sorted(self._hosts(), key=lambda host: -(host.waiting + host.in_flight))[:3]
        queues = ", ".join(
            f"{host.name.split('://', 1)[-1].rstrip(':')} {host.in_flight} asking, {host.waiting} waiting"
            for host in busy
            if host.waiting or host.in_flight
        )
        self._bar.update(self._task, advance=1, queues=queues)
