"""``--output-format junit``: JUnit XML, the test-report format CI dashboards read.

One test suite; one test case per checked file, named by its path. A clean file is a
passing test; a file with findings holds one ``<failure>`` per finding, whose
``type`` is the rule code. Files that could not even be walked appear too, so
every finding of the run is in the report.
"""

from __future__ import annotations

import re
from typing import TextIO

from fmlint.diagnostic import Diagnostic
from fmlint.report import RunResult

# XML 1.0 cannot hold most control characters, not even escaped; a message or a path
# that quotes one from a file gets U+FFFD there instead of making the report unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def render(result: RunResult, stream: TextIO) -> None:
    import xml.etree.ElementTree as ET

    by_path: dict[str, list[Diagnostic]] = {path: [] for path in result.checked_paths}
    for diagnostic in result.diagnostics:
        by_path.setdefault(diagnostic.path, []).append(diagnostic)
    failed = sum(1 for found in by_path.values() if found)
    counts = {"tests": str(len(by_path)), "failures": str(failed), "errors": "0"}
    suites = ET.Element("testsuites", {"name": "fmlint", **counts})
    suite = ET.SubElement(suites, "testsuite", {"name": "fmlint", **counts, "skipped": "0"})
    for path, found in by_path.items():
        case = ET.SubElement(suite, "testcase", {"classname": "fmlint", "name": _xml_text(path or "(all files)")})
        for d in found:
            message = f"{d.line}:{d.column}: {d.code} {d.message}"
            failure = ET.SubElement(case, "failure", {"type": d.code, "message": _xml_text(message)})
            failure.text = _xml_text(f"{d.path}:{message} ({d.severity}, {d.rule})")
    ET.indent(suites)
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(ET.tostring(suites, encoding="unicode") + "\n")
