"""The link cache: what servers answered, kept in the user's cache directory between runs.

One JSON object per line (``links.jsonl`` in ``$XDG_CACHE_HOME/fmlint`` or
``~/.cache/fmlint``), appended and flushed as each answer arrives, so a run that
is interrupted or fails keeps what it learned. Reading it trusts nothing: a line
that is not an answer this version writes is skipped, and a file grown too large is
ignored. A later line about a URL replaces an earlier one; when most lines are
replaced or stale, the file is rewritten (to a temporary file, then renamed).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from typing import IO

from fmlint.links.answer import Answer, from_json

FILE_NAME = "links.jsonl"
_MAX_BYTES = 64 << 20
_FUTURE_SLACK = 86400.0  # seconds an answer may seem to come from the future (clock changes)


def default_path() -> str:
    """Where the link cache lives: the XDG cache directory, else ``~/.cache``."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # the XDG specification: a relative path is to be ignored
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "fmlint", FILE_NAME)


class LinkStore:
    """Answers by URL, each usable while younger than its max age (successes live longer)."""

    def __init__(self, path: str, now: float, max_age: float, failure_max_age: float) -> None:
        self.path = path
        self.now = now
        self.max_age = max_age
        self.failure_max_age = failure_max_age
        self.answers: dict[str, tuple[Answer, bool]] = {}  # URL -> (answer, was it a success)
        self._lines = 0
        self._handle: IO[str] | None = None
        self._load()

    def _load(self) -> None:
        try:
            with open(self.path, encoding="utf-8", errors="replace") as handle:
                if os.fstat(handle.fileno()).st_size > _MAX_BYTES:
                    return
                for line in handle:
                    self._lines += 1
                    self._take(line)
        except OSError:
            return

    def _take(self, line: str) -> None:
        try:
            record = json.loads(line)
        except ValueError:
            return
        if not isinstance(record, dict) or not isinstance(record.get("ok"), bool):
            return
        ok = record.pop("ok")
        answer = from_json(record)
        if answer is not None:
            self.answers[answer.url] = (answer, ok)

    def get(self, url: str) -> Answer | None:
        """The answer for ``url`` if it is young enough to be used."""
        held = self.answers.get(url)
        if held is None:
            return None
        answer, ok = held
        # Answers of this very run are younger than ``now``; one from much later than the clock
        # says is not to be trusted (a clock set back, or a forged file).
        age = self.now - answer.at
        if age < -_FUTURE_SLACK:
            return None
        return answer if age <= (self.max_age if ok else self.failure_max_age) else None

    def put(self, answer: Answer, ok: bool) -> None:
        """Keep ``answer`` (written to the file at once)."""
        self.answers[answer.url] = (answer, ok)
        try:
            if self._handle is None:
                os.makedirs(os.path.dirname(self.path), mode=0o700, exist_ok=True)
                self._handle = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - open for the whole run
            self._handle.write(json.dumps({**answer.to_json(), "ok": ok}, ensure_ascii=True) + "\n")
            self._handle.flush()
            self._lines += 1
        except OSError:
            self._handle = None  # a cache that cannot be written only costs requests next time

    def close(self) -> None:
        """Close the file; rewrite it when most of its lines are no longer of use."""
        if self._handle is not None:
            with contextlib.suppress(OSError):
                self._handle.close()
            self._handle = None
        kept = {url: held for url, held in self.answers.items() if self.get(url) is not None}
        if self._lines > 64 and self._lines > 2 * len(kept):
            self._rewrite(kept)

    def _rewrite(self, kept: dict[str, tuple[Answer, bool]]) -> None:
        folder = os.path.dirname(self.path)
        try:
            descriptor, temporary = tempfile.mkstemp(prefix=".links-", suffix=".tmp", dir=folder)
        except OSError:
            return
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                for answer, ok in kept.values():
                    handle.write(json.dumps({**answer.to_json(), "ok": ok}, ensure_ascii=True) + "\n")
            os.replace(temporary, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
