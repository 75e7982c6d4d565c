"""How CI tools name a finding: a portable path, and a fingerprint stable across runs.

Code-quality dashboards (GitLab, GitHub code scanning) compare the findings of two
runs to tell new problems from old ones, by fingerprint. A fingerprint therefore
hashes what identifies the problem and nothing that moves when unrelated things
change:

- in: the file's path relative to the checkout, the rule code, and the JSON pointer
  of the field (the field is the same finding even when lines above it are added);
- out: line and column (they shift when the file is edited elsewhere), the message
  (its wording may improve between fmlint versions, and it quotes values), the
  severity (configuration), and where the checkout lives on the CI machine.

Findings that share path, code and pointer are told apart by their order.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable

from fmlint.diagnostic import Diagnostic

_VERSION = "fmlint-fingerprint-1"  # change when what goes into the hash changes


def portable_path(path: str) -> str:
    """``path`` with ``/`` separators, relative to the working directory when it lies inside it."""
    if os.path.isabs(path):
        try:
            relative = os.path.relpath(path)
        except ValueError:  # another drive, on Windows
            relative = ".."
        if relative != ".." and not relative.startswith(".." + os.sep):
            path = relative
    path = path.replace(os.sep, "/")
    while path.startswith("./"):
        path = path[2:]
    return path


def fingerprints(diagnostics: Iterable[Diagnostic]) -> list[str]:
    """A stable fingerprint for each diagnostic, in order (see the module docstring)."""
    seen: dict[tuple[str, str, str], int] = {}
    found = []
    for diagnostic in diagnostics:
        key = (portable_path(diagnostic.path), diagnostic.code, diagnostic.pointer)
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        text = "\0".join((_VERSION, *key, str(occurrence)))
        found.append(hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:32])
    return found
