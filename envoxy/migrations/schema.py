"""The symbolic schema: every op replayed onto table states, no database involved.

Tables are keyed by (schema, name), ``None`` standing for the dialect's default schema however a
revision writes it (``schema="public"`` on PostgreSQL is the same table as no ``schema=``). Each
table remembers where it was created or last reshaped (its columns or primary key changed), so
that ``--head-state`` findings point at that op; an index or a foreign key does not move it.

What each op does follows what the database does with the DDL Alembic emits for it:
``add_column(Column(..., primary_key=True))`` makes no key (Alembic emits no ``PRIMARY KEY``
unless ``inline_primary_key=True``); ``create_primary_key`` replaces the key; ``drop_column``
of a key column drops the whole key, and of any column the indexes, unique constraints and
foreign keys on it; ``drop_constraint`` finds what it drops by name (an unnamed key, unique
constraint or foreign key has the name the dialect gave it, see
:mod:`envoxy.migrations.naming`), else by ``type_="primary"``; ``rename_table`` keeps the names
of the key, the indexes and the constraints, as PostgreSQL does.

Ops on a table whose creation the history does not show (made by SQL envoxy cannot read, say)
are ignored: envoxy judges only tables whose whole shape it has seen. Raw SQL reaches here
already read into ops (:mod:`envoxy.migrations.sqlops`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa
from alembic.operations import ops

from envoxy.migrations.elements import (
    column_extras,
    column_state,
    sa_index_name,
    sql_type_of,
    table_state_from_create,
)
from envoxy.migrations.naming import names_of
from envoxy.tables import ColumnState, ForeignKeyState, IndexState, TableState

__all__ = ["Change", "Checkpoint", "CreateEnumOp", "Delta", "Key", "Origin", "SymbolicSchema"]

Key = tuple[str | None, str]
"""(schema, name) of a table; schema ``None`` is the default schema."""


@dataclass(frozen=True, slots=True)
class Origin:
    """Where an op was written: the revision file as shown to the user, and the line."""

    path: str
    line: int | None


@dataclass(frozen=True, slots=True)
class Change:
    """One table before and after an op (``None``: absent)."""

    before: TableState | None
    after: TableState | None


class CreateEnumOp(ops.MigrateOperation):
    """``CREATE TYPE name AS ENUM (...)`` read from raw SQL: later raw columns of that type are
    the enum, not a type envoxy does not know."""

    def __init__(self, name: str, schema: str | None = None) -> None:
        self.name = name
        self.schema = schema


@dataclass(frozen=True, slots=True)
class _Entry:
    state: TableState
    origin: Origin


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A point of a replay (see :meth:`SymbolicSchema.checkpoint`): every table changed since,
    as it stood then (``None``: absent), and the enum types then."""

    tables: dict[Key, _Entry | None]
    enums: frozenset[tuple[str | None, str]]


@dataclass(frozen=True, slots=True)
class Delta:
    """The tables created or changed (with where), the keys of those dropped and the enum types
    created between two points of a replay."""

    changed: tuple[tuple[TableState, Origin], ...] = ()
    dropped: tuple[Key, ...] = ()
    enums: tuple[tuple[str | None, str], ...] = ()


def _sort_key(key: Key) -> tuple[bool, str, str]:
    return (key[0] is not None, key[0] or "", key[1])


class SymbolicSchema:
    """Tables by (schema, name), as the ops applied so far leave them."""

    def __init__(self, dialect: str = "postgresql") -> None:
        self.dialect = dialect
        self._names = names_of(dialect)
        self._tables: dict[Key, _Entry] = {}
        self._journals: list[dict[Key, _Entry | None]] = []
        self.enums: set[tuple[str | None, str]] = set()
        """The named enum types the history created, by (schema, name)."""

    # -- reading ----------------------------------------------------------------------------------
    def key(self, name: str, schema: str | None = None) -> Key:
        return (None if schema is None or schema == self._names.default_schema else str(schema), name)

    def lookup(self, name: str, schema: str | None = None) -> TableState | None:
        entry = self._tables.get(self.key(name, schema))
        return entry.state if entry is not None else None

    def names(self, schema: str | None = None) -> list[str]:
        """The tables of ``schema`` (default: the default one), by name."""
        wanted = self.key("", schema)[0]
        return sorted(name for s, name in self._tables if s == wanted)

    def tables(self) -> list[tuple[TableState, Origin]]:
        """Every table at this point, by (schema, name), the default schema first."""
        return [(self._tables[k].state, self._tables[k].origin) for k in sorted(self._tables, key=_sort_key)]

    def states(self) -> list[TableState]:
        """Every table at this point, in no particular order (cheaper than :meth:`tables`)."""
        return [entry.state for entry in self._tables.values()]

    def restore(self, tables: Iterable[tuple[TableState, Origin]]) -> None:
        """Put back tables as :meth:`tables` gave them (from another process, say)."""
        for state, origin in tables:
            self._set((state.schema, state.name), _Entry(state, origin))

    # -- what changed -----------------------------------------------------------------------------
    def _set(self, key: Key, entry: _Entry) -> None:
        for journal in self._journals:
            journal.setdefault(key, self._tables.get(key))
        self._tables[key] = entry

    def _pop(self, key: Key) -> _Entry | None:
        for journal in self._journals:
            journal.setdefault(key, self._tables.get(key))
        return self._tables.pop(key, None)

    def checkpoint(self) -> Checkpoint:
        """Start remembering what changes, so that :meth:`delta` and :meth:`rollback` cost what
        changed rather than the whole schema. End it with :meth:`release` (or
        :meth:`rollback`)."""
        checkpoint = Checkpoint({}, frozenset(self.enums))
        self._journals.append(checkpoint.tables)
        return checkpoint

    def release(self, checkpoint: Checkpoint) -> None:
        """Stop remembering for ``checkpoint``."""
        self._journals = [j for j in self._journals if j is not checkpoint.tables]

    def rollback(self, checkpoint: Checkpoint) -> None:
        """Back to how it stood at ``checkpoint`` (which ends)."""
        for key, entry in checkpoint.tables.items():
            if entry is None:
                self._pop(key)
            else:
                self._set(key, entry)
        self.enums = set(checkpoint.enums)
        self.release(checkpoint)

    def delta(self, checkpoint: Checkpoint) -> Delta:
        """What changed since ``checkpoint``."""
        changed = tuple(
            (entry.state, entry.origin)
            for key, old in checkpoint.tables.items()
            if (entry := self._tables.get(key)) is not None and entry is not old
        )
        dropped = tuple(
            key for key, old in checkpoint.tables.items() if old is not None and key not in self._tables
        )
        return Delta(changed, dropped, tuple(sorted(self.enums - checkpoint.enums, key=_sort_key)))

    def advance(self, delta: Delta) -> None:
        """Apply what :meth:`delta` said changed (in another process, say)."""
        for key in delta.dropped:
            self._pop(key)
        self.restore(delta.changed)
        self.enums.update(delta.enums)

    # -- replaying --------------------------------------------------------------------------------
    def apply(self, op: Any, origin: Origin) -> list[Change]:
        """Replay ``op``; the tables it changed, before and after. Ops that change no table
        (comments, data, check constraints) change nothing."""
        for cls in type(op).__mro__:
            handler = _APPLY.get(cls)
            if handler is not None:
                return handler(self, op, origin)
        return []

    def _put(
        self, state: TableState, origin: Origin, before: TableState | None, *, created: bool = False
    ) -> list[Change]:
        key = (state.schema, state.name)
        old = self._tables.get(key)
        reshaped = (
            created
            or before is None
            or (before.columns, before.primary_key) != (state.columns, state.primary_key)
        )
        where = origin if reshaped or old is None else old.origin
        self._set(key, _Entry(state, where))
        return [Change(before, state)]

    def _change(
        self, name: str, schema: str | None, origin: Origin, fn: Callable[[TableState], TableState | None]
    ) -> list[Change]:
        """Apply ``fn`` to a known table (``None`` from ``fn``: nothing to change)."""
        entry = self._tables.get(self.key(name, schema))
        if entry is None:
            return []
        changed = fn(entry.state)
        if changed is None or changed == entry.state:
            return []
        return self._put(changed, origin, entry.state)

    def _note_enums(self, types: Iterable[Any], schema: str | None) -> None:
        for t in types:
            if isinstance(t, sa.Enum) and t.name and getattr(t, "native_enum", True):
                self.enums.add((self.key("", t.schema or schema)[0], t.name))

    # -- tables -----------------------------------------------------------------------------------
    def _create_table(self, op: ops.CreateTableOp, origin: Origin) -> list[Change]:
        key = self.key(op.table_name, op.schema)
        if getattr(op, "if_not_exists", None) and key in self._tables:
            return []
        self._note_enums((c.type for c in op.columns if isinstance(c, sa.Column)), op.schema)
        before = self._tables.get(key)
        state = table_state_from_create(op, self.dialect)
        return self._put(state, origin, before.state if before is not None else None, created=True)

    def _drop_table(self, op: ops.DropTableOp, origin: Origin) -> list[Change]:
        entry = self._pop(self.key(op.table_name, op.schema))
        return [Change(entry.state, None)] if entry is not None else []

    def _rename_table(self, op: ops.RenameTableOp, origin: Origin) -> list[Change]:
        entry = self._pop(self.key(op.table_name, op.schema))
        if entry is None:
            return []
        renamed = replace(entry.state, name=op.new_table_name)
        self._set((renamed.schema, renamed.name), _Entry(renamed, origin))
        return [Change(entry.state, renamed)]

    # -- columns ----------------------------------------------------------------------------------
    def _add_column(self, op: ops.AddColumnOp, origin: Origin) -> list[Change]:
        column: sa.Column[Any] = op.column
        self._note_enums([column.type], op.schema)
        in_key = bool(getattr(op, "inline_primary_key", None)) and bool(column.primary_key)

        def add(state: TableState) -> TableState | None:
            if state.column(column.name) is not None and getattr(op, "if_not_exists", None):
                return None
            added = column_state(column, self.dialect, primary_key=in_key and not state.primary_key)
            kept = tuple(c for c in state.columns if c.name != added.name)
            indexes, fks = column_extras(column, state.name, op.schema, self.dialect, len(state.foreign_keys))
            changed = replace(
                state,
                columns=(*kept, added),
                indexes=(*state.indexes, *indexes),
                foreign_keys=(*state.foreign_keys, *fks),
            )
            if added.primary_key:
                changed = changed.keyed((added.name,), self._names.primary_key(state.name))
            return changed

        return self._change(op.table_name, op.schema, origin, add)

    def _drop_column(self, op: ops.DropColumnOp, origin: Origin) -> list[Change]:
        name = op.column_name

        def drop(state: TableState) -> TableState | None:
            if state.column(name) is None:
                return None
            if name in state.primary_key:
                # The whole key goes with any of its columns, as do the indexes and constraints
                # on the column (PostgreSQL: "indexes and table constraints involving the column
                # will be automatically dropped as well").
                state = state.keyed(())
            return replace(
                state,
                columns=tuple(c for c in state.columns if c.name != name),
                indexes=tuple(i for i in state.indexes if name not in i.columns),
                foreign_keys=tuple(f for f in state.foreign_keys if name not in f.columns),
            )

        return self._change(op.table_name, op.schema, origin, drop)

    def _alter_column(self, op: ops.AlterColumnOp, origin: Origin) -> list[Change]:
        old, new = op.column_name, op.modify_name
        if op.modify_type is not None:
            self._note_enums([op.modify_type], op.schema)

        def alter(c: ColumnState) -> ColumnState:
            if op.modify_type is not None:
                c = replace(c, type=sql_type_of(op.modify_type, self.dialect))
            if op.modify_nullable is not None:
                c = replace(c, nullable=bool(op.modify_nullable) and not c.primary_key)
            if new is not None:
                c = replace(c, name=new)
            return c

        def change(state: TableState) -> TableState | None:
            if state.column(old) is None:
                return None
            changed = replace(state, columns=tuple(alter(c) if c.name == old else c for c in state.columns))
            return _renamed_column(changed, old, new) if new is not None and new != old else changed

        found = self._change(op.table_name, op.schema, origin, change)
        if new is not None and new != old and found:
            found.extend(self._rename_references(self.key(op.table_name, op.schema), old, new, origin))
        return found

    def _rename_references(self, target: Key, old: str, new: str, origin: Origin) -> list[Change]:
        """Foreign keys referring to a renamed column follow it (they refer to the column, not
        to its name)."""
        found: list[Change] = []
        for key, entry in list(self._tables.items()):
            state = entry.state
            fks = tuple(
                replace(f, referred_columns=tuple(new if c == old else c for c in f.referred_columns))
                if (self.key("", f.referred_schema or key[0])[0], f.referred_table) == target
                else f
                for f in state.foreign_keys
            )
            if fks != state.foreign_keys:
                found.extend(self._put(replace(state, foreign_keys=fks), origin, state))
        return found

    # -- keys, constraints, indexes ---------------------------------------------------------------
    def _create_primary_key(self, op: ops.CreatePrimaryKeyOp, origin: Origin) -> list[Change]:
        def key(state: TableState) -> TableState:
            name = _named(op.constraint_name) or self._names.primary_key(state.name)
            return state.keyed(tuple(str(c) for c in op.columns), name)

        return self._change(op.table_name, op.schema, origin, key)

    def _drop_constraint(self, op: ops.DropConstraintOp, origin: Origin) -> list[Change]:
        name = _named(op.constraint_name)

        def drop(state: TableState) -> TableState | None:
            if (name is not None and name == state.primary_key_name) or (
                op.constraint_type == "primary" and not _named_other(state, name)
            ):
                return state.keyed(())
            if name is None:
                return None
            return replace(
                state,
                indexes=tuple(i for i in state.indexes if not (i.constraint and i.name == name)),
                foreign_keys=tuple(f for f in state.foreign_keys if f.name != name),
            )

        return self._change(op.table_name, op.schema, origin, drop)

    def _create_unique(self, op: ops.CreateUniqueConstraintOp, origin: Origin) -> list[Change]:
        def add(state: TableState) -> TableState:
            columns = tuple(str(c) for c in op.columns)
            name = _named(op.constraint_name) or self._names.unique(state.name, columns)
            index = IndexState(name=name, columns=columns, unique=True, constraint=True)
            return replace(state, indexes=(*state.indexes, index))

        return self._change(op.table_name, op.schema, origin, add)

    def _create_foreign_key(self, op: ops.CreateForeignKeyOp, origin: Origin) -> list[Change]:
        referent_schema = op.kw.get("referent_schema")

        def add(state: TableState) -> TableState:
            fk = ForeignKeyState(
                name=_named(op.constraint_name)
                or self._names.foreign_key(state.name, op.local_cols, len(state.foreign_keys)),
                columns=tuple(op.local_cols),
                referred_schema=self.key("", referent_schema)[0],
                referred_table=op.referent_table,
                referred_columns=tuple(op.remote_cols),
            )
            return replace(state, foreign_keys=(*state.foreign_keys, fk))

        return self._change(op.source_table, op.kw.get("source_schema"), origin, add)

    def _create_index(self, op: ops.CreateIndexOp, origin: Origin) -> list[Change]:
        columns = tuple(c if isinstance(c, str) else str(getattr(c, "name", None) or c) for c in op.columns)

        def add(state: TableState) -> TableState | None:
            # Alembic's create_index(None, ...) is named by SQLAlchemy's naming convention.
            name = _named(op.index_name) or sa_index_name(state.name, op.schema, columns[0])
            if any(i.name == name for i in state.indexes) and getattr(op, "if_not_exists", None):
                return None
            index = IndexState(name=name, columns=columns, unique=bool(op.unique))
            return replace(state, indexes=(*state.indexes, index))

        return self._change(op.table_name, op.schema, origin, add)

    def _drop_index(self, op: ops.DropIndexOp, origin: Origin) -> list[Change]:
        schema = self.key("", op.schema)[0]
        for key, entry in list(self._tables.items()):
            if key[0] != schema or (op.table_name is not None and key[1] != op.table_name):
                continue
            if any(i.name == op.index_name and not i.constraint for i in entry.state.indexes):
                kept = tuple(i for i in entry.state.indexes if i.name != op.index_name)
                return self._put(replace(entry.state, indexes=kept), origin, entry.state)
        return []

    def _create_enum(self, op: CreateEnumOp, origin: Origin) -> list[Change]:
        self.enums.add((self.key("", op.schema)[0], op.name))
        return []


def _named(name: object) -> str | None:
    """A constraint's given name (SQLAlchemy's "no name" marker is none)."""
    return str(name) if isinstance(name, str) else None


def _named_other(state: TableState, name: str | None) -> bool:
    """Whether ``name`` is a unique constraint or foreign key of ``state`` (so not its key)."""
    return name is not None and (
        any(i.name == name for i in state.indexes) or any(f.name == name for f in state.foreign_keys)
    )


def _renamed_column(state: TableState, old: str, new: str) -> TableState:
    """``state`` with column ``old`` called ``new`` in its key, indexes and foreign keys."""

    def names(columns: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(new if c == old else c for c in columns)

    return replace(
        state,
        primary_key=names(state.primary_key),
        indexes=tuple(replace(i, columns=names(i.columns)) for i in state.indexes),
        foreign_keys=tuple(replace(f, columns=names(f.columns)) for f in state.foreign_keys),
    )


_APPLY: dict[type[Any], Callable[[SymbolicSchema, Any, Origin], list[Change]]] = {
    ops.CreateTableOp: SymbolicSchema._create_table,
    ops.DropTableOp: SymbolicSchema._drop_table,
    ops.RenameTableOp: SymbolicSchema._rename_table,
    ops.AddColumnOp: SymbolicSchema._add_column,
    ops.DropColumnOp: SymbolicSchema._drop_column,
    ops.AlterColumnOp: SymbolicSchema._alter_column,
    ops.CreatePrimaryKeyOp: SymbolicSchema._create_primary_key,
    ops.DropConstraintOp: SymbolicSchema._drop_constraint,
    ops.CreateUniqueConstraintOp: SymbolicSchema._create_unique,
    ops.CreateForeignKeyOp: SymbolicSchema._create_foreign_key,
    ops.CreateIndexOp: SymbolicSchema._create_index,
    ops.DropIndexOp: SymbolicSchema._drop_index,
    CreateEnumOp: SymbolicSchema._create_enum,
}
"""Op class -> how it changes the schema; other ops (comments, data, check constraints) change
no table. ``op.execute`` reaches here already read into ops (:mod:`envoxy.migrations.sqlops`)."""
