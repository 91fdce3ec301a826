"""The types table: every SQL type envoxy understands, one :class:`TypeDef` each.

A type's entry says how it is named (its canonical name, as PostgreSQL's DDL writes it, and its
other spellings in any dialect), what arguments it takes (its ``kind``), how a value of it is
annotated in Python, and which SQLAlchemy class makes it. What a *dialect* does with a type (its
own synonyms and spellings, how it stores UUIDs) lives in :mod:`envoxy.sqltypes.dialects`.

To teach envoxy a new spelling of a type, add it to that type's ``aliases``; a new type is a new
entry. Pure data: importing this module imports neither SQLAlchemy nor the rest of the package.
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

Kind = Literal["plain", "length", "datetime"]
"""What arguments a type takes: ``plain`` none (any given are ignored), ``length`` a length
(``VARCHAR(36)``), ``datetime`` a time zone (``TIMESTAMP WITH TIME ZONE``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TypeDef:
    """One SQL type.

    ``template``: how the canonical form is written (fields: ``length``, ``tz``); ``unsized``:
    the type a spelling without a length means (``VARCHAR`` is ``TEXT``); ``default_length``:
    the length a spelling without one means (``CHAR`` is ``CHAR(1)``); ``python``: the type of a
    value, as written in annotations; ``sqlalchemy``: the class that makes it, in ``sqlalchemy``
    or as ``dialect.Class``; ``generated``: the ``sqlalchemy`` class generated code uses
    instead, where that differs (generated code imports nothing but ``sqlalchemy``);
    ``classes``: the SQLAlchemy classes (as ``sqlalchemy`` or ``dialect.`` names) whose
    instances are this type; ``holds_text``: whether a value is text.
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
    classes: tuple[str, ...] = ()
    holds_text: bool = False

    @property
    def spelling(self) -> str:
        return self.template or self.name


# Order matters where a SQLAlchemy class is a subclass of another's (Enum of String, Text of
# String, BigInteger of Integer, Float of Numeric, JSONB of JSON): the more specific comes first.
_TYPES = (
    TypeDef(
        name="UUID",
        aliases=("UNIQUEIDENTIFIER",),
        python="uuid.UUID",
        sqlalchemy="Uuid",
        classes=("Uuid",),
    ),
    TypeDef(
        name="TIMESTAMP",
        kind="datetime",
        aliases=("DATETIME",),
        template="TIMESTAMP {tz} TIME ZONE",
        python="datetime.datetime",
        sqlalchemy="DateTime",
        classes=("DateTime",),
    ),
    TypeDef(name="ENUM", sqlalchemy="Enum", classes=("Enum",)),
    TypeDef(
        name="TEXT",
        aliases=("UNICODETEXT", "CLOB"),
        python="str",
        sqlalchemy="Text",
        classes=("Text",),
        holds_text=True,
    ),
    TypeDef(
        name="CHAR",
        kind="length",
        aliases=("CHARACTER", "NCHAR"),
        template="CHAR({length})",
        default_length=1,
        python="str",
        sqlalchemy="CHAR",
        classes=("CHAR", "NCHAR"),
        holds_text=True,
    ),
    TypeDef(
        name="VARCHAR",
        kind="length",
        aliases=("CHARACTER VARYING", "STRING", "NVARCHAR", "UNICODE", "VARCHAR2"),
        template="VARCHAR({length})",
        unsized="TEXT",
        python="str",
        sqlalchemy="String",
        classes=("String",),
        holds_text=True,
    ),
    TypeDef(
        name="JSONB",
        python="Any",
        sqlalchemy="postgresql.JSONB",
        generated="JSON",
        classes=("postgresql.JSONB",),
    ),
    TypeDef(
        name="BIGINT",
        aliases=("INT8", "BIGINTEGER"),
        python="int",
        sqlalchemy="BigInteger",
        classes=("BigInteger",),
    ),
    TypeDef(
        name="SMALLINT",
        aliases=("INT2", "SMALLINTEGER"),
        python="int",
        sqlalchemy="SmallInteger",
        classes=("SmallInteger",),
    ),
    TypeDef(
        name="INTEGER", aliases=("INT", "INT4"), python="int", sqlalchemy="Integer", classes=("Integer",)
    ),
    TypeDef(name="BOOLEAN", aliases=("BOOL",), python="bool", sqlalchemy="Boolean", classes=("Boolean",)),
    TypeDef(name="DATE", python="datetime.date", sqlalchemy="Date", classes=("Date",)),
    TypeDef(
        name="FLOAT",
        aliases=("REAL", "DOUBLE PRECISION", "DOUBLE"),
        python="float",
        sqlalchemy="Float",
        classes=("Float",),
    ),
    TypeDef(
        name="NUMERIC",
        aliases=("DECIMAL",),
        python="decimal.Decimal",
        sqlalchemy="Numeric",
        classes=("Numeric",),
    ),
    TypeDef(name="JSON", python="Any", sqlalchemy="JSON", classes=("JSON",)),
)

TYPES: Mapping[str, TypeDef] = MappingProxyType({t.name: t for t in _TYPES})
"""Every type by canonical name, in the order SQLAlchemy objects are matched against them."""

_BY_SPELLING: Mapping[str, TypeDef] = MappingProxyType(
    {spelling: t for t in _TYPES for spelling in (t.name, *t.aliases)}
)


def type_named(name: str) -> TypeDef | None:
    """The type a name (canonical or alias, upper case, without arguments) means."""
    return _BY_SPELLING.get(name)
