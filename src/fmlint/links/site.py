"""Site-relative links (``/assets/images/logo.png``): checked against the files of the site.

Nothing is read and nothing outside the site root is looked at: the path is
resolved the way a browser resolves it (``/../x`` is ``/x``), joined to the site
root, and its real path (symbolic links followed) must stay inside the root.
"""

from __future__ import annotations

import os
import posixpath
from urllib.parse import unquote, urlsplit

# What a page's address may be the file of, in a static site's sources.
_PAGE_SUFFIXES = ("", ".html", ".md", ".markdown", "/index.html", "/index.md")


def missing_file(root: str, url: str) -> str | None:
    """Why ``url`` names no file of the site at ``root``, or ``None`` when it does."""
    try:
        path = unquote(urlsplit(url).path, errors="strict")
    except (ValueError, UnicodeError):
        return f"{url} is not a path fmlint can read"
    if "\x00" in path:
        return f"{url} is not a path fmlint can read"
    relative = posixpath.normpath("/" + path).lstrip("/")
    real_root = os.path.realpath(root)
    if not relative or relative == ".":
        return None  # the site's home page
    wanted = os.path.join(real_root, *relative.split("/"))
    for suffix in _PAGE_SUFFIXES if not os.path.splitext(relative)[1] else ("",):
        candidate = wanted + suffix.replace("/", os.sep)
        real = os.path.realpath(candidate)
        if real != real_root and not real.startswith(real_root.rstrip(os.sep) + os.sep):
            return f"{url} leads outside the site root {root}"
        if os.path.exists(real):
            return None
    return f"{url}: no file {relative} in the site root {root}"
