"""Infer a project's profile from the tables it already has.

For each logical type of the rules (``uuid``, ``timestamp``, ``text``), the SQL type most of the
required columns of that type already have wins (ties: the ``legacy`` type, then the ``native``
one, then the first by name); a type that cannot hold the field's value (an ``INTEGER`` id cannot
take a UUID), or that the database keeps no faithful column for (a time zone on MySQL), never
wins. When every winner is the ``legacy`` type the profile is ``legacy``, when every one is the
``native`` type it is ``native`` (and on MySQL and MariaDB, when every one is the ``mysql`` type,
``mysql``); otherwise it is a profile written out under ``profiles:`` that starts from whichever
of them matches more and overrides the rest.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from envoxy.rules.compiler import value_fits
from envoxy.rules.model import ColumnSpec, RuleSet
from envoxy.rules.profiles import BUILTIN_PROFILES, MADE_FOR
from envoxy.rules.sqltypes import SqlType, parse_sql_type, types_match
from envoxy.sqltypes.dialects import dialect_of
from envoxy.tables import TableState, spelled

__all__ = ["CUSTOM_PROFILE", "Inference", "Source", "infer_profile"]

CUSTOM_PROFILE = "inferred"
_BUILTINS = ("legacy", "native", "mysql")


@dataclass(frozen=True, slots=True)
class Source:
    """Tables as one source has them: ``label`` says which (``alembic/versions (head)``)."""

    label: str
    tables: tuple[TableState, ...]
    dialect: str = "postgresql"


@dataclass(frozen=True, slots=True)
class FieldTally:
    """What the in-scope tables have for one required field."""

    name: str
    logical_type: str
    types: tuple[tuple[str, int], ...]  # SQL type (DDL) -> how many tables, most first
    missing: int


@dataclass(frozen=True, slots=True)
class Inference:
    profile: str
    profile_spec: dict[str, Any] | None
    """The profile to write under ``profiles:`` (``None`` for a built-in one)."""
    tables: int
    tallies: tuple[FieldTally, ...]
    notes: tuple[str, ...] = field(default=())


def _builtin_type(profile: str, logical: str) -> SqlType | None:
    spec = BUILTIN_PROFILES[profile]["types"].get(logical)
    return parse_sql_type(spec["sql"]) if spec else None


def _unkept_on(t: SqlType, dialects: set[str]) -> tuple[str, str] | None:
    """The first of ``dialects`` that keeps no faithful column for ``t``, and what it lacks."""
    key = f"{t.name} WITH TIME ZONE" if t.timezone else t.name
    for d in sorted(dialects):
        why = dialect_of(d).unkept.get(key)
        if why is not None:
            return d, why
    return None


def _winner(
    logical: str,
    counts: Counter[SqlType],
    specs: Sequence[ColumnSpec],
    notes: list[str],
    candidates: Sequence[str],
    dialects: set[str],
) -> SqlType | None:
    names = ", ".join(s.name for s in specs)
    fitting: dict[SqlType, int] = {}
    for t, n in counts.items():
        many = f"({n} column{'s' if n != 1 else ''})"
        unkept = _unkept_on(t, dialects)
        if not all(value_fits(s.value.kind, t, on_update=s.value.on_update) for s in specs):
            notes.append(
                f"{names}: {t.ddl()} {many} cannot hold the values rules.yaml makes for it; not adopted"
            )
        elif unkept is not None:
            dialect, why = unkept
            notes.append(f"{names}: {spelled(t, dialect)} {many} is not adopted: {dialect} {why}")
        else:
            fitting[t] = n
    if not fitting:
        return None
    preferred = [_builtin_type(p, logical) for p in candidates]

    def rank(t: SqlType) -> tuple[int, int, str]:
        tie = preferred.index(t) if t in preferred else len(preferred)
        return (-fitting[t], tie, t.ddl())

    return min(fitting, key=rank)


def infer_profile(rules: RuleSet, sources: Iterable[Source]) -> Inference:
    """The profile the tables of ``sources`` already follow, judged with ``rules``'s fields and
    scope (the shipped default's when a project has none yet)."""
    tables: list[tuple[TableState, str]] = [
        (t, s.dialect) for s in sources for t in s.tables if rules.in_scope(t.name)
    ]
    by_logical: dict[str, list[ColumnSpec]] = {}
    for spec in rules.columns:
        by_logical.setdefault(spec.logical_type, []).append(spec)
    tallies: list[FieldTally] = []
    notes: list[str] = []
    chosen: dict[str, SqlType] = {}
    dialects = {d for _, d in tables} or {"postgresql"}
    candidates = tuple(p for p in _BUILTINS if dialects <= set(MADE_FOR.get(p, dialects)))
    for logical, specs in by_logical.items():
        counts: Counter[SqlType] = Counter()
        for spec in specs:
            per_field: Counter[str] = Counter()
            missing = 0
            for table, dialect in tables:
                column = table.column(spec.name)
                if column is None or column.type is None:
                    missing += column is None
                    continue
                counts[column.type] += 1
                per_field[spelled(column.type, dialect)] += 1
            ordered = tuple(sorted(per_field.items(), key=lambda kv: (-kv[1], kv[0])))
            tallies.append(FieldTally(spec.name, logical, ordered, missing))
        winner = _winner(logical, counts, specs, notes, candidates, dialects)
        if winner is not None:
            chosen[logical] = winner

    def agrees(profile: str, logical: str) -> bool:
        expected = _builtin_type(profile, logical)
        return expected is not None and all(types_match(expected, chosen[logical], d) for d in dialects)

    matches = {p: sum(agrees(p, lt) for lt in chosen) for p in candidates}
    for profile in candidates:
        if matches[profile] == len(chosen):
            return Inference(profile, None, len(tables), tuple(tallies), tuple(notes))
    base = max(candidates, key=lambda p: (matches[p], p == "legacy"))
    types = {
        logical: {"sql": sql.ddl(), "json": BUILTIN_PROFILES[base]["types"][logical]["json"]}
        for logical, sql in chosen.items()
        if not agrees(base, logical) and logical in BUILTIN_PROFILES[base]["types"]
    }
    written = {"base": base, "types": types}
    return Inference(CUSTOM_PROFILE, written, len(tables), tuple(tallies), tuple(notes))
