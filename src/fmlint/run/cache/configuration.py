"""The name of a configuration's cache folder: a hash of everything a result depends on
besides the file itself and ``now``."""

from __future__ import annotations

import os
import sys

from fmlint import __version__

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from fmlint.pipeline.settings import Settings

FORMAT = 5  # of the cache's files: a new one makes every configuration's folder a new one


def configuration_key(settings: Settings, cwd: str, extra: Any = ()) -> str:
    """A short stable name for everything a result depends on besides the file and ``now``.

    ``extra`` holds any other setting that changes results."""
    parts: list[Any] = [FORMAT, __version__, sys.version, _code_fingerprint(), _libraries(), cwd, _canonical(extra)]
    for name in settings._fields:
        if name not in ("now", "show_traceback"):
            parts.append((name, _canonical(getattr(settings, name))))
    key: str = blake2b()(repr(parts).encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()
    return key


def _canonical(value: Any) -> Any:
    """``value`` as nested tuples whose ``repr`` is stable (sets and mappings sorted)."""
    names = getattr(value, "_fields", None)  # a NamedTuple, or a class that lists its fields alike
    if isinstance(names, tuple) and not isinstance(value, type):
        # Private fields hold compiled forms (validators), not configuration.
        public = (name for name in names if not name.startswith("_"))
        return (type(value).__qualname__, tuple((name, _canonical(getattr(value, name))) for name in public))
    if isinstance(value, dict):
        return ("dict", tuple(sorted((repr(key), _canonical(item)) for key, item in value.items())))
    if isinstance(value, (set, frozenset)):
        return ("set", tuple(sorted(repr(_canonical(item)) for item in value)))
    if isinstance(value, (list, tuple)):
        return ("list", tuple(_canonical(item) for item in value))
    return repr(value)


def _code_fingerprint() -> tuple[tuple[str, int, int], ...]:
    """Name, size and mtime of fmlint's own files: an edited rule invalidates the cache even
    when the version number stays the same."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    found = []
    stack = [package]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False) and entry.name != "__pycache__":
                        stack.append(entry.path)
                    elif entry.name.endswith((".py", ".json")):
                        info = entry.stat()
                        found.append((entry.path[len(package) :], info.st_size, info.st_mtime_ns))
        except OSError:
            continue
    return tuple(sorted(found))


def _libraries() -> tuple[str, ...]:
    """The installed versions of the libraries whose behaviour reaches the findings (PyYAML
    reads what the fast reader declines; jsonschema-rs decides and explains the schema check), read
    from the names of their ``.dist-info`` folders, without importing them."""
    from importlib.machinery import PathFinder

    folders = set()
    for name in ("yaml", "jsonschema_rs"):
        spec = PathFinder.find_spec(name)
        if spec is not None and spec.origin:
            folders.add(os.path.dirname(os.path.dirname(spec.origin)))
    found: list[str] = []
    for folder in sorted(folders):
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        found.extend(name for name in names if name.lower().startswith(_LIBRARIES) and name.endswith(".dist-info"))
    return tuple(sorted(found))


_LIBRARIES = ("pyyaml-", "jsonschema_rs-")


def blake2b() -> Any:
    try:  # hashlib itself loads OpenSSL, a tenth of the time of linting one file
        from _blake2 import blake2b
    except ImportError:  # pragma: no cover - a Python built without its own BLAKE2
        from hashlib import blake2b
    return blake2b
