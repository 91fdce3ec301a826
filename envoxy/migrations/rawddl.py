"""Raw DDL read into Alembic's own op objects, so that ``op.execute("ALTER TABLE ...")`` is judged
and replayed exactly as the ``op.`` call it amounts to.

The SQL is read by PostgreSQL's own parser (libpg_query, through ``pglast``): what it accepts is
what PostgreSQL accepts, read the same way (identifiers folded to lower case unless quoted,
``serial`` a NOT NULL integer, ``PRIMARY KEY`` in ``ADD COLUMN`` making the key). ``pglast`` is
imported the first time raw DDL is met, never on a history without raw SQL and never by the
model validator. Other dialects' SQL is not read (it stays ``unanalysed-sql``).

A statement is read into ops (``CREATE TABLE [IF NOT EXISTS]``, ``ALTER TABLE`` adding, dropping,
retyping, renaming columns, ``SET``/``DROP NOT NULL``, adding and dropping primary keys, unique
constraints and foreign keys, ``ALTER TABLE ... RENAME TO``, ``DROP TABLE``, ``CREATE``/``DROP
INDEX``, ``CREATE TYPE ... AS ENUM``), known to leave every table as it was (``CREATE SCHEMA``,
``COMMENT``, sequences, functions, triggers, views, grants, data), or unread: then the whole text
is reported as ``unanalysed-sql`` and the statements that were read still apply.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

import sqlalchemy as sa
from alembic.operations import ops

from envoxy.migrations.naming import postgresql_name
from envoxy.migrations.schema import CreateEnumOp
from envoxy.sqltypes import SqlType, sql_type_named, to_sqlalchemy

__all__ = ["Reading", "TypeNames", "read_ddl"]


class TypeNames(Protocol):
    """What the reading needs to know of the schema so far: the enum types it created."""

    enums: set[tuple[str | None, str]]


@dataclass(frozen=True, slots=True)
class Reading:
    """The ops SQL amounts to, whether some of its DDL could not be read, and whether it was raw
    SQL (findings then say ``op.execute``, not the op it amounts to)."""

    ops: tuple[ops.MigrateOperation, ...]
    unread: bool
    raw: bool = True


class _Unread(Exception):
    """A statement envoxy cannot apply (the reason, for tests and debugging)."""


# Statements that change no table's columns, keys, indexes or foreign keys.
_NO_CHANGE = frozenset(
    {
        "SelectStmt",
        "InsertStmt",
        "UpdateStmt",
        "DeleteStmt",
        "MergeStmt",
        "TruncateStmt",
        "CreateSchemaStmt",
        "CreateExtensionStmt",
        "AlterExtensionStmt",
        "CommentStmt",
        "CreateSeqStmt",
        "AlterSeqStmt",
        "GrantStmt",
        "GrantRoleStmt",
        "CreateFunctionStmt",
        "AlterFunctionStmt",
        "CreateTrigStmt",
        "ViewStmt",
        "VariableSetStmt",
        "TransactionStmt",
        "LockStmt",
        "AlterOwnerStmt",
        "AlterEnumStmt",
        "CreateRoleStmt",
        "AlterRoleStmt",
        "CreatePolicyStmt",
        "AlterDefaultPrivilegesStmt",
        "RuleStmt",
        "NotifyStmt",
        "CreateStatsStmt",
        "ReindexStmt",
        "VacuumStmt",
        "ExplainStmt",
        "RefreshMatViewStmt",
    }
)

# ALTER TABLE subcommands that change nothing envoxy models (defaults, storage, owners, ...).
_NO_CHANGE_ALTER = frozenset(
    {
        "AT_ColumnDefault",
        "AT_CookedColumnDefault",
        "AT_SetStatistics",
        "AT_SetOptions",
        "AT_ResetOptions",
        "AT_SetStorage",
        "AT_SetCompression",
        "AT_ChangeOwner",
        "AT_ClusterOn",
        "AT_DropCluster",
        "AT_SetLogged",
        "AT_SetUnLogged",
        "AT_SetRelOptions",
        "AT_ResetRelOptions",
        "AT_ReplaceRelOptions",
        "AT_SetTableSpace",
        "AT_EnableTrig",
        "AT_EnableAlwaysTrig",
        "AT_EnableReplicaTrig",
        "AT_DisableTrig",
        "AT_EnableTrigAll",
        "AT_DisableTrigAll",
        "AT_EnableTrigUser",
        "AT_DisableTrigUser",
        "AT_EnableRule",
        "AT_EnableAlwaysRule",
        "AT_EnableReplicaRule",
        "AT_DisableRule",
        "AT_EnableRowSecurity",
        "AT_DisableRowSecurity",
        "AT_ForceRowSecurity",
        "AT_NoForceRowSecurity",
        "AT_ReplicaIdentity",
        "AT_ValidateConstraint",
        "AT_AlterConstraint",
        "AT_AddIdentity",
        "AT_SetIdentity",
        "AT_DropIdentity",
        "AT_DropExpression",
        "AT_SetExpression",
        "AT_GenericOptions",
    }
)

# serial types: the integer they are, NOT NULL with a sequence default.
_SERIAL = {"serial": "integer", "serial4": "integer", "bigserial": "bigint", "serial8": "bigint",
           "smallserial": "smallint", "serial2": "smallint"}  # fmt: skip


def read_ddl(text: str, dialect: str, schema: TypeNames) -> Reading:
    """The ops raw SQL ``text`` amounts to on ``dialect`` (only PostgreSQL's SQL is read)."""
    if dialect != "postgresql":
        return Reading((), True)
    parsed = _parse(text)
    if parsed is None:
        return Reading((), True)
    found: list[ops.MigrateOperation] = []
    unread = False
    reader = _Reader(schema)
    for statement in parsed:
        try:
            found.extend(reader.statement(statement))
        except _Unread:
            unread = True
    return Reading(tuple(found), unread)


@lru_cache(maxsize=256)
def _parse(text: str) -> tuple[Any, ...] | None:
    from pglast import parse_sql
    from pglast.parser import ParseError

    try:
        return tuple(raw.stmt for raw in parse_sql(text))
    except (ParseError, ValueError):  # not SQL PostgreSQL reads (or a NUL in it)
        return None


def _enum_name(node: Any, kind: str) -> str:
    from pglast import enums

    return str(getattr(enums, kind)(node).name)


def _column_word(column: str) -> str:
    """What PostgreSQL puts in an index's name for an entry: the column, or ``expr``."""
    return column if "(" not in column else "expr"


def _strings(nodes: Sequence[Any] | None) -> list[str]:
    return [str(n.sval) for n in nodes or ()]


class _Reader:
    def __init__(self, schema: TypeNames) -> None:
        self.schema = schema

    def statement(self, stmt: Any) -> list[ops.MigrateOperation]:
        kind = type(stmt).__name__
        if kind in _NO_CHANGE:
            return []
        handler = _STATEMENTS.get(kind)
        if handler is None:
            raise _Unread(kind)
        return handler(self, stmt)

    # -- types and columns ------------------------------------------------------------------------
    def sql_type(self, type_name: Any) -> tuple[Any, bool]:
        """The SQLAlchemy type of a ``TypeName``, and whether it is a serial (NOT NULL)."""
        from pglast.stream import RawStream

        names = _strings(type_name.names)
        serial = len(names) == 1 and names[0] in _SERIAL and not type_name.arrayBounds
        if serial:
            return to_sqlalchemy(sql_type_named(_SERIAL[names[0]])), True
        text = str(RawStream()(type_name))
        if text.startswith("pg_catalog."):
            text = text[len("pg_catalog.") :]
        parsed = sql_type_named(text, "postgresql")
        return to_sqlalchemy(self._enum(parsed, names)), False

    def _enum(self, parsed: SqlType, names: list[str]) -> SqlType:
        """A type envoxy does not know that names an enum the history created is that enum."""
        base = parsed.item if parsed.name == "ARRAY" and parsed.item is not None else parsed
        if base.definition is not None or not names:
            return parsed
        schema = names[0] if len(names) > 1 else None
        key = (None if schema == "public" else schema, names[-1])
        if key not in self.schema.enums:
            return parsed
        enum = SqlType(name="ENUM", type_name=names[-1])
        return SqlType(name="ARRAY", item=enum) if base is not parsed else enum

    def column(self, table: str, definition: Any) -> tuple[sa.Column[Any], list[Any], bool]:
        """A ``ColumnDef`` as a ``sa.Column``, the named constraints it declares as table items,
        and whether it declares ``PRIMARY KEY``."""
        from pglast.enums import ConstrType

        if definition.typeName is None:
            raise _Unread("a column without a type")
        type_, serial = self.sql_type(definition.typeName)
        nullable: bool | None = False if serial else None
        primary = unique = False
        fks: list[Any] = []
        items: list[Any] = []
        for c in definition.constraints or ():
            kind = c.contype
            if kind == ConstrType.CONSTR_NOTNULL or kind == ConstrType.CONSTR_IDENTITY:
                nullable = False
            elif kind == ConstrType.CONSTR_NULL:
                nullable = True
            elif kind == ConstrType.CONSTR_PRIMARY:
                primary = True
                if c.conname:
                    items.append(sa.PrimaryKeyConstraint(definition.colname, name=c.conname))
            elif kind == ConstrType.CONSTR_UNIQUE:
                if c.conname:
                    items.append(sa.UniqueConstraint(definition.colname, name=c.conname))
                else:
                    unique = True
            elif kind == ConstrType.CONSTR_FOREIGN:
                fks.append(sa.ForeignKey(self.target(c)[0], name=c.conname or None))
        column: sa.Column[Any] = sa.Column(
            definition.colname,
            type_,
            *fks,
            primary_key=primary,
            unique=unique or None,
            nullable=(not primary) if nullable is None else nullable,
        )
        return column, items, primary

    def target(self, constraint: Any) -> list[str]:
        """``schema.table.column`` of each column a ``REFERENCES`` names."""
        table = constraint.pktable
        prefix = f"{table.schemaname}.{table.relname}" if table.schemaname else str(table.relname)
        columns = _strings(constraint.pk_attrs)
        if not columns:
            raise _Unread("REFERENCES without columns")
        return [f"{prefix}.{c}" for c in columns]

    def table_constraint(self, table: str, c: Any) -> Any | None:
        from pglast.enums import ConstrType

        name = c.conname or None
        if c.contype == ConstrType.CONSTR_PRIMARY:
            if not c.keys:
                raise _Unread("PRIMARY KEY USING INDEX")
            return sa.PrimaryKeyConstraint(*_strings(c.keys), name=name)
        if c.contype == ConstrType.CONSTR_UNIQUE:
            if not c.keys:
                raise _Unread("UNIQUE USING INDEX")
            return sa.UniqueConstraint(*_strings(c.keys), name=name)
        if c.contype == ConstrType.CONSTR_FOREIGN:
            return sa.ForeignKeyConstraint(_strings(c.fk_attrs), self.target(c), name=name)
        if c.contype in (ConstrType.CONSTR_CHECK, ConstrType.CONSTR_EXCLUSION):
            return None
        raise _Unread(f"constraint {c.contype}")

    # -- statements -------------------------------------------------------------------------------
    def create_table(self, stmt: Any) -> list[ops.MigrateOperation]:
        if stmt.inhRelations or stmt.partbound or stmt.ofTypename or stmt.partspec:
            raise _Unread("a table made from another (INHERITS, PARTITION, OF)")
        relation = stmt.relation
        items: list[Any] = []
        for element in stmt.tableElts or ():
            if type(element).__name__ == "ColumnDef":
                column, extra, _ = self.column(relation.relname, element)
                items.append(column)
                items.extend(extra)
            elif type(element).__name__ == "Constraint":
                constraint = self.table_constraint(relation.relname, element)
                if constraint is not None:
                    items.append(constraint)
            else:
                raise _Unread(type(element).__name__)
        op = ops.CreateTableOp(relation.relname, items, schema=relation.schemaname)
        op.if_not_exists = bool(stmt.if_not_exists) or None
        return [op]

    def alter_table(self, stmt: Any) -> list[ops.MigrateOperation]:
        if _enum_name(stmt.objtype, "ObjectType") != "OBJECT_TABLE":
            return []  # ALTER INDEX/SEQUENCE/VIEW ... SET ...: no table changes
        relation = stmt.relation
        found: list[ops.MigrateOperation] = []
        for cmd in stmt.cmds or ():
            kind = _enum_name(cmd.subtype, "AlterTableType")
            if kind in _NO_CHANGE_ALTER:
                continue
            handler = _ALTERS.get(kind)
            if handler is None:
                raise _Unread(kind)
            found.extend(handler(self, relation.relname, relation.schemaname, cmd))
        return found

    def add_column(self, table: str, schema: str | None, cmd: Any) -> list[ops.MigrateOperation]:
        column, items, primary = self.column(table, cmd.def_)
        op = ops.AddColumnOp(table, column, schema=schema)
        op.if_not_exists = bool(cmd.missing_ok) or None
        # PRIMARY KEY in ADD COLUMN makes the key (Alembic's own add_column does not say it).
        op.inline_primary_key = primary or None
        found: list[ops.MigrateOperation] = [op]
        for item in items:
            if isinstance(item, sa.UniqueConstraint):
                found.append(ops.CreateUniqueConstraintOp(item.name, table, [column.name], schema=schema))
        return found

    def drop_column(self, table: str, schema: str | None, cmd: Any) -> list[ops.MigrateOperation]:
        op = ops.DropColumnOp(table, cmd.name, schema=schema)
        op.if_exists = bool(cmd.missing_ok) or None
        return [op]

    def alter_type(self, table: str, schema: str | None, cmd: Any) -> list[ops.MigrateOperation]:
        type_, _ = self.sql_type(cmd.def_.typeName)
        return [ops.AlterColumnOp(table, cmd.name, schema=schema, modify_type=type_)]

    def set_not_null(self, table: str, schema: str | None, cmd: Any) -> list[ops.MigrateOperation]:
        return [ops.AlterColumnOp(table, cmd.name, schema=schema, modify_nullable=False)]

    def drop_not_null(self, table: str, schema: str | None, cmd: Any) -> list[ops.MigrateOperation]:
        return [ops.AlterColumnOp(table, cmd.name, schema=schema, modify_nullable=True)]

    def add_constraint(self, table: str, schema: str | None, cmd: Any) -> list[ops.MigrateOperation]:
        constraint = self.table_constraint(table, cmd.def_)
        if isinstance(constraint, sa.PrimaryKeyConstraint):
            columns = _strings(cmd.def_.keys)
            return [ops.CreatePrimaryKeyOp(cmd.def_.conname or None, table, columns, schema=schema)]
        if isinstance(constraint, sa.UniqueConstraint):
            columns = _strings(cmd.def_.keys)
            return [ops.CreateUniqueConstraintOp(cmd.def_.conname or None, table, columns, schema=schema)]
        if isinstance(constraint, sa.ForeignKeyConstraint):
            target = constraint.elements[0]._column_tokens
            return [
                ops.CreateForeignKeyOp(
                    constraint.name,
                    table,
                    target[1],
                    list(constraint.column_keys),
                    [str(e._column_tokens[2]) for e in constraint.elements],
                    source_schema=schema,
                    referent_schema=target[0],
                )
            ]
        return []

    def drop_constraint(self, table: str, schema: str | None, cmd: Any) -> list[ops.MigrateOperation]:
        op = ops.DropConstraintOp(cmd.name, table, schema=schema)
        op.if_exists = bool(cmd.missing_ok) or None
        return [op]

    def rename(self, stmt: Any) -> list[ops.MigrateOperation]:
        kind = _enum_name(stmt.renameType, "ObjectType")
        relation = stmt.relation
        if kind == "OBJECT_TABLE":
            return [ops.RenameTableOp(relation.relname, stmt.newname, schema=relation.schemaname)]
        if kind == "OBJECT_COLUMN" and _enum_name(stmt.relationType, "ObjectType") == "OBJECT_TABLE":
            return [
                ops.AlterColumnOp(
                    relation.relname, stmt.subname, schema=relation.schemaname, modify_name=stmt.newname
                )
            ]
        if kind in ("OBJECT_SEQUENCE", "OBJECT_VIEW", "OBJECT_FUNCTION", "OBJECT_SCHEMA", "OBJECT_TYPE"):
            return []
        raise _Unread(f"RENAME of {kind}")

    def drop(self, stmt: Any) -> list[ops.MigrateOperation]:
        kind = _enum_name(stmt.removeType, "ObjectType")
        if kind in ("OBJECT_TABLE", "OBJECT_INDEX"):
            found: list[ops.MigrateOperation] = []
            for names in stmt.objects or ():
                parts = _strings(names)
                schema = parts[0] if len(parts) > 1 else None
                if kind == "OBJECT_TABLE":
                    found.append(ops.DropTableOp(parts[-1], schema=schema))
                else:
                    found.append(ops.DropIndexOp(parts[-1], schema=schema))
            return found
        if (
            kind in ("OBJECT_SCHEMA", "OBJECT_TYPE", "OBJECT_DOMAIN")
            and _enum_name(stmt.behavior, "DropBehavior") == "DROP_CASCADE"
        ):
            raise _Unread(f"DROP {kind} CASCADE")  # takes tables or columns with it
        return []

    def create_index(self, stmt: Any) -> list[ops.MigrateOperation]:
        from pglast.stream import RawStream

        # A partial or covering index is still an index on these columns.
        columns = [p.name if p.name else str(RawStream()(p.expr)) for p in stmt.indexParams or ()]
        relation = stmt.relation
        # PostgreSQL names an unnamed index <table>_<columns>_idx (Alembic's would be ix_...).
        name = stmt.idxname or postgresql_name(relation.relname, [_column_word(c) for c in columns], "idx")
        op = ops.CreateIndexOp(
            name,
            relation.relname,
            columns,
            schema=relation.schemaname,
            unique=bool(stmt.unique),
        )
        op.if_not_exists = bool(stmt.if_not_exists) or None
        return [op]

    def create_enum(self, stmt: Any) -> list[ops.MigrateOperation]:
        names = _strings(stmt.typeName)
        return [CreateEnumOp(names[-1], names[0] if len(names) > 1 else None)]


_STATEMENTS: dict[str, Callable[[_Reader, Any], list[ops.MigrateOperation]]] = {
    "CreateStmt": _Reader.create_table,
    "AlterTableStmt": _Reader.alter_table,
    "RenameStmt": _Reader.rename,
    "DropStmt": _Reader.drop,
    "IndexStmt": _Reader.create_index,
    "CreateEnumStmt": _Reader.create_enum,
}
"""Statement node -> the ops it amounts to; statements in neither this nor ``_NO_CHANGE`` (a
``DO`` block, ``CREATE TABLE AS``, ...) are unread."""

_ALTERS: dict[str, Callable[[_Reader, str, str | None, Any], list[ops.MigrateOperation]]] = {
    "AT_AddColumn": _Reader.add_column,
    "AT_DropColumn": _Reader.drop_column,
    "AT_AlterColumnType": _Reader.alter_type,
    "AT_SetNotNull": _Reader.set_not_null,
    "AT_DropNotNull": _Reader.drop_not_null,
    "AT_AddConstraint": _Reader.add_constraint,
    "AT_DropConstraint": _Reader.drop_constraint,
}
"""ALTER TABLE subcommand -> the ops it amounts to."""
