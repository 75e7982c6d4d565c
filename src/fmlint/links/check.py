"""One run's link check: every distinct URL once, from the cache when it can, else from the server."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from fmlint.links.address import AddressPolicy, Refused
from fmlint.links.answer import Answer
from fmlint.links.settings import LinkSettings
from fmlint.links.store import LinkStore, default_path
from fmlint.links.verdict import PRIVATE, UNCHECKED, Verdict, judge, succeeded


def check_urls(urls: Iterable[str], settings: LinkSettings) -> dict[str, Verdict | None]:
    """The verdict on each of ``urls`` (``None``: it works, or it is excluded)."""
    store = None
    if settings.use_cache:
        path = settings.cache_file or default_path()
        store = LinkStore(path, time.time(), settings.cache_max_age, settings.cache_failure_max_age)
    policy = AddressPolicy(settings.allow_private_hosts)
    verdicts: dict[str, Verdict | None] = {}
    to_ask: list[str] = []
    try:
        for url in dict.fromkeys(urls):
            if _excluded(url, settings.exclude):
                verdicts[url] = None
                continue
            try:
                policy.check_literal(urlsplit(url).hostname or "")
            except Refused as exc:
                verdicts[url] = Verdict(PRIVATE, f"{url} was not requested: {exc}")
                continue
            except ValueError:
                verdicts[url] = Verdict(UNCHECKED, f"{url} could not be checked: it is not a valid URL")
                continue
            cached = store.get(url) if store is not None else None
            if cached is not None:
                verdicts[url] = judge(cached, settings)
            elif settings.offline or not settings.network:
                verdicts[url] = Verdict(UNCHECKED, f"{url} was not checked: offline, and the link cache has no answer")
            else:
                to_ask.append(url)
        if to_ask:
            for answer in _ask_all(to_ask, settings, store):
                verdicts[answer.url] = judge(answer, settings)
    finally:
        if store is not None:
            store.close()
    return verdicts


def _excluded(url: str, patterns: tuple[str, ...]) -> bool:
    if not patterns:
        return False
    from fmlint.patterns import searcher

    return any(searcher(pattern)(url) for pattern in patterns)


def _ask_all(urls: list[str], settings: LinkSettings, store: LinkStore | None) -> list[Answer]:
    """Ask the servers about ``urls`` in an event loop of its own (in a thread when the caller has one)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(_ask(urls, settings, store))
    found: list[Answer] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            found.extend(asyncio.run(_ask(urls, settings, store)))
        except BaseException as exc:  # handed to the caller's thread
            failure.append(exc)

    thread = threading.Thread(target=run, name="fmlint-links")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return found


async def _ask(urls: list[str], settings: LinkSettings, store: LinkStore | None) -> list[Answer]:
    from fmlint.links.probe import Prober

    progress: Any = None

    def keep(answer: Answer) -> None:
        if store is not None and answer.error != "refused":  # a refusal depends on the configuration only
            store.put(answer, succeeded(answer, settings))
        if progress is not None:
            progress.advance()

    prober = Prober(settings, keep)
    try:
        for url in urls:
            prober.host(url).total += 1
        if settings.progress:
            from fmlint.links.progress import Progress

            progress = Progress(len(urls), lambda: list(prober.hosts.values()))
            with progress:
                return list(await asyncio.gather(*(prober.check(url) for url in urls)))
        return list(await asyncio.gather(*(prober.check(url) for url in urls)))
    finally:
        await prober.close()
