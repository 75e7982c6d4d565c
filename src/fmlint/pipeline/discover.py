"""Find the files to lint.

A path named explicitly is always linted, and read as given. Directories are walked
without following symbolic links to directories (so a link loop cannot trap the walk),
skipping hidden entries, git-ignored paths, ``exclude`` globs and the files a repository
keeps about itself (``README.md``, ``LICENSE.md``, …), and keeping files whose names
match ``include``.

A symbolic link found while walking is read only when its target is a file the walk
could have found itself: inside the folder being walked, not hidden, not git-ignored,
on the same file system. Anything else (``env.md -> /proc/self/environ``, a link to a
credentials file) is a :class:`Target` with a problem, reported and never opened.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from fnmatch import fnmatchcase, translate
from functools import lru_cache
from operator import attrgetter
from typing import NamedTuple

DEFAULT_INCLUDE = ("*.md", "*.markdown", "*.txt")
DEFAULT_EXCLUDE = ("node_modules",)
# Files a repository keeps about itself, matched by the name before the first dot in any
# case (README.md, readme.txt, LICENSE.en.md). They have no front-matter, and a site
# generator such as Jekyll copies a file without front-matter as it is instead of making
# a page of it: they are not articles.
REPOSITORY_FILES = frozenset(
    {
        "AUTHORS",
        "CHANGELOG",
        "CHANGES",
        "CODE_OF_CONDUCT",
        "CONTRIBUTING",
        "CONTRIBUTORS",
        "COPYING",
        "ISSUE_TEMPLATE",
        "LICENCE",
        "LICENSE",
        "NOTICE",
        "PULL_REQUEST_TEMPLATE",
        "README",
        "SECURITY",
    }
)


def is_repository_file(name: str) -> bool:
    """Whether a walk leaves the file ``name`` out as one of :data:`REPOSITORY_FILES`."""
    return name.partition(".")[0].upper() in REPOSITORY_FILES


class Target(NamedTuple):
    """A path to lint, or a path that must not be read or could not be walked, and why.

    ``file`` is false for a folder that could not be listed: it is reported, but it is
    not one of the files a run counts as checked."""

    path: str
    problem: str | None = None
    file: bool = True


OUTSIDE = "a symbolic link to a file outside the folder being linted"
HIDDEN = "a symbolic link to a hidden file, which a walk does not read"
IGNORED = "a symbolic link to a file git ignores, which a walk does not read"
OTHER_FILE_SYSTEM = "a symbolic link to a file on another file system"


class FileFilter(NamedTuple):
    """Which walked files are linted. Globs without ``/`` match a name; others a path from ``root``."""

    include: tuple[str, ...] = DEFAULT_INCLUDE
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    root: str = "."
    respect_gitignore: bool = True

    def included(self, name: str, path: str) -> bool:
        return _matches(self.include, name, path, self.root)

    def excluded(self, name: str, path: str) -> bool:
        return _matches(self.exclude, name, path, self.root)


def _matches(patterns: Sequence[str], name: str, path: str, root: str) -> bool:
    by_name, by_path = _compiled(tuple(patterns))
    if by_name is not None and by_name(name):
        return True
    if not by_path:
        return False
    relative = os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")
    return any(fnmatchcase(relative, pattern) or fnmatchcase(relative, pattern + "/*") for pattern in by_path)


def _matcher(patterns: tuple[str, ...], root: str) -> Callable[[str, str], bool]:
    """``_matches`` for one set of globs; with name globs only, one compiled match per name."""
    by_name, by_path = _compiled(tuple(patterns))
    if by_path:
        return lambda name, path: _matches(patterns, name, path, root)
    if by_name is None:
        return lambda name, path: False
    return lambda name, path: by_name(name) is not None


@lru_cache(maxsize=16)
def _compiled(patterns: tuple[str, ...]) -> tuple[Callable[[str], object] | None, tuple[str, ...]]:
    """The name globs as one regular expression (as ``fnmatchcase`` would match them), and
    the path globs. Walking 100,000 files matches every name against every glob."""
    import re

    names = [translate(pattern) for pattern in patterns if "/" not in pattern]
    paths = tuple(pattern.strip("/") for pattern in patterns if "/" in pattern)
    return (re.compile("|".join(names)).match if names else None), paths


def path_matches(pattern: str, path: str, root: str) -> bool:
    """Whether ``pattern``, as an ``exclude`` glob, would leave out the file ``path``.

    A glob without ``/`` matches the file's name or the name of any folder it is in
    (from ``root``); a glob with ``/`` matches the path from ``root``, or a folder on it.
    """
    if "/" in pattern:
        return _matches((pattern,), "", path, root)
    relative = os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")
    return any(fnmatchcase(part, pattern) for part in relative.split("/"))


def discover(paths: Sequence[str], rules: FileFilter) -> Iterator[Target]:
    """Every file to lint under ``paths``, in a stable order."""
    for path in paths:
        if os.path.isdir(path):
            yield from _walk(os.path.normpath(path), rules)
        else:
            yield Target(os.path.normpath(path))


def _walk(top: str, rules: FileFilter) -> Iterator[Target]:
    """Depth-first, in name order."""
    ignored = _git_ignored(top) if rules.respect_gitignore else frozenset()
    included, excluded = _matcher(rules.include, rules.root), _matcher(rules.exclude, rules.root)
    cut = 2 if top == "." else 0  # "./name" is reported as "name"
    real_top = os.path.realpath(top)
    stack = [iter(_entries(top))]
    while stack:
        for item in stack[-1]:
            if isinstance(item, Target):
                yield item
                continue
            name = item.name
            if name[0] == ".":
                continue
            path = item.path[cut:] if cut and item.path.startswith("./") else item.path
            relative = _relative(path, top) if ignored else ""
            if relative in ignored:
                continue
            try:
                is_dir = item.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if is_dir:
                if relative + "/" not in ignored and not excluded(name, path):
                    stack.append(iter(_entries(path)))
                    break  # depth first: the folder's entries come next
            elif included(name, path) and not excluded(name, path) and not is_repository_file(name):
                problem = link_problem(path, real_top, ignored) if item.is_symlink() else None
                yield Target(path, problem)
        else:
            stack.pop()


def link_problem(link: str, tree: str, ignored: frozenset[str] = frozenset()) -> str | None:
    """Why the symbolic link ``link``, found in the folder ``tree``, must not be followed; ``None``
    when its target is a file that a walk of ``tree`` could have found itself.

    ``tree`` is resolved first, so a folder named through a link still contains its own
    files. A target that does not exist is left to the reader, which says so. A target
    on another file system is refused even inside ``tree``: that is how ``/proc``,
    ``/sys`` and ``/dev`` look from a walk of ``/``, and a link into them discloses the
    running process, not the checkout. ``ignored`` are the paths git ignores under
    ``tree`` (as :func:`_git_ignored` gives them).
    """
    root = os.path.realpath(tree)
    target = os.path.realpath(link)
    if target != root and not target.startswith(root.rstrip(os.sep) + os.sep):
        return OUTSIDE
    parts = os.path.relpath(target, root).split(os.sep) if target != root else []
    if any(part.startswith(".") for part in parts):
        return HIDDEN
    if ignored and any(_relative_path(parts, end) in ignored for end in range(1, len(parts) + 1)):
        return IGNORED
    try:
        if os.stat(target).st_dev != os.lstat(link).st_dev:
            return OTHER_FILE_SYSTEM
    except OSError:
        return None  # dangling, a loop, or unreadable: reading it reports which
    return None


_NAME = attrgetter("name")


def _entries(directory: str) -> list[os.DirEntry[str] | Target]:
    try:
        with os.scandir(directory) as scan:
            return sorted(scan, key=_NAME)
    except OSError as exc:
        return [Target(directory, f"cannot list directory: {exc.strerror or exc}", file=False)]


def _relative_path(parts: list[str], end: int) -> str:
    """The first ``end`` of ``parts`` as git names them: a folder (not the whole path) ends with ``/``."""
    return "/".join(parts[:end]) + ("/" if end < len(parts) else "")


def _relative(path: str, top: str) -> str:
    return os.path.relpath(path, top).replace(os.sep, "/")


def _git_ignored(top: str) -> frozenset[str]:
    """Paths under ``top`` that git ignores (directories end with ``/``); empty outside git."""
    import subprocess  # only a walk needs it: linting the files named (pre-commit) skips the import

    try:
        completed = subprocess.run(
            ["git", "-C", top, "ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory"],
            capture_output=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    if completed.returncode != 0:
        return frozenset()
    return frozenset(os.fsdecode(item) for item in completed.stdout.split(b"\0") if item)


def wanted_by(filters: FileFilter, path: str) -> bool:
    """Whether ``fmlint check`` on the folder of ``filters`` would lint ``path`` (include/exclude,
    hidden folders), without walking the folder: for a buffer or piped text named ``path``."""
    root = os.path.abspath(filters.root)
    name = os.path.basename(path)
    if not filters.included(name, path) or filters.excluded(name, path):
        return False
    relative = os.path.relpath(os.path.abspath(path), root)
    if relative.startswith(".."):
        return True  # outside the folder: an explicitly named file is always linted
    parts = relative.replace(os.sep, "/").split("/")
    # The walk skips hidden entries and the folders the exclude list names.
    return not any(part.startswith(".") for part in parts[:-1]) and not any(
        filters.excluded(part, os.path.join(root, *parts[: index + 1])) for index, part in enumerate(parts[:-1])
    )
