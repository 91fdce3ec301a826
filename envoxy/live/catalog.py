"""Column types as the database's own catalog names them, for the dialects that have one to ask.

SQLAlchemy's reflection does not recognise every type (``xml``, ``point``, an extension's
``ltree``: it gives ``NullType``), and it reflects a domain's base type without its length. The
catalog names them all: on PostgreSQL, ``format_type()`` of the column's type, a domain resolved
to the type it is defined over (a domain of a domain too) with the length the domain gives it.
Such a type is judged by that name (``XML``), never passed as unknown. On MySQL and MariaDB,
``information_schema.COLUMNS.COLUMN_TYPE`` names every column's type (``datetime(6)``,
``tinyint(1)``, ``inet6``), without the character set and collation SQLAlchemy adds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

import sqlalchemy as sa

from envoxy.sqltypes import SqlType, sql_type_named
from envoxy.sqltypes.dialects import dialect_name

__all__ = ["CATALOG_TYPES", "ColumnTypes", "mysql_column_types", "postgresql_column_types"]

ColumnTypes = dict[tuple[str, str], SqlType]
"""Column type by (table, column)."""

_POSTGRESQL = sa.text(
    """
    WITH RECURSIVE col (table_name, column_name, typid, typmod) AS (
        SELECT c.relname, a.attname, a.atttypid, a.atttypmod
        FROM pg_catalog.pg_attribute a
        JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = :schema AND a.attnum > 0 AND NOT a.attisdropped
      UNION ALL
        SELECT col.table_name, col.column_name, t.typbasetype,
               CASE WHEN t.typtypmod <> -1 THEN t.typtypmod ELSE col.typmod END
        FROM col JOIN pg_catalog.pg_type t ON t.oid = col.typid
        WHERE t.typtype = 'd'
    )
    SELECT col.table_name, col.column_name, pg_catalog.format_type(col.typid, col.typmod),
           t.typtype, t.typname, e.typtype, e.typname
    FROM col
    JOIN pg_catalog.pg_type t ON t.oid = col.typid
    LEFT JOIN pg_catalog.pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'
    WHERE t.typtype <> 'd'
    """
)


def postgresql_column_types(connection: sa.Connection, schema: str) -> ColumnTypes:
    """Every column type of ``schema``'s relations, as ``format_type()`` names it; an enum (and
    an array of one) by its type's name."""
    found: ColumnTypes = {}
    for table, column, text, typtype, typname, item_typtype, item_typname in connection.execute(
        _POSTGRESQL, {"schema": schema}
    ):
        if typtype == "e":
            found[table, column] = SqlType(name="ENUM", type_name=typname)
        elif item_typtype == "e":
            found[table, column] = SqlType(name="ARRAY", item=SqlType(name="ENUM", type_name=item_typname))
        else:
            found[table, column] = sql_type_named(text, "postgresql")
    return found


_MYSQL = sa.text(
    """
    SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS
    WHERE TABLE_SCHEMA = :schema
    """
)


def mysql_column_types(connection: sa.Connection, schema: str) -> ColumnTypes:
    """Every column type of ``schema`` (a MySQL or MariaDB database), as ``COLUMN_TYPE`` names
    it, read as that server means it."""
    dialect = dialect_name(connection.dialect)
    return {
        (table, column): sql_type_named(text, dialect)
        for table, column, text in connection.execute(_MYSQL, {"schema": schema})
    }


CATALOG_TYPES: Mapping[str, Callable[[sa.Connection, str], ColumnTypes]] = MappingProxyType(
    {"postgresql": postgresql_column_types, "mysql": mysql_column_types, "mariadb": mysql_column_types}
)
"""Per dialect: the column types of a schema, as its catalog names them."""
