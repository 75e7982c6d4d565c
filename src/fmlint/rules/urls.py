"""FM3xx: URLs beyond their syntax (FM301, a schema format): scheme, host, and how URLs agree.

Every value the file's schema gives a URL format is checked, whatever the field is
called: ``format: uri`` or ``iri`` (absolute), ``uri-reference`` or ``iri-reference``
(a path on the site is fine too). In the built-in article schema those are
``originalUrl``, ``webUrl``, ``ampWebUrl``, ``cdnAmpWebUrl`` and the ``url`` of every
image and provider image, in the article and in each related link. A value FM301 finds
malformed is left to FM301. FM305, FM306 and FM307 compare news fields with each other
(``webUrl`` with ``originalUrl``, …): they too only read fields the schema calls URLs.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import urlsplit

from fmlint.diagnostic import Applicability, Diagnostic, Fix, Severity
from fmlint.rules.base import Context, Example, Option, Rule, example
from fmlint.rules.values import field_name, records, rewrite_scalar, text_field
from fmlint.schema.formats import check_uri, check_uri_reference

# The URL formats, and whether each accepts a reference without a scheme (a path on the site).
URL_FORMATS = {"uri": False, "iri": False, "uri-reference": True, "iri-reference": True}
WEB_SCHEMES = ("http", "https")
AMP_CACHE = ".cdn.ampproject.org"
# Names that never resolve on the public internet (RFC 6761, RFC 8375, ICANN's .internal).
_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".home.arpa", ".lan")


class Url(NamedTuple):
    """A well-formed URL value: where it is, its text, and its parts."""

    pointer: str
    text: str
    scheme: str  # lower case; "" for a path on the site
    host: str  # lower case, without brackets or a trailing dot; "" when there is none
    relative: bool  # its format accepts a reference without a scheme

    @property
    def field(self) -> str:
        return field_name(self.pointer)


@lru_cache(maxsize=1024)  # each URL of a file is seen by every rule here: parse it once
def _parse(pointer: str, text: str, relative: bool) -> Url | None:
    """The parts of ``text``, or ``None`` when it is malformed (FM301 reports it)."""
    if (check_uri_reference if relative else check_uri)(text) is not None:
        return None
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
    except ValueError:
        return None
    return Url(pointer, text, parts.scheme.lower(), host.rstrip("."), relative)


def all_urls(ctx: Context) -> dict[str, Url]:
    """Every well-formed URL of the file by pointer, in document order; rules ask
    ``ctx.derived(all_urls)``, to find them once."""
    found = {}
    for value in ctx.formatted():
        relative = URL_FORMATS.get(value.format)
        if relative is not None and isinstance(value.value, str):
            url = _parse(value.pointer, value.value, relative)
            if url is not None:
                found[value.pointer] = url
    return found


def _link(urls: dict[str, Url], prefix: str, key: str) -> Url | None:
    return urls.get(f"{prefix}/{key}")


# --- FM302 unsupported-url-scheme --------------------------------------------


def _check_scheme(ctx: Context) -> Iterator[Diagnostic]:
    allowed = tuple(scheme.lower() for scheme in ctx.options["schemes"])
    for url in ctx.derived(all_urls).values():
        if url.scheme and url.scheme not in allowed:
            scheme = url.text[: len(url.scheme)]
            hint = ""
            if url.scheme.startswith("h"):
                from fmlint.schema.explain import suggest  # only a wrong scheme needs it

                hint = suggest(url.scheme, WEB_SCHEMES)
            if url.scheme == "javascript":
                hint = " (a `javascript:` link runs code instead of opening a page)"
            listed = " or ".join(allowed) if len(allowed) < 3 else ", ".join(allowed[:-1]) + " or " + allowed[-1]
            yield ctx.report(url.pointer, f"`{url.field}` must be an {listed} URL, not `{scheme}:`{hint}")


# --- FM303 insecure-url ------------------------------------------------------


def _check_http(ctx: Context) -> Iterator[Diagnostic]:
    for url in ctx.derived(all_urls).values():
        if url.scheme == "http":
            secure = "https" + url.text[len("http") :]
            edit = rewrite_scalar(ctx.doc, url.pointer, secure)
            fix = (
                None
                if edit is None
                else Fix("use https (check that the site serves the same page there)", (edit,), Applicability.UNSAFE)
            )
            yield ctx.report(
                url.pointer,
                f"`{url.field}` uses plain http: readers get no encryption and browsers may warn "
                "or block it; use https if the site serves it",
                fix=fix,
            )


# --- FM304 non-public-host ---------------------------------------------------


@lru_cache(maxsize=1024)  # a site's files link to the same few hosts
def _host_problem(host: str) -> str | None:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        if host == "localhost" or host.endswith(_LOCAL_SUFFIXES):
            return f"its host `{host}` is a local name that readers cannot reach"
        if "." not in host:
            return f"its host `{host}` is a single name, not a public domain: readers cannot reach it"
        return None
    if address.is_loopback or address.is_unspecified:
        return f"its host `{host}` is this computer's own address, which readers cannot reach"
    if address.is_private or address.is_link_local or address.is_reserved or address.is_multicast:
        return f"its host `{host}` is a private network address, which readers cannot reach"
    return f"its host `{host}` is an IP address: link to the site's domain name instead"


def _check_host(ctx: Context) -> Iterator[Diagnostic]:
    for url in ctx.derived(all_urls).values():
        problem = _host_problem(url.host) if url.host else None
        if problem is not None:
            yield ctx.report(url.pointer, f"`{url.field}`: {problem}")


# --- FM305 url-host-mismatch -------------------------------------------------


def _same_host(a: str, b: str, ignore_www: bool) -> bool:
    if ignore_www:
        a, b = a.removeprefix("www."), b.removeprefix("www.")
    return a == b


def _check_hosts_agree(ctx: Context) -> Iterator[Diagnostic]:
    ignore_www = bool(ctx.options["ignore-www"])
    urls = ctx.derived(all_urls)
    for prefix, _ in records(ctx.data) if urls else ():
        web, original = _link(urls, prefix, "webUrl"), _link(urls, prefix, "originalUrl")
        if web is None or original is None or not web.host or not original.host:
            continue
        if not _same_host(web.host, original.host, ignore_www):
            yield ctx.report(
                web.pointer,
                f"`{web.field}` is on `{web.host}` but `{original.field}` is on `{original.host}`: "
                "one of them may point at another article",
            )


# --- FM306 cdn-amp-url-mismatch ----------------------------------------------


def amp_cache_url(amp_url: str) -> str | None:
    """The AMP cache address of ``amp_url``: its host with ``-`` doubled and ``.`` turned into
    ``-`` under ``cdn.ampproject.org``, then ``/c/``, ``s/`` for https, and the URL without its
    scheme. ``None`` for a URL that has no host or is not http(s)."""
    parts = urlsplit(amp_url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in WEB_SCHEMES or not host or ":" in host:  # an IPv6 address has no cache name
        return None
    label = host.replace("-", "--").replace(".", "-")
    rest = amp_url.split("://", 1)[1]
    return f"https://{label}{AMP_CACHE}/c/{'s/' if scheme == 'https' else ''}{rest}"


def _same_cache_url(actual: str, expected: str) -> bool:
    """Equal, except that the scheme and the cache host may differ in case (as host names do)."""
    head = expected.index("/c/")
    return actual[:head].lower() == expected[:head].lower() and actual[head:] == expected[head:]


def _check_amp_cache(ctx: Context) -> Iterator[Diagnostic]:
    urls = ctx.derived(all_urls)
    for prefix, record in records(ctx.data) if urls else ():
        cdn = _link(urls, prefix, "cdnAmpWebUrl")
        if cdn is None:
            continue
        pointer, cdn_text = cdn.pointer, cdn.text
        if "ampWebUrl" not in record:
            yield ctx.report(
                pointer,
                f"`{field_name(pointer)}` is set but `ampWebUrl` is not: the cache address has no page to serve",
            )
            continue
        amp = _link(urls, prefix, "ampWebUrl")
        expected = None if amp is None else amp_cache_url(amp.text)
        if expected is None or _same_cache_url(cdn_text, expected):
            continue
        edit = rewrite_scalar(ctx.doc, pointer, expected)
        fix = None if edit is None else Fix("write the AMP cache address of ampWebUrl", (edit,))
        yield ctx.report(
            pointer,
            f"`{field_name(pointer)}` is not the AMP cache address of `ampWebUrl`: expected `{expected}`",
            fix=fix,
        )


# --- FM307 provider-domain-mismatch ------------------------------------------


def _within(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def _check_provider(ctx: Context) -> Iterator[Diagnostic]:
    platforms = [str(name).strip().lower().rstrip(".") for name in ctx.options["video-hosts"]]
    urls = ctx.derived(all_urls)
    for prefix, record in records(ctx.data) if urls else ():
        provider = record.get("provider")
        domain = text_field(provider, "domain") if isinstance(provider, dict) else None
        if domain is None or not domain.strip():
            continue
        wanted = domain.strip().lower().rstrip(".")
        links = [url for key in ("webUrl", "originalUrl") if (url := _link(urls, prefix, key)) and url.host]
        if not links or any(_within(url.host, wanted) for url in links):
            continue
        on_platform = all(any(_within(url.host, name) for name in platforms) for url in links)
        if on_platform and record.get("type") == "video":
            continue  # the platform hosts the video; the provider is whoever published it
        hint = " (a video on a video platform should have `type: video`)" if on_platform else ""
        yield ctx.report(
            f"{prefix}/provider/domain",
            f"`{field_name(prefix + '/provider/domain')}` is `{domain}` but `{links[0].field}` is on "
            f"`{links[0].host}`: the domain should be that host or a parent domain of it{hint}",
        )


# --- the rules ---------------------------------------------------------------

_HEAD = '---\ntitle: "An article"\npublishedDateTime: 2022-06-21T16:00:00Z\nwebUrl: "https://example.com/an-article"\n'
_PROVIDER = "provider: {name: Example News, domain: example.com}\n"
_GOOD = example(_HEAD + _PROVIDER + "---\n")
_AMP = (
    'ampWebUrl: "https://www.example-news.com/an-article/amp/"\n'
    'cdnAmpWebUrl: "https://www-example--news-com.cdn.ampproject.org/c/s/www.example-news.com/an-article/amp/"\n'
)


_VIDEO = Example(
    _HEAD.replace("webUrl", "originalUrl").replace("example.com/an-article", "youtube.com/watch?v=abc")
    + "type: video\n"
    + _PROVIDER
    + "---\n",
    "video.md",
)


def _with(lines: str, provider: str = _PROVIDER) -> tuple[Example, ...]:
    return example(_HEAD + lines + provider + "---\n")


RULES = (
    Rule(
        code="FM302",
        name="unsupported-url-scheme",
        severity=Severity.ERROR,
        summary="A URL is not http or https (`javascript:`, `ftp:`, a typo such as `htps:`).",
        what="Reports every URL whose scheme is neither `http` nor `https`. A URL is any value the "
        "schema gives the format `uri`, `iri`, `uri-reference` or `iri-reference`, whatever its field "
        "is called (in the built-in schema: the article's links and image URLs, and the same in related "
        "links). Paths on the site (`/assets/logo.jpg`, where the format is a reference) have no "
        "scheme and are fine.",
        why="Readers follow these links in a browser: `ftp:` and `mailto:` do not open an article, "
        "`javascript:` runs code, and `htps:` is a dead link. A site whose own schema has fields "
        "that hold other kinds of URI (`mailto:` for an author, `urn:` identifiers) lists the schemes "
        "it allows in the option `schemes`.",
        bad=_with('originalUrl: "htps://example.com/an-article"\n'),
        good=_GOOD,
        stage="document",
        check=_check_scheme,
        options=(Option("schemes", list, ["http", "https"], "the schemes a URL may use", items=str),),
    ),
    Rule(
        code="FM303",
        name="insecure-url",
        severity=Severity.WARNING,
        summary="A URL uses plain `http` instead of `https`.",
        what="Reports every URL (a value whose schema format is `uri`, `iri`, `uri-reference` or "
        "`iri-reference`) that starts with `http:`. The fix rewrites it to `https:`; it is "
        "unsafe (applied only with --unsafe-fixes) because only the site knows whether it serves "
        "the same page over https.",
        why="Browsers mark plain http pages as not secure and block http images on https pages "
        "(mixed content); nearly every site serves https today.",
        bad=_with("images:\n  - url: http://example.com/lead.jpg\n"),
        good=example(_HEAD + _PROVIDER + "images:\n  - url: https://example.com/lead.jpg\n---\n"),
        stage="document",
        check=_check_http,
        fixable=True,
    ),
    Rule(
        code="FM304",
        name="non-public-host",
        severity=Severity.WARNING,
        summary="A URL points at `localhost`, an IP address or a private network.",
        what="Reports URLs (values whose schema format is a URL format) whose host is `localhost` or "
        "another local name (`.local`, `.internal`, "
        "`.home.arpa`, `.lan`, a name without a dot), a private, loopback or link-local address "
        "(`10.0.0.5`, `192.168.1.2`, `[::1]`), or any IP address.",
        why="Such links work on the author's machine or office network and nowhere else; a public "
        "IP address breaks as soon as the site moves to another server.",
        bad=_with("images:\n  - url: https://192.168.1.20/lead.jpg\n"),
        good=_GOOD,
        stage="document",
        check=_check_host,
    ),
    Rule(
        code="FM305",
        name="url-host-mismatch",
        severity=Severity.WARNING,
        summary="`webUrl` and `originalUrl` are on different hosts.",
        what="Reports a record (the article or a related link) whose `webUrl` and `originalUrl` name "
        "different hosts, at `webUrl`; both must be URLs by the schema's format (with a schema that "
        "does not call them URLs, nothing is compared). With `ignore-www` (the default), `www.example.com` and "
        "`example.com` count as the same host.",
        why="Both fields address the same article, so they normally agree; a different host usually "
        "means one of them was copied from another record.",
        bad=_with('originalUrl: "https://other.example.org/an-article"\n'),
        good=_with('originalUrl: "https://www.example.com/an-article"\n'),
        stage="document",
        check=_check_hosts_agree,
        options=(Option("ignore-www", bool, True, "treat `www.example.com` and `example.com` as the same host"),),
    ),
    Rule(
        code="FM306",
        name="cdn-amp-url-mismatch",
        severity=Severity.ERROR,
        summary="`cdnAmpWebUrl` is not the AMP cache address of `ampWebUrl`.",
        what="Computes the AMP cache address of `ampWebUrl` (its host with every `-` doubled and every "
        "`.` turned into `-`, under `.cdn.ampproject.org`, then `/c/`, then `s/` for an https URL, "
        "then the URL without its scheme) and reports `cdnAmpWebUrl` when it differs, with the "
        "expected value; the fix writes it. Also reports a `cdnAmpWebUrl` without an `ampWebUrl`.",
        why="The cache address is derived from the AMP address; when they disagree, readers on the "
        "cache see another page or an error.",
        bad=_with(_AMP.replace("www-example--news-com", "www-example-news-com")),
        good=_with(_AMP),
        stage="document",
        check=_check_amp_cache,
        fixable=True,
    ),
    Rule(
        code="FM307",
        name="provider-domain-mismatch",
        severity=Severity.WARNING,
        summary="`provider.domain` is not the host of the article's URL or a parent domain of it.",
        what="Reports `provider.domain` (in the article and in each related link) when neither the "
        "`webUrl` nor the `originalUrl` host is that domain or under it (`forbes.com` matches "
        "`www.forbes.com`). A record with `type: video` hosted on a video platform "
        "(`video-hosts`) is not reported: the platform is not the publisher.",
        why="The provider's domain is shown to readers as where the article comes from and is used "
        "to find the provider's logo; a wrong one credits the wrong publisher.",
        bad=_with("", "provider: {name: Example News, domain: example.org}\n"),
        good=(*_GOOD, _VIDEO),
        stage="document",
        check=_check_provider,
        options=(
            Option(
                "video-hosts",
                list,
                ["youtube.com", "youtu.be", "vimeo.com", "dailymotion.com", "twitch.tv"],
                "video platforms: a `type: video` record hosted there may name another provider",
                items=str,
            ),
        ),
    ),
)
