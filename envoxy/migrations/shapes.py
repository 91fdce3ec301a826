"""What SQL guarantees about a query's result, whatever the tables hold: the offline stand-in's
answer where an empty database has one.

An aggregate without ``GROUP BY`` (or ``HAVING``, ``LIMIT``, set operations) returns exactly one
row: ``count(...)`` is 0 there, every other aggregate (``max``, ``sum``, ``array_agg``, ...) NULL.
``EXISTS (...)`` is false and ``NOT EXISTS (...)`` true on an empty database, and a ``SELECT``
without ``FROM`` of such values and constants returns one row too. A query selecting anything
whose value is not so pinned down (a column, ``now()``) is not answered here. So
``if conn.execute(text("select count(*) from t")).scalar() == 0:`` takes the branch an empty
database takes, as ``alembic upgrade`` on a new database would.

Core selects are read through their own attributes; raw SQL by PostgreSQL's parser (``pglast``,
imported only for a raw ``SELECT`` that calls a function or says ``EXISTS``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

__all__ = ["ValueRow", "guaranteed_row"]

_AGGREGATES = frozenset(
    {
        "count", "sum", "avg", "min", "max", "array_agg", "string_agg", "json_agg", "jsonb_agg",
        "json_object_agg", "jsonb_object_agg", "bool_and", "bool_or", "every", "bit_and", "bit_or",
        "bit_xor", "xmlagg", "stddev", "stddev_pop", "stddev_samp", "variance", "var_pop", "var_samp",
        "group_concat", "any_value",
    }
)  # fmt: skip

_UNKNOWN = object()  # a value SQL does not pin down: the row is not guaranteed
_RAW_SELECT = re.compile(r"^\s*\(?\s*select\b.*(?:\(|\bexists\b)", re.I | re.S)


class ValueRow(tuple):  # type: ignore[type-arg]
    """A row with known values, by position, by name and as ``row._mapping``."""

    _names: tuple[str, ...]

    def __new__(cls, values: Sequence[Any], names: Sequence[str]) -> ValueRow:
        row = super().__new__(cls, values)
        row._names = tuple(names)
        return row

    def __getattr__(self, name: str) -> Any:
        if not name.startswith("_") and name in self._names:
            return self[self._names.index(name)]
        raise AttributeError(name)

    def keys(self) -> list[str]:
        return list(self._names)

    @property
    def _mapping(self) -> dict[str, Any]:
        return dict(zip(self._names, self, strict=False))

    def _asdict(self) -> dict[str, Any]:
        return self._mapping

    @property
    def _t(self) -> tuple[Any, ...]:
        return tuple(self)


def guaranteed_row(statement: Any) -> ValueRow | None:
    """The one row ``statement`` returns on an empty database, where SQL guarantees one;
    ``None`` where it may return none or several."""
    import sqlalchemy as sa

    if isinstance(statement, sa.Select):
        return _core(statement)
    text = statement if isinstance(statement, str) else getattr(statement, "text", None)
    if isinstance(text, str) and _RAW_SELECT.match(text):
        return _raw(text)
    return None


# -- Core ----------------------------------------------------------------------------------------


def _core(select: Any) -> ValueRow | None:
    if select._group_by_clauses or select._having_criteria or select._limit_clause is not None:
        return None
    if select._offset_clause is not None:
        return None
    no_from = not select.get_final_froms()
    values, aggregated = [], False
    for column in select.selected_columns:
        value, aggregate = _core_value(column)
        if value is _UNKNOWN:
            return None
        aggregated = aggregated or aggregate
        values.append(value)
    if not (aggregated or no_from):
        return None
    return ValueRow(values, [str(c.key) for c in select.selected_columns])


def _core_value(column: Any) -> tuple[Any, bool]:
    """A selected column's value on an empty database, and whether it is an aggregate."""
    import sqlalchemy as sa
    from sqlalchemy.sql import elements, functions

    while isinstance(column, elements.Label):
        column = column.element
    if isinstance(column, functions.count):
        return 0, True
    if isinstance(column, functions.FunctionElement):
        name = str(getattr(column, "name", "")).lower()
        return (None, True) if name in _AGGREGATES else (_UNKNOWN, False)
    if isinstance(column, sa.Exists):
        return False, False
    if isinstance(column, elements.BindParameter):
        return column.value, False
    return _UNKNOWN, False


# -- raw SQL -------------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _raw(text: str) -> ValueRow | None:
    from pglast import parse_sql
    from pglast.parser import ParseError

    try:
        statements = parse_sql(text)
    except (ParseError, ValueError):
        return None
    if len(statements) != 1 or type(statements[0].stmt).__name__ != "SelectStmt":
        return None
    select: Any = statements[0].stmt
    if select.groupClause or select.havingClause or select.limitCount is not None:
        return None
    if select.limitOffset is not None or select.larg is not None or select.valuesLists:
        return None
    no_from = not select.fromClause
    values, names, aggregated = [], [], False
    for target in select.targetList or ():
        value, aggregate, name = _raw_value(target.val)
        if value is _UNKNOWN:
            return None
        aggregated = aggregated or aggregate
        values.append(value)
        names.append(target.name or name)
    if not (aggregated or no_from):
        return None
    return ValueRow(values, names)


def _raw_value(node: Any) -> tuple[Any, bool, str]:
    kind = type(node).__name__
    if kind == "TypeCast":
        return _raw_value(node.arg)
    if kind == "FuncCall":
        name = str(node.funcname[-1].sval).lower()
        if node.over is not None or name not in _AGGREGATES:
            return _UNKNOWN, False, name
        return (0 if name == "count" else None), True, name
    if kind == "SubLink" and _sublink(node) == "EXISTS_SUBLINK":
        return False, False, "exists"
    if kind == "BoolExpr" and _boolop(node) == "NOT_EXPR" and len(node.args) == 1:
        inner, _, _ = _raw_value(node.args[0])
        if isinstance(inner, bool):
            return not inner, False, "?column?"
    if kind == "A_Const" and not node.isnull:
        return getattr(node.val, "ival", getattr(node.val, "sval", _UNKNOWN)), False, "?column?"
    return _UNKNOWN, False, "?column?"


def _sublink(node: Any) -> str:
    from pglast.enums import SubLinkType

    return str(SubLinkType(node.subLinkType).name)


def _boolop(node: Any) -> str:
    from pglast.enums import BoolExprType

    return str(BoolExprType(node.boolop).name)
