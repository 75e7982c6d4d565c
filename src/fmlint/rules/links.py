"""FM8xx: live links (opt-in, ``fmlint check --links``): dead, moved and unreachable URLs.

Each file keeps its links with their positions: every value its schema gives a URL
format (``uri``, ``iri``, ``uri-reference``, ``iri-reference``) that is an http(s) URL or
a path on the site. Once the whole run has been read, every distinct URL
is checked once (:mod:`fmlint.links.check`) and each use of it gets the finding.
Site-relative paths are checked against the files of the site, without a network.
All FM8 rules share one collection and one check per run, and need the run's link
settings (``Settings.links``, which the command line makes): without them they find nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from fmlint.diagnostic import Applicability, Diagnostic, Edit, Fix, Severity
from fmlint.pipeline.document import Document, Position
from fmlint.rules.base import Context, CorpusContext, Example, Rule, article_with, make_diagnostic
from fmlint.rules.values import field_name, is_tagged

_PLAIN = re.compile(r"[A-Za-z0-9/][^\s#]*\Z")


def _collect(ctx: Context) -> tuple[Any, ...] | None:
    """Each link of the file: pointer, text, kind (``web``/``site``), position, and where a fix
    would write (start, end, quoting) or ``None``; found once for all the FM8 rules."""
    return ctx.derived(_links)


def _links(ctx: Context) -> tuple[Any, ...] | None:
    from fmlint.links.fields import link_kind
    from fmlint.rules.urls import URL_FORMATS

    found = []
    for pointer, value in ctx.values_with_format(URL_FORMATS):
        kind = link_kind(value) if isinstance(value, str) else None
        if kind is None:
            continue
        text = value.strip()
        at = ctx.position(pointer)
        fix_at = _where_to_write(ctx.doc, pointer, text) if kind == "web" else None
        found.append((pointer, text, kind, (at.line, at.column, at.end_line, at.end_column), fix_at))
    return tuple(found) or None


def _where_to_write(doc: Document, pointer: str, text: str) -> tuple[int, int, str] | None:
    """The characters a new URL would replace (inside the quotes, if any) and the quoting, or
    ``None`` when the value is written some other way (a block scalar, an alias, escapes). The
    fixer checks the file it would write before writing it."""
    offsets, style = doc.value_offsets(pointer), doc.style(pointer)
    if offsets is None or style not in ("", "'", '"'):
        return None
    start, end = offsets
    written = doc.text[start:end]
    if style and written.endswith(style) and written[written.find(style) + 1 : -1] == text:
        return start + written.find(style) + 1, end - 1, style
    if not style and written.endswith(text) and not is_tagged(doc, pointer):
        return end - len(text), end, style
    return None


def _verdicts(ctx: CorpusContext) -> dict[tuple[str, str], Any]:
    """``(kind, text)`` -> the verdict on that link, computed once per cross-file pass."""
    shared = ctx.shared
    if "links" in shared:
        return shared["links"]  # type: ignore[no-any-return]
    from fmlint.links.check import check_urls
    from fmlint.links.site import missing_file
    from fmlint.links.verdict import MISSING_FILE, Verdict

    settings = getattr(ctx.settings, "links", None)
    verdicts: dict[tuple[str, str], Any] = {}
    shared["links"] = verdicts
    if settings is None:  # linted without the run's link settings (the command line makes them)
        return verdicts
    web = {text for fact in ctx.facts for _, text, kind, _, _ in fact.value if kind == "web"}
    site = {text for fact in ctx.facts for _, text, kind, _, _ in fact.value if kind == "site"}
    for text in site:
        problem = missing_file(settings.site_root, text)
        verdicts["site", text] = Verdict(MISSING_FILE, problem) if problem else None
    if web:
        for url, verdict in check_urls(sorted(web), settings).items():
            verdicts["web", url] = verdict
    ctx.volatile()  # answers come from servers and other files: the run's outcome is never reused
    return verdicts


def _finish(ctx: CorpusContext) -> Iterator[Diagnostic]:
    verdicts = _verdicts(ctx)
    for fact in ctx.facts:
        for pointer, text, kind, where, fix_at in fact.value:
            verdict = verdicts.get((kind, text))
            if verdict is None or verdict.code != ctx.rule.code:
                continue
            fix = None
            if verdict.moved_to is not None and fix_at is not None:
                fix = _rewrite(fix_at, verdict.moved_to)
            message = f"`{field_name(pointer)}`: {verdict.message}"
            yield make_diagnostic(ctx.rule, fact.path, Position(*where), pointer, message, fix)


def _rewrite(fix_at: tuple[int, int, str], url: str) -> Fix:
    """The unsafe fix writing ``url`` in place of the old one, quoted as the old one was."""
    start, end, style = fix_at
    if style == "'":
        text = url.replace("'", "''")
    elif style == '"' or not _PLAIN.match(url) or ": " in url:
        text = url.replace("\\", "\\\\").replace('"', '\\"')
        text = text if style == '"' else f'"{text}"'
    else:
        text = url
    # Unsafe: the server says where the page is now, but only a person can tell that it is
    # still the same page (a redirect to a home page is a dead link in disguise).
    return Fix(f"write the new address {url}", (Edit(start, end, text),), Applicability.UNSAFE)


def _rule(code: str, name: str, severity: Severity, stage: str, **docs: Any) -> Rule:
    return Rule(
        code=code,
        name=name,
        severity=severity,
        stage=stage,
        collect=_collect,
        finish=_finish,
        default_enabled=False,
        **docs,
    )


_ENABLE = (
    " Opt-in: `fmlint check --links` (or `--extend-select FM8`) turns the FM8 rules on; "
    "without them fmlint never uses the network."
)


def _image(url: str) -> tuple[Example, ...]:
    return article_with(f"images:\n  - url: {url}\n")


RULES = (
    _rule(
        "FM801",
        "dead-link",
        Severity.ERROR,
        "links",
        summary="A URL of the front-matter answers 404 Not Found or 410 Gone: the link is dead.",
        what="Requests every distinct URL of the run once (HEAD, and GET when HEAD is refused or "
        "fails) and reports each use of a URL whose server answers 404 or 410, after following "
        "its redirects, at the value." + _ENABLE,
        why="Link rot is the worst bad URL of an archive: well formed, and leading nowhere.",
        bad=_image("https://example.com/images/gone.png"),
        good=_image("https://example.com/images/here.png"),
    ),
    _rule(
        "FM802",
        "moved-link",
        Severity.WARNING,
        "links",
        summary="A URL redirects permanently (301, 308): the front-matter should hold the new address.",
        what="Reports a URL whose server answers with a permanent redirect (301 or 308), once every "
        "redirect has been followed and the last one answers well. The unsafe fix "
        "(`--fix --unsafe-fixes`) writes the address the permanent redirects lead to. Temporary "
        "redirects (302, 303, 307) are followed silently." + _ENABLE,
        why="Every reader pays the redirect, and an old address stops working when the site "
        "moves again or lets the redirect lapse.",
        bad=_image("https://example.com/images/old.png"),
        good=_image("https://example.com/images/here.png"),
        fixable=True,
    ),
    _rule(
        "FM803",
        "unchecked-link",
        Severity.WARNING,
        "links",
        summary="A URL could not be checked: server errors, rate limits, timeouts, DNS or TLS failures.",
        what="Reports a URL whose check had no usable answer: 5xx after the retries, still rate-limited "
        "(429, 503) after honouring `Retry-After`, a timeout, a name that does not resolve, a TLS "
        "failure, a status that is neither accepted nor a dead link (403, say), or, with `--offline`, "
        "no answer in the link cache. Such a link is not called dead." + _ENABLE,
        why="A link that cannot be checked may be dead or only unlucky: worth a look, not a failed run.",
        bad=_image("https://example.com/images/broken-server.png"),
        good=_image("https://example.com/images/here.png"),
    ),
    _rule(
        "FM804",
        "redirect-loop",
        Severity.WARNING,
        "links",
        summary="A URL's redirects lead back to an earlier address, or never end.",
        what="Reports a URL whose redirects come back to an address already visited, or go on for "
        "more than `max-redirects` (under `[tool.fmlint.links]`, default 10) hops." + _ENABLE,
        why="A browser gives up on such a link as it would on a dead one; some servers loop only "
        "for clients without cookies, so it is a warning.",
        bad=_image("https://example.com/images/loop.png"),
        good=_image("https://example.com/images/here.png"),
    ),
    _rule(
        "FM805",
        "private-link",
        Severity.WARNING,
        "links",
        summary="A URL's host is not public (loopback, private, link-local): it is not requested.",
        what="Reports a URL whose host is, or resolves to, a loopback, private, link-local (such as "
        "the cloud metadata address 169.254.169.254), shared or reserved address, or a local name "
        "(`localhost`, `*.internal`), and is not listed in `allow-private-hosts` under "
        "`[tool.fmlint]`; a redirect to such an address is refused the same way. No request is "
        "sent." + _ENABLE,
        why="A committed article must not make CI probe its own network; and a link to a private "
        "address does not work for readers anyway.",
        bad=_image("http://169.254.169.254/latest/meta-data/"),
        good=_image("https://example.com/images/here.png"),
    ),
    _rule(
        "FM806",
        "missing-site-file",
        Severity.ERROR,
        "links",
        summary="A site-relative link (`/assets/…`) names no file of the site.",
        what="Checks every site-relative link against the files under the site root (the "
        "configuration file's folder, or `site-root` under `[tool.fmlint.links]`), without any "
        "network. A page address may name its source (`/about` is `about.md`, `about.html` or "
        "`about/index.html`). Paths are resolved as a browser does (`/../x` is `/x`) and never "
        "outside the site root." + _ENABLE,
        why="An image or page that is not in the site is a broken link on every page that uses it.",
        bad=_image("/assets/images/no-such-logo.png"),
        good=_image("https://example.com/images/here.png"),
    ),
)
