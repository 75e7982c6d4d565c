"""``--output-format json-lines``: one JSON object per line, with the keys of the JSON contract.

Unlike ``json``, a consumer can process findings as they stream in, and a run with
no findings prints nothing at all.
"""

from __future__ import annotations

import json
from typing import TextIO

from fmlint.escape import json_safe
from fmlint.report import RunResult


def render(result: RunResult, stream: TextIO) -> None:
    for diagnostic in result.diagnostics:
        stream.write(json_safe(json.dumps(diagnostic.to_json(), ensure_ascii=False)) + "\n")
