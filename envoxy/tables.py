"""The table model and the one rule check the op inspector, the ``--head-state`` scan and
``check-db`` share. Pure data in, findings out; no SQLAlchemy needed.

A :class:`TableState` is a table as a migration history, a live database or a model leaves it:
its schema, its columns (name, canonical SQL type, nullability, primary key), its primary key as
an ordered tuple, its indexes (unique constraints among them) and its foreign keys. A fact a
source cannot know is left empty.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal

from envoxy.errors import EXCERPT_LIMIT, clip
from envoxy.findings import Finding
from envoxy.rules.catalog import RuleId
from envoxy.rules.model import ColumnSpec, Exemption, RuleSet
from envoxy.sqltypes import SqlType, types_match
from envoxy.sqltypes.dialects import dialect_of

__all__ = [
    "ColumnState",
    "ForeignKeyState",
    "IndexState",
    "TableState",
    "column_expectation",
    "exemption_findings",
    "judge_column",
    "judge_table",
    "make_finding",
    "spelled",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class ColumnState:
    """A column as a migration, a reflection or a model leaves it. ``type`` None: unknown."""

    name: str
    type: SqlType | None
    nullable: bool = True
    primary_key: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class IndexState:
    """An index, or a ``UNIQUE`` constraint (``constraint``: ``drop_constraint`` removes it, and
    the database keeps a unique index of the same name for it). ``columns`` are column names, or
    an expression's text."""

    name: str | None
    columns: tuple[str, ...]
    unique: bool = False
    constraint: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ForeignKeyState:
    """``columns`` refer to ``referred_columns`` of ``referred_schema.referred_table``
    (``referred_schema`` None: the referring table's own schema's default)."""

    name: str | None
    columns: tuple[str, ...]
    referred_table: str
    referred_columns: tuple[str, ...]
    referred_schema: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TableState:
    """A table. ``schema`` None is the database's default schema (PostgreSQL: ``public``).

    ``primary_key`` is the key's columns in key order; the columns' own ``primary_key`` flags
    always agree with it (a table built from flags alone gets the key in column order, and a
    key column is NOT NULL, as every database makes it): change the key with :meth:`keyed`.
    ``primary_key_name`` is the key constraint's name where known."""

    name: str
    columns: tuple[ColumnState, ...]
    schema: str | None = None
    primary_key: tuple[str, ...] = ()
    primary_key_name: str | None = None
    indexes: tuple[IndexState, ...] = ()
    foreign_keys: tuple[ForeignKeyState, ...] = ()

    def __post_init__(self) -> None:
        flagged = tuple(c.name for c in self.columns if c.primary_key)
        if not self.primary_key:
            if flagged:
                object.__setattr__(self, "primary_key", flagged)
                self._force_not_null(set(flagged))
            return
        keys = set(self.primary_key)
        if set(flagged) != keys:
            columns = tuple(
                c if c.primary_key == (c.name in keys) else replace(c, primary_key=c.name in keys)
                for c in self.columns
            )
            object.__setattr__(self, "columns", columns)
        self._force_not_null(keys)

    def _force_not_null(self, keys: set[str]) -> None:
        if any(c.nullable and c.name in keys for c in self.columns):
            columns = tuple(replace(c, nullable=False) if c.name in keys else c for c in self.columns)
            object.__setattr__(self, "columns", columns)

    def keyed(self, columns: tuple[str, ...], name: str | None = None) -> TableState:
        """This table with ``columns`` as its primary key (``()``: none), named ``name``."""
        keys = set(columns)
        return replace(
            self,
            columns=tuple(
                c if c.primary_key == (c.name in keys) else replace(c, primary_key=c.name in keys)
                for c in self.columns
            ),
            primary_key=columns,
            primary_key_name=name if columns else None,
        )

    @property
    def qualified(self) -> str:
        """The name findings give the table: ``schema.name`` outside the default schema."""
        return self.name if self.schema is None else f"{self.schema}.{self.name}"

    def column(self, name: str) -> ColumnState | None:
        for c in self.columns:
            if c.name == name:
                return c
        return None


def spelled(sql_type: SqlType, dialect: str = "postgresql") -> str:
    """A type as a finding names it: as ``dialect``'s DDL writes it where that tells the rule's
    types apart (MySQL's ``DATETIME(6)``), else as ``rules.yaml`` does."""
    return sql_type.ddl(dialect) if dialect_of(dialect).spells_messages else sql_type.ddl()


def column_expectation(spec: ColumnSpec, dialect: str = "postgresql") -> str:
    """How ``rules.yaml`` wants the column, e.g. ``VARCHAR(36) NOT NULL PRIMARY KEY``."""
    parts = [spelled(spec.sql_type, dialect), "NULL" if spec.nullable else "NOT NULL"]
    if spec.primary_key:
        parts.append("PRIMARY KEY")
    return " ".join(parts)


def make_finding(
    rules: RuleSet,
    rule: RuleId,
    message: str,
    *,
    table: str | None,
    field: str | None,
    path: str | None = None,
    line: int | None = None,
    column: int | None = None,
    pointer: str | None = None,
) -> Finding | None:
    """A finding at the severity ``rules.yaml`` gives ``rule``; ``None`` when it is ``off``."""
    severity = rules.severity(rule)
    if severity == "off":
        return None
    return Finding(
        rule=rule,
        severity=severity,
        message=message,
        path=path,
        line=line,
        column=column,
        pointer=pointer,
        table=table,
        field=field,
    )


def judge_column(
    rules: RuleSet, table: str, spec: ColumnSpec, column: ColumnState, dialect: str = "postgresql"
) -> list[Finding]:
    """Type, nullability and primary key of one present required column."""
    found: list[Finding | None] = []
    if column.type is not None and not _types_match(spec.sql_type, column.type, dialect):
        found.append(
            make_finding(
                rules,
                "wrong-type",
                f"column '{table}.{spec.name}' is {spelled(column.type, dialect)}, "
                f"expected {spelled(spec.sql_type, dialect)}",
                table=table,
                field=spec.name,
            )
        )
    if column.nullable and not spec.nullable:
        found.append(
            make_finding(
                rules,
                "nullable-field",
                f"column '{table}.{spec.name}' is nullable, expected NOT NULL",
                table=table,
                field=spec.name,
            )
        )
    return [f for f in found if f is not None]


@lru_cache(maxsize=4096)
def _types_match(expected: SqlType, actual: SqlType, dialect: str) -> bool:
    """:func:`types_match`, remembered: a history judges the same few types thousands of times."""
    return types_match(expected, actual, dialect)


def judge_table(rules: RuleSet, table: TableState, dialect: str = "postgresql") -> list[Finding]:
    """Every way ``table`` breaks the rules (nothing when it is out of scope or exempt).

    Scope and exemptions match the table's bare name; findings name it as
    :attr:`TableState.qualified` (``schema.name`` outside the default schema). They carry
    ``table`` and ``field`` but no location: the caller knows where the table came from and adds
    it with :func:`dataclasses.replace`.
    """
    found: list[Finding | None] = []
    required = rules.required_columns(table.name)
    if not required:
        return []
    shown = table.qualified
    pk_columns = set(table.primary_key)
    for spec in required:
        column = table.column(spec.name)
        if column is None:
            found.append(
                make_finding(
                    rules,
                    "missing-field",
                    f"table '{shown}' lacks required column '{spec.name}' "
                    f"({column_expectation(spec, dialect)})",
                    table=shown,
                    field=spec.name,
                )
            )
            continue
        found.extend(judge_column(rules, shown, spec, column, dialect))
        if spec.primary_key and spec.name not in pk_columns:
            found.append(
                make_finding(
                    rules,
                    "missing-primary-key",
                    f"column '{shown}.{spec.name}' is not the primary key, expected PRIMARY KEY "
                    f"({', '.join(rules.primary_key)})",
                    table=shown,
                    field=spec.name,
                )
            )
    return [f for f in found if f is not None]


def exemption_findings(
    rules: RuleSet, seen_tables: Iterable[str], *, today: dt.date | None = None, unused: bool = True
) -> list[Finding]:
    """The one judgement of exemptions every command makes (``validate``, ``check-migrations``
    with or without ``--head-state``, ``check-db``).

    ``expired-exemption`` for exemptions past ``until``; ``unused-exemption`` for those whose
    table was not among ``seen_tables`` (the names of every table or datum the run saw). Pass
    ``unused=False`` when the run saw only part of its surface (pre-commit's list of changed
    files, ``--since``): it cannot tell. Located at the exemption in the rules file that declared
    it (an ``extends``-ed file included)."""
    seen = set(seen_tables)
    found: list[Finding | None] = []
    for e in rules.exemptions:
        table = clip(e.table, EXCERPT_LIMIT)
        if e.expired(today):
            until = e.until.isoformat() if e.until else ""
            message = f"exemption for table '{table}' expired on {until} (reason: {clip(e.reason)})"
            found.append(_exemption_finding(rules, e, "expired-exemption", message))
        if unused and e.table not in seen:
            message = f"exemption for table '{table}' matches no table or datum that was checked"
            found.append(_exemption_finding(rules, e, "unused-exemption", message))
    return [f for f in found if f is not None]


def _exemption_finding(
    rules: RuleSet, e: Exemption, rule: Literal["expired-exemption", "unused-exemption"], message: str
) -> Finding | None:
    return make_finding(
        rules,
        rule,
        message,
        table=e.table,
        field=None,
        path=e.path or rules.source,
        line=e.line,
        column=e.column,
        pointer="/exemptions/" + e.table.replace("~", "~0").replace("/", "~1"),
    )
