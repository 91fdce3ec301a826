"""Whether a column's type satisfies the type ``rules.yaml`` asks for, on a given dialect."""

from __future__ import annotations

from dataclasses import fields, replace
from functools import lru_cache
from typing import Any

from envoxy.sqltypes.dialects import DEFAULT_DIALECT, DialectDef, dialect_of
from envoxy.sqltypes.parse import sql_type_named
from envoxy.sqltypes.registry import type_named
from envoxy.sqltypes.sqltype import SqlType

__all__ = ["could_match", "types_match"]

# What a rule may leave unsaid: a rule's `TIMESTAMP WITH TIME ZONE` takes any fractional
# seconds, its `NUMERIC` any precision. (An unbounded `VARCHAR` is compared as the TEXT it is.)
_UNSAID: dict[str, Any] = {
    f.name: f.default for f in fields(SqlType) if f.name not in ("name", "timezone", "item")
}


@lru_cache(maxsize=64)
def _stored_forms(dialect: str, wanted: SqlType) -> frozenset[SqlType]:
    """The other column types that hold ``wanted``'s values on ``dialect`` (any type, known to
    the registry or not: MySQL's ``BINARY(16)``, say): for a UUID, the dialect's UUID storages;
    for any type, its ``stored_as``."""
    facts = dialect_of(dialect)
    spellings = facts.stored_as.get(wanted.ddl(), ())
    if wanted.name == "UUID":
        spellings = (facts.uuid_column, *facts.uuid_stored_as, *spellings)
    return frozenset(sql_type_named(s, dialect) for s in spellings)


def _as_stored(t: SqlType, facts: DialectDef) -> SqlType:
    """``t`` as ``facts``' dialect keeps it: an unbounded ``VARCHAR`` as ``TEXT``; without a
    time zone where none is kept, and with the dialect's fractional seconds where it keeps them
    and ``t`` says none."""
    definition = type_named(t.name)
    if definition is not None and definition.unsized is not None and t.length is None:
        return SqlType(name=definition.unsized)
    if definition is None or definition.kind != "datetime":
        return t
    precision = t.precision if t.precision is not None else facts.fractional_seconds
    return replace(
        t,
        timezone=t.timezone and facts.keeps_timezone,
        precision=precision if facts.fractional_seconds is not None else None,
    )


def _accepts(wanted: SqlType, got: SqlType, facts: DialectDef) -> bool:
    if (wanted.item is not None or got.item is not None) and (
        wanted.item is None or got.item is None or not _accepts(wanted.item, got.item, facts)
    ):
        return False
    stored_got, stored_wanted = _as_stored(got, facts), _as_stored(wanted, facts)
    if stored_got.name != stored_wanted.name or stored_got.timezone != stored_wanted.timezone:
        return False
    # Every other field (the item was compared above) where ``wanted`` says something.
    return all(
        getattr(stored_got, name) == getattr(stored_wanted, name)
        for name, blank in _UNSAID.items()
        if getattr(wanted, name) != blank
    )


@lru_cache(maxsize=64)
def matching_names(dialect: str, expected: SqlType) -> frozenset[str]:
    """The names a type must have, itself or as ``dialect`` stores it, to satisfy ``expected``
    there: :func:`types_match` is false for a type whose name and stored name are both absent."""
    facts = dialect_of(dialect)
    forms = _stored_forms(dialect, expected) if expected.name == "UUID" or facts.stored_as else frozenset()
    return frozenset({expected.name, _as_stored(expected, facts).name, *(f.name for f in forms)})


def could_match(expected: SqlType, actual: SqlType, dialect: str = DEFAULT_DIALECT) -> bool:
    """A quick test that rules out most types :func:`types_match` rejects (never one it accepts)."""
    names = matching_names(dialect, expected)
    return actual.name in names or _as_stored(actual, dialect_of(dialect)).name in names


def types_match(expected: SqlType, actual: SqlType | None, dialect: str = DEFAULT_DIALECT) -> bool:
    """Whether a column of type ``actual`` satisfies ``expected`` on ``dialect``.

    Dialects store some types in others (:mod:`envoxy.sqltypes.dialects`): SQLAlchemy's ``Uuid``
    becomes ``CHAR(32)`` on SQLite and MySQL, SQLite keeps no time zone, and MySQL's
    ``LONGTEXT`` holds any ``TEXT``.
    What ``expected`` leaves unsaid (fractional seconds, a ``NUMERIC``'s precision) is not
    compared.
    """
    if actual is None:
        return False
    facts = dialect_of(dialect)
    if actual == expected:
        return True
    if (expected.name == "UUID" or facts.stored_as) and actual in _stored_forms(dialect, expected):
        return True
    return _accepts(expected, actual, facts)
