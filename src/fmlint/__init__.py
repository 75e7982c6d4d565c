"""fmlint: validate and lint the YAML front-matter of article files.

The Python API is :func:`lint_paths` and :func:`lint_text` (see :mod:`fmlint.api`); they are
imported when first used, so a run of the command line does not pay for them.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["__version__", "lint_paths", "lint_text"]


def __getattr__(name: str) -> Any:
    if name in ("lint_paths", "lint_text"):
        from fmlint import api

        return getattr(api, name)
    raise AttributeError(f"module 'fmlint' has no attribute {name!r}")
