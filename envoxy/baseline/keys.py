"""Baseline keys: what a finding is, by name, never by line.

A key is the rule, the table and the field, and where on its surface the finding lives: the model
file relative to the rules file (``models``), the revision id (``migrations``), the database
schema (``db``), or nothing (``head_state``: the tables as the whole history leaves them). Lines
inserted above a violation, keys reordered, a file reformatted or a revision's ops reordered leave
every key as it was.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Literal

from envoxy.findings import Finding
from envoxy.rules.catalog import RULES

__all__ = [
    "LOCATOR",
    "NOT_BASELINED",
    "SURFACES",
    "Coverage",
    "Key",
    "Keyer",
    "Surface",
    "db_keyer",
    "head_state_keyer",
    "model_keyer",
    "relative_path",
    "revision_keyer",
]

Surface = Literal["models", "migrations", "head_state", "db"]
SURFACES: tuple[Surface, ...] = ("models", "migrations", "head_state", "db")

LOCATOR: dict[Surface, str | None] = {
    "models": "file",
    "migrations": "revision",
    "head_state": None,
    "db": "schema",
}
"""The entry field that says where on the surface a finding lives (``None``: nowhere)."""

NOT_BASELINED: dict[str, str] = {r.id: r.not_baselined for r in RULES.values() if r.not_baselined}
"""Rules a baseline never accepts, with the reason: the rule catalog says which (docs/ADOPTING.md
repeats it)."""


@dataclass(frozen=True, slots=True)
class Key:
    """One finding's logical identity."""

    surface: Surface
    rule: str
    where: str | None
    table: str | None
    field: str | None

    def text(self) -> str:
        """A stable string form (what SARIF fingerprints hash): the parts joined by U+001F, a
        missing one written U+0000 (neither can be told from a name otherwise)."""
        parts = (self.surface, self.rule, self.where, self.table, self.field)
        return "\x1f".join("\x00" if p is None else p for p in parts)

    def order(self) -> tuple[tuple[int, str], ...]:
        """Sort order in the file: by place, table, field, then rule (``None`` first)."""
        return tuple(
            (0, "") if v is None else (1, v) for v in (self.where, self.table, self.field, self.rule)
        )


Keyer = Callable[[Finding], "Key | None"]
"""A finding's key on one surface, ``None`` when it cannot be baselined."""


@dataclass(frozen=True, slots=True)
class Coverage:
    """Which entries of its surface a run checked in whole.

    ``judges(key)``: a run that saw no finding of the entry proves it stale. ``owns(key)``:
    ``--write-baseline`` replaces the entry by what the run found. A run over a list of files
    owns their entries but judges none (pre-commit passes the staged files, and the issue asks
    that such runs never report staleness).
    """

    judges: Callable[[Key], bool]
    owns: Callable[[Key], bool]

    @classmethod
    def everything(cls) -> Coverage:
        return cls(judges=_always, owns=_always)

    @classmethod
    def nothing(cls) -> Coverage:
        return cls(judges=_never, owns=_never)

    @classmethod
    def model_paths(cls, directories: Collection[str], files: Collection[str]) -> Coverage:
        """``directories`` walked and ``files`` named, both as :func:`relative_path` gives them."""
        dirs = tuple(directories)
        named = frozenset(files)

        def under(key: Key) -> bool:
            where = key.where or ""
            return any(d == "." or where == d or where.startswith(d + "/") for d in dirs)

        return cls(judges=under, owns=lambda key: under(key) or key.where in named)

    @classmethod
    def places(cls, places: Collection[str | None]) -> Coverage:
        """Entries whose ``where`` is one of ``places`` (revisions, a schema)."""
        chosen = frozenset(places)
        return cls(judges=lambda key: key.where in chosen, owns=lambda key: key.where in chosen)

    @classmethod
    def named(cls, places: Collection[str | None]) -> Coverage:
        """Entries of ``places`` (the revisions of files named one by one), judged for nothing."""
        chosen = frozenset(places)
        return cls(judges=_never, owns=lambda key: key.where in chosen)

    @classmethod
    def revisions(cls, judged: Collection[str], known: Collection[str]) -> Coverage:
        """Entries of the revisions checked (``judged``), and of revisions no longer in the
        history (not among ``known``): those can never match again."""
        checked, present = frozenset(judged), frozenset(known)

        def covered(key: Key) -> bool:
            return key.where in checked or key.where not in present

        return cls(judges=covered, owns=covered)

    @classmethod
    def tables(cls, tables: Collection[str]) -> Coverage:
        """``head_state`` entries of these tables, judged for nothing (a partial history)."""
        chosen = frozenset(tables)
        return cls(judges=_never, owns=lambda key: key.table in chosen)


def _always(key: Key) -> bool:
    return True


def _never(key: Key) -> bool:
    return False


def _relative_directory(directory: str, base: str) -> str:
    """The real path of ``directory`` (absolute) relative to ``base``, ``/``-separated."""
    real = os.path.realpath(directory)
    try:
        relative = os.path.relpath(real, base)
    except ValueError:  # another drive (Windows): no relative form
        relative = real
    return relative.replace(os.sep, "/")


def _joined(directory: str, name: str) -> str:
    return name if directory == "." else f"{directory}/{name}"


def relative_path(path: str, base: str, cwd: str) -> str:
    """``path`` (as shown, relative to ``cwd`` or absolute) relative to the directory ``base``
    (a real path), ``/``-separated, through the real path of the directory holding it (of itself
    for a directory): the same on every machine with the same layout below ``base``."""
    full = os.path.join(cwd, path)
    directory, name = os.path.split(full)
    if not name or name in (".", "..") or os.path.isdir(full):
        return _relative_directory(full, base)  # a directory walked: its files show through its real path
    return _joined(_relative_directory(directory, base), name)


def model_keyer(base: str, cwd: str) -> Keyer:
    """Keys of ``validate`` findings: the model file relative to ``base`` (the rules file's
    directory, a real path). Directories are resolved once each: a tree has far fewer."""
    directories: dict[str, str] = {}
    known: dict[str, str] = {}

    def where(path: str) -> str:
        directory, name = os.path.split(os.path.join(cwd, path))
        relative = directories.get(directory)
        if relative is None:
            relative = directories[directory] = _relative_directory(directory, base)
        return _joined(relative, name)

    def key(f: Finding) -> Key | None:
        if f.rule in NOT_BASELINED or f.path is None:
            return None
        file = known.get(f.path)
        if file is None:
            file = known[f.path] = where(f.path)
        return Key("models", f.rule, file, f.table, f.field)

    return key


def revision_keyer(revisions: Mapping[str, str]) -> Keyer:
    """Keys of per-op ``check-migrations`` findings; ``revisions`` maps a revision file, as
    findings show it, to its revision id."""

    def key(f: Finding) -> Key | None:
        if f.rule in NOT_BASELINED or f.path is None:
            return None
        revision = revisions.get(f.path)
        return None if revision is None else Key("migrations", f.rule, revision, f.table, f.field)

    return key


def head_state_keyer(f: Finding) -> Key | None:
    """Keys of ``check-migrations --head-state`` findings: the tables at head, wherever the op
    that last reshaped them is (a new revision touching a table keeps its findings' keys)."""
    if f.rule in NOT_BASELINED or f.table is None:
        return None
    return Key("head_state", f.rule, None, f.table, f.field)


def db_keyer(schema: str | None) -> Keyer:
    """Keys of ``check-db`` findings in ``schema`` (``None``: the connection's default)."""

    def key(f: Finding) -> Key | None:
        if f.rule in NOT_BASELINED:
            return None
        return Key("db", f.rule, schema, f.table, f.field)

    return key
