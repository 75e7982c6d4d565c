"""``fmlint check --show-settings`` and ``--show-files``: what a run would use, instead of running it.

Both print what the run was built from (:class:`fmlint.precedence.Run`) and lint nothing. Text
that came from a file or a file name is printed as a JSON string when it holds anything
but printable characters, so a name cannot draw on the terminal or pass for another line.
"""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from fmlint.escape import listed


def _value(value: Any) -> str:
    """A setting as TOML writes it (near enough for reading): strings quoted, lists in brackets."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple, frozenset, set)):
        items = sorted(value) if isinstance(value, (frozenset, set)) else value
        return "[" + ", ".join(_value(item) for item in items) + "]"
    if isinstance(value, str):
        return json.dumps(value)
    return str(value)


def show_settings(run: Any, stream: TextIO) -> None:
    """The configuration file, then every resolved setting, one ``name = value`` line each."""
    from fmlint.pipeline.discover import REPOSITORY_FILES
    from fmlint.rules import RULES

    settings = run.settings
    filters = run.filters
    lines = [
        f"config-file = {_value(run.config_file) if run.config_file else 'none (the defaults)'}",
        f"root = {_value(filters.root)}",
        f"rules = {_value([rule.code for rule in RULES if rule.code in settings.enabled])}",
        f"include = {_value(filters.include)}",
        f"exclude = {_value(filters.exclude)}",
        f"skipped-repository-files = {_value(sorted(REPOSITORY_FILES))}",
        f"respect-gitignore = {_value(filters.respect_gitignore)}",
        f"schema = {_value(run.schema_file) if run.schema_file else 'the built-in article schema'}",
        f"strict = {_value(run.strict)}",
        f"output-format = {_value(run.output_format)}",
        f"cache-dir = {_value(run.cache_dir) if run.cache_dir else 'none (--no-cache)'}",
        f"jobs = {run.jobs if run.jobs else _value('auto')}",
        f"now = {_value(settings.now.isoformat())}",
    ]
    for entry in settings.schema_map.entries:
        lines.append(f"schemas.{_value(entry.pattern)} = {_value(entry.label)}  # from {_value(entry.root)}")
    for ignore in settings.per_file_ignores:
        lines.append(
            f"per-file-ignores.{_value(ignore.pattern)} = {_value(ignore.codes)}  # from {_value(ignore.root)}"
        )
    for name, number in settings.limits._asdict().items():
        lines.append(f"limits.{name.replace('_', '-')} = {number}")
    for rule in RULES:
        configured = settings.options.get(rule.name, {})
        for option in rule.options:
            value = configured.get(option.name, option.default)
            lines.append(f"rules.{rule.name}.{option.name} = {_value(value)}")
    stream.write("".join(listed(line) + "\n" for line in lines))


def show_files(targets: Any, stream: TextIO, settings: Any = None) -> int:
    """Each file a run would lint, one a line, and (given the run's ``settings``) after a tab the schema
    it is checked against; a folder that cannot be walked is a note on stderr.

    The path is the line's first column: later columns may say more about each file.
    """
    from fmlint.schema.mapping import file_label

    count = 0
    for target in targets:
        if target.problem is not None:
            print(f"fmlint: warning: {listed(target.path)}: {target.problem}", file=sys.stderr)
            continue
        column = "" if settings is None else "\t" + listed(file_label(settings, target.path))
        stream.write(listed(target.path) + column + "\n")
        count += 1
    return count
