"""Which values of the front-matter are links.

The values are those the file's schema gives a URL format (see
:mod:`fmlint.rules.links`); each that is an http(s) URL or a site-relative path
(``/assets/…``) is a link.
"""

from __future__ import annotations


def link_kind(text: str) -> str | None:
    """``"web"`` for an http(s) URL, ``"site"`` for a path on the site, ``None`` for anything else
    (another scheme, a relative path, a malformed URL: the URL rules speak of those)."""
    value = text.strip()
    lower = value[:8].lower()
    if lower.startswith(("http://", "https://")):
        return "web"
    if value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return "site"
    return None
