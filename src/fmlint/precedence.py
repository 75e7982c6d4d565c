"""Defaults, then ``[tool.fmlint]``, then command-line flags: the one place precedence lives.

:func:`build_run` turns the parsed command line into a :class:`Run`: the settings every
file is linted with, which files a walk keeps, and how the findings are reported. Every
value is checked on the way; a bad one is a :class:`UsageError` naming where it came from.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime
from typing import Any, NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from argparse import Namespace


class UsageError(Exception):
    """Bad input from the user: reported on stderr with exit code 2."""


class Run(NamedTuple):
    """A fully resolved ``fmlint check``: what to lint and how to report it."""

    paths: tuple[str, ...]
    settings: Any  # fmlint.pipeline.check.Settings
    filters: Any  # fmlint.pipeline.discover.FileFilter
    output_format: str
    strict: bool
    exit_zero: bool
    quiet: bool
    statistics: bool = False
    cache_dir: str | None = None  # None: no result cache
    jobs: int | None = None  # None: one per core, when there are enough files
    cache_root: str = "."  # the folder the cache must stay in: the configuration's
    config_file: str | None = None  # where the settings came from, for --verbose
    schema_file: str | None = None  # None: the built-in schema
    fetcher: Any = None  # fmlint.schema.remote.Fetcher: how remote schemas were got, for --verbose


def build_run(args: Namespace) -> Run:
    """Defaults, then ``[tool.fmlint]``, then command-line flags: the one place precedence lives."""
    from fmlint.config import ConfigError, check_codes
    from fmlint.pipeline.settings import Settings, env_flag
    from fmlint.pipeline.yamlread import Limits
    from fmlint.report import FORMATS, STATISTICS_FORMATS
    from fmlint.rules import Selection, resolve
    from fmlint.schema.store import SchemaError

    config = load_configuration(args)
    where = config.source or "the defaults"
    try:
        from_file = Selection(
            tuple(config.select) if config.select is not None else None,
            tuple(config.extend_select),
            tuple(config.ignore),
        )
        links_flag = ("FM8",) if args.links else ()  # --links is --extend-select FM8
        from_flags = Selection(
            tuple(args.select) if args.select is not None else None,
            (*args.extend_select, *links_flag),
            tuple(args.ignore),
        )
        check_codes(from_file, lambda key: f"{where}: `{key}`")
        check_codes(from_flags, lambda key: f"--{key}")
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    enabled = resolve((from_file, from_flags))
    output_format = args.output_format or config.output_format or "text"
    if output_format not in FORMATS:
        raise UsageError(f"unknown output format `{output_format}`; choose from {', '.join(FORMATS)}")
    if args.statistics and output_format not in STATISTICS_FORMATS:
        raise UsageError(
            f"--statistics prints a table for people: use it with --output-format "
            f"{' or '.join(STATISTICS_FORMATS)}, not `{output_format}`"
        )
    from fmlint.schema.mapping import resolve as resolve_schemas
    from fmlint.schema.mapping import shown

    fetcher = _fetcher(config, args)
    try:  # --schema, else [tool.fmlint.schemas] and `schema`
        schemas, schema_map = resolve_schemas(config.schemas, config.schema, args.schema, config.root, where, fetcher)
    except SchemaError as exc:
        raise UsageError(str(exc)) from None
    schema_path = shown(args.schema, "") if args.schema else shown(config.schema, config.root)
    settings = Settings(
        schemas=schemas,
        enabled=enabled,
        limits=Limits(**config.limits),
        options=_with_references(rule_options(config.rules, where), config),
        now=_now(args.now),
        show_traceback=args.show_traceback or env_flag("FMLINT_SHOW_TRACEBACK"),
        per_file_ignores=_per_file_ignores(config, where, args),
        severities=_severities(config.severity, where),
        links=_link_settings(config, where, args, enabled),
        schema_map=schema_map,
    )
    return Run(
        paths=tuple(args.paths or ["."]),
        settings=settings,
        filters=file_filter(config, args),
        output_format=output_format,
        strict=bool(args.strict if args.strict is not None else config.strict),
        exit_zero=args.exit_zero,
        quiet=args.quiet,
        statistics=args.statistics,
        cache_dir=None if args.no_cache else os.path.join(config.root, config.cache_dir or ".fmlint_cache"),
        jobs=config.jobs if args.jobs is None else (args.jobs or None),
        cache_root=config.root,
        config_file=config.source,
        schema_file=schema_path,
        fetcher=fetcher,
    )


def load_configuration(args: Namespace) -> Any:
    """The configuration of the files ``args`` names (see :func:`fmlint.config.config_path`)."""
    from fmlint.config import ConfigError, config_path, load_config, parse_table

    try:
        table = getattr(args, "config_table", None)  # given by the Python API instead of a file
        if table is not None:
            return parse_table(table, "the configuration passed to fmlint", root=os.getcwd())
        return load_config(config_path(args.config, args.isolated, args.paths))
    except ConfigError as exc:
        raise UsageError(str(exc)) from None


def file_filter(config: Any, args: Namespace) -> Any:
    """Which files a walk keeps: ``include`` (or ``--include``) and ``extend-include``, less ``exclude``
    and ``extend-exclude``."""
    from fmlint.pipeline.discover import FileFilter

    include = getattr(args, "include", None)
    return FileFilter(
        include=(
            *(config.include if include is None else include),
            *config.extend_include,
            *getattr(args, "extend_include", ()),
        ),
        exclude=(*config.exclude, *config.extend_exclude),
        root=config.root,
        respect_gitignore=config.respect_gitignore,
    )


def _link_settings(config: Any, where: str, args: Namespace, enabled: frozenset[str]) -> Any:
    """How the FM8 rules check links: ``None`` when none of them is on (nothing to import)."""
    if not any(code.startswith("FM8") for code in enabled):
        return None
    from fmlint.links.settings import LinksConfigError, parse_links

    try:
        links = parse_links(config.links, where, config.root, config.allow_private_hosts)
    except LinksConfigError as exc:
        raise UsageError(str(exc)) from None
    links.network = not args.offline
    links.offline = args.offline
    links.use_cache = not args.no_cache
    links.progress = sys.stderr.isatty()
    return links


def _fetcher(config: Any, args: Namespace) -> Any:
    """What gets this run's remote schemas: ``--offline``, ``allow-private-hosts`` and the schema cache's
    settings. ``--no-cache`` leaves the schema cache on: its copies are revalidated by their max age."""
    from fmlint.schema.remote import DEFAULT_MAX_AGE, DEFAULT_TIMEOUT, Fetcher, RemoteSettings

    allowed: tuple[str, ...] = ()
    if config.allow_private_hosts:
        from fmlint.links.settings import parse_private_hosts  # as the link check reads them

        allowed = parse_private_hosts(config.allow_private_hosts, "allow-private-hosts")
    return Fetcher(
        RemoteSettings(
            offline=bool(getattr(args, "offline", False)),
            allow_private_hosts=allowed,
            max_age=DEFAULT_MAX_AGE if config.schema_cache_max_age is None else config.schema_cache_max_age,
            timeout=DEFAULT_TIMEOUT if config.schema_fetch_timeout is None else config.schema_fetch_timeout,
        )
    )


def _per_file_ignores(config: Any, where: str, args: Namespace) -> tuple[Any, ...]:
    """``per-file-ignores`` from the file (globs from its folder), replaced or extended by the flags
    (globs from the current directory); every code is checked."""
    from fmlint.policy.suppress import FileIgnore, parse_ignore_flag
    from fmlint.rules import UnknownCode, matching

    tables: list[tuple[dict[str, list[str]], str, str]] = []
    if args.per_file_ignores is None:
        tables.append((config.per_file_ignores, config.root, f"{where}: `per-file-ignores`"))
    for flag in ("per_file_ignores", "extend_per_file_ignores"):
        table: dict[str, list[str]] = {}
        for value in getattr(args, flag) or ():
            try:
                pattern, listed = parse_ignore_flag(value)
            except ValueError as exc:
                raise UsageError(f"--{flag.replace('_', '-')}: {exc}") from None
            table.setdefault(pattern, []).extend(listed)
        tables.append((table, os.getcwd(), f"--{flag.replace('_', '-')}"))
    ignores = []
    for table, root, source in tables:
        for pattern, selectors in table.items():
            codes: set[str] = set()
            for selector in selectors:
                try:
                    codes.update(rule.code for rule in matching(selector))
                except UnknownCode:
                    from fmlint.rules import BY_CODE, BY_NAME
                    from fmlint.schema.explain import suggest

                    hint = suggest(selector.strip().upper(), BY_CODE) or suggest(selector.strip(), BY_NAME)
                    raise UsageError(
                        f"{source}: unknown rule code or prefix `{selector}` for `{pattern}`{hint}; "
                        "`fmlint rules` lists every rule"
                    ) from None
            ignores.append(FileIgnore(pattern, root, frozenset(codes)))
    return tuple(ignores)


def rule_options(tables: dict[str, dict[str, Any]], where: str) -> dict[str, dict[str, Any]]:
    """Validate ``[tool.fmlint.rules.<rule>]`` tables against each rule's declared options."""
    from fmlint.config import ConfigError, check_rule_options

    try:
        return check_rule_options(tables, where)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None


def _severities(table: dict[str, str], where: str) -> dict[str, Any]:
    """``[tool.fmlint.severity]`` as the severity of each code; a code or name wins over a prefix
    (``FM3 = "error"`` with ``FM303 = "warning"``), and a longer prefix over a shorter one."""
    from fmlint.diagnostic import Severity
    from fmlint.rules import UnknownCode, matching

    resolved: list[tuple[int, str, Severity]] = []
    for selector, level in table.items():
        try:
            rules = matching(selector)
        except UnknownCode:
            raise UsageError(
                f"{where}: `severity`: unknown rule code or prefix `{selector}` (see `fmlint rules`)"
            ) from None
        resolved.extend((-len(rules), rule.code, Severity(level)) for rule in rules)
    return {code: severity for _, code, severity in sorted(resolved, key=lambda item: item[0])}


def _with_references(options: dict[str, dict[str, Any]], config: Any) -> dict[str, dict[str, Any]]:
    """``[[tool.fmlint.references]]`` as the options of the rule that checks them, each with the folder its
    globs and targets are read from."""
    if config.references:
        references = tuple({**entry, "root": config.root} for entry in config.references)
        options = {**options, "missing-reference": {**options.get("missing-reference", {}), "references": references}}
    return options


def _now(text: str | None) -> datetime:
    from fmlint.schema.formats import check_date_time

    value = text or os.environ.get("FMLINT_NOW")
    if not value:
        return datetime.now().astimezone()
    problem = check_date_time(value)
    if problem:
        source = "--now" if text else "FMLINT_NOW"
        raise UsageError(f"{source} must be an RFC 3339 date-time with a time zone, but {problem}")
    return datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
