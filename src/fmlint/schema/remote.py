"""Remote schemas: the ``http(s)`` documents a run's schemas name, fetched once and kept.

A :class:`Fetcher` is made where the run is built, from :class:`RemoteSettings`
(``--offline``, ``allow-private-hosts``, ``schema-cache-max-age``,
``schema-fetch-timeout``), and handed to the schema store, which asks it for every
``http``/``https`` document a schema refers to (``$ref``, ``$schema``) or is
(``--schema https://…``). A copy younger than the max age is used as it is; an older
one is revalidated (``If-None-Match``, ``If-Modified-Since``: 304 keeps it); when the
network fails, an old copy is used with a warning. ``--offline`` uses the copies only.

A fetched document is input from a stranger's server: it is bounded and parsed like a
local schema file, and it may not refer to local files (``file:``), which the schema
store would read for it.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

from fmlint.schema.store import MAX_SCHEMA_BYTES, SchemaError, is_remote, parse_schema

TYPE_CHECKING = False
if TYPE_CHECKING:
    from fmlint.links.address import AddressPolicy
    from fmlint.schema.copies import Copy, CopyStore

DEFAULT_MAX_AGE = 86400.0
DEFAULT_TIMEOUT = 10.0
_DATA_KEYWORDS = frozenset({"const", "enum", "examples", "default"})  # their values are data, not schemas
_REFERRING = ("$ref", "$dynamicRef", "$recursiveRef", "$schema")


class RemoteSettings:
    """How one run fetches remote schemas. What was fetched is part of the schema set, and so of
    the result cache's key; these settings only say how it was got."""

    def __init__(
        self,
        offline: bool = False,
        allow_private_hosts: tuple[str, ...] = (),
        max_age: float = DEFAULT_MAX_AGE,
        timeout: float = DEFAULT_TIMEOUT,
        cache_folder: str | None = "",  # "": the user's cache directory; None: no copies kept
    ) -> None:
        self.offline = offline
        self.allow_private_hosts = allow_private_hosts
        self.max_age = max_age
        self.timeout = timeout
        self.cache_folder = cache_folder


def _stderr_warning(message: str) -> None:
    from fmlint.escape import printable

    print(f"fmlint: warning: {printable(message)}", file=sys.stderr)


class Fetcher:
    """Remote schema documents by URL, each got once per run; :attr:`sources` says how."""

    def __init__(self, settings: RemoteSettings, warn: Callable[[str], None] = _stderr_warning) -> None:
        self.settings = settings
        self.warn = warn
        self.documents: dict[str, Any] = {}
        self.sources: dict[str, str] = {}  # URL -> how it was got, for --verbose
        self._store: CopyStore | None = None
        self._policy: AddressPolicy | None = None

    def report(self) -> Iterator[str]:
        """One line per document fetched or read from the cache: its URL and where it came from."""
        for url, source in self.sources.items():
            yield f"{url} ({source})"

    def fetch(self, url: str) -> Any:
        """The schema document at ``url`` (without its fragment); :class:`SchemaError` when there is none."""
        url = urldefrag(url)[0]
        if url not in self.documents:
            if not is_remote(url):
                raise SchemaError(
                    f"the schema refers to {url}, which fmlint cannot fetch: only http and https addresses are fetched"
                )
            self.documents[url] = self._get(url)
        return self.documents[url]

    def _get(self, url: str) -> Any:
        from fmlint.links.address import AddressPolicy, Refused

        if self._policy is None:
            self._policy = AddressPolicy(self.settings.allow_private_hosts, purpose="to fetch schemas from it")
            self._store = _store(self.settings.cache_folder)
        policy = self._policy
        try:
            policy.check_literal(urlsplit(url).hostname or "")
        except Refused as exc:
            raise SchemaError(f"schema {url} is not fetched: {exc}") from None
        except ValueError:
            raise SchemaError(f"schema {url} is not fetched: it is not a valid URL") from None
        copy = self._store.read(url) if self._store is not None else None
        if copy is not None and not _still_allowed(copy, policy):
            copy = None
        age = time.time() - copy.fetched if copy is not None else 0.0
        if self.settings.offline:
            if copy is None:
                problem = self._store.problem if self._store is not None else "it is turned off"
                raise SchemaError(
                    f"schema {url} is not in the schema cache, and --offline fetches nothing; "
                    "run once without --offline to fetch it"
                    + (f" (the schema cache cannot be used: {problem})" if problem else "")
                )
            return self._use(copy, f"from the cache, fetched {_ago(age)}; --offline")
        if copy is not None and -60 <= age <= self.settings.max_age:
            return self._use(copy, f"from the cache, fetched {_ago(age)}")
        return self._download(url, copy, age, policy)

    def _download(self, url: str, copy: Copy | None, age: float, policy: AddressPolicy) -> Any:
        from fmlint.schema.copies import Copy
        from fmlint.schema.download import DownloadError, download

        conditions = {}
        if copy is not None and copy.etag:
            conditions["If-None-Match"] = copy.etag
        if copy is not None and copy.last_modified:
            conditions["If-Modified-Since"] = copy.last_modified
        settings = self.settings
        try:
            answer = _run(lambda: download(url, policy, settings.timeout, MAX_SCHEMA_BYTES, conditions))
        except DownloadError as exc:
            if exc.network and copy is not None:
                self.warn(f"schema {url} could not be fetched ({exc}); using the copy cached {_ago(age)}")
                return self._use(copy, f"from the cache, fetched {_ago(age)}: the server could not be reached")
            raise SchemaError(f"schema {url} cannot be fetched: {exc}") from None
        now = time.time()
        if answer.status == 304 and copy is not None:
            self._keep(copy._replace(fetched=now, private=answer.private))
            return self._use(copy, "revalidated: unchanged since the cached copy")
        document = self._parse(url, answer.body)
        self._keep(Copy(url, answer.body, now, answer.etag, answer.last_modified, answer.private))
        self.sources[url] = "from the network"
        return document

    def _keep(self, copy: Copy) -> None:
        if self._store is not None:
            self._store.write(copy)

    def _use(self, copy: Copy, source: str) -> Any:
        document = self._parse(copy.url, copy.body)
        self.sources[copy.url] = source
        return document

    def _parse(self, url: str, body: bytes) -> Any:
        path = urlsplit(url).path.lower()
        document = parse_schema(body, url, yaml_text=path.endswith((".yaml", ".yml")))
        if not isinstance(document, (dict, bool)):
            raise SchemaError(f"schema {url} must be a JSON object")
        local = local_reference(document, url)
        if local is not None:
            raise SchemaError(
                f"schema {url} refers to {local}: a schema fetched from the network may not read local files"
            )
        return document


def _still_allowed(copy: Copy, policy: AddressPolicy) -> bool:
    """A copy that came through non-public addresses is used only while they are still allowed."""
    from fmlint.links.address import parse_address

    for host, text in copy.private:
        address = parse_address(text)
        if address is None or not policy.allows(host, address):
            return False
    return True


def _store(folder: str | None) -> CopyStore | None:
    from fmlint.schema.copies import CopyStore, default_folder

    if folder is None:
        return None
    return CopyStore(folder or default_folder())


def local_reference(document: Any, url: str) -> str | None:
    """The first ``$ref``, ``$schema``, ``$id`` (…) in ``document`` that resolves to a ``file:``
    URI, each resolved against the ``$id`` in force where it is written; ``None`` when there is none."""
    stack: list[tuple[Any, str]] = [(document, url)]
    while stack:
        node, base = stack.pop()
        if isinstance(node, list):
            stack.extend((item, base) for item in node)
            continue
        if not isinstance(node, dict):
            continue
        for keyword in ("$id", "id", *_REFERRING):  # an $id first: the others resolve against it
            value = node.get(keyword)
            if not isinstance(value, str):
                continue
            try:
                target = urljoin(base, value)
            except ValueError:
                continue
            if target[:5].lower() == "file:":
                return value
            if keyword in ("$id", "id"):
                base = target
        stack.extend((child, base) for key, child in node.items() if key not in _DATA_KEYWORDS)
    return None


def _run(make: Callable[[], Any]) -> Any:
    """Run the coroutine ``make()`` returns to its end, in a thread of its own when this one
    already runs an event loop (the editor server)."""
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


def _ago(seconds: float) -> str:
    seconds = max(0.0, seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f} {unit} ago"
    return f"{seconds:.0f} s ago"


def parse_duration(value: Any, where: str, key: str, allow_zero: bool) -> float:
    """``schema-cache-max-age`` and ``schema-fetch-timeout``: seconds, or a duration such as ``"12h"``;
    ``ValueError`` naming ``where`` and ``key`` otherwise."""
    from fmlint.links.settings import duration

    seconds = duration(value)
    if seconds is None or (seconds == 0 and not allow_zero):
        least = "zero or more" if allow_zero else "more than zero"
        raise ValueError(f'{where}: `{key}` must be a number of seconds ({least}) or a duration such as "12h"')
    return seconds
