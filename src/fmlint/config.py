"""Read ``[tool.fmlint]`` from ``pyproject.toml`` and validate it.

The nearest ``pyproject.toml`` with a ``[tool.fmlint]`` table above the files being
linted is used (or the file given with ``--config``). Every value is checked when it is
loaded: unknown keys, wrong types and values out of range are errors that name the file
and the key, and say what was found. The file may come from a stranger's commit, so no
value may make fmlint write outside the configuration's folder or start more processes
than the machine has use for. Precedence (defaults, then the file, then command-line
flags) is applied in :func:`fmlint.precedence.build_run`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from fmlint.pipeline.discover import DEFAULT_EXCLUDE, DEFAULT_INCLUDE
from fmlint.pipeline.yamlread import Limits


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
        self.extend_include: list[str] = []
        self.exclude: list[str] = list(DEFAULT_EXCLUDE)
        self.extend_exclude: list[str] = []
        self.respect_gitignore = True
        self.schema: str | None = None
        self.schemas: dict[str, str] = {}  # [tool.fmlint.schemas]: glob -> built-in name, path or address
        self.strict = False
        self.output_format: str | None = None
        self.per_file_ignores: dict[str, list[str]] = {}
        self.cache_dir: str | None = None
        self.jobs: int | None = None  # None: `auto`
        self.limits: dict[str, int] = {}
        self.rules: dict[str, dict[str, Any]] = {}
        self.severity: dict[str, str] = {}  # rule code, prefix or name -> "error" or "warning"
        self.references: list[dict[str, str]] = []  # [[tool.fmlint.references]]: files, field, target
        self.links: dict[str, Any] = {}  # [tool.fmlint.links], see fmlint.links.settings
        self.allow_private_hosts: list[str] = []
        self.schema_cache_max_age: float | None = None  # seconds; None: fmlint.schema.remote's default
        self.schema_fetch_timeout: float | None = None
        self.root = root  # the folder relative paths in the file are resolved against
        self.source = source  # the file the settings came from


_LIST_KEYS = {"select", "extend_select", "ignore", "include", "extend_include", "exclude", "extend_exclude"}
_BOOL_KEYS = {"respect_gitignore", "strict"}
_STR_KEYS = {"schema", "output_format", "cache_dir"}
_LIMIT_KEYS = {name.replace("_", "-"): name for name in Limits._fields}
# Python refuses to turn more than 4300 digits into text, and a 3000-character hex or
# base-60 number stays below that once converted; longer numbers are read as text.
_LIMIT_MAXIMUM = {"max-number-length": 3000}


def max_jobs() -> int:
    """The most processes ``jobs`` may ask for: a few per core, more would only thrash."""
    return 4 * (os.cpu_count() or 1)


def config_start(paths: Sequence[str]) -> str:
    """Where the search for the configuration starts: the folder holding every path linted.

    One path: its folder (the path itself when it is a folder). Several: their deepest
    common folder, so paths in two projects share the configuration above both. No path
    means the current directory, which is also what is linted then.
    """
    if not paths:
        return os.getcwd()
    folders = []
    for path in paths:
        absolute = os.path.abspath(path)
        folders.append(absolute if os.path.isdir(absolute) else os.path.dirname(absolute))
    try:
        return os.path.commonpath(folders)
    except ValueError:  # Windows: paths on different drives have no common folder
        return os.getcwd()


def config_path(explicit: str | None, isolated: bool, paths: Sequence[str]) -> str | None:
    """The configuration file of a run: ``--config`` (kept even with ``--isolated``), else none
    with ``--isolated``, else the nearest one above the files linted."""
    if explicit:
        return explicit
    if isolated:
        return None
    return find_config(config_start(paths or ["."]))


def check_codes(layer: Any, source: Callable[[str], str]) -> None:
    """Every selector of ``layer`` (a :class:`fmlint.rules.Selection`) names a rule; otherwise an
    error that names the setting (``source`` of its key) and suggests the nearest code or name."""
    from fmlint.rules import BY_CODE, BY_NAME, UnknownCode, matching

    for key, selectors in (
        ("select", layer.select or ()),
        ("extend-select", layer.extend_select),
        ("ignore", layer.ignore),
    ):
        for selector in selectors:
            try:
                matching(selector)
            except UnknownCode:
                from fmlint.schema.explain import suggest

                hint = suggest(selector.strip().upper(), BY_CODE) or suggest(selector.strip(), BY_NAME)
                raise ConfigError(
                    f"{source(key)}: unknown rule code or prefix `{selector}`{hint}; `fmlint rules` lists every rule"
                ) from None


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
        tool = document.get("tool", {})
        if not isinstance(tool, dict):
            raise ConfigError(f"{path}: `tool` must be a table ([tool.fmlint]), {got(tool)}")
        table = tool.get("fmlint", {})
        where = f"{path} [tool.fmlint]"
    else:
        table = document
        where = path
    return parse_table(table, where, root=os.path.dirname(os.path.abspath(path)), source=path)


def parse_table(table: Any, where: str, root: str, source: str | None = None) -> Config:
    """Validate a ``[tool.fmlint]`` table into a :class:`Config`."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table, {got(table)}")
    config = Config(root=root, source=source)
    known = {name.replace("_", "-") for name in vars(config)} - {"root", "source"}
    for key, value in table.items():
        attribute = key.replace("-", "_")
        if key not in known:
            from fmlint.schema.explain import suggest

            raise ConfigError(f"{where}: unknown key `{key}`{suggest(key, sorted(known))}")
        setattr(config, attribute, _check_value(key, attribute, value, where))
    return config


def got(value: Any) -> str:
    """What a configuration value is, for a message that says what was expected: ``got 3.5``."""
    if isinstance(value, bool):
        return f"got {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"got {value!r}".replace("got nan", "got nan (not a number)")
    if isinstance(value, str):
        return f"got the string {_quoted(value)}"
    if isinstance(value, list):
        return "got a list"
    if isinstance(value, dict):
        return "got a table"
    return f"got a {type(value).__name__}"  # dates and times, which TOML also has


def _quoted(text: str) -> str:
    """A string from the file, shown short and with control characters escaped."""
    shown = text if len(text) <= 60 else text[:57] + "..."
    return '"' + shown.encode("unicode_escape").decode("ascii").replace('"', '\\"') + '"'


def _check_value(key: str, attribute: str, value: Any, where: str) -> Any:
    if attribute in _LIST_KEYS:
        if not isinstance(value, list):
            raise ConfigError(f"{where}: `{key}` must be a list of strings, {got(value)}")
        for item in value:
            if not isinstance(item, str) or not item:
                raise ConfigError(f"{where}: `{key}` must be a list of non-empty strings, but one item {got(item)}")
        return list(value)
    if attribute in _BOOL_KEYS:
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: `{key}` must be true or false, {got(value)}")
        return value
    if attribute in _STR_KEYS:
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{where}: `{key}` must be a non-empty string, {got(value)}")
        _CHECK_STRING.get(attribute, _any_string)(key, value, where)
        return value
    if attribute == "per_file_ignores":
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: `{key}` must map globs to lists of rule codes, {got(value)}")
        for glob, codes in value.items():
            if not isinstance(codes, list) or not all(isinstance(code, str) for code in codes):
                raise ConfigError(f"{where}: `{key}` must map globs to lists of rule codes, but `{glob}` {got(codes)}")
        return {glob: list(codes) for glob, codes in value.items()}
    if attribute == "schemas":
        if not isinstance(value, dict):
            raise ConfigError(f'{where}: `{key}` must map globs to schemas, such as "_news/" = "article", {got(value)}')
        for glob, schema in value.items():
            if not glob or not isinstance(schema, str) or not schema:
                raise ConfigError(
                    f"{where}: `{key}` must map globs to schemas (a built-in name, a path or an http(s) address), "
                    f"but `{glob}` {got(schema)}"
                )
        return dict(value)
    if attribute == "limits":
        return _check_limits(value, where)
    if attribute == "jobs":
        return _check_jobs(value, where)
    if attribute == "severity":
        if not isinstance(value, dict) or not all(level in ("error", "warning") for level in value.values()):
            raise ConfigError(f'{where}: `severity` must map rule codes or names to "error" or "warning"')
        return dict(value)
    if attribute == "references":
        return _check_references(value, where)
    if attribute in ("links", "allow_private_hosts"):
        return _check_links(attribute, value, where)
    if attribute in ("schema_cache_max_age", "schema_fetch_timeout"):
        from fmlint.schema.remote import parse_duration

        try:
            return parse_duration(value, where, key, allow_zero=attribute == "schema_cache_max_age")
        except ValueError as exc:
            raise ConfigError(f"{exc}, {got(value)}") from None
    if attribute == "rules":
        if not isinstance(value, dict) or not all(isinstance(options, dict) for options in value.values()):
            raise ConfigError(
                f"{where}: `rules` must hold one table per rule, such as [tool.fmlint.rules.quality-bounds]"
            )
        return {name: dict(options) for name, options in value.items()}
    raise AssertionError(attribute)  # pragma: no cover


def _any_string(key: str, value: str, where: str) -> None:
    """Strings without further rules (``schema``: it is read as a schema, and checked then)."""


def _check_output_format(key: str, value: str, where: str) -> None:
    from fmlint.report import FORMATS

    if value not in FORMATS:
        from fmlint.schema.explain import suggest

        raise ConfigError(
            f"{where}: `{key}` must be one of {', '.join(FORMATS)}, {got(value)}{suggest(value, list(FORMATS))}"
        )


def _check_cache_dir(key: str, value: str, where: str) -> None:
    """The cache is written: a committed configuration must not point it outside its own folder."""
    parts = value.replace("\\", "/").split("/")
    if os.path.isabs(value) or value.startswith(("/", "\\")) or ".." in parts or (len(value) > 1 and value[1] == ":"):
        raise ConfigError(
            f"{where}: `{key}` must be a folder inside the configuration's folder (a relative path without `..`), "
            f"{got(value)}; use --no-cache, or run from a configuration of your own, to put it elsewhere"
        )
    if all(part in ("", ".") for part in parts):
        raise ConfigError(f"{where}: `{key}` must name a folder of its own, not the configuration's folder itself")


_CHECK_STRING = {"output_format": _check_output_format, "cache_dir": _check_cache_dir}


def _check_jobs(value: Any, where: str) -> int | None:
    if value == "auto":
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ConfigError(f'{where}: `jobs` must be a positive integer or "auto", {got(value)}')
    if value > max_jobs():
        raise ConfigError(
            f"{where}: `jobs` must be at most {max_jobs()} (4 per core on this machine), {got(value)}; "
            'or "auto" for one per core'
        )
    return int(value)


def check_rule_options(tables: dict[str, dict[str, Any]], where: str) -> dict[str, dict[str, Any]]:
    """Validate ``[tool.fmlint.rules.<rule>]`` tables against each rule's declared options."""
    from fmlint.rules import BY_CODE, BY_NAME

    resolved: dict[str, dict[str, Any]] = {}
    for key, values in tables.items():
        rule = BY_NAME.get(key) or BY_CODE.get(key.upper())
        if rule is None:
            from fmlint.schema.explain import suggest

            raise ConfigError(f"{where}: no rule named `{key}`{suggest(key, BY_NAME)}")
        declared = {option.name: option for option in rule.options}
        for name, value in values.items():
            option = declared.get(name)
            if option is not None and option.table is not None:
                raise ConfigError(
                    f"{where}: set `{name}` of rule `{rule.name}` with [[tool.fmlint.{option.table}]] tables"
                )
            if option is None:
                from fmlint.schema.explain import suggest

                hint = suggest(name, declared) or (f" ({rule.name} has no options)" if not declared else "")
                raise ConfigError(f"{where}: rule `{rule.name}` has no option `{name}`{hint}")
            problem = option_problem(option, value)
            if problem:
                raise ConfigError(f"{where}: option `{name}` of rule `{rule.name}` {problem}")
        resolved[rule.name] = dict(values)
    return resolved


def option_problem(option: Any, value: Any) -> str | None:
    """Why ``value`` cannot be the rule option ``option`` (a :class:`fmlint.rules.base.Option`), or ``None``."""
    import math

    if not isinstance(value, option.type) or (isinstance(value, bool) and option.type is not bool):
        return f"has the wrong type: {option.help}; {got(value)}"
    if isinstance(value, float) and not math.isfinite(value):
        return f"must be a finite number: {option.help}; {got(value)}"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if option.minimum is not None and value < option.minimum:
            return f"must be at least {option.minimum:g}: {option.help}; {got(value)}"
        if option.maximum is not None and value > option.maximum:
            return f"must be at most {option.maximum:g}: {option.help}; {got(value)}"
    if isinstance(value, list) and option.items is not None:
        for item in value:
            if not isinstance(item, option.items) or (option.items is str and not item):
                return (
                    f"must be a list of non-empty {option.items.__name__} values: {option.help}; one item {got(item)}"
                )
    return None


def _check_limits(value: Any, where: str) -> dict[str, int]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: `limits` must be a table, {got(value)}")
    limits = {}
    for key, number in value.items():
        if key not in _LIMIT_KEYS:
            from fmlint.schema.explain import suggest

            raise ConfigError(f"{where}: unknown limit `{key}`{suggest(key, sorted(_LIMIT_KEYS))}")
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            raise ConfigError(f"{where}: limit `{key}` must be a positive integer, {got(number)}")
        if number > _LIMIT_MAXIMUM.get(key, number):
            raise ConfigError(f"{where}: limit `{key}` must be at most {_LIMIT_MAXIMUM[key]}, {got(number)}")
        limits[_LIMIT_KEYS[key]] = number
    return limits


_REFERENCE_KEYS = ("files", "field", "target")


def _check_references(value: Any, where: str) -> list[dict[str, str]]:
    """``[[tool.fmlint.references]]``: each table names the files (a glob), the field (a JSON pointer,
    ``*`` for every index) and the target (a path with ``{value}``)."""
    if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
        raise ConfigError(f"{where}: `references` must be a list of tables, written [[tool.fmlint.references]]")
    checked = []
    for number, entry in enumerate(value, 1):
        at = f"{where}: reference {number}"
        for key in entry:
            if key not in _REFERENCE_KEYS:
                from fmlint.schema.explain import suggest

                raise ConfigError(f"{at}: unknown key `{key}`{suggest(key, _REFERENCE_KEYS)}")
        for key in _REFERENCE_KEYS:
            if not isinstance(entry.get(key), str) or not entry[key]:
                raise ConfigError(f"{at}: `{key}` must be a non-empty string")
        if not entry["field"].startswith("/"):
            raise ConfigError(f'{at}: `field` must be a JSON pointer such as "/items/*", starting with /')
        if "{value}" not in entry["target"]:
            raise ConfigError(f"{at}: `target` must contain {{value}}, where each value goes")
        checked.append({key: entry[key] for key in _REFERENCE_KEYS})
    return checked


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
