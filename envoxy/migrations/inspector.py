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
from envoxy.migrations.elements import (
    column_state,
    sql_type_of,
    table_state,
    table_state_from_create,
    table_state_from_table,
)
from envoxy.migrations.naming import names_of
from envoxy.rules.model import ColumnSpec, RuleSet
from envoxy.sqltypes import types_match
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
    "table_state",
    "table_state_from_create",
    "table_state_from_table",
]

Lookup = Callable[[str, "str | None"], "TableState | None"]
"""``lookup(name, schema)``: the table as it stands before the op, or ``None`` when unknown."""
Handler = Callable[["_Ctx", Any], list[Finding]]


def _no_state(name: str, schema: str | None = None) -> TableState | None:
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


# -- names ---------------------------------------------------------------------------------------


def _shown(name: str, schema: str | None, dialect: str) -> str:
    """The name findings give a table: ``schema.name`` outside the default schema."""
    if schema is None or schema == names_of(dialect).default_schema:
        return name
    return f"{schema}.{name}"


# -- handlers ------------------------------------------------------------------------------------


def _create_table(ctx: _Ctx, op: ops.CreateTableOp) -> list[Finding]:
    if getattr(op, "if_not_exists", None) and ctx.lookup(op.table_name, op.schema) is not None:
        return []  # CREATE TABLE IF NOT EXISTS of a table that exists creates nothing
    return judge_table(ctx.rules, table_state_from_create(op, ctx.dialect), ctx.dialect)


def _add_column(ctx: _Ctx, op: ops.AddColumnOp) -> list[Finding]:
    spec = ctx.required(op.table_name, op.column.name)
    if spec is None:
        return []
    table = _shown(op.table_name, op.schema, ctx.dialect)
    in_key = bool(getattr(op, "inline_primary_key", None)) and bool(op.column.primary_key)
    found = judge_column(ctx.rules, table, spec, column_state(op.column, ctx.dialect), ctx.dialect)
    if spec.primary_key and not in_key:
        # Alembic's add_column emits no PRIMARY KEY (unless inline_primary_key=True), so a
        # column that did not exist is not the key afterwards, whatever Column(...) says.
        found.extend(
            _key_finding(
                ctx,
                table,
                spec,
                f"add_column adds '{table}.{spec.name}' without making it the primary key (Alembic's "
                "add_column emits no PRIMARY KEY; add the key with create_primary_key)",
            )
        )
    return found


def _key_finding(ctx: _Ctx, table: str, spec: ColumnSpec, said: str) -> list[Finding]:
    found = make_finding(
        ctx.rules,
        "missing-primary-key",
        f"{said}; rules.yaml expects PRIMARY KEY ({', '.join(ctx.rules.primary_key)})",
        table=table,
        field=spec.name,
    )
    return [found] if found is not None else []


def _drop_column(ctx: _Ctx, op: ops.DropColumnOp) -> list[Finding]:
    spec = ctx.required(op.table_name, op.column_name)
    if spec is None:
        return []
    table = _shown(op.table_name, op.schema, ctx.dialect)
    found = make_finding(
        ctx.rules,
        "dropped-field",
        f"drop_column removes required column '{table}.{op.column_name}'; rules.yaml "
        f"requires it ({column_expectation(spec, ctx.dialect)})",
        table=table,
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
    return judge_column(ctx.rules, _shown(op.table_name, op.schema, ctx.dialect), spec, state, ctx.dialect)


def _alter_required(ctx: _Ctx, op: ops.AlterColumnOp) -> list[Finding]:
    name = op.column_name
    spec = ctx.required(op.table_name, name)
    if spec is None:
        return []
    table = _shown(op.table_name, op.schema, ctx.dialect)
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
    state = ctx.lookup(op.table_name, op.schema)
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


def drops_primary_key(op: ops.DropConstraintOp, state: TableState | None, dialect: str) -> bool:
    """Whether ``op`` drops its table's primary key: by the key's name where the table is known,
    by ``type_="primary"``, or by the name the dialect gives an unnamed key
    (``<table>_pkey`` on PostgreSQL)."""
    name = op.constraint_name
    if state is not None:
        if name is not None and name == state.primary_key_name:
            return True
        named_other = any(i.name == name for i in state.indexes) or any(
            f.name == name for f in state.foreign_keys
        )
        return op.constraint_type == "primary" and not named_other
    return op.constraint_type == "primary" or (
        name is not None and name == names_of(dialect).primary_key(op.table_name)
    )


def _drop_constraint(ctx: _Ctx, op: ops.DropConstraintOp) -> list[Finding]:
    state = ctx.lookup(op.table_name, op.schema)
    if not drops_primary_key(op, state, ctx.dialect) or (state is not None and not state.primary_key):
        return []
    table = _shown(op.table_name, op.schema, ctx.dialect)
    said = f"drop_constraint removes the primary key of '{table}'"
    return [f for spec in _key_specs(ctx, op.table_name, state) for f in _key_finding(ctx, table, spec, said)]


def _key_specs(ctx: _Ctx, table: str, state: TableState | None) -> list[ColumnSpec]:
    """The required key columns that are in the key before the op (all of them, where the table
    is not known): what a change of the key can newly break."""
    return [
        s
        for s in ctx.rules.required_columns(table)
        if s.primary_key and (state is None or s.name in state.primary_key)
    ]


def _create_primary_key(ctx: _Ctx, op: ops.CreatePrimaryKeyOp) -> list[Finding]:
    """The key ``create_primary_key`` makes replaces the table's: a required key column left out
    of it is not the key afterwards."""
    columns = {str(c) for c in op.columns}
    table = _shown(op.table_name, op.schema, ctx.dialect)
    said = f"create_primary_key makes ({', '.join(map(str, op.columns))}) the primary key of '{table}'"
    return [
        f
        for spec in _key_specs(ctx, op.table_name, ctx.lookup(op.table_name, op.schema))
        if spec.name not in columns
        for f in _key_finding(ctx, table, spec, said)
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
        return judge_table(ctx.rules, table_state_from_table(sql.element, ctx.dialect), ctx.dialect)
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
    ops.DropConstraintOp: _drop_constraint,
    ops.CreatePrimaryKeyOp: _create_primary_key,
    ops.DropTableOp: _nothing,
    ops.ExecuteSQLOp: _execute,
}
"""Op class -> handler. Op kinds not listed (indexes, other constraints, comments, bulk inserts)
cannot break the table pattern and are judged by nothing."""


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
    """Every way ``op`` breaks ``rules`` as the op itself tells (containers are walked).

    ``lookup(name, schema)`` returns the table as it stands before ``op`` (the scanner's
    symbolic schema), or ``None`` when unknown; ``rename_table`` and ``drop_constraint`` use it.
    What an op breaks only through the table it reshapes (a key dropped by a constraint's name)
    is judged by :class:`envoxy.migrations.replay.Replay`, which calls this.
    """
    return _inspect(_Ctx(rules, dialect, lookup), op)


def inspect_ops(
    operations: Iterable[ops.MigrateOperation], rules: RuleSet, *, dialect: str = "postgresql"
) -> list[Finding]:
    """Every way ``operations`` (``UpgradeOps`` and ``ModifyTableOps`` are walked) break ``rules``,
    each op judged as the history scanner judges it: by itself and by what it newly breaks in the
    tables the ops before it built (:class:`envoxy.migrations.replay.Replay`; a table the ops do
    not create is judged by the op alone)."""
    from envoxy.migrations.replay import Replay

    replay = Replay(rules, dialect)
    found: list[Finding] = []
    for op in operations:
        stepped = replay.step(op)
        if stepped.problem is not None:
            raise stepped.problem
        found.extend(stepped.findings)
    found.extend(replay.settle())
    return found
