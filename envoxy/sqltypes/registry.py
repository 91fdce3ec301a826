"""The types table: every SQL type envoxy understands, one :class:`TypeDef` each.

A type's entry says how it is named (its canonical name, as PostgreSQL's DDL writes it, and its
other spellings in any dialect), what arguments it takes (its ``kind``), how its DDL is written,
how a value of it is annotated in Python, and which SQLAlchemy class makes it. What a *dialect*
does with a type (its own synonyms and spellings, how it stores UUIDs, whether it keeps time
zones) lives in :mod:`envoxy.sqltypes.dialects`.

To teach envoxy a new spelling of a type, add it to that type's ``aliases``; a new type is a new
entry. A type envoxy does not know is still carried, by the name its database gives it (``XML``).
Pure data: importing this module imports neither SQLAlchemy nor the rest of the package.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

__all__ = ["TYPES", "UUID_HEX_LENGTH", "UUID_TEXT_LENGTH", "Kind", "TypeDef", "type_named"]

UUID_TEXT_LENGTH = 36
"""Characters of a UUID's text form, ``xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx``."""
UUID_HEX_LENGTH = 32
"""Characters of its hex form without dashes, which SQLAlchemy's ``Uuid`` stores in ``CHAR(32)``
where a dialect has no native type."""

Kind = Literal["plain", "length", "numeric", "float", "datetime", "interval", "array", "enum"]
"""What arguments a type takes, and so how its spellings are read and its DDL written:

- ``plain``: none (any given, such as MySQL's display width in ``INT(11)``, are ignored);
- ``length``: a length, ``VARCHAR(36)``;
- ``numeric``: precision and scale, ``NUMERIC(36, 18)`` (``NUMERIC(10)`` is ``NUMERIC(10, 0)``);
- ``float``: a spelling only, read as ``REAL`` or ``DOUBLE PRECISION`` by its binary precision;
- ``datetime``: fractional-second digits and a time zone, ``TIMESTAMP(3) WITH TIME ZONE``;
- ``interval``: fields and fractional-second digits, ``INTERVAL DAY TO SECOND(2)``;
- ``array``: the item type, ``TEXT[]``;
- ``enum``: its type's name (PostgreSQL) or its labels (MySQL).
"""


@dataclass(frozen=True, slots=True, kw_only=True)
class TypeDef:
    """One SQL type.

    - ``name``: the canonical name, as PostgreSQL's DDL writes it;
    - ``aliases``: other names of the type, in any dialect or as SQLAlchemy classes (upper
      case, without arguments);
    - ``template``: how its DDL is written (fields: ``length``, ``precision`` and ``numeric``,
      each with its parentheses, ``tz``, ``fields``, ``item``, ``enum``); default: ``name``;
    - ``unsized``: the type a spelling without a length is stored as (an unbounded ``VARCHAR``
      is ``TEXT`` in every dialect envoxy targets, so the two compare equal);
      ``default_length``: the length a spelling without one means (``CHAR`` is ``CHAR(1)``);
    - ``python``: the type of a value, as written in annotations;
    - ``sqlalchemy``: the SQLAlchemy class that makes it, in ``sqlalchemy`` or as
      ``dialect.Class``; ``generated``: the ``sqlalchemy`` class generated code uses instead,
      where that differs (generated code imports nothing but ``sqlalchemy``); ``arguments``:
      what that class is always given;
    - ``holds_text``: whether a value is text.
    """

    name: str
    kind: Kind = "plain"
    aliases: tuple[str, ...] = ()
    template: str = ""
    unsized: str | None = None
    default_length: int | None = None
    python: str = "Any"
    sqlalchemy: str
    generated: str | None = None
    arguments: tuple[int, ...] = ()
    holds_text: bool = False

    @property
    def spelling(self) -> str:
        return self.template or self.name


_TYPES = (
    TypeDef(
        name="VARCHAR",
        kind="length",
        aliases=("CHARACTER VARYING", "STRING", "NVARCHAR", "NATIONAL VARCHAR", "UNICODE", "VARCHAR2"),
        template="VARCHAR{length}",
        unsized="TEXT",
        python="str",
        sqlalchemy="String",
        holds_text=True,
    ),
    TypeDef(
        name="CHAR",
        kind="length",
        aliases=("CHARACTER", "NCHAR", "NATIONAL CHAR"),
        template="CHAR{length}",
        default_length=1,
        python="str",
        sqlalchemy="CHAR",
        holds_text=True,
    ),
    TypeDef(name="TEXT", aliases=("UNICODETEXT", "CLOB"), python="str", sqlalchemy="Text", holds_text=True),
    # MySQL's and MariaDB's text types by size (TEXT holds 64 KiB there): generated code makes
    # the generic Text, which is their TEXT.
    *(
        TypeDef(name=name, python="str", sqlalchemy=f"mysql.{name}", generated="Text", holds_text=True)
        for name in ("TINYTEXT", "MEDIUMTEXT", "LONGTEXT")
    ),
    TypeDef(name="UUID", aliases=("UNIQUEIDENTIFIER",), python="uuid.UUID", sqlalchemy="Uuid"),
    TypeDef(
        name="TIMESTAMP",
        kind="datetime",
        aliases=("DATETIME",),
        template="TIMESTAMP{precision} {tz} TIME ZONE",
        python="datetime.datetime",
        sqlalchemy="DateTime",
    ),
    TypeDef(
        name="TIME",
        kind="datetime",
        template="TIME{precision} {tz} TIME ZONE",
        python="datetime.time",
        sqlalchemy="Time",
    ),
    TypeDef(name="DATE", python="datetime.date", sqlalchemy="Date"),
    TypeDef(
        name="INTERVAL",
        kind="interval",
        template="INTERVAL{fields}{precision}",
        python="datetime.timedelta",
        sqlalchemy="Interval",
    ),
    TypeDef(name="SMALLINT", aliases=("INT2", "SMALLINTEGER"), python="int", sqlalchemy="SmallInteger"),
    TypeDef(name="INTEGER", aliases=("INT", "INT4"), python="int", sqlalchemy="Integer"),
    TypeDef(name="BIGINT", aliases=("INT8", "BIGINTEGER"), python="int", sqlalchemy="BigInteger"),
    TypeDef(
        name="NUMERIC",
        kind="numeric",
        aliases=("DECIMAL",),
        template="NUMERIC{numeric}",
        python="decimal.Decimal",
        sqlalchemy="Numeric",
    ),
    # FLOAT(24), not REAL: MySQL reads REAL as DOUBLE.
    TypeDef(name="REAL", aliases=("FLOAT4",), python="float", sqlalchemy="Float", arguments=(24,)),
    TypeDef(
        name="DOUBLE PRECISION",
        aliases=("DOUBLE", "FLOAT8", "DOUBLE_PRECISION"),
        python="float",
        sqlalchemy="Double",
    ),
    TypeDef(name="FLOAT", kind="float", python="float", sqlalchemy="Float"),
    TypeDef(name="BOOLEAN", aliases=("BOOL",), python="bool", sqlalchemy="Boolean"),
    TypeDef(
        name="BYTEA",
        aliases=("BLOB", "LARGEBINARY", "LARGE_BINARY"),
        python="bytes",
        sqlalchemy="LargeBinary",
    ),
    TypeDef(name="JSON", python="Any", sqlalchemy="JSON"),
    TypeDef(name="JSONB", python="Any", sqlalchemy="postgresql.JSONB", generated="JSON"),
    TypeDef(name="ARRAY", kind="array", template="{item}[]", python="list", sqlalchemy="ARRAY"),
    TypeDef(name="ENUM", kind="enum", template="{enum}", python="str", sqlalchemy="Enum"),
)

TYPES: Mapping[str, TypeDef] = MappingProxyType({t.name: t for t in _TYPES})
"""Every type by canonical name."""

_BY_SPELLING: Mapping[str, TypeDef] = MappingProxyType(
    {spelling: t for t in _TYPES for spelling in (t.name, *t.aliases)}
)


def type_named(name: str) -> TypeDef | None:
    """The type a name (canonical or alias, upper case, without arguments) means."""
    return _BY_SPELLING.get(name)
