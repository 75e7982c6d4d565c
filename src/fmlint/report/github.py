"""``--output-format github``: GitHub Actions workflow commands, shown as annotations.

    ::error file=a.md,line=3,col=8,endLine=3,endColumn=26,title=FM301::message

GitHub reads ``%``, CR and LF in a command as escapes, and ``:`` and ``,`` in a
property as separators, so each is percent-encoded the way the Actions toolkit does.
Other control characters, and the bidirectional controls that would make an annotation
read differently from what it holds, are shown instead (:func:`fmlint.escape.printable`):
every finding is one workflow command, whatever its file holds.
"""

from __future__ import annotations

from typing import TextIO

from fmlint.diagnostic import Severity
from fmlint.escape import printable
from fmlint.report import RunResult
from fmlint.report.identity import portable_path


def escape_data(text: str) -> str:
    text = printable(text, line_breaks=True)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(result: RunResult, stream: TextIO) -> None:
    for d in result.diagnostics:
        command = "error" if d.severity is Severity.ERROR else "warning"
        properties = {"title": d.code}
        if d.path:
            properties = {
                "file": portable_path(d.path),
                "line": str(d.line),
                "col": str(d.column),
                "endLine": str(d.end_line),
                "endColumn": str(d.end_column),
                **properties,
            }
        listed = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
        stream.write(f"::{command} {listed}::{escape_data(d.message)}\n")
