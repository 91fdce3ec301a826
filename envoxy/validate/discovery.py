"""Which files to check: the paths named, directories walked for ``*.json``.

Hidden directories (a name starting with ``.``) are skipped below a named directory; a directory
reached twice (a symlink loop, or two links to one place) is walked once, under its real path
when the walk meets one. A directory named
``*.json`` is reported (it is usually a mistake, such as a bind mount of a missing file) and
walked. Paths are shown as the user named them, or joined below the directory the user named.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from envoxy.errors import UsageError

__all__ = ["Discovered", "PathIssue", "Target", "discover"]

SUFFIX = ".json"


class Target(NamedTuple):
    """A file to check: ``shown`` in findings, ``fs`` to open (a named tuple: a large tree has
    a hundred thousand of them, made in a third of a dataclass's time)."""

    shown: str
    fs: str
    known_regular: bool = False  # the walk saw a plain file (not a symlink): no stat needed


@dataclass(frozen=True, slots=True)
class PathIssue:
    """A path that is not a checkable file, found while walking (a parse-error finding)."""

    shown: str
    message: str


@dataclass(frozen=True, slots=True)
class Discovered:
    targets: tuple[Target, ...]
    issues: tuple[PathIssue, ...]


def _walk(
    shown_root: str,
    fs_root: str,
    targets: list[Target],
    issues: list[PathIssue],
    visited: set[tuple[int, int]],
) -> None:
    stack = [(shown_root, fs_root)]
    # Symlinked directories wait until the real tree is walked, so that a file reachable both
    # ways is shown under its real path.
    linked: list[tuple[str, str]] = []
    while stack or linked:
        if not stack:
            stack, linked = list(reversed(linked)), []
        shown, fs = stack.pop()
        try:
            st = os.stat(fs)
            key = (st.st_dev, st.st_ino)
            if key in visited:
                continue
            visited.add(key)
            with os.scandir(fs) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as e:
            issues.append(PathIssue(shown, f"cannot list directory: {e.strerror or e}"))
            continue
        subdirs: list[tuple[str, str]] = []
        prefix = os.path.join(shown, "")  # + name: os.path.join(shown, name), once per directory
        for entry in entries:
            child = prefix + entry.name
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                if entry.name.startswith("."):
                    continue
                if entry.name.endswith(SUFFIX):
                    issues.append(PathIssue(child, "is a directory, expected a JSON model file"))
                (linked if entry.is_symlink() else subdirs).append((child, entry.path))
            elif entry.name.endswith(SUFFIX):
                try:
                    plain = entry.is_file(follow_symlinks=False)
                except OSError:
                    plain = False
                targets.append(Target(child, entry.path, plain))
        stack.extend(reversed(subdirs))


def discover(paths: Sequence[str]) -> Discovered:
    """Expand ``paths``; raises :class:`UsageError` naming every path that does not exist."""
    missing = [p for p in paths if not os.path.lexists(p)]
    if missing:
        names = ", ".join(repr(p) for p in missing)
        raise UsageError(f"no such file or directory: {names}; name existing model files or directories")
    targets: list[Target] = []
    issues: list[PathIssue] = []
    visited: set[tuple[int, int]] = set()
    for path in paths:
        if os.path.isdir(path):
            _walk(path, path, targets, issues, visited)
        else:
            targets.append(Target(path, path))
    unique = {t.shown: t for t in targets}
    return Discovered(
        tuple(sorted(unique.values())),  # by shown path: it comes first, and is unique
        tuple(sorted(set(issues), key=lambda i: i.shown)),
    )
