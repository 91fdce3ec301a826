"""Template: the hook that fills the rows of a bulk INSERT before SQLAlchemy reads them.

The generator writes ``_MIXIN_DEFAULTS`` (how the hook knows a table of the mixin) and
``_filled_rows`` (the rows' filling for the rules at hand).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

if TYPE_CHECKING:
    from envoxy.mixin.templates._generated import _MIXIN_DEFAULTS, _filled_rows


# @block bulk_insert
# Below this many rows the column defaults' cost per row is small: such an INSERT is left to
# them, with SQLAlchemy's behaviour unchanged.
_BULK_FROM = 8


def _is_mixin_table(table: Any) -> bool:
    """Whether ``table`` has every column the mixin fills, each with the mixin's default."""
    for name, default in _MIXIN_DEFAULTS.items():
        column = table.c.get(name)
        if column is None or column.default is None or column.default.arg is not default:
            return False
    return True


def _fill_bulk_insert(
    connection: sa.Connection,
    statement: Any,
    rows: list[dict[str, Any]],
    params: dict[str, Any],
    execution_options: Any,
) -> tuple[Any, list[dict[str, Any]], dict[str, Any]]:
    """Fill the rows of a bulk INSERT into a table of the mixin before SQLAlchemy reads them.

    The column defaults would produce the same values, but SQLAlchemy calls them once per row
    and column, and on a bulk insert that machinery costs as much as the values. Only a plain
    ``table.insert()`` or ``insert(Model)`` with many rows (Core executemany, ORM bulk insert,
    ``bulk_insert_mappings``, ``bulk_save_objects``) qualifies; any other INSERT (with
    ``.values()``, RETURNING, ``return_defaults()``, ON CONFLICT, ...) is left to the column
    defaults, which also report the values they made. The rows are copies: the caller's
    dicts are not changed.
    """
    if (
        len(rows) < _BULK_FROM
        or not isinstance(statement, sa.Insert)
        or not _is_mixin_table(statement.table)
        or not statement.compare(statement.table.insert())
    ):
        return statement, rows, params
    return statement, _filled_rows(statement.table.name, rows), params
