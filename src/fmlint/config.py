"""Read ``[tool.fmlint]`` from ``pyproject.toml`` and validate it.

The nearest ``pyproject.toml`` with a ``[tool.fmlint]`` table, walking up from the
current directory, is used (or the file given with ``--config``). Unknown keys and
wrong types are errors that name the file and the key. Precedence (defaults, then
the file, then command-line flags) is applied in :func:`fmlint.cli.build_run`.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from fmlint.discover import DEFAULT_EXCLUDE, DEFAULT_INCLUDE
from fmlint.yamlread import Limits


class ConfigError(Exception):
    """The configuration cannot be used; the message names the file and the key."""


class Config:
    """The settings a project can keep in ``[tool.fmlint]``, with their defaults.

    Every attribute but ``root`` and ``source`` is a key of the table (``-`` for ``_``).
    """

    def __init__(self, root: str = ".", source: str | None = None) -> None:
        self.select: list[str] | None = None
        self.extend_select: list[str] = []
        self.ignore: list[str] = []
        self.include: list[str] = list(DEFAULT_INCLUDE)
        self.exclude: list[str] = list(DEFAULT_EXCLUDE)
        self.extend_exclude: list[str] = []
        self.respect_gitignore = True
        self.schema: str | None = None
        self.strict = False
        self.output_format: str | None = None
        self.per_file_ignores: dict[str, list[str]] = {}
        self.cache_dir: str | None = None
        self.jobs: int | None = None  # None: `auto`
        self.limits: dict[str, int] = {}
        self.rules: dict[str, dict[str, Any]] = {}
        self.links: dict[str, Any] = {}  # [tool.fmlint.links], see fmlint.links.settings
        self.allow_private_hosts: list[str] = []
        self.root = root  # the folder relative paths in the file are resolved against
        self.source = source  # the file the settings came from


_LIST_KEYS = {"select", "extend_select", "ignore", "include", "exclude", "extend_exclude"}
_BOOL_KEYS = {"respect_gitignore", "strict"}
_STR_KEYS = {"schema", "output_format", "cache_dir"}
_LIMIT_KEYS = {name.replace("_", "-"): name for name in Limits._fields}
# Python refuses to turn more than 4300 digits into text, and a 3000-character hex or
# base-60 number stays below that once converted; longer numbers are read as text.
_LIMIT_MAXIMUM = {"max-number-length": 3000}


def find_config(start: str) -> str | None:
    """The nearest ``pyproject.toml`` with a ``[tool.fmlint]`` table, from ``start`` upwards."""
    directory = os.path.abspath(start)
    while True:
        candidate = os.path.join(directory, "pyproject.toml")
        if os.path.isfile(candidate):
            try:
                with open(candidate, "rb") as handle:
                    if b"[tool.fmlint" in handle.read():
                        return candidate
            except OSError:
                pass
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def _toml() -> Any:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    return tomllib


def load_config(path: str | None) -> Config:
    """Read the settings from ``path``; defaults when ``path`` is ``None``."""
    if path is None:
        return Config(root=os.getcwd())
    tomllib = _toml()
    try:
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    if os.path.basename(path) == "pyproject.toml":
        table = document.get("tool", {}).get("fmlint", {})
        where = f"{path} [tool.fmlint]"
    else:
        table = document
        where = path
    return parse_table(table, where, root=os.path.dirname(os.path.abspath(path)), source=path)


def parse_table(table: Any, where: str, root: str, source: str | None = None) -> Config:
    """Validate a ``[tool.fmlint]`` table into a :class:`Config`."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table")
    config = Config(root=root, source=source)
    known = {name.replace("_", "-") for name in vars(config)} - {"root", "source"}
    for key, value in table.items():
        attribute = key.replace("-", "_")
        if key not in known:
            from fmlint.schema.explain import suggest

            raise ConfigError(f"{where}: unknown key `{key}`{suggest(key, sorted(known))}")
        setattr(config, attribute, _check_value(key, attribute, value, where))
    return config


def _check_value(key: str, attribute: str, value: Any, where: str) -> Any:
    if attribute in _LIST_KEYS:
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ConfigError(f"{where}: `{key}` must be a list of strings")
        return list(value)
    if attribute in _BOOL_KEYS:
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: `{key}` must be true or false")
        return value
    if attribute in _STR_KEYS:
        if not isinstance(value, str):
            raise ConfigError(f"{where}: `{key}` must be a string")
        return value
    if attribute == "per_file_ignores":
        if not isinstance(value, dict) or not all(
            isinstance(codes, list) and all(isinstance(code, str) for code in codes) for codes in value.values()
        ):
            raise ConfigError(f"{where}: `{key}` must map globs to lists of rule codes")
        return {glob: list(codes) for glob, codes in value.items()}
    if attribute == "limits":
        return _check_limits(value, where)
    if attribute == "jobs":
        if value == "auto":
            return None
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ConfigError(f'{where}: `jobs` must be a positive integer or "auto"')
        return value
    if attribute in ("links", "allow_private_hosts"):
        return _check_links(attribute, value, where)
    if attribute == "rules":
        if not isinstance(value, dict) or not all(isinstance(options, dict) for options in value.values()):
            raise ConfigError(
                f"{where}: `rules` must hold one table per rule, such as [tool.fmlint.rules.quality-bounds]"
            )
        return {name: dict(options) for name, options in value.items()}
    raise AssertionError(attribute)  # pragma: no cover


def _check_limits(value: Any, where: str) -> dict[str, int]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: `limits` must be a table")
    limits = {}
    for key, number in value.items():
        if key not in _LIMIT_KEYS:
            from fmlint.schema.explain import suggest

            raise ConfigError(f"{where}: unknown limit `{key}`{suggest(key, sorted(_LIMIT_KEYS))}")
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            raise ConfigError(f"{where}: limit `{key}` must be a positive integer")
        if number > _LIMIT_MAXIMUM.get(key, number):
            raise ConfigError(f"{where}: limit `{key}` must be at most {_LIMIT_MAXIMUM[key]}")
        limits[_LIMIT_KEYS[key]] = number
    return limits


def _check_links(attribute: str, value: Any, where: str) -> Any:
    """``[tool.fmlint.links]`` and ``allow-private-hosts``, validated now and kept as written
    (the run reads them with :func:`fmlint.links.settings.parse_links`)."""
    from fmlint.links.settings import LinksConfigError, parse_links, parse_private_hosts

    try:
        if attribute == "links":
            parse_links(value, where, ".", [])
            return dict(value)
        parse_private_hosts(value, where)
        return list(value)
    except LinksConfigError as exc:
        raise ConfigError(str(exc)) from None
