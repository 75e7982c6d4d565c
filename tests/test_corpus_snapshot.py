"""The real corpus: no errors, and exactly the warnings recorded in the snapshot.

Every warning fmlint reports on the 674 real articles is listed, one per line, in
``tests/golden/corpus-warnings.txt``; each entry there has been reviewed as a true
finding. A rule that starts to cry wolf on healthy files changes the list and fails
here. Regenerate after a deliberate change with
``FMLINT_UPDATE_GOLDEN=1 pytest tests/test_corpus_snapshot.py`` and review the diff.
"""

from __future__ import annotations

import json
import os

from conftest import CORPUS, REPO, run_cli

SNAPSHOT = REPO / "tests" / "golden" / "corpus-warnings.txt"


def _corpus_findings() -> list[dict[str, object]]:
    result = run_cli("check", "--isolated", "--no-cache", str(CORPUS), "--output-format", "json", cwd=REPO)
    assert result.err == ""
    findings: list[dict[str, object]] = json.loads(result.out)
    return findings


def _line(entry: dict[str, object]) -> str:
    path = os.path.relpath(str(entry["path"]), CORPUS)
    return f"{path}:{entry['line']}:{entry['column']}: {entry['code']} {entry['pointer']} {entry['message']}"


def test_corpus_has_no_errors_and_the_reviewed_warnings() -> None:
    findings = _corpus_findings()
    assert [_line(entry) for entry in findings if entry["severity"] == "error"] == []
    warnings = "".join(_line(entry) + "\n" for entry in findings)
    if os.environ.get("FMLINT_UPDATE_GOLDEN"):
        SNAPSHOT.write_text(warnings, encoding="utf-8")
    assert warnings == SNAPSHOT.read_text(encoding="utf-8")
