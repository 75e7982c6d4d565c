"""``--output-format gitlab``: a GitLab Code Quality report (a JSON array of issues).

GitLab shows these in merge requests, and compares the reports of two pipelines by
``fingerprint`` to tell new findings from fixed ones; see
:mod:`fmlint.report.identity` for what goes into a fingerprint and why.
"""

from __future__ import annotations

import json
from typing import TextIO

from fmlint.diagnostic import Severity
from fmlint.escape import json_safe
from fmlint.report import RunResult
from fmlint.report.identity import fingerprints, portable_path

# GitLab's scale is info, minor, major, critical, blocker. An error fails the run,
# which GitLab calls major; a warning is advice, which it calls minor.
_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor"}


def render(result: RunResult, stream: TextIO) -> None:
    issues = [
        {
            "check_name": d.code,
            "description": f"{d.code} {d.message}",
            "severity": _SEVERITY[d.severity],
            "fingerprint": fingerprint,
            "location": {
                "path": portable_path(d.path),
                "positions": {
                    "begin": {"line": d.line, "column": d.column},
                    "end": {"line": d.end_line, "column": d.end_column},
                },
            },
        }
        for d, fingerprint in zip(result.diagnostics, fingerprints(result.diagnostics), strict=True)
    ]
    stream.write(json_safe(json.dumps(issues, indent=2, ensure_ascii=False)) + "\n")
