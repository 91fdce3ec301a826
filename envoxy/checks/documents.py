"""The documents checks judge, made from :class:`~envoxy.tables.TableState`: one shape for the
migration replay (per op and at head), the autogenerate gate and ``check-db``.

A table document is ``{"name", "schema", "columns", "primary_key", "indexes", "foreign_keys"}``;
a column document ``{"name", "table", "logical_type", "sql_type", "nullable", "primary_key"}``
(``../shared/CONTRACT.md``, "Checks"). ``sql_type`` is the type as the dialect's DDL writes it,
as ``envoxy schema`` prints it; ``logical_type`` is the profile's logical type whose SQL type
matches. A fact the source does not know is absent: a column of a type envoxy could not read has
no ``sql_type`` (and so no ``logical_type``).

Documents are plain dicts, made once per table state: a history's table after one op is the same
object before the next, so :class:`Documents` remembers them by identity.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from envoxy.tables import ColumnState, TableState

if TYPE_CHECKING:
    from envoxy.rules.model import RuleSet
    from envoxy.sqltypes import SqlType

__all__ = ["Documents", "column_document", "partial_column_document", "table_document"]


def column_document(
    rules: RuleSet,
    column: ColumnState,
    table: str,
    dialect: str = "postgresql",
    *,
    primary_key: bool | None = None,
) -> dict[str, Any]:
    """The document of ``column`` of ``table`` (``primary_key``: whether it is in the table's key,
    by default the column's own flag)."""
    return _column(
        rules,
        column.name,
        table,
        column.type,
        column.nullable,
        dialect,
        column.primary_key if primary_key is None else primary_key,
    )


def partial_column_document(
    rules: RuleSet,
    name: str,
    table: str,
    sql_type: SqlType | None,
    nullable: bool | None,
    dialect: str = "postgresql",
) -> dict[str, Any]:
    """A column known only from an op on a table whose shape is not known (an ``alter_column``
    of autogenerate on a table the database already has): its key membership is absent, and so
    are its type and nullability where the op does not state them."""
    return _column(rules, name, table, sql_type, nullable, dialect, None)


def _column(
    rules: RuleSet,
    name: str,
    table: str,
    sql_type: SqlType | None,
    nullable: bool | None,
    dialect: str,
    primary_key: bool | None,
) -> dict[str, Any]:
    from envoxy.checks.engine import logical_type_of

    doc: dict[str, Any] = {"name": name, "table": table}
    if sql_type is not None:
        logical = logical_type_of(rules, sql_type, dialect)
        if logical is not None:
            doc["logical_type"] = logical
        doc["sql_type"] = sql_type.ddl(dialect)
    if nullable is not None:
        doc["nullable"] = nullable
    if primary_key is not None:
        doc["primary_key"] = primary_key
    return doc


def table_document(rules: RuleSet, state: TableState, dialect: str = "postgresql") -> dict[str, Any]:
    """The document of ``state``, its columns in table order."""
    return {
        "name": state.name,
        "schema": state.schema,
        "columns": [column_document(rules, c, state.name, dialect) for c in state.columns],
        "primary_key": list(state.primary_key),
        "indexes": [{"name": i.name, "columns": list(i.columns), "unique": i.unique} for i in state.indexes],
        "foreign_keys": [
            {
                "name": f.name,
                "columns": list(f.columns),
                "referred_schema": f.referred_schema,
                "referred_table": f.referred_table,
                "referred_columns": list(f.referred_columns),
            }
            for f in state.foreign_keys
        ],
    }


class Documents:
    """Table documents under one ruleset and dialect, each made once per table state."""

    _LIMIT = 4096

    def __init__(self, rules: RuleSet, dialect: str = "postgresql") -> None:
        self.rules = rules
        self.dialect = dialect
        self._made: dict[int, tuple[TableState, dict[str, Any]]] = {}

    def of(self, state: TableState) -> dict[str, Any]:
        known = self._made.get(id(state))
        if known is not None and known[0] is state:
            return known[1]
        doc = table_document(self.rules, state, self.dialect)
        if len(self._made) >= self._LIMIT:
            self._made.clear()
        self._made[id(state)] = (state, doc)
        return doc

    def all(self, states: Iterable[TableState]) -> list[dict[str, Any]]:
        return [self.of(s) for s in states]
