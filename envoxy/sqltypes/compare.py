"""Whether a column's type satisfies the type ``rules.yaml`` asks for, on a given dialect."""

from __future__ import annotations

from functools import lru_cache

from envoxy.sqltypes.dialects import DEFAULT_DIALECT, dialect_of
from envoxy.sqltypes.parse import parse_sql_type
from envoxy.sqltypes.sqltype import SqlType

__all__ = ["types_match"]


@lru_cache(maxsize=16)
def _uuid_forms(dialect: str) -> frozenset[SqlType]:
    """Every column type that holds a UUID on ``dialect``."""
    facts = dialect_of(dialect)
    spellings = (facts.uuid_column, *facts.uuid_stored_as)
    return frozenset({SqlType(name="UUID"), *(parse_sql_type(s, dialect) for s in spellings)})


def types_match(expected: SqlType, actual: SqlType | None, dialect: str = DEFAULT_DIALECT) -> bool:
    """Whether a column of type ``actual`` satisfies ``expected`` on ``dialect``.

    Dialects without a native type store it in another: SQLAlchemy's ``Uuid`` becomes
    ``CHAR(32)`` on SQLite and MySQL, and neither keeps a time zone in ``DATETIME`` (see
    :mod:`envoxy.sqltypes.dialects`).
    """
    if actual is None:
        return False
    if expected == actual:
        return True
    if expected.name == "UUID":
        return actual in _uuid_forms(dialect)
    if expected.name == "TIMESTAMP" and actual.name == "TIMESTAMP":
        return not dialect_of(dialect).keeps_timezone
    return False
