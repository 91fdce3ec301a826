"""Infer a project's profile from the tables it already has.

For each logical type of the rules (``uuid``, ``timestamp``, ``text``), the SQL type most of the
required columns of that type already have wins (ties: the ``legacy`` type, then the ``native``
one, then the first by name); a type that cannot hold the field's value (an ``INTEGER`` id cannot
take a UUID) never wins. When every winner is the ``legacy`` type the profile is ``legacy``, when
every one is the ``native`` type it is ``native``; otherwise it is a profile written out under
``profiles:`` that starts from whichever of the two matches more and overrides the rest.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from envoxy.rules.compiler import value_fits
from envoxy.rules.model import ColumnSpec, RuleSet
from envoxy.rules.profiles import BUILTIN_PROFILES
from envoxy.rules.sqltypes import SqlType, parse_sql_type, types_match
from envoxy.tables import TableState

__all__ = ["CUSTOM_PROFILE", "Inference", "Source", "infer_profile"]

CUSTOM_PROFILE = "inferred"
_BUILTINS = ("legacy", "native")


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


def _winner(
    logical: str, counts: Counter[SqlType], specs: Sequence[ColumnSpec], notes: list[str]
) -> SqlType | None:
    fitting = {
        t: n
        for t, n in counts.items()
        if all(value_fits(s.value.kind, t, on_update=s.value.on_update) for s in specs)
    }
    for t in counts:
        if t not in fitting:
            names = ", ".join(s.name for s in specs)
            notes.append(
                f"{names}: {t.ddl()} ({counts[t]} column{'s' if counts[t] != 1 else ''}) cannot hold "
                f"the values rules.yaml makes for it; not adopted"
            )
    if not fitting:
        return None
    preferred = [_builtin_type(p, logical) for p in _BUILTINS]

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
    for logical, specs in by_logical.items():
        counts: Counter[SqlType] = Counter()
        for spec in specs:
            per_field: Counter[str] = Counter()
            missing = 0
            for table, _ in tables:
                column = table.column(spec.name)
                if column is None or column.type is None:
                    missing += column is None
                    continue
                counts[column.type] += 1
                per_field[column.type.ddl()] += 1
            ordered = tuple(sorted(per_field.items(), key=lambda kv: (-kv[1], kv[0])))
            tallies.append(FieldTally(spec.name, logical, ordered, missing))
        winner = _winner(logical, counts, specs, notes)
        if winner is not None:
            chosen[logical] = winner
    dialects = {d for _, d in tables} or {"postgresql"}

    def agrees(profile: str, logical: str) -> bool:
        expected = _builtin_type(profile, logical)
        return expected is not None and all(types_match(expected, chosen[logical], d) for d in dialects)

    matches = {p: sum(agrees(p, lt) for lt in chosen) for p in _BUILTINS}
    for profile in _BUILTINS:
        if matches[profile] == len(chosen):
            return Inference(profile, None, len(tables), tuple(tallies), tuple(notes))
    base = max(_BUILTINS, key=lambda p: (matches[p], p == "legacy"))
    types = {
        logical: {"sql": sql.ddl(), "json": BUILTIN_PROFILES[base]["types"][logical]["json"]}
        for logical, sql in chosen.items()
        if not agrees(base, logical) and logical in BUILTIN_PROFILES[base]["types"]
    }
    written = {"base": base, "types": types}
    return Inference(CUSTOM_PROFILE, written, len(tables), tuple(tallies), tuple(notes))
