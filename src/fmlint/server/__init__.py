"""``fmlint server``: a language server over standard input and output.

The server needs ``pygls`` and ``lsprotocol``, installed with ``pip install
'fmlint[server]'``; ``fmlint check`` never imports them.
"""

from __future__ import annotations

import sys

INSTALL_HINT = "fmlint server needs pygls and lsprotocol: install them with `pip install 'fmlint[server]'`"


def missing_dependency() -> str | None:
    """The module the server cannot import, if any."""
    import importlib

    for name in ("lsprotocol", "pygls"):
        try:
            importlib.import_module(name)
        except ImportError:
            return name
    return None


def serve() -> int:
    """Run the server on stdin and stdout until the client asks it to exit."""
    missing = missing_dependency()
    if missing is not None:
        print(f"fmlint: error: {INSTALL_HINT} (`{missing}` is missing)", file=sys.stderr)
        return 2
    import logging

    from fmlint.server.app import server

    # The protocol owns stdout: logs go to stderr, which editors show as the server's log.
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="fmlint server: %(message)s")
    server.start_io()
    return 0
