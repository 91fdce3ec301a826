"""Read SQLAlchemy's schema items (the columns, constraints and indexes an op carries) into the
table model of :mod:`envoxy.tables`, as the database will build them.

The items are read where they stand, attached to a ``Table`` or not (``op.create_table(...,
sa.PrimaryKeyConstraint("id"))`` holds its column names until a table is built), so no table is
built here. What a database names by itself (an unnamed primary key, unique constraint or foreign
key) gets the dialect's own name (:mod:`envoxy.migrations.naming`); ``Column(index=True)`` gets
SQLAlchemy's ``ix_<table>_<column>``, as SQLAlchemy names it before the database sees it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic.operations import ops

from envoxy.migrations.naming import names_of
from envoxy.sqltypes import SqlType, from_sqlalchemy, sql_type_named
from envoxy.tables import ColumnState, ForeignKeyState, IndexState, TableState

__all__ = [
    "column_extras",
    "column_state",
    "constraint_columns",
    "foreign_key_state",
    "index_state",
    "sa_index_name",
    "sql_type_of",
    "table_state",
    "table_state_from_create",
    "unique_state",
]


def sql_type_of(type_: Any, dialect: str = "postgresql") -> SqlType | None:
    """Canonical SQL type of a SQLAlchemy type as ``dialect`` stores it (see
    :func:`envoxy.sqltypes.from_sqlalchemy`): a ``TypeDecorator`` (a project's own ``GUID`` type,
    say) is judged by the type it stores on ``dialect``, not by its Python class name; so is a
    type ``with_variant`` for ``dialect``, and ``Uuid(native_uuid=False)`` is ``CHAR(32)``.
    """
    if type_ is None:
        return None
    if isinstance(type_, str):  # op.alter_column(..., type_="VARCHAR(20)") is allowed by Alembic
        return sql_type_named(type_, dialect)
    return from_sqlalchemy(type_, dialect)


def column_state(
    column: sa.Column[Any], dialect: str = "postgresql", *, primary_key: bool | None = None
) -> ColumnState:
    """A :class:`ColumnState` for a ``sa.Column``; ``primary_key`` (when given) says whether it is
    in the key, whatever the column says (``add_column`` makes no key)."""
    pk = bool(column.primary_key) if primary_key is None else primary_key
    return ColumnState(
        name=column.name,
        type=sql_type_of(column.type, dialect),
        # A primary-key column is NOT NULL whatever the Column said.
        nullable=bool(column.nullable) and not pk,
        primary_key=pk,
    )


def _name(item: Any) -> str:
    if isinstance(item, str):
        return item
    name = getattr(item, "name", None)
    return name if isinstance(name, str) else str(item)


def constraint_columns(constraint: Any) -> tuple[str, ...]:
    """The column names of a constraint or index, attached to a table or still pending."""
    if isinstance(constraint, sa.Index):
        return tuple(_name(e) for e in constraint.expressions)
    columns = getattr(constraint, "columns", None)
    if columns is not None and len(columns):
        return tuple(c.name for c in columns)
    pending = getattr(constraint, "_pending_colargs", ())
    return tuple(_name(c) for c in pending if c is not None)


def _given_name(item: Any) -> str | None:
    name = getattr(item, "name", None)
    return str(name) if isinstance(name, str) else None


def unique_state(constraint: Any, table: str, dialect: str) -> IndexState:
    columns = constraint_columns(constraint)
    name = _given_name(constraint) or names_of(dialect).unique(table, columns)
    return IndexState(name=name, columns=columns, unique=True, constraint=True)


def index_state(index: sa.Index) -> IndexState:
    return IndexState(name=_given_name(index), columns=constraint_columns(index), unique=bool(index.unique))


def _target(tokens: Any) -> tuple[str | None, str, str]:
    """(schema, table, column) of a foreign key's target, as SQLAlchemy splits ``s.t.c``."""
    return tokens[0], tokens[1], tokens[2]


def foreign_key_state(
    columns: Sequence[str], targets: Sequence[Any], name: str | None, table: str, n: int, dialect: str
) -> ForeignKeyState:
    """``columns`` referring to ``targets`` (each a ``ForeignKey``); ``n``: the table's foreign keys
    so far (MySQL numbers its names)."""
    split = [_target(t._column_tokens) for t in targets]
    schema = split[0][0] if split else None
    return ForeignKeyState(
        name=name or names_of(dialect).foreign_key(table, columns, n),
        columns=tuple(columns),
        referred_schema=_schema_name(schema, dialect),
        referred_table=split[0][1] if split else "",
        referred_columns=tuple(s[2] for s in split),
    )


def _schema_name(schema: str | None, dialect: str) -> str | None:
    """``None`` for the dialect's default schema, however it is written."""
    return None if schema is None or schema == names_of(dialect).default_schema else str(schema)


def sa_index_name(table: str, schema: str | None, column: str) -> str:
    """SQLAlchemy's default name for an index given none, ``ix_%(column_0_label)s``."""
    label = f"{schema}_{table}_{column}" if schema else f"{table}_{column}"
    return f"ix_{label}"


def column_extras(
    column: sa.Column[Any], table: str, schema: str | None, dialect: str, fks_before: int
) -> tuple[list[IndexState], list[ForeignKeyState]]:
    """What a column's own flags add: ``index=True`` an index (unique with ``unique=True``),
    ``unique=True`` alone a unique constraint, ``ForeignKey`` a foreign key each."""
    indexes: list[IndexState] = []
    if column.index:
        indexes.append(
            IndexState(
                name=sa_index_name(table, schema, column.name),
                columns=(column.name,),
                unique=bool(column.unique),
            )
        )
    elif column.unique:
        name = names_of(dialect).unique(table, (column.name,))
        indexes.append(IndexState(name=name, columns=(column.name,), unique=True, constraint=True))
    fks = [
        foreign_key_state((column.name,), [fk], _given_name(fk), table, fks_before + n, dialect)
        for n, fk in enumerate(sorted(column.foreign_keys, key=lambda fk: str(fk.target_fullname)))
    ]
    return indexes, fks


def table_state(
    name: str,
    elements: Iterable[Any],
    dialect: str,
    *,
    schema: str | None = None,
    flags_included: bool = False,
) -> TableState:
    """The table ``CREATE TABLE`` makes of ``elements`` (columns, constraints, indexes), with the
    primary key from the columns' own ``primary_key=True`` and from a ``PrimaryKeyConstraint``
    (whose order wins). ``flags_included``: the columns' ``unique``/``index`` flags are already
    among ``elements`` as constraints (a ``CreateTableOp.from_table``)."""
    elements = list(elements)
    names = names_of(dialect)
    pk: tuple[str, ...] = ()
    pk_name: str | None = None
    indexes: list[IndexState] = []
    fks: list[ForeignKeyState] = []
    for e in elements:
        if isinstance(e, sa.PrimaryKeyConstraint):
            pk = constraint_columns(e) or pk
            pk_name = _given_name(e) or pk_name
        elif isinstance(e, sa.UniqueConstraint):
            indexes.append(unique_state(e, name, dialect))
        elif isinstance(e, sa.ForeignKeyConstraint):
            fks.append(foreign_key_state(e.column_keys, e.elements, _given_name(e), name, len(fks), dialect))
        elif isinstance(e, sa.Index):
            indexes.append(index_state(e))
    columns = [e for e in elements if isinstance(e, sa.Column)]
    if not pk:
        pk = tuple(c.name for c in columns if c.primary_key)
    for c in columns if not flags_included else ():
        extra_indexes, extra_fks = column_extras(c, name, schema, dialect, len(fks))
        indexes.extend(extra_indexes)
        fks.extend(extra_fks)
    states = tuple(column_state(c, dialect, primary_key=c.name in pk) for c in columns)
    return TableState(
        name=name,
        schema=_schema_name(schema, dialect),
        columns=states,
        primary_key=pk,
        primary_key_name=(pk_name or names.primary_key(name)) if pk else None,
        indexes=tuple(indexes),
        foreign_keys=tuple(fks),
    )


_last_created: list[tuple[ops.CreateTableOp, str, TableState]] = []


def table_state_from_create(op: ops.CreateTableOp, dialect: str = "postgresql") -> TableState:
    """The table ``op`` creates (remembered for the last op: the judge and the symbolic schema
    both ask for it, one after the other)."""
    if _last_created and _last_created[0][0] is op and _last_created[0][1] == dialect:
        return _last_created[0][2]
    state = table_state(
        op.table_name,
        op.columns,
        dialect,
        schema=op.schema,
        flags_included=bool(getattr(op, "_constraints_included", False)),
    )
    _last_created[:] = [(op, dialect, state)]
    return state


def table_state_from_table(table: sa.Table, dialect: str = "postgresql") -> TableState:
    """The table ``CREATE TABLE`` of a ``sa.Table`` makes (``table.create(bind)``,
    ``op.execute(CreateTable(table))``), its indexes included."""
    return table_state(
        table.name,
        [*table.c, *table.constraints, *table.indexes],
        dialect,
        schema=table.schema,
        flags_included=True,
    )
