"""The command line: parse arguments, build the run, return an exit code.

Exit codes: 0 no errors, 1 errors found (or warnings with ``--strict``), 2 usage
error (unknown option, unknown rule code, unreadable or invalid configuration).
"""

from __future__ import annotations

import io
import os
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, NamedTuple, TextIO, cast

TYPE_CHECKING = False
if TYPE_CHECKING:
    from argparse import Namespace

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2


class UsageError(Exception):
    """Bad input from the user: reported on stderr with exit code 2."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run fmlint with ``argv`` (default: ``sys.argv[1:]``) and return the exit code."""
    previous = _stop_on_sigterm()
    try:
        return _main(argv)
    except KeyboardInterrupt:
        return 130
    except _Terminated:
        return 143
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _main(argv: Sequence[str] | None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = plain_check(argv)
    if args is None:
        from fmlint.arguments import parse

        try:
            args = parse(argv)
        except SystemExit as exit:  # argparse exits on --help, --version and usage errors
            return exit.code if isinstance(exit.code, int) else EXIT_USAGE
    if isinstance(sys.stdout, io.TextIOWrapper):
        # File text goes to the terminal: one a terminal cannot show must not end the run.
        sys.stdout.reconfigure(errors="backslashreplace")
    try:
        if args.command == "check":
            return _check(args, sys.stdout)
        if args.command == "rules":
            return _rules(sys.stdout)
        if args.command == "rule":
            return _rule(args.code, sys.stdout)
        if args.command == "server":
            from fmlint.server import serve

            return serve()
        if args.name == "infer":
            return _infer(args, sys.stdout)
        return _schema(args.name, sys.stdout)
    except UsageError as exc:
        _say("error", str(exc))
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader went away (``fmlint check | head``): nothing more to say.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PROBLEMS


def plain_check(argv: Sequence[str]) -> Namespace | None:
    """``fmlint check PATH...`` without options (how pre-commit runs it), read as argparse reads
    it, or ``None`` for any other command line. A test holds the two readings equal.

    Everything after a ``--`` is a path, even when it starts with ``-``: the hooks end their
    entry with ``--`` so that a committed file named ``--config=x.md`` stays a file name.
    """
    if not argv or argv[0] != "check":
        return None
    arguments = list(argv[1:])
    paths = arguments
    if "--" in arguments:
        end = arguments.index("--")
        paths = [*arguments[:end], *arguments[end + 1 :]]
        arguments = arguments[:end]
    if any(arg.startswith("-") for arg in arguments):
        return None
    from types import SimpleNamespace

    namespace = SimpleNamespace(
        command="check",
        paths=paths,
        select=None,
        extend_select=[],
        ignore=[],
        per_file_ignores=None,
        extend_per_file_ignores=[],
        output_format=None,
        schema=None,
        config=None,
        isolated=False,
        strict=None,
        exit_zero=False,
        quiet=False,
        statistics=False,
        now=None,
        show_traceback=False,
        fix=False,
        unsafe_fixes=False,
        diff=False,
        no_cache=False,
        jobs=None,
        include=None,
        extend_include=[],
        show_settings=False,
        show_files=False,
        stdin_filename=None,
        verbose=False,
        links=False,
        offline=False,
    )
    return cast("Namespace", namespace)  # the same attributes


class _Terminated(BaseException):
    """SIGTERM: unwind like Ctrl-C (stop the workers, write no cache) instead of dying mid-write."""


def _raise_terminated(signum: int, frame: object) -> None:
    raise _Terminated


def _stop_on_sigterm() -> Any:
    try:
        return signal.signal(signal.SIGTERM, _raise_terminated)
    except ValueError:  # not the main thread: leave signals to the program that runs us
        return None


class Run(NamedTuple):
    """A fully resolved ``fmlint check``: what to lint and how to report it."""

    paths: tuple[str, ...]
    settings: Any  # fmlint.lint.Settings
    filters: Any  # fmlint.discover.FileFilter
    output_format: str
    strict: bool
    exit_zero: bool
    quiet: bool
    statistics: bool = False
    cache_dir: str | None = None  # None: no result cache
    jobs: int | None = None  # None: one per core, when there are enough files
    config_file: str | None = None  # where the settings came from, for --verbose
    schema_file: str | None = None  # None: the built-in schema


def build_run(args: Namespace) -> Run:
    """Defaults, then ``[tool.fmlint]``, then command-line flags: the one place precedence lives."""
    from fmlint.config import ConfigError, check_codes
    from fmlint.lint import Settings, env_flag
    from fmlint.report import FORMATS, STATISTICS_FORMATS
    from fmlint.rules import Selection, resolve
    from fmlint.schema.store import SchemaError, load_schema_set
    from fmlint.yamlread import Limits

    config = _load_configuration(args)
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
    schema_path = args.schema or (os.path.join(config.root, config.schema) if config.schema else None)
    try:
        schemas = load_schema_set(schema_path)
    except SchemaError as exc:
        raise UsageError(str(exc)) from None
    settings = Settings(
        schemas=schemas,
        enabled=enabled,
        limits=Limits(**config.limits),
        options=_with_references(_rule_options(config.rules, where), config),
        now=_now(args.now),
        show_traceback=args.show_traceback or env_flag("FMLINT_SHOW_TRACEBACK"),
        per_file_ignores=_per_file_ignores(config, where, args),
        severities=_severities(config.severity, where),
        links=_link_settings(config, where, args, enabled),
    )
    return Run(
        paths=tuple(args.paths or ["."]),
        settings=settings,
        filters=_file_filter(config, args),
        output_format=output_format,
        strict=bool(args.strict if args.strict is not None else config.strict),
        exit_zero=args.exit_zero,
        quiet=args.quiet,
        statistics=args.statistics,
        cache_dir=None if args.no_cache else os.path.join(config.root, config.cache_dir or ".fmlint_cache"),
        jobs=config.jobs if args.jobs is None else (args.jobs or None),
        config_file=config.source,
        schema_file=schema_path,
    )


def _load_configuration(args: Namespace) -> Any:
    """The configuration of the files ``args`` names (see :func:`fmlint.config.config_path`)."""
    from fmlint.config import ConfigError, config_path, load_config

    try:
        return load_config(config_path(args.config, args.isolated, args.paths))
    except ConfigError as exc:
        raise UsageError(str(exc)) from None


def _file_filter(config: Any, args: Namespace) -> Any:
    """Which files a walk keeps: ``include`` (or ``--include``) and ``extend-include``, less ``exclude``
    and ``extend-exclude``."""
    from fmlint.discover import FileFilter

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
        if args.offline:
            raise UsageError("--offline only applies to link checking: use it with --links")
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


def _per_file_ignores(config: Any, where: str, args: Namespace) -> tuple[Any, ...]:
    """``per-file-ignores`` from the file (globs from its folder), replaced or extended by the flags
    (globs from the current directory); every code is checked."""
    from fmlint.rules import UnknownCode, matching
    from fmlint.suppress import FileIgnore, parse_ignore_flag

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


def _rule_options(tables: dict[str, dict[str, Any]], where: str) -> dict[str, dict[str, Any]]:
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


def _check(args: Namespace, stream: TextIO) -> int:
    from fmlint.discover import discover
    from fmlint.lint import Linter
    from fmlint.report import RunResult
    from fmlint.report.lines import SourceLines
    from fmlint.runner import lint_targets

    if args.stdin_filename is not None or args.paths == ["-"]:
        from fmlint.stdin import check_stdin

        return check_stdin(args, build_run(args), stream)
    run = build_run(args)
    if args.show_settings or args.show_files:
        return _show(args, run, stream)
    linter = Linter(run.settings)
    verbose = args.verbose
    if args.fix or args.diff:
        if verbose:
            _say_setup(run, "fmlint: cache: not used by --fix and --diff")
        return _fix(args, run, linter, stream)  # files being fixed are linted from their bytes, not the cache
    cache, cache_note = _open_cache(run)
    if verbose:
        _say_setup(run, cache_note)
    try:
        diagnostics, checked_paths = lint_targets(linter, discover(run.paths, run.filters), cache=cache, jobs=run.jobs)
        if verbose:
            _say_cache_use(len(checked_paths), cache)
        lines = SourceLines(known=cache.remembered_lines, record=True) if cache is not None else SourceLines()
        result = RunResult(
            tuple(diagnostics), tuple(checked_paths), unsafe_fixes=args.unsafe_fixes, lines=lines, strict=run.strict
        )
        _render(run, result, stream)
        stream.flush()
        if cache is not None:  # after the report: the lines it quoted are kept with the run's outcome
            cache.remember_lines(lines.quoted)
            cache.save()
    finally:
        if cache is not None:
            cache.close()  # an interrupted run leaves the cache as it was
    return _exit_code(run, result)


def _show(args: Namespace, run: Run, stream: TextIO) -> int:
    """``--show-settings`` and ``--show-files``: print what the run would use, lint nothing."""
    from fmlint.discover import discover
    from fmlint.show import show_files, show_settings

    if args.show_settings:
        show_settings(run, stream)
    if args.show_files:
        show_files(discover(run.paths, run.filters), stream)
    return EXIT_OK


def _render(run: Run, result: Any, stream: TextIO) -> None:
    from fmlint.report import render, render_statistics

    if run.statistics:
        render_statistics(result, stream, quiet=run.quiet)
    else:
        render(run.output_format, result, stream, quiet=run.quiet)


def _exit_code(run: Run, result: Any) -> int:
    if run.exit_zero:
        return EXIT_OK
    if result.errors or (run.strict and result.warnings):
        return EXIT_PROBLEMS
    return EXIT_OK


def _fix(args: Namespace, run: Run, linter: Any, stream: TextIO) -> int:
    """``--fix`` (write the fixes, report what remains) and ``--diff`` (print them, write nothing)."""
    from fmlint.discover import discover
    from fmlint.fixer import Fixer, Outcome
    from fmlint.report import RunResult
    from fmlint.report.diff import render_diff
    from fmlint.runner import lint_targets

    fixer = Fixer(
        linter,
        unsafe=args.unsafe_fixes,
        write=not args.diff,
        trees=run.paths,
        found=_link_fixes(run, linter, args),
    )
    outcomes: list[Outcome] = []

    def fix_file(path: str) -> Any:
        outcome = fixer.fix_file(path)
        outcomes.append(outcome)
        return outcome.result

    with _terminate_as_exit():
        diagnostics, checked_paths = lint_targets(linter, discover(run.paths, run.filters), fix_file)
    if args.verbose:
        _say_cache_use(len(checked_paths), None)
    for outcome in outcomes:
        for note in outcome.notes:
            _say("warning", note, outcome.path)
    fixed = [outcome for outcome in outcomes if outcome.fixed]
    count = sum(outcome.fixed for outcome in fixed)
    trouble = any(outcome.notes for outcome in outcomes)  # a fix reverted, or a file left alone
    if args.diff:
        for outcome in fixed:
            unsafe = render_diff(
                outcome.path, outcome.before + outcome.context, outcome.after + outcome.context, stream
            )
            if unsafe:
                _say("warning", f"its fixes are not in the diff: {unsafe} (`--fix` applies them)", outcome.path)
        stream.flush()
        noun = "problem" if count == 1 else "problems"
        files = "file" if len(fixed) == 1 else "files"
        print(f"Would fix {count} {noun} in {len(fixed)} {files}." if count else "No fixes to apply.", file=sys.stderr)
        return EXIT_OK if run.exit_zero or not (count or trouble) else EXIT_PROBLEMS
    result = RunResult(
        tuple(diagnostics),
        tuple(checked_paths),
        fixing=True,
        fixed=count,
        fixed_files=len(fixed),
        unsafe_fixes=args.unsafe_fixes,
        strict=run.strict,
    )
    _render(run, result, stream)
    stream.flush()
    if trouble and not run.exit_zero:
        return EXIT_PROBLEMS
    return _exit_code(run, result)


def _say(level: str, message: str, path: str | None = None) -> None:
    """``fmlint: LEVEL: [PATH: ]MESSAGE`` on stderr, as one line: the path and the message may
    quote a file, a file name or a configuration (:func:`fmlint.escape.printable`)."""
    from fmlint.escape import printable

    where = f"{printable(path)}: " if path is not None else ""
    print(f"fmlint: {level}: {where}{printable(message)}", file=sys.stderr)


def _link_fixes(run: Run, linter: Any, args: Namespace) -> dict[str, tuple[Any, ...]]:
    """The moved links' fixes (unsafe, and found only once every file is read), by path."""
    if run.settings.links is None or not args.unsafe_fixes:
        return {}
    from fmlint.discover import discover
    from fmlint.runner import lint_targets

    diagnostics, _ = lint_targets(linter, discover(run.paths, run.filters))
    found: dict[str, tuple[Any, ...]] = {}
    for diagnostic in diagnostics:
        if diagnostic.code.startswith("FM8") and diagnostic.fix is not None:
            found[diagnostic.path] = (*found.get(diagnostic.path, ()), diagnostic)
    return found


@contextmanager
def _terminate_as_exit() -> Iterator[None]:
    """While files are being replaced, SIGTERM unwinds like Ctrl-C, so no temporary file is left."""

    def terminate(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    try:
        previous = signal.signal(signal.SIGTERM, terminate)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _open_cache(run: Run) -> tuple[Any, str]:
    """The result cache of this run (``None``: none), and a line saying so for ``--verbose``.

    Without the user's own key (a cache directory that cannot be made, or that other
    users can write) there is no cache: a run without one is only slower."""
    if run.cache_dir is None:
        return None, "fmlint: cache: off (--no-cache)"
    from fmlint.cache import ResultCache, configuration_key
    from fmlint.cache.signing import KeyUnavailable, Signer

    try:
        signer = Signer.for_user()
    except KeyUnavailable as exc:
        return None, f"fmlint: cache: off: {_shown(str(exc))}"
    key = configuration_key(run.settings, os.getcwd())
    cache = ResultCache(run.cache_dir, key, run.settings.now, signer)
    return cache, f"fmlint: cache: {_shown(cache.folder)} (signed with the key in {_shown(signer.folder)})"


def _say_setup(run: Run, cache_note: str) -> None:
    """``--verbose``: the configuration file, the schema(s) and the cache of this run, on stderr."""
    print(f"fmlint: configuration: {_shown(run.config_file) if run.config_file else 'none'}", file=sys.stderr)
    schemas = run.settings.schemas
    if run.schema_file is None:
        print("fmlint: schema: the built-in article schema", file=sys.stderr)
    else:
        print(f"fmlint: schema: {_shown(run.schema_file)}", file=sys.stderr)
        for uri in schemas.resources:
            if uri != schemas.root and uri.startswith("file:"):
                print(f"fmlint: schema: {_shown(uri)} (referred to)", file=sys.stderr)
    print(cache_note, file=sys.stderr)


def _say_cache_use(files: int, cache: Any) -> None:
    """``--verbose``: how many files the cache answered, and what of it was refused."""
    answered = 0 if cache is None else (files if cache.whole_run else cache.from_cache)
    print(f"fmlint: {files} files, {answered} from the cache", file=sys.stderr)
    if cache is not None and cache.unsigned:
        print(
            f"fmlint: cache: refused {cache.unsigned} cache file(s) fmlint did not write for this user "
            "(not authenticated)",
            file=sys.stderr,
        )
    if cache is not None and cache.invalid:
        print(f"fmlint: cache: refused {cache.invalid} cache file(s) or entries that are not valid", file=sys.stderr)


def _shown(text: str) -> str:
    """``text`` with what a terminal or a CI log would act on (control characters, bidi
    overrides) written as escapes."""
    return "".join(character if character.isprintable() else repr(character)[1:-1] for character in text)


def _rules(stream: TextIO) -> int:
    from fmlint.rules import FAMILIES, RULES

    def flags(rule: Any) -> str:
        words = [str(rule.severity)]
        if not rule.default_enabled:
            words.append("opt-in")
        if rule.fixable:
            words.append("fixable")
        return ", ".join(words)

    name_width = max(len(rule.name) for rule in RULES)
    flags_width = max(len(flags(rule)) for rule in RULES)
    family = None
    for rule in RULES:
        if rule.code[:3] != family:
            family = rule.code[:3]
            stream.write(f"{'' if family == 'FM0' else chr(10)}{family}xx  {FAMILIES.get(family, '')}\n")
        stream.write(f"  {rule.code}  {rule.name:<{name_width}}  {flags(rule):<{flags_width}}  {rule.summary}\n")
    return EXIT_OK


def _rule(code: str, stream: TextIO) -> int:
    from fmlint.rules import BY_CODE, BY_NAME
    from fmlint.rules.docs import render_rule
    from fmlint.schema.explain import suggest

    rule = BY_CODE.get(code.upper()) or BY_NAME.get(code)
    if rule is None:
        raise UsageError(f"no rule `{code}`{suggest(code, [*BY_CODE, *BY_NAME])} (see `fmlint rules`)")
    stream.write(render_rule(rule))
    return EXIT_OK


def _infer(args: Namespace, stream: TextIO) -> int:
    """``fmlint schema infer PATH...``: a schema from the front-matter of the files ``check`` would lint."""
    import json

    from fmlint.discover import discover
    from fmlint.schema.infer import infer_schema, read_records
    from fmlint.yamlread import Limits

    config = _load_configuration(args)
    targets = list(discover(args.paths or ["."], _file_filter(config, args)))
    unwalkable = [f"{target.path}: {target.problem}" for target in targets if target.problem]
    paths = [target.path for target in targets if not target.problem]
    records, skipped = read_records(paths, Limits(**config.limits))
    for note in (*unwalkable, *skipped):
        print(f"fmlint: warning: left out {note}", file=sys.stderr)
    if not records:
        raise UsageError("no file with front-matter to infer a schema from")
    json.dump(infer_schema(records), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
    noun = "file" if len(records) == 1 else "files"
    print(f"Inferred a schema from {len(records)} {noun}.", file=sys.stderr)
    return EXIT_OK


def _schema(name: str, stream: TextIO) -> int:
    from fmlint.schema.store import SchemaError, builtin_text

    try:
        stream.write(builtin_text(name))
    except SchemaError as exc:
        raise UsageError(str(exc)) from None
    return EXIT_OK
