"""``--output-format junit``: JUnit XML, the test-report format CI dashboards read.

One test suite; one test case per checked file, named by its path. A failure is what
fails the run: each error is a ``<failure>`` (whose ``type`` is the rule code), and so
is each warning with ``--strict``. Other warnings do not fail their test case: they are
listed in its ``<system-out>``, so a dashboard is green exactly when the job is. Files
that could not even be walked appear too, so every finding of the run is in the report.

The XML is written here rather than by ElementTree, because ElementTree leaves a line
break inside a message as it is: a message quoting ``\\n::error::…`` from a file would
then start a line of the report with a workflow command. Every text goes through
:func:`fmlint.escape.xml_escape`, which keeps each line break as a reference.
"""

from __future__ import annotations

from typing import TextIO

from fmlint.diagnostic import Diagnostic
from fmlint.escape import xml_escape
from fmlint.report import RunResult

_INDENT = "  "


def render(result: RunResult, stream: TextIO) -> None:
    by_path: dict[str, list[Diagnostic]] = {path: [] for path in result.checked_paths}
    for diagnostic in result.diagnostics:
        by_path.setdefault(diagnostic.path, []).append(diagnostic)
    failed = sum(1 for found in by_path.values() if any(result.fails(d) for d in found))
    counts = {"tests": str(len(by_path)), "failures": str(failed), "errors": "0"}
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', _start("testsuites", {"name": "fmlint", **counts})]
    lines.append(_INDENT + _start("testsuite", {"name": "fmlint", **counts, "skipped": "0"}))
    for path, found in by_path.items():
        lines += _case(path, found, result)
    lines += [_INDENT + "</testsuite>", "</testsuites>"]
    stream.write("\n".join(lines) + "\n")


def _case(path: str, found: list[Diagnostic], result: RunResult) -> list[str]:
    """The ``<testcase>`` of one file: a failure per finding that fails the run, then the rest as output."""
    indent = _INDENT * 2
    start = _start("testcase", {"classname": "fmlint", "name": path or "(all files)"})
    if not found:
        return [indent + start[:-1] + " />"]
    lines = [indent + start]
    for d in found:
        if result.fails(d):
            message = f"{d.line}:{d.column}: {d.code} {d.message}"
            failure = _start("failure", {"type": d.code, "message": message})
            lines.append(f"{indent}{_INDENT}{failure}{xml_escape(_described(d))}</failure>")
    advice = [_described(d) for d in found if not result.fails(d)]
    if advice:
        text = "".join(xml_escape(line) + "&#10;" for line in advice)
        lines.append(f"{indent}{_INDENT}<system-out>{text}</system-out>")
    lines.append(indent + "</testcase>")
    return lines


def _described(d: Diagnostic) -> str:
    return f"{d.path}:{d.line}:{d.column}: {d.code} {d.message} ({d.severity}, {d.rule})"


def _start(tag: str, attributes: dict[str, str]) -> str:
    listed = "".join(f' {key}="{xml_escape(value, attribute=True)}"' for key, value in attributes.items())
    return f"<{tag}{listed}>"
