"""Download one schema document over HTTP(S): bounded in size and time, every hop's address checked.

The client is the link check's (aiohttp, already a dependency: a second HTTP client
would be a second set of timeouts, redirects and address checks to keep right), and so
is its guard: the connector connects only to addresses :class:`CheckedResolver` resolved
and the project's :class:`AddressPolicy` allows, so a name that resolves elsewhere a
moment later (DNS rebinding) cannot switch it. Redirects are followed one hop at a time,
only to ``http`` and ``https``, each checked the same way. Proxies from the environment
are not used (a proxy would connect to addresses fmlint never saw).

The whole download, every hop and the body included, ends within ``timeout``; the body is
counted as it streams in (after decompression) and abandoned past ``max_bytes``.
"""

from __future__ import annotations

import asyncio
import socket
import zlib
from typing import Any, NamedTuple
from urllib.parse import urljoin, urlsplit, urlunsplit

import aiohttp

from fmlint import __version__
from fmlint.links.address import AddressPolicy, Refused, is_public, parse_address
from fmlint.links.probe import CheckedResolver

REDIRECTS = (301, 302, 303, 307, 308)
MAX_REDIRECTS = 5
USER_AGENT = f"fmlint/{__version__} (schema fetch)"
_CHUNK = 65536


class DownloadError(Exception):
    """No usable document; ``network`` says whether the network failed (a timeout, a refused
    connection, a 5xx) rather than the server answering that there is nothing to have."""

    def __init__(self, message: str, network: bool) -> None:
        super().__init__(message)
        self.network = network


class Downloaded(NamedTuple):
    """A server's answer: 200 with its body, or 304 (the cached copy is still current)."""

    status: int
    body: bytes
    etag: str | None
    last_modified: str | None
    private: tuple[tuple[str, str], ...]  # (host, address) of each hop allow-private-hosts let through


class _RecordingResolver(CheckedResolver):
    """The link check's resolver, noting the non-public addresses it let through: a cached copy
    of what they served is used only while the configuration still allows them."""

    def __init__(self, policy: AddressPolicy, timeout: float) -> None:
        super().__init__(policy, timeout)
        self.private: set[tuple[str, str]] = set()

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET) -> list[Any]:
        results = await super().resolve(host, port, family)
        for result in results:
            address = parse_address(str(result["host"]))
            if address is not None and not is_public(address):
                self.private.add((host, str(address)))
        return results


async def download(
    url: str, policy: AddressPolicy, timeout: float, max_bytes: int, conditions: dict[str, str]
) -> Downloaded:
    """GET ``url`` (with ``conditions``: ``If-None-Match``, ``If-Modified-Since``), following redirects."""
    resolver = _RecordingResolver(policy, timeout)
    connector = aiohttp.TCPConnector(resolver=resolver, limit=4)
    session = aiohttp.ClientSession(
        connector=connector,
        timeout=aiohttp.ClientTimeout(total=timeout),
        headers={"User-Agent": USER_AGENT, "Accept": "application/schema+json, application/json, */*"},
        trust_env=False,
        cookie_jar=aiohttp.DummyCookieJar(),  # nothing one host sets travels to the next hop
        auto_decompress=False,  # decompressed here, counted as it comes, so a small gzip cannot fill memory
    )
    try:
        return await asyncio.wait_for(_follow(session, resolver, url, policy, max_bytes, conditions), timeout)
    except asyncio.TimeoutError:
        raise DownloadError(f"no complete answer within {timeout:g} s", network=True) from None
    finally:
        await session.close()


async def _follow(
    session: aiohttp.ClientSession,
    resolver: _RecordingResolver,
    url: str,
    policy: AddressPolicy,
    max_bytes: int,
    conditions: dict[str, str],
) -> Downloaded:
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        host = urlsplit(current).hostname or ""
        literal = parse_address(host)
        try:
            policy.check_literal(host)  # the connector does not ask the resolver about addresses
        except Refused as exc:
            raise DownloadError(_hop(url, current, str(exc)), network=False) from None
        if literal is not None and not is_public(literal):
            resolver.private.add((host, str(literal)))
        try:
            async with session.get(
                current, allow_redirects=False, headers={**conditions, "Accept-Encoding": "gzip"}
            ) as response:
                location = response.headers.get("Location")
                if response.status in REDIRECTS and location:
                    target = _next_hop(current, location)
                    if target is None:
                        reason = f"it redirects to {location[:200]}, which is not an http(s) URL"
                        raise DownloadError(_hop(url, current, reason), network=False)
                    current = target
                    continue
                private = tuple(sorted(resolver.private))
                if response.status == 304:
                    return Downloaded(304, b"", None, None, private)
                if response.status != 200:
                    network = response.status >= 500 or response.status == 429
                    raise DownloadError(_hop(url, current, f"the server answered {response.status}"), network)
                body = await _read(response, max_bytes)
                headers = response.headers
                return Downloaded(200, body, headers.get("ETag"), headers.get("Last-Modified"), private)
        except (DownloadError, asyncio.TimeoutError):
            raise
        except aiohttp.ClientConnectorError as exc:
            cause = exc.__cause__ or exc.__context__
            if isinstance(cause, Refused):
                raise DownloadError(_hop(url, current, str(cause)), network=False) from None
            raise DownloadError(_hop(url, current, _reason(cause or exc.os_error)), network=True) from None
        except Refused as exc:
            raise DownloadError(_hop(url, current, str(exc)), network=False) from None
        except (aiohttp.ClientError, OSError) as exc:
            raise DownloadError(_hop(url, current, f"the request failed ({_reason(exc)})"), network=True) from None
        except (ValueError, UnicodeError) as exc:
            raise DownloadError(_hop(url, current, f"the request failed ({_reason(exc)})"), network=False) from None
        except Exception as exc:  # the resolver's own failures (a name that does not resolve), and the unforeseen
            raise DownloadError(_hop(url, current, _reason(exc)), network=True) from None
    raise DownloadError(f"it redirects more than {MAX_REDIRECTS} times", network=False)


def _next_hop(current: str, location: str) -> str | None:
    """Where a redirect leads, without its fragment; ``None`` when that is not an http(s) URL."""
    try:
        target = urlsplit(urljoin(current, location))
    except ValueError:
        return None
    if target.scheme.lower() not in ("http", "https") or not target.hostname:
        return None
    return urlunsplit(target._replace(fragment=""))


async def _read(response: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    """The body, decompressed, abandoned as soon as it passes ``max_bytes``."""
    too_large = DownloadError(f"the document is larger than {max_bytes} bytes", network=False)
    if response.content_length is not None and response.content_length > max_bytes:
        raise too_large
    encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in ("identity", "gzip", "x-gzip", ""):
        raise DownloadError(f"it came with Content-Encoding {encoding[:40]}, which fmlint does not read", False)
    inflate = zlib.decompressobj(wbits=31) if encoding in ("gzip", "x-gzip") else None
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(_CHUNK):
        if inflate is not None:
            try:
                chunk = inflate.decompress(chunk, max_bytes - size + 1)
            except zlib.error as exc:
                raise DownloadError(f"its gzip body is damaged ({exc})", network=False) from None
            if inflate.unconsumed_tail:  # more would come out than the bound allows
                raise too_large
        size += len(chunk)
        if size > max_bytes:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _hop(url: str, current: str, reason: str) -> str:
    return reason if current == url else f"it redirects to {current}: {reason}"


def _reason(exc: BaseException | None) -> str:
    text = (str(exc) or type(exc).__name__) if exc is not None else "no reason given"
    return text if len(text) <= 160 else text[:159] + "…"
