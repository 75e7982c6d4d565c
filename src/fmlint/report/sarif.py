"""``--output-format sarif``: SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

One run; the tool's driver lists every rule fmlint has (so a viewer can explain any
code), and each result points at its rule by id and index, and at the other files a
cross-file finding concerns as ``relatedLocations``. Regions use fmlint's
positions as they are: SARIF's ``endColumn`` is exclusive like fmlint's, and
``columnKind`` says columns count Unicode code points, as fmlint's do.
"""

from __future__ import annotations

import json
import os
from typing import Any, TextIO
from urllib.parse import quote

from fmlint import __version__
from fmlint.diagnostic import Diagnostic, Related
from fmlint.escape import json_safe
from fmlint.report import RunResult
from fmlint.report.identity import fingerprints, portable_path
from fmlint.rules import RULES
from fmlint.rules.base import Example, Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
# No ``informationUri``: it is optional, and fmlint has no page of its own to point at
# that would hold wherever it is installed from.


def render(result: RunResult, stream: TextIO) -> None:
    index = {rule.code: position for position, rule in enumerate(RULES)}
    results = [
        _result(d, index.get(d.code), fingerprint)
        for d, fingerprint in zip(result.diagnostics, fingerprints(result.diagnostics), strict=True)
    ]
    driver = {
        "name": "fmlint",
        "version": __version__,
        "rules": [_rule(rule) for rule in RULES],
    }
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{"tool": {"driver": driver}, "columnKind": "unicodeCodePoints", "results": results}],
    }
    stream.write(json_safe(json.dumps(log, indent=2, ensure_ascii=False)) + "\n")


def _rule(rule: Rule) -> dict[str, Any]:
    configuration: dict[str, Any] = {"level": rule.severity.value}
    if not rule.default_enabled:
        configuration["enabled"] = False
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.what},
        "help": {"text": f"{rule.what}\n\n{rule.why}", "markdown": _help_markdown(rule)},
        "defaultConfiguration": configuration,
    }


def _help_markdown(rule: Rule) -> str:
    parts = [rule.what, f"**Why:** {rule.why}"]
    for title, examples in (("fails", rule.bad), ("passes", rule.good)):
        parts += [f"Example that {title}:\n\n{_fenced(example)}" for example in examples]
    return "\n\n".join(parts)


def _fenced(example: Example) -> str:
    text = example.text.encode("utf-8", "surrogateescape").decode("utf-8", "replace").rstrip("\n")
    fence = "```"
    while fence in text:
        fence += "`"
    return f"{fence}yaml\n{text}\n{fence}"


def _result(d: Diagnostic, rule_index: int | None, fingerprint: str) -> dict[str, Any]:
    result: dict[str, Any] = {"ruleId": d.code}
    if rule_index is not None:
        result["ruleIndex"] = rule_index
    result["level"] = d.severity.value
    result["message"] = {"text": d.message}
    if d.path:  # a finding about the whole run has no file to point at
        region = {"startLine": d.line, "startColumn": d.column, "endLine": d.end_line, "endColumn": d.end_column}
        location = {"artifactLocation": {"uri": _uri(d.path)}, "region": region}
        result["locations"] = [{"physicalLocation": location}]
    if d.related:
        result["relatedLocations"] = [_related(index, related) for index, related in enumerate(d.related, 1)]
    result["partialFingerprints"] = {"fmlint/v1": fingerprint}
    if d.pointer:
        result["properties"] = {"pointer": d.pointer}
    return result


def _related(index: int, related: Related) -> dict[str, Any]:
    """Another place the result concerns (the other file of a duplicate), as SARIF's ``location``."""
    region = {
        "startLine": related.line,
        "startColumn": related.column,
        "endLine": related.end_line,
        "endColumn": related.end_column,
    }
    return {
        "id": index,
        "physicalLocation": {"artifactLocation": {"uri": _uri(related.path)}, "region": region},
        "message": {"text": related.message},
    }


def _uri(path: str) -> str:
    """A relative URI reference for a path in the checkout, a ``file:`` URI for one outside it."""
    portable = portable_path(path)
    if os.path.isabs(portable):
        from pathlib import Path

        return Path(portable).as_uri()
    return quote(portable, errors="surrogateescape")
