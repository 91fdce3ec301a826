"""SQL types: one canonical form for every way a column type gets written, and what each
database dialect does with it.

``String(36)``, ``VARCHAR(36)``, ``sa.String(length=36)`` and ``character varying(36)`` are the
same type; so are ``DateTime()`` and ``TIMESTAMP WITHOUT TIME ZONE``, and ``Uuid`` and
``postgresql.UUID(as_uuid=True)``.

- :mod:`envoxy.sqltypes.registry`: the types table (names, aliases, Python and SQLAlchemy types);
- :mod:`envoxy.sqltypes.dialects`: the dialects table (UUID storage, time zones, synonyms,
  DDL spellings);
- :mod:`envoxy.sqltypes.sqltype`: :class:`SqlType`, the canonical form, and its DDL;
- :mod:`envoxy.sqltypes.parse`: text (DDL, a catalog's type name, SQLAlchemy source) to
  :class:`SqlType`, with no SQLAlchemy;
- :mod:`envoxy.sqltypes.compare`: :func:`types_match`;
- :mod:`envoxy.sqltypes.alchemy`: SQLAlchemy type objects to :class:`SqlType` and back
  (imports SQLAlchemy only when called).
"""

from __future__ import annotations

from envoxy.sqltypes.alchemy import from_sqlalchemy, to_sqlalchemy
from envoxy.sqltypes.compare import types_match
from envoxy.sqltypes.dialects import DIALECTS, DialectDef, dialect_of
from envoxy.sqltypes.parse import parse_sql_type, sql_type_named
from envoxy.sqltypes.registry import TYPES, TypeDef
from envoxy.sqltypes.sqltype import SqlType, SqlTypeError

__all__ = [
    "DIALECTS",
    "TYPES",
    "DialectDef",
    "SqlType",
    "SqlTypeError",
    "TypeDef",
    "dialect_of",
    "from_sqlalchemy",
    "parse_sql_type",
    "sql_type_named",
    "to_sqlalchemy",
    "types_match",
]
