"""What the server knows of the workspace: folders, their settings, every file's latest result.

Each workspace folder is linted as ``fmlint check`` run in it would lint it: its own
``pyproject.toml`` settings, its own cross-file pass. An open buffer's text replaces
the file on disk; a file outside every folder is a folder of its own.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field

from fmlint.diagnostic import Diagnostic
from fmlint.pipeline.result import FileResult
from fmlint.server.adapter import ConfigProblem, Profile, cross_file, lint_text, load_profile, refresh_clock

log = logging.getLogger(__name__)


@dataclass(eq=False)  # a folder is itself: compared by identity, never by its (large) contents
class Folder:
    """One workspace folder: its settings, the results of its files, and their cross-file findings."""

    root: str
    profile: Profile
    problem: str | None = None  # why its settings could not be read (the defaults are used meanwhile)
    results: dict[str, FileResult] = field(default_factory=dict)
    cross: dict[str, tuple[Diagnostic, ...]] = field(default_factory=dict)
    scanned: bool = False

    def contains(self, path: str) -> bool:
        return path == self.root or path.startswith(self.root.rstrip(os.sep) + os.sep)

    def findings(self, path: str) -> list[Diagnostic]:
        """Everything ``fmlint check`` reports for ``path``: its own findings and the cross-file ones."""
        result = self.results.get(path)
        own = result.diagnostics if result is not None else ()
        return sorted((*own, *self.cross.get(path, ())), key=Diagnostic.sort_key)

    def run_cross_file(self) -> set[str]:
        """Run the cross-file pass again; the paths whose cross-file findings changed."""
        found: dict[str, list[Diagnostic]] = {}
        for diagnostic in cross_file(self.profile.linter, self.results.values()):
            found.setdefault(diagnostic.path, []).append(diagnostic)
        new = {path: tuple(sorted(items, key=Diagnostic.sort_key)) for path, items in found.items()}
        changed = {path for path in new.keys() | self.cross.keys() if new.get(path) != self.cross.get(path)}
        self.cross = new
        return changed


def make_folder(root: str) -> Folder:
    root = os.path.abspath(root)
    try:
        return Folder(root, load_profile(root))
    except ConfigProblem as exc:
        return Folder(root, load_profile(root, isolated=True), problem=str(exc))


class State:
    """Every folder, and the buffers the editor has open (their text is newer than the disk's)."""

    def __init__(self) -> None:
        self.folders: list[Folder] = []
        self.buffers: dict[str, str] = {}  # path -> text of the open buffer

    def add_folder(self, root: str) -> Folder:
        folder = make_folder(root)
        self.remove_folder(folder.root)
        self.folders.append(folder)
        return folder

    def remove_folder(self, root: str) -> None:
        root = os.path.abspath(root)
        self.folders = [folder for folder in self.folders if folder.root != root]

    def folder_of(self, path: str) -> Folder:
        """The innermost folder holding ``path``; a file outside them all gets a folder of its own."""
        holding = [folder for folder in self.folders if folder.contains(path)]
        if holding:
            return max(holding, key=lambda folder: len(folder.root))
        folder = make_folder(os.path.dirname(path))
        folder.root = path  # only this file belongs to it
        folder.scanned = True
        self.folders.append(folder)
        return folder

    def reload(self, folder: Folder) -> Folder:
        """Read the folder's settings again (its ``pyproject.toml`` changed); its files need linting again."""
        fresh = make_folder(folder.root)
        if os.path.isfile(folder.root):  # a lone file's folder
            fresh.root, fresh.scanned = folder.root, True
        self.folders[self.folders.index(folder)] = fresh
        return fresh

    def lint(self, path: str, text: str | None = None) -> Folder:
        """Lint ``path`` from ``text`` (an open buffer), or from its buffer or the disk; keep the result."""
        folder = self.folder_of(path)
        if text is None:
            text = self.buffers.get(path)
        linter = folder.profile.linter
        refresh_clock(linter.settings)
        if not folder.profile.wants(path):
            folder.results.pop(path, None)
        elif text is not None:
            folder.results[path] = lint_text(linter, path, text)
        elif os.path.isfile(path):
            folder.results[path] = linter.lint_file(path)
        else:
            folder.results.pop(path, None)  # deleted
        return folder

    def scan(self, folder: Folder) -> Iterator[int]:
        """Lint every file ``fmlint check`` would lint in the folder, yielding after each one (how
        many are done) so the caller can report progress and answer requests in between."""
        from fmlint.pipeline.discover import discover

        targets = [target.path for target in discover([folder.root], folder.profile.filters) if target.problem is None]
        yield -len(targets)  # first, how many there are
        linter = folder.profile.linter
        refresh_clock(linter.settings)
        for done, path in enumerate(targets, 1):
            text = self.buffers.get(path)
            folder.results[path] = lint_text(linter, path, text) if text is not None else linter.lint_file(path)
            yield done
        folder.scanned = True
