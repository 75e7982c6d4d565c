"""``--output-format json``: one JSON array of diagnostics, the stable machine-readable contract."""

from __future__ import annotations

import json
from typing import TextIO

from fmlint.escape import json_safe
from fmlint.report import RunResult


def render(result: RunResult, stream: TextIO) -> None:
    found = [diagnostic.to_json() for diagnostic in result.diagnostics]
    stream.write(json_safe(json.dumps(found, indent=2, ensure_ascii=False)) + "\n")
