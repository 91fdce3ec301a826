"""The baseline file: read it (every problem located, all at once), and write it deterministically.

::

    {
      "version": 1,
      "models": [
        {"rule": "missing-field", "file": "models/a.json", "table": "products", "field": "href", "count": 1}
      ],
      "migrations": [
        {"rule": "missing-field", "revision": "3f2a9c1d0b7e", "table": "orders", "field": "href", "count": 1}
      ],
      "head_state": [],
      "db": [
        {"rule": "wrong-type", "schema": null, "table": "orders", "field": "id", "count": 1}
      ]
    }

Every section is always written, entries sorted by place, table, field and rule, one a line,
ASCII only, ``\\n`` line ends: the same findings give the same bytes on every machine, and two
branches that each fix a violation merge without conflict.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from envoxy.baseline.keys import LOCATOR, SURFACES, Key, Surface
from envoxy.errors import Problem, ProblemsError
from envoxy.validate.loader import Parsed, Unparsable, parse

__all__ = [
    "VERSION",
    "Baseline",
    "BaselineError",
    "Entry",
    "parse_baseline",
    "read_baseline",
    "render_baseline",
    "rewrite",
    "update_baseline",
]

VERSION = 1


_Where = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Entry:
    """One accepted key, how many findings it accepts, and where it stands in the file
    (``where``: its path in the JSON document, ``("models", 3)``)."""

    key: Key
    count: int
    where: _Where = ()

    @property
    def pointer(self) -> str:
        """RFC 6901: ``/models/3``."""
        return "".join(f"/{p}" for p in self.where)


@dataclass(frozen=True, slots=True)
class Baseline:
    path: str  # as shown in messages and findings
    entries: tuple[Entry, ...]
    text: str = field(default="", repr=False)

    def section(self, surface: Surface) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.key.surface == surface)

    def positions(self, entries: Iterable[Entry]) -> dict[_Where, tuple[int, int]]:
        """Line and column of each of ``entries`` (its opening brace). Computed on demand: only
        stale entries need them, and locating costs about a parse of the file."""
        from envoxy.validate.positions import locate

        return locate(self.text, [e.where for e in entries]) if self.text else {}


class BaselineError(ProblemsError):
    """The baseline file cannot be used; carries every problem found."""

    def headline(self) -> str:
        n = len(self.problems)
        return (
            f"the baseline file has {n} problem{'s' if n != 1 else ''} (fix it, or delete it and "
            "run the commands again with --write-baseline):"
        )


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, (int, float)):
        return f"{value!r} (a number)"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=True)
    return "a list" if isinstance(value, list) else "an object"


_FIELDS: dict[Surface, frozenset[str]] = {
    surface: frozenset({"rule", "table", "field", "count"} | ({locator} if locator else set()))
    for surface, locator in LOCATOR.items()
}


def _name(value: Any, *, nullable: bool = True) -> bool:
    return (type(value) is str and value != "") or (nullable and value is None)


def _well_formed(surface: Surface, item: Any) -> Key | None:
    """The key of an entry as envoxy writes it, checked in one pass (the common case: a file of
    thousands of entries reads in a few milliseconds); ``None`` when anything is off."""
    if type(item) is not dict or item.keys() != _FIELDS[surface]:
        return None
    locator = LOCATOR[surface]
    place = item[locator] if locator is not None else None
    count = item["count"]
    if (
        _name(item["rule"], nullable=False)
        and (locator is None or _name(place, nullable=surface == "db"))
        and _name(item["table"])
        and _name(item["field"])
        and type(count) is int
        and count >= 1
    ):
        return Key(surface, item["rule"], place, item["table"], item["field"])
    return None


class _Checker:
    def __init__(self, parsed: Parsed) -> None:
        self.repeated = parsed.repeated_keys
        self.problems: list[tuple[_Where, str]] = []

    def problem(self, where: _Where, message: str) -> None:
        self.problems.append((where, message))

    def string(self, value: Any, where: _Where, name: str, *, nullable: bool) -> bool:
        if isinstance(value, str) and value:
            return True
        if value is None and nullable:
            return True
        expected = "a non-empty string" + (" or null" if nullable else "")
        self.problem(where, f"{name} is {_describe(value)}, expected {expected}")
        return False

    def entry(self, surface: Surface, index: int, item: Any) -> Key | None:
        key = None if self.repeated(item) else _well_formed(surface, item)
        return key if key is not None else self.explain(surface, index, item)

    def explain(self, surface: Surface, index: int, item: Any) -> Key | None:
        """Every problem of an entry that is not plainly well formed (or its key after all)."""
        where: _Where = (surface, index)
        if not isinstance(item, dict):
            self.problem(where, f"entry {index} of {surface} is {_describe(item)}, expected an object")
            return None
        locator = LOCATOR[surface]
        fields = ["rule", *([locator] if locator else []), "table", "field", "count"]
        for name in self.repeated(item):
            self.problem((*where, name), f"key {name!r} appears more than once in an entry of {surface}")
        unknown = [k for k in item if k not in fields]
        for k in unknown:
            self.problem(
                (*where, k), f"unknown key {k!r} in an entry of {surface}, expected keys: {', '.join(fields)}"
            )
        missing = [k for k in fields if k not in item]
        if missing:
            self.problem(
                where,
                f"an entry of {surface} lacks {', '.join(repr(k) for k in missing)}, "
                f"expected keys: {', '.join(fields)}",
            )
            return None
        ok = self.string(item["rule"], (*where, "rule"), "rule", nullable=False)
        if locator is not None:
            ok &= self.string(item[locator], (*where, locator), locator, nullable=surface == "db")
        ok &= self.string(item["table"], (*where, "table"), "table", nullable=True)
        ok &= self.string(item["field"], (*where, "field"), "field", nullable=True)
        count = item["count"]
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            self.problem(
                (*where, "count"), f"count is {_describe(count)}, expected a whole number of 1 or more"
            )
            ok = False
        if unknown or not ok:
            return None
        return Key(surface, item["rule"], item[locator] if locator else None, item["table"], item["field"])

    def document(self, data: Any) -> list[tuple[Key, int, _Where]]:
        if not isinstance(data, dict):
            self.problem((), f'the file holds {_describe(data)}, expected a JSON object with "version": 1')
            return []
        for name in self.repeated(data):
            self.problem((name,), f"section {name!r} appears more than once")
        if data.get("version") != VERSION or isinstance(data.get("version"), bool):
            shown = _describe(data["version"]) if "version" in data else "missing"
            self.problem(("version",) if "version" in data else (), f"version is {shown}, expected 1")
        found: list[tuple[Key, int, _Where]] = []
        for name, section in data.items():
            if name == "version":
                continue
            if name not in SURFACES:
                self.problem(
                    (name,), f"unknown section {name!r}, expected one of: version, {', '.join(SURFACES)}"
                )
                continue
            surface = cast(Surface, name)
            if not isinstance(section, list):
                self.problem((name,), f"section {name!r} is {_describe(section)}, expected a list of entries")
                continue
            for i, item in enumerate(section):
                key = self.entry(surface, i, item)
                if key is not None:
                    found.append((key, item["count"], (surface, i)))
        return found


def _position(text: str, where: _Where) -> tuple[int, int]:
    from envoxy.validate.positions import locate

    for depth in range(len(where), -1, -1):
        spot = locate(text, [where[:depth]]).get(where[:depth])
        if spot is not None:
            return spot
    return (1, 1)


def _load(raw: bytes, shown: str) -> Parsed:
    """``raw`` parsed as model files are (BOM, UTF-8, depth, number and constant checks, repeated
    keys noted), or a :class:`BaselineError` at the failure."""
    parsed = parse(raw)
    if isinstance(parsed, Unparsable):
        problem = Problem(path=shown, line=parsed.line, column=parsed.column, message=parsed.message)
        raise BaselineError([problem])
    return parsed


def parse_baseline(raw: bytes, shown: str) -> Baseline:
    """The baseline in ``raw``; raises :class:`BaselineError` naming every problem, each at
    ``file:line:col``."""
    parsed = _load(raw, shown)
    text = parsed.text()
    checker = _Checker(parsed)
    found = checker.document(parsed.root)
    problems = []
    for where, message in checker.problems:
        line, column = _position(text, where)
        problems.append(Problem(path=shown, line=line, column=column, message=message))
    entries: dict[Key, Entry] = {}
    repeated: list[tuple[Entry, Entry]] = []
    for key, count, where in found:
        entry = Entry(key=key, count=count, where=where)
        if key in entries:
            repeated.append((entries[key], entry))
        else:
            entries[key] = entry
    baseline = Baseline(path=shown, entries=tuple(entries.values()), text=text)
    if repeated:  # rare: locate only then
        spots = baseline.positions(e for pair in repeated for e in pair)
        for first, again in repeated:
            line, column = spots[again.where]
            message = (
                f"this entry repeats the key of the entry at line {spots[first.where][0]}, expected "
                "each rule, place, table and field once (add up the counts)"
            )
            problems.append(Problem(path=shown, line=line, column=column, message=message))
    if problems:
        raise BaselineError(sorted(problems, key=lambda p: (p.line or 0, p.column or 0, p.message)))
    return baseline


def read_baseline(path: str | os.PathLike[str], shown: str) -> Baseline | None:
    """The baseline file at ``path``, ``None`` when there is none; :class:`BaselineError` when
    it cannot be read or used."""
    try:
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):  # a FIFO or a device could block
            problem = Problem(
                path=shown, line=None, column=None, message="is not a regular file, expected a baseline file"
            )
            raise BaselineError([problem])
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError as e:
        if not os.path.islink(path):
            return None
        # A link to nothing (planted, say): writing through it would create a file wherever it points.
        message = "is a broken symbolic link (its target does not exist)"
        raise BaselineError([Problem(path=shown, line=None, column=None, message=message)]) from e
    except IsADirectoryError as e:
        raise BaselineError(
            [Problem(path=shown, line=None, column=None, message="is a directory, expected a baseline file")]
        ) from e
    except OSError as e:
        message = f"cannot be read ({e.strerror}), expected a readable file"
        raise BaselineError([Problem(path=shown, line=None, column=None, message=message)]) from e
    return parse_baseline(raw, shown)


@contextlib.contextmanager
def _locked(path: str | os.PathLike[str]) -> Iterator[None]:
    """Hold an exclusive lock on the directory of ``path`` (``flock``; nothing where there is
    none): two commands rewriting one baseline at once each keep the other's section."""
    try:
        import fcntl
    except ImportError:  # Windows: the atomic write still leaves a whole file
        yield
        return
    fd = os.open(os.path.dirname(os.path.realpath(path)), os.O_RDONLY)
    try:
        with contextlib.suppress(OSError):  # a file system without locks (some NFS): as above
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # and with it the lock


def update_baseline(
    path: str | os.PathLike[str], shown: str, change: Callable[[Baseline | None], Mapping[Key, int]]
) -> Baseline | None:
    """Rewrite the baseline file at ``path`` with the entries ``change`` makes of the current ones
    (``None``: no file yet), holding a lock from the read to the write; returns what was read.
    Raises :class:`BaselineError` for a file that cannot be used (never overwritten) and
    :class:`OSError` for one that cannot be written."""
    from envoxy._io import atomic_write

    with _locked(path):
        old = read_baseline(path, shown)
        atomic_write(path, render_baseline(change(old)))
    return old


def _entry_text(key: Key, count: int) -> str:
    entry: dict[str, Any] = {"rule": key.rule}
    locator = LOCATOR[key.surface]
    if locator is not None:
        entry[locator] = key.where
    entry.update(table=key.table, field=key.field, count=count)
    return json.dumps(entry, ensure_ascii=True)


def render_baseline(counts: Mapping[Key, int]) -> str:
    """The file's text: every section, entries sorted, one a line."""
    lines = ["{", f'  "version": {VERSION},']
    for n, surface in enumerate(SURFACES):
        comma = "," if n < len(SURFACES) - 1 else ""
        keys = sorted((k for k in counts if k.surface == surface), key=Key.order)
        if not keys:
            lines.append(f'  "{surface}": []{comma}')
            continue
        lines.append(f'  "{surface}": [')
        lines.extend(
            f"    {_entry_text(k, counts[k])}{',' if i < len(keys) - 1 else ''}" for i, k in enumerate(keys)
        )
        lines.append(f"  ]{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def rewrite(
    baseline: Baseline | None, surface: Surface, owns: Callable[[Key], bool], found: Mapping[Key, int]
) -> dict[Key, int]:
    """The entries after ``--write-baseline``: ``surface``'s entries that the run owns are
    replaced by ``found`` (so those that no longer occur are dropped); every other entry stays."""
    kept = {
        e.key: e.count
        for e in (baseline.entries if baseline is not None else ())
        if not (e.key.surface == surface and owns(e.key))
    }
    kept.update(found)
    return kept
