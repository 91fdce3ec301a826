"""The symbolic schema: every recorded op replayed onto table states, no database involved.

Each table remembers where it was created or last reshaped, so that ``--head-state`` findings
point at that op. Ops on a table whose creation the history does not show (made by raw SQL, say)
are ignored: envoxy judges only tables whose whole shape it has seen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from alembic.operations import ops
from sqlalchemy.sql.ddl import CreateTable

from envoxy.migrations.inspector import column_state, sql_type_of, table_state_from_create
from envoxy.tables import ColumnState, TableState

__all__ = ["Origin", "SymbolicSchema"]


@dataclass(frozen=True, slots=True)
class Origin:
    """Where an op was written: the revision file as shown to the user, and the line."""

    path: str
    line: int | None


@dataclass(frozen=True, slots=True)
class _Entry:
    state: TableState
    origin: Origin


def _columns(state: TableState, fn: Callable[[ColumnState], ColumnState | None]) -> TableState:
    changed = (fn(c) for c in state.columns)
    return replace(state, columns=tuple(c for c in changed if c is not None))


class SymbolicSchema:
    """Tables by name, as the ops applied so far leave them."""

    def __init__(self, dialect: str = "postgresql") -> None:
        self.dialect = dialect
        self._tables: dict[str, _Entry] = {}

    def lookup(self, name: str) -> TableState | None:
        entry = self._tables.get(name)
        return entry.state if entry is not None else None

    def names(self) -> list[str]:
        return sorted(self._tables)

    def tables(self) -> list[tuple[TableState, Origin]]:
        """Every table at this point, by name."""
        return [(e.state, e.origin) for _, e in sorted(self._tables.items())]

    def apply(self, op: Any, origin: Origin) -> None:
        """Replay ``op`` (ops that do not change a table's columns are ignored)."""
        for cls in type(op).__mro__:
            handler = _APPLY.get(cls)
            if handler is not None:
                handler(self, op, origin)
                return

    # -- what each op does ----------------------------------------------------------------------
    def _put(self, state: TableState, origin: Origin) -> None:
        self._tables[state.name] = _Entry(state, origin)

    def _reshape(self, name: str, origin: Origin, fn: Callable[[ColumnState], ColumnState | None]) -> None:
        entry = self._tables.get(name)
        if entry is not None:
            self._put(_columns(entry.state, fn), origin)

    def _create_table(self, op: ops.CreateTableOp, origin: Origin) -> None:
        self._put(table_state_from_create(op, self.dialect), origin)

    def _drop_table(self, op: ops.DropTableOp, origin: Origin) -> None:
        self._tables.pop(op.table_name, None)

    def _rename_table(self, op: ops.RenameTableOp, origin: Origin) -> None:
        entry = self._tables.pop(op.table_name, None)
        if entry is not None:
            self._put(replace(entry.state, name=op.new_table_name), origin)

    def _add_column(self, op: ops.AddColumnOp, origin: Origin) -> None:
        entry = self._tables.get(op.table_name)
        if entry is not None:
            added = column_state(op.column, self.dialect)
            kept = tuple(c for c in entry.state.columns if c.name != added.name)
            self._put(replace(entry.state, columns=(*kept, added)), origin)

    def _drop_column(self, op: ops.DropColumnOp, origin: Origin) -> None:
        self._reshape(op.table_name, origin, lambda c: None if c.name == op.column_name else c)

    def _alter_column(self, op: ops.AlterColumnOp, origin: Origin) -> None:
        def alter(c: ColumnState) -> ColumnState:
            if c.name != op.column_name:
                return c
            if op.modify_type is not None:
                c = replace(c, type=sql_type_of(op.modify_type, self.dialect))
            if op.modify_nullable is not None:
                c = replace(c, nullable=bool(op.modify_nullable) and not c.primary_key)
            if op.modify_name is not None:
                c = replace(c, name=op.modify_name)
            return c

        self._reshape(op.table_name, origin, alter)

    def _create_primary_key(self, op: ops.CreatePrimaryKeyOp, origin: Origin) -> None:
        keys = set(op.columns)
        # PostgreSQL makes primary-key columns NOT NULL.
        self._reshape(
            op.table_name,
            origin,
            lambda c: replace(c, primary_key=True, nullable=False) if c.name in keys else c,
        )

    def _drop_constraint(self, op: ops.DropConstraintOp, origin: Origin) -> None:
        if op.constraint_type == "primary":
            # The columns stay NOT NULL after their key is dropped, as in PostgreSQL.
            self._reshape(op.table_name, origin, lambda c: replace(c, primary_key=False))

    def _execute(self, op: ops.ExecuteSQLOp, origin: Origin) -> None:
        if isinstance(op.sqltext, CreateTable):  # Core DDL we can read; raw text we cannot
            table = op.sqltext.element
            self._create_table(ops.CreateTableOp.from_table(table), origin)


_APPLY: dict[type[Any], Callable[[SymbolicSchema, Any, Origin], None]] = {
    ops.CreateTableOp: SymbolicSchema._create_table,
    ops.DropTableOp: SymbolicSchema._drop_table,
    ops.RenameTableOp: SymbolicSchema._rename_table,
    ops.AddColumnOp: SymbolicSchema._add_column,
    ops.DropColumnOp: SymbolicSchema._drop_column,
    ops.AlterColumnOp: SymbolicSchema._alter_column,
    ops.CreatePrimaryKeyOp: SymbolicSchema._create_primary_key,
    ops.DropConstraintOp: SymbolicSchema._drop_constraint,
    ops.ExecuteSQLOp: SymbolicSchema._execute,
}
"""Op class -> how it changes the schema; other ops (indexes, comments, data) change no column."""
