"""The dialects table: what each database does with the types of :mod:`envoxy.sqltypes.registry`.

Like Alembic's per-dialect ``type_synonyms`` (``alembic/ddl/<dialect>.py``), each dialect's type
facts are one entry here, read by the parser, the comparison, the DDL spelling and the SQLAlchemy
bridge. Pure data: importing this module imports nothing else.

To teach envoxy a dialect, add a :class:`DialectDef`; to say that a dialect also stores UUIDs in
another column type, add that type's DDL to its ``uuid_stored_as``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

__all__ = ["DEFAULT_DIALECT", "DIALECTS", "DialectDef", "dialect_name", "dialect_of"]

DEFAULT_DIALECT = "postgresql"


def _frozen(mapping: dict[str, str]) -> Mapping[str, str]:
    return MappingProxyType(mapping)


@dataclass(frozen=True, slots=True, kw_only=True)
class DialectDef:
    """One database dialect's type facts.

    - ``sqlalchemy``: where SQLAlchemy's dialect class lives, ``module:attribute`` (a dialect not
      listed here is found through SQLAlchemy's own registry);
    - ``uuid_column``: the column type SQLAlchemy's ``Uuid`` makes here, as DDL;
    - ``uuid_stored_as``: other column types that hold a UUID here, as DDL, accepted where
      ``rules.yaml`` asks for a UUID;
    - ``stored_as``: other column types that hold a type's values here, as DDL, by that type's
      DDL as ``rules.yaml`` writes it (MySQL's ``LONGTEXT`` holds any ``TEXT``), accepted where
      ``rules.yaml`` asks for it;
    - ``keeps_timezone``: whether ``TIMESTAMP WITH TIME ZONE`` is kept apart from the plain
      timestamp (where it is not, a rule's time zone cannot be checked and is not);
    - ``unkept``: types this dialect has no faithful column for, by canonical name (with
      `` WITH TIME ZONE`` for the time-zone form), with what it lacks (the rest of a sentence
      starting with the dialect's name); rules asking for one cannot apply here, and the gate
      and ``check-db`` refuse them (:mod:`envoxy.rules.dialect_fit`);
    - ``fractional_seconds``: the fractional-second digits a time without a precision keeps
      (``None`` where the dialect keeps no precision, so that it is not compared);
    - ``float_bits``: the binary precision a ``FLOAT`` without one has (53 is ``DOUBLE
      PRECISION``, 24 ``REAL``);
    - ``named_enums``: whether an enum is a type with a name (else its labels are its type);
    - ``synonyms``: this dialect's own spellings, as whole DDL text or as a type name (upper
      case), mapped to the spelling envoxy reads instead;
    - ``spellings``: how this dialect's DDL writes a type, by canonical name (with
      `` WITH TIME ZONE`` for the time-zone form), where it differs from the registry's template;
    - ``spells_messages``: whether findings name types as this dialect's DDL writes them
      (MySQL's ``DATETIME(6)``) rather than as ``rules.yaml`` does; not where that DDL does not
      tell a rule's types apart (SQLite writes ``DATETIME`` for either time zone setting);
    - ``column_specs``: whether ``schemas/columns.json`` lists this dialect's DDL.
    """

    name: str
    sqlalchemy: str
    uuid_column: str = "UUID"
    uuid_stored_as: tuple[str, ...] = ()
    stored_as: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    keeps_timezone: bool = True
    unkept: Mapping[str, str] = field(default_factory=lambda: _frozen({}))
    fractional_seconds: int | None = 6
    float_bits: int = 53
    named_enums: bool = False
    synonyms: Mapping[str, str] = field(default_factory=lambda: _frozen({}))
    spellings: Mapping[str, str] = field(default_factory=lambda: _frozen({}))
    spells_messages: bool = True
    column_specs: bool = True


_POSTGRESQL = DialectDef(
    name="postgresql",
    sqlalchemy="sqlalchemy.dialects.postgresql:dialect",
    named_enums=True,
    synonyms=_frozen({"TIMESTAMPTZ": "TIMESTAMP WITH TIME ZONE", "TIMETZ": "TIME WITH TIME ZONE"}),
)

_SQLITE = DialectDef(
    name="sqlite",
    sqlalchemy="sqlalchemy.dialects.sqlite:dialect",
    uuid_column="CHAR(32)",
    keeps_timezone=False,
    fractional_seconds=None,
    spells_messages=False,
    # One floating-point storage class, REAL, of 8 bytes, whatever the declaration says.
    synonyms=_frozen({"REAL": "DOUBLE PRECISION", "FLOAT": "DOUBLE PRECISION"}),
    spellings=_frozen(
        {
            "TIMESTAMP": "DATETIME",
            "TIMESTAMP WITH TIME ZONE": "DATETIME",
            "TIME": "TIME",
            "TIME WITH TIME ZONE": "TIME",
            "INTERVAL": "DATETIME",
            "DOUBLE PRECISION": "REAL",
            "BYTEA": "BLOB",
        }
    ),
)

# MySQL and MariaDB keep no time zone with a time. DATETIME keeps none; TIMESTAMP converts what
# it is given from the session's time zone to UTC and back, so it holds an instant, as
# PostgreSQL's TIMESTAMP WITH TIME ZONE does, and is read as one. But the drivers send a Python
# datetime without its offset (PyMySQL writes an aware UTC value as its wall-clock time), so in a
# session whose time zone is not UTC an instant lands shifted, and TIMESTAMP ends in 2038.
_MYSQL_SYNONYMS = _frozen(
    {"REAL": "DOUBLE PRECISION", "TINYINT(1)": "BOOLEAN", "TIMESTAMP": "TIMESTAMP WITH TIME ZONE"}
)
_MYSQL_SPELLINGS = _frozen(
    {
        "TIMESTAMP": "DATETIME{precision}",
        "TIMESTAMP WITH TIME ZONE": "TIMESTAMP{precision}",
        "TIME": "TIME{precision}",
        "TIME WITH TIME ZONE": "TIME{precision}",
        "INTERVAL": "DATETIME",
        "BOOLEAN": "BOOL",
        "REAL": "FLOAT",
        "DOUBLE PRECISION": "DOUBLE",
        "BYTEA": "BLOB",
    }
)
# TEXT holds 64 KiB there; MEDIUMTEXT and LONGTEXT hold more (TINYTEXT, 255 bytes, does not).
_MYSQL_STORED_AS: Mapping[str, tuple[str, ...]] = MappingProxyType({"TEXT": ("MEDIUMTEXT", "LONGTEXT")})
_MYSQL_UNKEPT = _frozen(
    {
        "TIMESTAMP WITH TIME ZONE": (
            "has no timestamp that keeps one: DATETIME keeps no time zone, and TIMESTAMP reads "
            "what the driver sends (a Python datetime without its offset) in the session's time "
            "zone, so an instant lands shifted wherever that is not UTC"
        ),
        "TIME WITH TIME ZONE": "has no time of day that keeps a time zone",
    }
)

_MYSQL = DialectDef(
    name="mysql",
    sqlalchemy="sqlalchemy.dialects.mysql:dialect",
    uuid_column="CHAR(32)",
    stored_as=_MYSQL_STORED_AS,
    unkept=_MYSQL_UNKEPT,
    fractional_seconds=0,
    float_bits=24,
    synonyms=_MYSQL_SYNONYMS,
    spellings=_MYSQL_SPELLINGS,
)

_MARIADB = DialectDef(
    name="mariadb",
    sqlalchemy="sqlalchemy.dialects.mysql.mariadb:MariaDBDialect",
    # MariaDB 10.7 has a native UUID, which SQLAlchemy uses; older servers and tables made
    # before it hold SQLAlchemy's CHAR(32).
    uuid_stored_as=("CHAR(32)",),
    stored_as=_MYSQL_STORED_AS,
    unkept=_MYSQL_UNKEPT,
    fractional_seconds=0,
    float_bits=24,
    synonyms=_MYSQL_SYNONYMS,
    spellings=_MYSQL_SPELLINGS,
    column_specs=False,  # its DDL is MySQL's, but for the native UUID
)

DIALECTS: Mapping[str, DialectDef] = MappingProxyType(
    {d.name: d for d in (_POSTGRESQL, _SQLITE, _MYSQL, _MARIADB)}
)
"""Every dialect envoxy knows, by SQLAlchemy's dialect name."""


def dialect_name(dialect: Any) -> str:
    """The name envoxy knows a SQLAlchemy dialect object by: ``mariadb`` for a MariaDB server
    reached through a ``mysql://`` URL (SQLAlchemy names that dialect ``mysql`` and tells it
    apart once connected, with ``is_mariadb``)."""
    if getattr(dialect, "is_mariadb", False) is True:
        return "mariadb"
    return str(getattr(dialect, "name", None) or DEFAULT_DIALECT)


def dialect_of(name: str) -> DialectDef:
    """The dialect's facts; a dialect envoxy does not know is judged as strictly as PostgreSQL,
    with the registry's own spellings."""
    return DIALECTS.get(name) or DialectDef(name=name, sqlalchemy="", column_specs=False)
