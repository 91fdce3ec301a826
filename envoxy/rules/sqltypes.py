"""Moved to :mod:`envoxy.sqltypes` (the types and dialects registry); these names stay importable
from here for code written against the old place."""

from __future__ import annotations

from envoxy.sqltypes import (
    SqlType,
    SqlTypeError,
    from_sqlalchemy,
    parse_sql_type,
    to_sqlalchemy,
    types_match,
)

__all__ = [
    "SqlType",
    "SqlTypeError",
    "from_sqlalchemy",
    "parse_sql_type",
    "to_sqlalchemy",
    "types_match",
]
