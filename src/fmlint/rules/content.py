"""FM6xx: the article's content fields: images, the secured payload, related links, topics.

The schema checks their shape (types, required fields, empty values, exact
duplicate topics); these rules check what a careful editor would, and never report
again what the schema already reports.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from fmlint.diagnostic import Diagnostic, Severity
from fmlint.rules.across import ARTICLE_URLS, url_key
from fmlint.rules.base import Context, Rule, article_with
from fmlint.rules.values import field_name, records

# --- FM601 invalid-secured ---------------------------------------------------------------

_BLOCK = 16  # AES: the payload is whole blocks, the initialisation vector one block
_PARTS = ("the first part (the encrypted payload)", "the second part (the initialisation vector)")
_NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/=]")


def secured_problem(value: str) -> str | None:
    """What is wrong with a `secured` value, or None when it is `base64;base64` of the right sizes."""
    parts = value.split(";")
    if len(parts) != 2:
        found = "no `;`" if len(parts) == 1 else f"{len(parts) - 1} `;`"
        return (
            "`secured` must be two base64 parts separated by one `;` (the encrypted payload, then its "
            f"16-byte initialisation vector), but it has {found}"
        )
    sizes = []
    for label, part in zip(_PARTS, parts, strict=True):
        decoded, problem = _decode(part)
        if problem is not None:
            return f"{label} of `secured` {problem}"
        sizes.append(len(decoded))
    if sizes[0] == 0 or sizes[0] % _BLOCK:
        return f"{_PARTS[0]} of `secured` decodes to {sizes[0]} bytes, not a non-zero multiple of {_BLOCK}"
    if sizes[1] != _BLOCK:
        return f"{_PARTS[1]} of `secured` decodes to {sizes[1]} bytes, not {_BLOCK}"
    return None


def _decode(part: str) -> tuple[bytes, str | None]:
    if not part:
        return b"", "is empty"
    stray = _NOT_BASE64.search(part)
    if stray is not None:
        return b"", f"is not base64: {stray.group()!r} at character {stray.start() + 1} is not a base64 character"
    import binascii
    from base64 import b64decode  # only an image given as a data URI needs it

    try:
        return b64decode(part, validate=True), None
    except binascii.Error:
        return b"", f"is not base64: {len(part)} characters with misplaced or missing `=` padding"


def _check_secured(ctx: Context) -> Iterator[Diagnostic]:
    value = ctx.data.get("secured")
    if isinstance(value, str):
        problem = secured_problem(value)
        if problem is not None:
            yield ctx.report("/secured", problem)


# --- FM602 duplicate-related-link, FM603 self-related-link ------------------------------


def _related_links(data: dict[str, Any]) -> Iterator[tuple[int, dict[str, Any]]]:
    for prefix, link in records(data):
        if prefix:
            yield int(prefix.rsplit("/", 1)[1]), link


def _url(record: dict[str, Any], name: str) -> str | None:
    value = record.get(name)
    return value if isinstance(value, str) and value.strip() else None


def _check_duplicate_related(ctx: Context) -> Iterator[Diagnostic]:
    first: dict[str, int] = {}
    for index, link in _related_links(ctx.data):
        url = _url(link, "webUrl")
        if url is None:
            continue
        key = url_key(url)
        if key in first:
            line = ctx.position(f"/related/{first[key]}/webUrl").line
            yield ctx.report(
                f"/related/{index}/webUrl",
                f"`related[{index}]` links to {url} again, like `related[{first[key]}]` (line {line}); "
                f"remove one of them",
            )
        else:
            first[key] = index


def _check_self_related(ctx: Context) -> Iterator[Diagnostic]:
    if not isinstance(ctx.data.get("related"), list):
        return
    own = {url_key(url): name for name in ARTICLE_URLS if (url := _url(ctx.data, name)) is not None}
    for index, link in _related_links(ctx.data):
        for name in ("webUrl", "originalUrl"):
            url = _url(link, name)
            if url is not None and url_key(url) in own:
                yield ctx.report(
                    f"/related/{index}/{name}",
                    f"`related[{index}]` links to this article itself (its `{own[url_key(url)]}`); "
                    f"a related link should point at another article",
                )
                break


# --- FM604 untidy-topic, FM605 near-duplicate-topic -------------------------------------


def _topics(data: dict[str, Any]) -> Iterator[tuple[int, str]]:
    topics = data.get("topics")
    if isinstance(topics, list):
        for index, topic in enumerate(topics):
            if isinstance(topic, str) and topic:  # the schema reports other types and ""
                yield index, topic


def _check_untidy_topics(ctx: Context) -> Iterator[Diagnostic]:
    for index, topic in _topics(ctx.data):
        if not topic.strip():
            yield ctx.report(f"/topics/{index}", f"`topics[{index}]` is only white space")
        elif topic != topic.strip():
            yield ctx.report(
                f"/topics/{index}",
                f"`topics[{index}]` {topic!r} starts or ends with white space; write {topic.strip()!r}",
            )


def topic_key(topic: str) -> str:
    return " ".join(topic.split()).casefold()


def _check_near_duplicate_topics(ctx: Context) -> Iterator[Diagnostic]:
    first: dict[str, tuple[int, str]] = {}
    for index, topic in _topics(ctx.data):
        key = topic_key(topic)
        if not key:
            continue
        if key not in first:
            first[key] = (index, topic)
        elif topic != first[key][1]:  # exact repeats are the schema's (FM210)
            earlier, written = first[key]
            yield ctx.report(
                f"/topics/{index}",
                f"`topics[{index}]` {topic!r} is the same topic as `topics[{earlier}]` {written!r} "
                f"but for case or spacing; keep one spelling",
            )


# --- FM606 incomplete-image-size ---------------------------------------------------------


def _images(data: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every image: the article's, its provider's, and those of each related link."""
    for prefix, record in records(data):
        provider = record.get("provider")
        lists = [(f"{prefix}/images", record.get("images"))]
        if isinstance(provider, dict):
            lists.append((f"{prefix}/provider/images", provider.get("images")))
        for pointer, images in lists:
            if isinstance(images, list):
                for index, image in enumerate(images):
                    if isinstance(image, dict):
                        yield f"{pointer}/{index}", image


def _check_image_size(ctx: Context) -> Iterator[Diagnostic]:
    for pointer, image in _images(ctx.data):
        if ("width" in image) != ("height" in image):
            given, missing = ("width", "height") if "width" in image else ("height", "width")
            yield ctx.report(
                f"{pointer}/{given}",
                f"`{field_name(pointer)}` has a `{given}` but no `{missing}`; give both, or neither",
            )


RULES = (
    Rule(
        code="FM601",
        name="invalid-secured",
        severity=Severity.WARNING,
        summary="`secured` is not `base64;base64` with a payload of whole 16-byte blocks and a 16-byte IV.",
        what="Checks that `secured` is two standard base64 texts separated by one `;`: the first (the "
        "encrypted payload) must decode to a non-zero multiple of 16 bytes, the second (the "
        "initialisation vector) to exactly 16 bytes. The message names the part that is wrong.",
        why="The payload is encrypted in 16-byte blocks (as AES is); a truncated or re-encoded value "
        "cannot be decrypted, and the page shows nothing where the protected content should be.",
        bad=article_with('secured: "LF9kwNXAnuxuF+SaKNeNWg==;fev0NSB0RHqR2mUi"\n'),
        good=article_with('secured: "LF9kwNXAnuxuF+SaKNeNWg==;fev0NSB0RHqR2mUiPbNrpw=="\n'),
        stage="document",
        check=_check_secured,
    ),
    Rule(
        code="FM602",
        name="duplicate-related-link",
        severity=Severity.WARNING,
        summary="Two related links have the same `webUrl`.",
        what="Reports a related link whose `webUrl` an earlier related link already has, at the later "
        "one, naming the first. URLs are compared as FM701 compares them (scheme and host in any case, "
        "no trailing `/`).",
        why="The same story listed twice under 'related' looks like a mistake to readers.",
        bad=article_with(
            "related:\n"
            '  - {title: "Another view", webUrl: "https://example.org/story"}\n'
            '  - {title: "Another view, again", webUrl: "https://example.org/story/"}\n'
        ),
        good=article_with(
            "related:\n"
            '  - {title: "Another view", webUrl: "https://example.org/story"}\n'
            '  - {title: "A third view", webUrl: "https://example.net/story"}\n'
        ),
        stage="document",
        check=_check_duplicate_related,
    ),
    Rule(
        code="FM603",
        name="self-related-link",
        severity=Severity.WARNING,
        summary="A related link points at the article itself.",
        what="Reports a related link whose `webUrl` or `originalUrl` is the article's own `webUrl` or "
        "`originalUrl` (compared as FM701 compares URLs).",
        why="A link from an article to itself under 'related' wastes the reader's click.",
        bad=article_with('related:\n  - {title: "An article", webUrl: "https://example.com/an-article"}\n'),
        good=article_with('related:\n  - {title: "Another view", webUrl: "https://example.org/story"}\n'),
        stage="document",
        check=_check_self_related,
    ),
    Rule(
        code="FM604",
        name="untidy-topic",
        severity=Severity.WARNING,
        summary="A topic is only white space, or starts or ends with it.",
        what="Reports a topic that is only spaces (the schema reports an empty one, FM206) and a topic "
        "with leading or trailing white space.",
        why="`' AI'` and `'AI'` become two topic pages; a blank topic is an empty link.",
        bad=article_with('topics: ["AI ", Cloud]\n'),
        good=article_with("topics: [AI, Cloud]\n"),
        stage="document",
        check=_check_untidy_topics,
    ),
    Rule(
        code="FM605",
        name="near-duplicate-topic",
        severity=Severity.WARNING,
        summary="Two topics differ only in case or spacing (`AI` and `ai`).",
        what="Reports a topic equal to an earlier one once case and white space are ignored. Exact "
        "repeats are reported by the schema (FM210), not here.",
        why="Case variants of one topic split its articles across two topic pages.",
        bad=article_with("topics: [Power Apps, power  apps]\n"),
        good=article_with("topics: [Power Apps, Power Automate]\n"),
        stage="document",
        check=_check_near_duplicate_topics,
    ),
    Rule(
        code="FM606",
        name="incomplete-image-size",
        severity=Severity.WARNING,
        summary="An image has a `width` but no `height`, or a `height` but no `width`.",
        what="Reports each image (the article's, its provider's logos, and those of related links) "
        "that gives one dimension without the other. That each is a positive integer is the schema's "
        "check (FM202, FM203).",
        why="A page reserves space for an image only when it knows both sizes; with one, the layout "
        "jumps when the image loads, or the image is stretched.",
        bad=article_with('images:\n  - {url: "https://example.com/lead.jpg", width: 1200}\n'),
        good=article_with('images:\n  - {url: "https://example.com/lead.jpg", width: 1200, height: 800}\n'),
        stage="document",
        check=_check_image_size,
    ),
)
