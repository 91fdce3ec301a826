"""What ``op.execute(...)`` amounts to, as Alembic's own op objects: the judge and the symbolic
schema then treat it exactly as the ``op.`` call it stands for.

- DDL constructs: ``CreateTable(t)`` is ``create_table`` (the table alone: ``CREATE TABLE``
  makes no index), ``DropTable``, ``CreateIndex``, ``DropIndex``, ``AddConstraint`` and
  ``DropConstraint`` the ops of the same names;
- raw DDL (a string, ``text()``, ``sa.DDL``) is read by :mod:`envoxy.migrations.rawddl`;
- Core statements and raw DML change no table.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic.operations import ops
from sqlalchemy.sql import ddl

from envoxy.migrations.rawddl import Reading, TypeNames

__all__ = ["raw_text", "read_execute"]


def raw_text(sql: Any) -> str | None:
    """The text of raw SQL (a string, ``text()``, ``sa.DDL``); ``None`` for anything else."""
    if isinstance(sql, ddl.DDL):
        return str(sql.statement)
    if isinstance(sql, str):
        return sql
    if isinstance(sql, sa.TextClause):
        return sql.text
    return None


def _construct(sql: Any) -> list[ops.MigrateOperation] | None:
    if isinstance(sql, ddl.CreateTable):
        return [ops.CreateTableOp.from_table(sql.element)]
    if isinstance(sql, ddl.DropTable):
        return [ops.DropTableOp(sql.element.name, schema=sql.element.schema)]
    if isinstance(sql, ddl.CreateIndex):
        return [ops.CreateIndexOp.from_index(sql.element)]
    if isinstance(sql, ddl.DropIndex):
        return [ops.DropIndexOp.from_index(sql.element)]
    if isinstance(sql, ddl.AddConstraint):
        return [ops.AddConstraintOp.from_constraint(sql.element)]
    if isinstance(sql, ddl.DropConstraint):
        return [ops.DropConstraintOp.from_constraint(sql.element)]
    return None


def read_execute(op: ops.ExecuteSQLOp, dialect: str, schema: TypeNames) -> Reading:
    """The ops an ``op.execute`` amounts to; ``unread`` when it holds DDL that could not be read
    (the caller reports it as ``unanalysed-sql``)."""
    from envoxy.migrations.inspector import is_raw_ddl

    sql = op.sqltext
    made = _construct(sql)
    if made is not None:
        return Reading(tuple(made), False, raw=False)
    text = raw_text(sql)
    if text is None or not is_raw_ddl(text):
        return Reading((), False)  # Core statements and raw DML change no table
    from envoxy.migrations.rawddl import read_ddl

    return read_ddl(text, dialect, schema)
