"""FM7xx: problems that only show across the files of a run, such as one article in two files.

Each file contributes a few small facts while it is linted (its URLs and their
lines); one pass over those facts at the end of the run finds the duplicates. No
file is read or parsed twice.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterator
from itertools import islice
from typing import Any
from urllib.parse import urlsplit

from fmlint.diagnostic import Diagnostic, Severity
from fmlint.pipeline.document import Position
from fmlint.rules.base import Context, CorpusContext, Example, Option, Rule

ARTICLE_URLS = ("originalUrl", "webUrl")
_DEFAULT_PORTS = {"http": "80", "https": "443"}
_MAX_NAMED = 3  # how many other files a message names before it says "and N more"

_Url = tuple[Any, str, str, tuple[int, int, int, int]]  # path (or URL key), pointer, URL, position


def url_key(url: str) -> str:
    """The form under which two URLs count as the same article.

    Scheme and host are case-insensitive, `http` and `https` serve the same page, a
    default port is dropped, and so are the fragment and a trailing `/` on the path.
    The path and the query are kept as written: paths are case-sensitive on most
    servers, and a query often identifies the article (`?p=123`). `www.` is kept
    too, since a different host may serve a different site.
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return text
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return text
    host = parts.hostname
    if port is not None and str(port) != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    path = parts.path.rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    return f"http://{host}{path}{query}"


def _key_hash(key: str) -> int:
    """A URL key as 8 bytes' worth of int: 100,000 files keep these until the end of the run."""
    try:  # hashlib itself loads OpenSSL, which costs more than linting one file
        from _blake2 import blake2b
    except ImportError:  # pragma: no cover - a Python built without its own BLAKE2
        from hashlib import blake2b

    return int.from_bytes(blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big")


def _identity(path: str) -> Any:
    """What makes two names one file: its device and inode, as one number (a symbolic or hard
    link, or the same file named twice, is not a duplicate of itself); its real path when it
    cannot be stat'ed."""
    try:
        info = os.stat(path)
    except OSError:
        return os.path.realpath(path)
    return info.st_dev << 64 | info.st_ino


def _collect_urls(ctx: Context) -> tuple[Any, ...] | None:
    """The file's identity, then each distinct article URL in the order of its lines: the hash of
    its key, pointer, URL, position, four items each, in one flat tuple (every file's fact is kept
    to the end of the run, and a tuple per URL would weigh as much again)."""
    present = []
    for name in ctx.options["fields"]:
        url = ctx.data.get(name)
        if isinstance(url, str) and url.strip():
            at = ctx.position(f"/{name}")
            present.append(((at.line, at.column, at.end_line, at.end_column), f"/{name}", url))
    found: dict[int, _Url] = {}
    for where, pointer, url in sorted(present):
        key = _key_hash(url_key(url))
        found.setdefault(key, (key, pointer, url, where))
    return (_identity(ctx.doc.path), *(item for entry in found.values() for item in entry)) if found else None


def _urls(fact: tuple[Any, ...]) -> Iterator[_Url]:
    """The URLs of a fact of :func:`_collect_urls`."""
    for start in range(1, len(fact), 4):
        yield fact[start : start + 4]


def _find_duplicates(ctx: CorpusContext) -> Iterator[Diagnostic]:
    # A first pass finds the keys held more than once by sorting them (a list of references,
    # where a dict would keep an entry per key); only those keys get the lists and sets that
    # the messages need.
    keys = sorted(fact.value[start] for fact in ctx.facts for start in range(1, len(fact.value), 4))
    repeated = {key for key, after in zip(keys, islice(keys, 1, None), strict=False) if key == after}
    del keys
    if not repeated:
        return
    holders: dict[int, list[tuple[Any, _Url]]] = defaultdict(list)  # URL key -> (identity, entry)
    files: dict[int, set[Any]] = defaultdict(set)  # URL key -> identities of the files that have it
    for fact in ctx.facts:
        identity = fact.value[0]
        for key, pointer, url, where in _urls(fact.value):
            if key in repeated:
                holders[key].append((identity, (fact.path, pointer, url, where)))
                files[key].add(identity)
    shared = {key for key in repeated if len(files[key]) > 1}  # not one file named twice
    if not shared:
        return
    brings: dict[tuple[int, ...], bool] = {}
    for fact in ctx.facts:
        identity = fact.value[0]
        urls = list(_urls(fact.value))
        keys = [key for key, *_ in urls]
        for index, (key, pointer, url, where) in enumerate(urls):
            if key not in shared or (index and not _brings_others(files, keys[:index], key, identity, brings)):
                continue
            others = list(islice((entry for other, entry in holders[key] if other != identity), _MAX_NAMED))
            message = _message(fact.path, pointer, url, others, len(files[key]) - 1)
            yield ctx.report(fact.path, Position(*where), pointer, message)


def _brings_others(
    files: dict[int, set[Any]], earlier: list[int], key: int, identity: Any, cache: dict[tuple[int, ...], bool]
) -> bool:
    """Whether a file has ``key`` that has none of the ``earlier`` URLs: a file's later URL is reported
    only then. The answer depends on the URLs alone, so a thousand files sharing placeholder URLs cost
    one set comparison, not a million."""
    signature = (*earlier, key)
    if signature not in cache:
        # A key no other file has is held by this file alone (and so the signature is this file's).
        held = [files.get(other, {identity}) for other in earlier]
        known = held[0] if len(held) == 1 else set().union(*held)
        # More files than the earlier URLs had means a new one, without looking at any of them.
        cache[signature] = len(files[key]) > len(known) or any(other not in known for other in files[key])
    return cache[signature]


def _relative(other: str, path: str) -> str:
    """``other`` as seen from ``path``'s folder: the same in every checkout, whatever the current folder."""
    try:
        return os.path.relpath(other, os.path.dirname(path) or ".")
    except ValueError:  # another drive on Windows
        return other


def _message(path: str, pointer: str, url: str, others: list[_Url], count: int) -> str:
    named = [
        f"{_relative(other, path)} (line {where[0]}, `{other_pointer[1:]}`)"
        for other, other_pointer, _, where in others
    ]
    if count > len(named):
        more = count - len(named)
        named = [", ".join(named), f"{more} more file{'s' if more > 1 else ''}"]
    listed = ", ".join(named) if len(named) < 2 else f"{', '.join(named[:-1])} and {named[-1]}"
    return f"duplicate article: `{pointer[1:]}` {url} is also the URL of {listed}; keep one file, or correct the URL"


def _article(name: str, title: str, url: str) -> Example:
    text = (
        "---\n"
        f'title: "{title}"\n'
        "publishedDateTime: 2022-06-21T16:00:00Z\n"
        f'webUrl: "{url}"\n'
        "provider: {name: Example News, domain: example.com}\n"
        "---\n"
    )
    return Example(text, name)


RULES = (
    Rule(
        code="FM701",
        name="duplicate-article",
        severity=Severity.WARNING,
        summary="Two files of the run have the same `originalUrl` or `webUrl` (or `fields`): one article, twice.",
        what="Compares the `originalUrl` and `webUrl` (or the top-level `fields` set) of every file of "
        "the run and reports each file "
        "whose URL another file also has, at that URL, naming the other file and its line; both files "
        "get the warning (the other file is named relative to the folder of the file reported). URLs "
        "are compared with scheme and host in any case, `http` and `https` alike, without a default "
        "port, a fragment or a trailing `/`; path and query must match as written. Typical finds are "
        "a story imported twice a day apart (the second copy with a mangled title), and a post "
        "imported again months later under another title and date.",
        why="The same article in two files is listed twice on the site and in feeds, and the two "
        "copies drift apart when only one is corrected.",
        bad=(
            _article("power-apps-changes.md", "Power Apps changes", "https://example.com/a/"),
            _article("power-apps-changes-again.md", "Power Apps changes!", "https://EXAMPLE.com/a"),
        ),
        good=(
            _article("power-apps-changes.md", "Power Apps changes", "https://example.com/a"),
            _article("more-changes.md", "More changes", "https://example.com/b"),
        ),
        stage="corpus",
        collect=_collect_urls,
        finish=_find_duplicates,
        options=(
            Option(
                "fields",
                list,
                list(ARTICLE_URLS),
                "the top-level fields that name an article: two files with one of these URLs are one article",
                items=str,
            ),
        ),
    ),
)
