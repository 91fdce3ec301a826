"""Revision files named one by one (pre-commit passes the changed ones): which history each belongs
to, and which findings are about them.

A revision is judged with its whole history as context: the ops before it tell a rename from a
drop, and the head state needs every table. So each named file is scanned with the versions
directories it lives in (those of ``./alembic.ini``, else ``alembic/versions``, when they hold it;
else its own directory), and only the findings located in a named file are kept: a finding about
the history as a whole (an unordered graph) belongs to runs over the whole history, and the
command judges exemptions as on any partial run (expired ones, not unused ones).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from envoxy.errors import UsageError
from envoxy.findings import Finding
from envoxy.migrations.loader import Location, resolve_locations

__all__ = ["RevisionFiles", "group_revision_files", "is_file_target", "is_revision_name"]


def is_revision_name(name: str) -> bool:
    """Whether Alembic reads a file of this name as a revision (``__init__.py`` and editor locks
    are left out, as Alembic leaves them out)."""
    return name.endswith(".py") and not name.startswith(("__init__", ".#"))


def is_file_target(named: str, cwd: Path) -> bool:
    """Whether a path on the command line names a revision file rather than a versions directory:
    anything that exists and is not a directory; a missing path when its name ends in ``.py``."""
    path = cwd / named
    if os.path.lexists(path):
        return not path.is_dir()
    return named.endswith(".py")


@dataclass(frozen=True, slots=True)
class RevisionFiles:
    """Named revision files of one history: the versions directories to scan, and each file's real
    path with the name the user gave it."""

    locations: tuple[Location, ...]
    named: Mapping[Path, str]

    def shown(self, path: str | None, cwd: Path) -> str | None:
        """``path`` (as the scan shows it) as the user named it, when it is a named file."""
        return None if path is None else self.named.get((cwd / path).resolve())

    def about(self, findings: Iterable[Finding], cwd: Path) -> list[Finding]:
        """The findings located in a named file, each with the path as the user named it."""
        kept = []
        for f in findings:
            shown = self.shown(f.path, cwd)
            if shown is not None:
                kept.append(f if f.path == shown else replace(f, path=shown))
        return kept


def _configured(cwd: Path) -> list[Location]:
    """The versions directories of this project, or none when it names none (no alembic.ini, no
    alembic/versions); a broken alembic.ini is a usage error, as for a whole-history run."""
    if (cwd / "alembic.ini").is_file() or (cwd / "alembic" / "versions").is_dir():
        return resolve_locations(None, cwd)
    return []


def group_revision_files(files: Sequence[str], cwd: Path) -> list[RevisionFiles]:
    """The named files Alembic reads as revisions, grouped by the history they belong to (in the
    order first named). Raises :class:`UsageError` for a file that does not exist or is not a
    regular ``.py`` file; ``__init__.py`` and editor locks are skipped."""
    configured = _configured(cwd)
    groups: dict[tuple[Location, ...], dict[Path, str]] = {}
    for name in files:
        path = cwd / name
        if not os.path.lexists(path):
            raise UsageError(f"no such file: {name}")
        if not path.name.endswith(".py") or not path.is_file():
            raise UsageError(f"not a revision file (a regular *.py file) or a versions directory: {name}")
        if not is_revision_name(path.name):
            continue
        real = path.resolve()
        if any(real.is_relative_to(loc.real) for loc in configured):
            key = tuple(configured)
        else:  # a history of its own: the directory the file is in
            key = tuple(resolve_locations(os.path.dirname(name) or ".", cwd))
        groups.setdefault(key, {})[real] = name
    return [RevisionFiles(locations, named) for locations, named in groups.items()]
