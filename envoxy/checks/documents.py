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

from collections.abc import Callable, Iterable
from dataclasses import replace
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
    logical: Callable[[SqlType], str | None] | None = None,
) -> dict[str, Any]:
    """The document of ``column`` of ``table`` (``primary_key``: whether it is in the table's key,
    by default the column's own flag; ``logical``: the logical type of a SQL type, by default
    :func:`~envoxy.checks.engine.logical_type_of`)."""
    return _column(
        rules,
        column.name,
        table,
        column.type,
        column.nullable,
        dialect,
        column.primary_key if primary_key is None else primary_key,
        logical,
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
    return _column(rules, name, table, sql_type, nullable, dialect, None, None)


def _column(
    rules: RuleSet,
    name: str,
    table: str,
    sql_type: SqlType | None,
    nullable: bool | None,
    dialect: str,
    primary_key: bool | None,
    logical_of: Callable[[SqlType], str | None] | None,
) -> dict[str, Any]:
    from envoxy.checks.engine import logical_type_of

    doc: dict[str, Any] = {"name": name, "table": table}
    if sql_type is not None:
        logical = (
            logical_of(sql_type) if logical_of is not None else logical_type_of(rules, sql_type, dialect)
        )
        if logical is not None:
            doc["logical_type"] = logical
        doc["sql_type"] = sql_type.ddl(dialect)
    if nullable is not None:
        doc["nullable"] = nullable
    if primary_key is not None:
        doc["primary_key"] = primary_key
    return doc


def table_document(
    rules: RuleSet,
    state: TableState,
    dialect: str = "postgresql",
    *,
    column: Callable[[ColumnState, str], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The document of ``state``, its columns in table order (made by ``column``, by default
    :func:`column_document`)."""
    make = column if column is not None else (lambda c, table: column_document(rules, c, table, dialect))
    return {
        "name": state.name,
        "schema": state.schema,
        "columns": [make(c, state.name) for c in state.columns],
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
    """Table documents under one ruleset and dialect, each made once per table state; a column's
    document is made once per column state and table name, and shared by the documents of every
    state of its table (documents are read, never changed)."""

    _LIMIT = 4096

    def __init__(self, rules: RuleSet, dialect: str = "postgresql") -> None:
        self.rules = rules
        self.dialect = dialect
        self._made: dict[int, tuple[TableState, dict[str, Any]]] = {}
        self._columns: dict[tuple[ColumnState, str], dict[str, Any]] = {}
        self._logical: dict[SqlType, str | None] = {}
        self._same: dict[int, tuple[ColumnState, dict[str, Any]]] = {}
        self._bare: dict[int, tuple[TableState, dict[str, Any]]] = {}

    def of(self, state: TableState) -> dict[str, Any]:
        known = self._made.get(id(state))
        if known is not None and known[0] is state:
            return known[1]
        doc = table_document(self.rules, state, self.dialect, column=self._column)
        if len(self._made) >= self._LIMIT:
            self._made.clear()
        self._made[id(state)] = (state, doc)
        return doc

    def bare(self, state: TableState) -> dict[str, Any]:
        """The document of ``state`` without its columns, for checks that never read them."""
        known = self._bare.get(id(state))
        if known is not None and known[0] is state:
            return known[1]
        doc = table_document(self.rules, replace(state, columns=()), self.dialect)
        del doc["columns"]
        if len(self._bare) >= self._LIMIT:
            self._bare.clear()
        self._bare[id(state)] = (state, doc)
        return doc

    def column(self, column: ColumnState, table: str) -> dict[str, Any]:
        """The document of ``column`` of ``table``, made once (the one the table's documents
        hold)."""
        return self._column(column, table)

    def _column(self, column: ColumnState, table: str) -> dict[str, Any]:
        # By identity first: the states of one table share the column objects an op left alone.
        known = self._same.get(id(column))
        if known is not None and known[0] is column and known[1]["table"] == table:
            return known[1]
        key = (column, table)
        doc = self._columns.get(key)
        if doc is None:
            if len(self._columns) >= 8 * self._LIMIT:
                self._columns.clear()
                self._same.clear()
            doc = self._columns[key] = column_document(
                self.rules, column, table, self.dialect, logical=self._logical_type
            )
        self._same[id(column)] = (column, doc)
        return doc

    def _logical_type(self, sql_type: SqlType) -> str | None:
        """The profile's logical type of ``sql_type``, found once per type (a history has few)."""
        try:
            return self._logical[sql_type]
        except KeyError:
            from envoxy.checks.engine import logical_type_of

            found = self._logical[sql_type] = logical_type_of(self.rules, sql_type, self.dialect)
            return found

    def all(self, states: Iterable[TableState]) -> list[dict[str, Any]]:
        return [self.of(s) for s in states]
