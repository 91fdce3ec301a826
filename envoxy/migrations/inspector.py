"""The op inspector: judge Alembic's own op objects against the rules.

One function per op class, found through :data:`HANDLERS` (the op's MRO is walked, so subclasses
of an op are judged like it). The autogenerate gate, the revision-history scanner and its
``--head-state`` schema all go through here.

Findings carry ``table`` and ``field`` but no location: the caller knows the revision file and
line and adds them with :func:`dataclasses.replace`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

import sqlalchemy as sa
from alembic.operations import ops
from sqlalchemy.sql.ddl import DDL, CreateTable

from envoxy.findings import Finding
from envoxy.rules.model import ColumnSpec, RuleSet
from envoxy.sqltypes import SqlType, from_sqlalchemy, sql_type_named, types_match
from envoxy.tables import (
    ColumnState,
    TableState,
    column_expectation,
    judge_column,
    judge_table,
    make_finding,
    spelled,
)

__all__ = [
    "HANDLERS",
    "Lookup",
    "column_state",
    "inspect_op",
    "inspect_ops",
    "is_raw_ddl",
    "sql_type_of",
    "table_state_from_create",
]

Lookup = Callable[[str], "TableState | None"]
"""``lookup(name)``: the table as it stands before the op, or ``None`` when unknown."""
Handler = Callable[["_Ctx", Any], list[Finding]]


def _no_state(name: str) -> TableState | None:
    return None


class _Ctx:
    """What every handler needs; built once per :func:`inspect_ops` call."""

    __slots__ = ("dialect", "lookup", "rules")

    def __init__(self, rules: RuleSet, dialect: str, lookup: Lookup) -> None:
        self.rules = rules
        self.dialect = dialect
        self.lookup = lookup

    def required(self, table: str, column: str) -> ColumnSpec | None:
        for spec in self.rules.required_columns(table):
            if spec.name == column:
                return spec
        return None


# -- types and table states ----------------------------------------------------------------------


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
    column: sa.Column[Any], dialect: str = "postgresql", *, primary_key: bool = False
) -> ColumnState:
    """A :class:`ColumnState` for a ``sa.Column``; ``primary_key`` forces it into the key."""
    pk = primary_key or bool(column.primary_key)
    return ColumnState(
        name=column.name,
        type=sql_type_of(column.type, dialect),
        # A primary-key column is NOT NULL whatever the Column said.
        nullable=bool(column.nullable) and not pk,
        primary_key=pk,
    )


def _pk_names(constraint: sa.PrimaryKeyConstraint) -> set[str]:
    if len(constraint.columns):
        return {c.name for c in constraint.columns}
    # Not attached to a table yet (as in ``op.create_table(..., sa.PrimaryKeyConstraint("id"))``):
    # the names wait in the pending column arguments.
    pending = getattr(constraint, "_pending_colargs", ())
    return {c if isinstance(c, str) else c.name for c in pending if c is not None}


def table_state_from_create(op: ops.CreateTableOp, dialect: str = "postgresql") -> TableState:
    """The table ``op`` creates: its columns, with the primary key from the columns' own
    ``primary_key=True`` and from any ``PrimaryKeyConstraint`` among ``op.columns``."""
    return _table_state(op.table_name, op.columns, dialect)


def _table_state(name: str, elements: Iterable[Any], dialect: str) -> TableState:
    elements = list(elements)
    pk: set[str] = set()
    for element in elements:
        if isinstance(element, sa.PrimaryKeyConstraint):
            pk |= _pk_names(element)
    columns = tuple(
        column_state(e, dialect, primary_key=e.name in pk) for e in elements if isinstance(e, sa.Column)
    )
    return TableState(name=name, columns=columns)


# -- handlers ------------------------------------------------------------------------------------


def _create_table(ctx: _Ctx, op: ops.CreateTableOp) -> list[Finding]:
    return judge_table(ctx.rules, table_state_from_create(op, ctx.dialect), ctx.dialect)


def _add_column(ctx: _Ctx, op: ops.AddColumnOp) -> list[Finding]:
    spec = ctx.required(op.table_name, op.column.name)
    if spec is None:
        return []
    return judge_column(ctx.rules, op.table_name, spec, column_state(op.column, ctx.dialect), ctx.dialect)


def _drop_column(ctx: _Ctx, op: ops.DropColumnOp) -> list[Finding]:
    spec = ctx.required(op.table_name, op.column_name)
    if spec is None:
        return []
    found = make_finding(
        ctx.rules,
        "dropped-field",
        f"drop_column removes required column '{op.table_name}.{op.column_name}'; rules.yaml "
        f"requires it ({column_expectation(spec, ctx.dialect)})",
        table=op.table_name,
        field=spec.name,
    )
    return [found] if found is not None else []


def _alter_column(ctx: _Ctx, op: ops.AlterColumnOp) -> list[Finding]:
    return _alter_required(ctx, op) + _rename_into_required(ctx, op)


def _rename_into_required(ctx: _Ctx, op: ops.AlterColumnOp) -> list[Finding]:
    """A column renamed to a required name must have the required type and nullability, as
    far as the op tells them (``modify_*``, else ``existing_*``)."""
    new_name = op.modify_name
    if new_name is None or new_name == op.column_name:
        return []
    spec = ctx.required(op.table_name, new_name)
    if spec is None:
        return []
    type_ = op.modify_type if op.modify_type is not None else op.existing_type
    nullable = op.modify_nullable if op.modify_nullable is not None else op.existing_nullable
    state = ColumnState(name=new_name, type=sql_type_of(type_, ctx.dialect), nullable=bool(nullable))
    return judge_column(ctx.rules, op.table_name, spec, state, ctx.dialect)


def _alter_required(ctx: _Ctx, op: ops.AlterColumnOp) -> list[Finding]:
    table, name = op.table_name, op.column_name
    spec = ctx.required(table, name)
    if spec is None:
        return []
    where = f"alter_column on required column '{table}.{name}'"
    expects = f"rules.yaml expects '{name}' {column_expectation(spec, ctx.dialect)}"
    changes: list[str] = []
    if op.modify_name is not None and op.modify_name != name:
        changes.append(f"renames it to '{op.modify_name}'")
    if op.modify_type is not None:
        new_type = sql_type_of(op.modify_type, ctx.dialect)
        if not types_match(spec.sql_type, new_type, ctx.dialect):
            shown = spelled(new_type, ctx.dialect) if new_type is not None else repr(op.modify_type)
            changes.append(f"changes its type to {shown}")
    if op.modify_nullable is True and not spec.nullable:
        changes.append("makes it nullable")
    found = [
        make_finding(ctx.rules, "altered-field", f"{where} {change}; {expects}", table=table, field=spec.name)
        for change in changes
    ]
    return [f for f in found if f is not None]


def _rename_table(ctx: _Ctx, op: ops.RenameTableOp) -> list[Finding]:
    state = ctx.lookup(op.table_name)
    if state is None:
        return []
    before = {(f.rule, f.field) for f in judge_table(ctx.rules, state, ctx.dialect)}
    renamed = replace(state, name=op.new_table_name)
    # Only what the new name brings: the old name's violations were reported where they arose.
    return [
        replace(f, message=f"rename_table '{op.table_name}' -> '{op.new_table_name}': {f.message}")
        for f in judge_table(ctx.rules, renamed, ctx.dialect)
        if (f.rule, f.field) not in before
    ]


def _nothing(ctx: _Ctx, op: Any) -> list[Finding]:
    return []


def _container(ctx: _Ctx, op: ops.OpContainer) -> list[Finding]:
    found: list[Finding] = []
    for child in op.ops:
        found.extend(_inspect(ctx, child))
    return found


# Statements that change the schema: their first keyword. ``DO`` blocks (PL/pgSQL) are DDL when
# their body holds one of these anywhere.
_DDL_WORDS = r"CREATE|ALTER|DROP|RENAME|COMMENT|TRUNCATE"
_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.S)
_STATEMENT_DDL = re.compile(rf"^\s*(?:{_DDL_WORDS})\b", re.I)
_DO_BLOCK = re.compile(rf"^\s*DO\b.*\b(?:{_DDL_WORDS})\b", re.I | re.S)
_TABLE_NAME = re.compile(
    r"\b(?:CREATE|ALTER|DROP)\s+TABLE\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?(?:ONLY\s+)?"
    r"(?:\"?\w+\"?\.)?\"?(\w+)\"?",
    re.I,
)


def is_raw_ddl(sql: str) -> bool:
    """Whether raw SQL text holds a schema change (one of its ``;``-separated statements)."""
    text = _COMMENTS.sub(" ", sql)
    return any(_STATEMENT_DDL.match(s) or _DO_BLOCK.match(s) for s in text.split(";"))


def _execute(ctx: _Ctx, op: ops.ExecuteSQLOp) -> list[Finding]:
    sql = op.sqltext
    if isinstance(sql, CreateTable):  # a Core DDL construct we can read: judge the table
        table = sql.element
        return judge_table(
            ctx.rules, _table_state(table.name, [*table.c, *table.constraints], ctx.dialect), ctx.dialect
        )
    if isinstance(sql, DDL):
        text = sql.statement
    elif isinstance(sql, str):
        text = sql
    elif isinstance(sql, sa.TextClause):
        text = sql.text
    else:  # Core statements (insert, update, select, ...) do not change the schema
        return []
    if not is_raw_ddl(text):
        return []
    bare = _COMMENTS.sub(" ", text)
    match = _TABLE_NAME.search(bare)
    shown = " ".join(bare.split())
    if len(shown) > 80:
        shown = shown[:77] + "..."
    found = make_finding(
        ctx.rules,
        "unanalysed-sql",
        f"op.execute runs raw DDL that envoxy cannot analyse: {shown!r}; check it against "
        "rules.yaml by hand or use op.* calls",
        table=match.group(1) if match else None,
        field=None,
    )
    return [found] if found is not None else []


HANDLERS: dict[type[Any], Handler] = {
    ops.UpgradeOps: _container,
    ops.DowngradeOps: _container,
    ops.ModifyTableOps: _container,
    ops.CreateTableOp: _create_table,
    ops.AddColumnOp: _add_column,
    ops.DropColumnOp: _drop_column,
    ops.AlterColumnOp: _alter_column,
    ops.RenameTableOp: _rename_table,
    ops.DropTableOp: _nothing,
    ops.ExecuteSQLOp: _execute,
}
"""Op class -> handler. Op kinds not listed (indexes, constraints, comments, bulk inserts) cannot
break the table pattern and are judged by nothing."""


def _handler(op_class: type[Any]) -> Handler:
    for cls in op_class.__mro__:
        handler = HANDLERS.get(cls)
        if handler is not None:
            return handler
    return _nothing


def _inspect(ctx: _Ctx, op: Any) -> list[Finding]:
    return _handler(type(op))(ctx, op)


def inspect_op(
    op: ops.MigrateOperation, rules: RuleSet, *, dialect: str = "postgresql", lookup: Lookup = _no_state
) -> list[Finding]:
    """Every way ``op`` breaks ``rules`` (containers are walked).

    ``lookup(name)`` returns the table as it stands before ``op`` (the scanner's symbolic
    schema), or ``None`` when unknown; only ``rename_table`` needs it.
    """
    return _inspect(_Ctx(rules, dialect, lookup), op)


def inspect_ops(
    operations: Iterable[ops.MigrateOperation],
    rules: RuleSet,
    *,
    dialect: str = "postgresql",
    lookup: Lookup = _no_state,
) -> list[Finding]:
    """:func:`inspect_op` over several ops (``UpgradeOps`` and ``ModifyTableOps`` are walked)."""
    ctx = _Ctx(rules, dialect, lookup)
    found: list[Finding] = []
    for op in operations:
        found.extend(_inspect(ctx, op))
    return found
