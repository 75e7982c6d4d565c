"""What linting one file produced: the unit the cache keeps, the pool carries and the report reads."""

from __future__ import annotations

from typing import Any, NamedTuple

from fmlint.diagnostic import Diagnostic
from fmlint.policy.suppress import Suppression
from fmlint.run.clock import NowWindow


class FileResult(NamedTuple):
    """A file's diagnostics (as the policy decided them) and the corpus rules' facts.

    ``suppressions`` are the file's suppression comments that could still suppress a
    cross-file finding; the cross-file pass applies them and reports those left unused.
    A result is stored whole in the result cache and carried between processes, so
    every field must be small picklable data.
    """

    path: str
    diagnostics: tuple[Diagnostic, ...]
    facts: tuple[tuple[str, Any], ...] = ()
    suppressions: tuple[Suppression, ...] = ()
    now_window: NowWindow | None = None  # the run's ``now`` values the result holds for (None: all)
