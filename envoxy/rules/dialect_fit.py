"""Whether the rules can apply to a database dialect at all.

A dialect with no faithful column for a type the rules ask for (MySQL and MariaDB keep no time
zone: ``unkept`` in :mod:`envoxy.sqltypes.dialects`) cannot follow those rules, whatever its
tables hold. Judging its tables would only repeat that as a ``wrong-type`` on every timestamp
column, and a baseline could then accept it, so the Alembic gate and ``check-db`` refuse to run
instead, naming the fields, the reason and the profile that fits. Pure data: no SQLAlchemy.
"""

from __future__ import annotations

from dataclasses import dataclass

from envoxy.errors import EnvoxyError
from envoxy.rules.model import RuleSet
from envoxy.sqltypes.dialects import dialect_of

__all__ = ["FITTING", "RulesUnfitError", "Unkept", "check_rules_fit", "unkept_columns"]

FITTING = "profile: mysql (CHAR(36) ids, DATETIME(6) timestamps; docs/RULES.md, MySQL and MariaDB)"
"""What the refusal suggests instead: the built-in profile made for the dialects that refuse one
(legacy applies there too, but its DATETIME keeps whole seconds)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Unkept:
    """A type the rules ask for that the dialect has no faithful column for."""

    sql: str
    """The type, as ``rules.yaml`` writes it."""
    fields: tuple[str, ...]
    why: str
    """What the dialect lacks, as the rest of a sentence that starts with its name."""


class RulesUnfitError(EnvoxyError):
    """The rules ask for a type the database's dialect cannot keep; the message says which, why,
    and what fits (the CLI exits 2: it is the rules, not the tables, that must change)."""

    def __init__(self, rules: RuleSet, dialect: str, unkept: tuple[Unkept, ...]) -> None:
        self.dialect = dialect
        self.unkept = unkept
        where = rules.source or "rules.yaml"
        said = "; ".join(
            f"{', '.join(u.fields)} {'is' if len(u.fields) == 1 else 'are'} {u.sql}, and {dialect} {u.why}"
            for u in unkept
        )
        super().__init__(
            f"the rules of {where} (profile {rules.profile}) cannot apply to a {dialect} database: "
            f"{said}. Use {FITTING}"
        )


def unkept_columns(rules: RuleSet, dialect: str) -> tuple[Unkept, ...]:
    """The types of ``rules`` that ``dialect`` has no faithful column for, in field order."""
    facts = dialect_of(dialect)
    found: dict[tuple[str, str], list[str]] = {}
    for spec in rules.columns:
        t = spec.sql_type
        why = facts.unkept.get(f"{t.name} WITH TIME ZONE" if t.timezone else t.name)
        if why is not None:
            found.setdefault((t.ddl(), why), []).append(spec.name)
    return tuple(Unkept(sql=sql, fields=tuple(names), why=why) for (sql, why), names in found.items())


def check_rules_fit(rules: RuleSet, dialect: str) -> None:
    """Raise :class:`RulesUnfitError` when ``dialect`` cannot keep a type ``rules`` asks for."""
    unkept = unkept_columns(rules, dialect)
    if unkept:
        raise RulesUnfitError(rules, dialect, unkept)
