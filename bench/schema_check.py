"""Time the schema check alone: validating a corpus document, and explaining an invalid one.

Usage (from the repository root, with fmlint importable):

    python bench/schema_check.py [--corpus DIR] [--rounds N]

Each document of the corpus is read once with fmlint's reader; then, in rounds, every
valid document is validated, and a broken copy of each (a wrong type, a value out of
range, a missing field, an unknown field, a bad URL) is validated and explained. The
medians over the rounds are printed per document, in microseconds. The script reads
only ``SchemaSet.is_valid`` and the function that lists why a document is invalid, so
it also runs against earlier versions of fmlint (``errors`` there, ``violations`` now)
to compare them on the same machine.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from typing import Any

try:
    from fmlint.pipeline.source import read_front_matter
    from fmlint.pipeline.yamlread import Limits, read_yaml
except ImportError:  # an earlier version of fmlint, before the package was laid out as the pipeline
    from fmlint.source import read_front_matter  # type: ignore[no-redef]
    from fmlint.yamlread import Limits, read_yaml  # type: ignore[no-redef]
from fmlint.schema.explain import explain
from fmlint.schema.store import load_schema_set

REPO = Path(__file__).resolve().parent.parent


def documents(folder: Path) -> list[dict[str, Any]]:
    found = []
    for path in sorted(folder.iterdir()):
        source = read_front_matter(str(path), Limits().max_front_matter_bytes)
        data = getattr(read_yaml(source.text, Limits()), "data", None) if hasattr(source, "text") else None
        if isinstance(data, dict):
            found.append(data)
    return found


def broken(data: dict[str, Any], index: int) -> dict[str, Any]:
    """One realistic defect per document, in turn."""
    kind = index % 5
    if kind == 0:
        return {**data, "quality": "high"}
    if kind == 1:
        return {**data, "heat": -7}
    if kind == 2:
        return {key: value for key, value in data.items() if key != "title"}
    if kind == 3:
        return {**data, "titel": data.get("title", "x")}
    return {**data, "webUrl": "https//example.com/a"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=REPO / "tests" / "corpus" / "powerapps")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    schemas = load_schema_set()
    find = getattr(schemas, "violations", None) or schemas.errors
    valid = [data for data in documents(args.corpus) if schemas.is_valid(data)]
    invalid = [broken(data, index) for index, data in enumerate(valid)]
    assert not any(schemas.is_valid(data) for data in invalid)
    for data in invalid[:5]:  # first use: compile and import everything outside the timing
        explain(find(data))
    validate_times, explain_times = [], []
    for _ in range(args.rounds):
        started = time.perf_counter()
        for data in valid:
            schemas.is_valid(data)
        validate_times.append((time.perf_counter() - started) / len(valid))
        started = time.perf_counter()
        for data in invalid:
            if not schemas.is_valid(data):
                explain(find(data))
        explain_times.append((time.perf_counter() - started) / len(invalid))
    validate = statistics.median(validate_times) * 1e6
    explained = statistics.median(explain_times) * 1e6
    print(f"{len(valid)} valid documents, {len(invalid)} broken copies, {args.rounds} rounds (medians)")
    print(f"validate a valid document:        {validate:8.1f} µs")
    print(f"validate and explain a broken one: {explained:8.1f} µs")


if __name__ == "__main__":
    main()
