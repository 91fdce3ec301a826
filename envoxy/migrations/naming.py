"""The names a database gives what a revision leaves unnamed, per dialect, as data.

``op.drop_constraint("orders_pkey", "orders")`` drops the primary key on PostgreSQL because
PostgreSQL named the key ``orders_pkey`` when ``create_table`` gave it no name; the symbolic
schema names unnamed keys, unique constraints, foreign keys and indexes the same way, so that a
later op naming them finds them. SQLAlchemy's own default (``ix_<table>_<column>`` for
``Column(index=True)``) is applied by the caller, as SQLAlchemy applies it before the database
sees the index.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["DialectNames", "names_of", "postgresql_name"]

_NAMEDATALEN = 64  # PostgreSQL's identifiers hold at most 63 bytes


def _clip(text: str, limit: int) -> str:
    """The longest prefix of ``text`` within ``limit`` UTF-8 bytes (never half a character)."""
    data = text.encode("utf-8")[:limit]
    return data.decode("utf-8", errors="ignore")


def postgresql_name(table: str, columns: Sequence[str], label: str) -> str:
    """``<table>_<columns>_<label>`` as PostgreSQL's ``makeObjectName`` builds it: the longer of
    the two parts is shortened, a byte at a time, until the name fits in 63 bytes."""
    name2 = "_".join(columns) if columns else None
    overhead = len(label) + 1 + (1 if name2 is not None else 0)
    available = _NAMEDATALEN - 1 - overhead
    if len(table) + len(name2 or "") <= available // 4:  # fits whatever the characters' bytes
        return "_".join([table, name2, label] if name2 is not None else [table, label])
    chars1 = len(table.encode("utf-8"))
    chars2 = len(name2.encode("utf-8")) if name2 is not None else 0
    while chars1 + chars2 > available:
        if chars1 > chars2:
            chars1 -= 1
        else:
            chars2 -= 1
    parts = [_clip(table, chars1)]
    if name2 is not None:
        parts.append(_clip(name2, chars2))
    return "_".join([*parts, label])


@dataclass(frozen=True, slots=True, kw_only=True)
class DialectNames:
    """How one dialect names what was left unnamed (``None``: it gives no name envoxy knows).

    - ``default_schema``: the schema a table without ``schema=`` lands in, as the dialect names
      it (a revision naming it explicitly means the same table);
    - ``primary_key(table)``, ``unique(table, columns)``, ``foreign_key(table, columns, n)``
      (``n``: how many foreign keys the table had before), ``index(table, columns)``.
    """

    default_schema: str | None
    primary_key: Callable[[str], str | None]
    unique: Callable[[str, Sequence[str]], str | None]
    foreign_key: Callable[[str, Sequence[str], int], str | None]
    index: Callable[[str, Sequence[str]], str | None]


_POSTGRESQL = DialectNames(
    default_schema="public",
    primary_key=lambda table: postgresql_name(table, (), "pkey"),
    unique=lambda table, columns: postgresql_name(table, columns, "key"),
    foreign_key=lambda table, columns, n: postgresql_name(table, columns, "fkey"),
    index=lambda table, columns: postgresql_name(table, columns, "idx"),
)

# MySQL names every primary key PRIMARY, a unique key or index after its first column, and a
# foreign key <table>_ibfk_<n>.
_MYSQL = DialectNames(
    default_schema=None,
    primary_key=lambda table: "PRIMARY",
    unique=lambda table, columns: columns[0] if columns else None,
    foreign_key=lambda table, columns, n: f"{table}_ibfk_{n + 1}",
    index=lambda table, columns: columns[0] if columns else None,
)

_NONE = DialectNames(
    default_schema=None,
    primary_key=lambda table: None,
    unique=lambda table, columns: None,
    foreign_key=lambda table, columns, n: None,
    index=lambda table, columns: None,
)

NAMES: Mapping[str, DialectNames] = MappingProxyType(
    {"postgresql": _POSTGRESQL, "mysql": _MYSQL, "mariadb": _MYSQL}
)
"""Per dialect (SQLAlchemy's name); any other dialect names nothing envoxy knows."""


def names_of(dialect: str) -> DialectNames:
    return NAMES.get(dialect, _NONE)
