"""``--output-format json``: one JSON array of diagnostics, the stable machine-readable contract."""

from __future__ import annotations

import json
from typing import TextIO

from fmlint.report import RunResult


def render(result: RunResult, stream: TextIO) -> None:
    json.dump([diagnostic.to_json() for diagnostic in result.diagnostics], stream, indent=2, ensure_ascii=False)
    stream.write("\n")
