"""The official JSON-Schema-Test-Suite (vendored in tests/data/), read as cases fmlint can run.

Run as a script to print the pass figures: ``python tests/schema_suite.py``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

SUITE = Path(__file__).resolve().parent / "data" / "JSON-Schema-Test-Suite"
DRAFTS = {
    "draft4": "http://json-schema.org/draft-04/schema#",
    "draft6": "http://json-schema.org/draft-06/schema#",
    "draft7": "http://json-schema.org/draft-07/schema#",
    "draft2019-09": "https://json-schema.org/draft/2019-09/schema",
    "draft2020-12": "https://json-schema.org/draft/2020-12/schema",
}
REMOTE_BASE = "http://localhost:1234/"


class Difference(NamedTuple):
    """Cases where fmlint's verdict differs from the suite's on purpose (any draft)."""

    file: str  # relative to a draft's folder
    test: str  # a test's description; "*" for every test of the file, "*x" for those ending in x
    reason: str


_URL = "fmlint's URL checks are FM301's: IRIs accepted in uri, numeric hosts read as IPv4, no empty reference"
_LAX_URL = "fmlint's URL checks (FM301) do not check the user part of an authority or brackets outside it"
DIFFERENCES = (
    Difference("format.json", "*is only an annotation by default", "fmlint asserts every format"),
    Difference("optional/format/unknown.json", "*", "a schema naming a format nothing enforces is refused"),
    *(
        Difference(f"optional/format/{name}.json", test, _URL)
        for name in ("uri", "uri-reference")
        for test in (
            "unescaped non US-ASCII characters",
            "URI with leading-zero IPv4 is structurally valid as a reg-name",
            "URI with out-of-bounds IPv4 is structurally valid as a reg-name",
        )
    ),
    Difference("optional/format/uri-reference.json", "an empty URI reference", _URL),
    Difference("optional/format/uri-reference.json", "a network-path reference with an empty authority", _URL),
    Difference("optional/format/uri.json", "invalid userinfo", _LAX_URL),
    Difference("optional/format/uri-reference.json", "more than one at-sign in the authority", _LAX_URL),
    Difference("optional/format/uri-reference.json", "square brackets outside an authority", _LAX_URL),
)


class Case(NamedTuple):
    draft: str
    file: str  # relative to the draft's folder
    group: str
    test: str
    schema: Any
    data: Any
    valid: bool

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.draft, self.file, self.group, self.test)

    def documented(self) -> Difference | None:
        """Why fmlint's verdict differs from the suite's here, or ``None`` where it must not."""
        for difference in DIFFERENCES:
            pattern = difference.test
            if difference.file == self.file and (
                pattern == self.test or (pattern.startswith("*") and self.test.endswith(pattern[1:]))
            ):
                return difference
        return None


def cases() -> Iterator[Case]:
    for draft in DRAFTS:
        folder = SUITE / "tests" / draft
        for path in sorted([*folder.glob("*.json"), *folder.glob("optional/format/*.json")]):
            for group in json.loads(path.read_text(encoding="utf-8")):
                for test in group["tests"]:
                    relative = path.relative_to(folder).as_posix()
                    yield Case(
                        draft,
                        relative,
                        group["description"],
                        test["description"],
                        group["schema"],
                        test["data"],
                        test["valid"],
                    )


def with_dialect(schema: Any, draft: str) -> Any:
    """The suite's schemas leave the dialect to the folder; fmlint reads it from ``$schema``."""
    if isinstance(schema, dict) and "$schema" not in schema:
        return {"$schema": DRAFTS[draft], **schema}
    return schema


def remotes(draft: str) -> dict[str, Any]:
    """The suite's remote documents by URI, as its README says to serve them, in the folder's dialect."""
    found = {}
    folder = SUITE / "remotes"
    for path in sorted(folder.rglob("*.json")):
        relative = path.relative_to(folder).as_posix()
        top = relative.split("/", 1)[0]
        if (top in DRAFTS and top != draft) or top == "v1":
            continue
        found[REMOTE_BASE + relative] = with_dialect(json.loads(path.read_text(encoding="utf-8")), draft)
    return found
