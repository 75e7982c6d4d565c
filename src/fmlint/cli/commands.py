"""The commands that lint nothing: ``fmlint rules``, ``fmlint rule CODE`` and ``fmlint schema``."""

from __future__ import annotations

import sys
from typing import Any, TextIO

from fmlint.cli.exit import EXIT_OK
from fmlint.precedence import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from argparse import Namespace


def say(level: str, message: str, path: str | None = None) -> None:
    """``fmlint: LEVEL: [PATH: ]MESSAGE`` on stderr, as one line: the path and the message may
    quote a file, a file name or a configuration (:func:`fmlint.escape.printable`)."""
    from fmlint.escape import printable

    where = f"{printable(path)}: " if path is not None else ""
    print(f"fmlint: {level}: {where}{printable(message)}", file=sys.stderr)


def list_rules(stream: TextIO) -> int:
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


def show_rule(code: str, stream: TextIO) -> int:
    from fmlint.rules import BY_CODE, BY_NAME
    from fmlint.rules.docs import render_rule
    from fmlint.schema.explain import suggest

    rule = BY_CODE.get(code.upper()) or BY_NAME.get(code)
    if rule is None:
        raise UsageError(f"no rule `{code}`{suggest(code, [*BY_CODE, *BY_NAME])} (see `fmlint rules`)")
    stream.write(render_rule(rule))
    return EXIT_OK


def infer(args: Namespace, stream: TextIO) -> int:
    """``fmlint schema infer PATH...``: a schema from the front-matter of the files ``check`` would lint."""
    import json

    from fmlint.pipeline.discover import discover
    from fmlint.pipeline.yamlread import Limits
    from fmlint.precedence import file_filter, load_configuration
    from fmlint.schema.infer import infer_schema, read_records

    config = load_configuration(args)
    targets = list(discover(args.paths or ["."], file_filter(config, args)))
    unwalkable = [f"{target.path}: {target.problem}" for target in targets if target.problem]
    paths = [target.path for target in targets if not target.problem]
    records, skipped = read_records(paths, Limits(**config.limits))
    for note in (*unwalkable, *skipped):
        say("warning", f"left out {note}")
    if not records:
        raise UsageError("no file with front-matter to infer a schema from")
    json.dump(infer_schema(records), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
    noun = "file" if len(records) == 1 else "files"
    print(f"Inferred a schema from {len(records)} {noun}.", file=sys.stderr)
    return EXIT_OK


def show_schema(name: str, stream: TextIO) -> int:
    from fmlint.schema.store import SchemaError, builtin_text

    try:
        stream.write(builtin_text(name))
    except SchemaError as exc:
        raise UsageError(str(exc)) from None
    return EXIT_OK
