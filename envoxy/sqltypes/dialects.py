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

__all__ = ["DEFAULT_DIALECT", "DIALECTS", "DialectDef", "dialect_of"]

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
    - ``keeps_timezone``: whether ``TIMESTAMP WITH TIME ZONE`` is kept apart from the plain
      timestamp (where it is not, a rule's time zone cannot be checked and is not);
    - ``synonyms``: this dialect's own spellings, as whole DDL text or as a type name (upper
      case), mapped to the spelling envoxy reads instead;
    - ``spellings``: how this dialect's DDL writes a type, by canonical name (with
      `` WITH TIME ZONE`` for the time-zone form), where it differs from the registry's template;
    - ``column_specs``: whether ``schemas/columns.json`` lists this dialect's DDL.
    """

    name: str
    sqlalchemy: str
    uuid_column: str = "UUID"
    uuid_stored_as: tuple[str, ...] = ()
    keeps_timezone: bool = True
    synonyms: Mapping[str, str] = field(default_factory=lambda: _frozen({}))
    spellings: Mapping[str, str] = field(default_factory=lambda: _frozen({}))
    column_specs: bool = True


_POSTGRESQL = DialectDef(
    name="postgresql",
    sqlalchemy="sqlalchemy.dialects.postgresql:dialect",
    synonyms=_frozen({"TIMESTAMPTZ": "TIMESTAMP WITH TIME ZONE"}),
)

_SQLITE = DialectDef(
    name="sqlite",
    sqlalchemy="sqlalchemy.dialects.sqlite:dialect",
    uuid_column="CHAR(32)",
    keeps_timezone=False,
    spellings=_frozen({"TIMESTAMP": "DATETIME", "TIMESTAMP WITH TIME ZONE": "DATETIME"}),
)

_MYSQL_SPELLINGS = _frozen(
    {"TIMESTAMP": "DATETIME", "TIMESTAMP WITH TIME ZONE": "DATETIME", "BOOLEAN": "BOOL"}
)

_MYSQL = DialectDef(
    name="mysql",
    sqlalchemy="sqlalchemy.dialects.mysql:dialect",
    uuid_column="CHAR(32)",
    keeps_timezone=False,
    spellings=_MYSQL_SPELLINGS,
)

_MARIADB = DialectDef(
    name="mariadb",
    sqlalchemy="sqlalchemy.dialects.mysql.mariadb:MariaDBDialect",
    # MariaDB 10.7 has a native UUID, which SQLAlchemy uses; older servers and tables made
    # before it hold SQLAlchemy's CHAR(32).
    uuid_stored_as=("CHAR(32)",),
    keeps_timezone=False,
    spellings=_MYSQL_SPELLINGS,
    column_specs=False,  # its DDL is MySQL's, but for the native UUID
)

DIALECTS: Mapping[str, DialectDef] = MappingProxyType(
    {d.name: d for d in (_POSTGRESQL, _SQLITE, _MYSQL, _MARIADB)}
)
"""Every dialect envoxy knows, by SQLAlchemy's dialect name."""


def dialect_of(name: str) -> DialectDef:
    """The dialect's facts; a dialect envoxy does not know is judged as strictly as PostgreSQL,
    with the registry's own spellings."""
    return DIALECTS.get(name) or DialectDef(name=name, sqlalchemy="", column_specs=False)
