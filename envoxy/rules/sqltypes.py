"""Semantic SQL types: one canonical form for every way a column type gets written.

``String(36)``, ``VARCHAR(36)``, ``sa.String(length=36)`` and ``character varying(36)`` are the
same type; so are ``DateTime()`` and ``TIMESTAMP WITHOUT TIME ZONE``, and ``Uuid`` and
``postgresql.UUID(as_uuid=True)``. Parsing text needs no SQLAlchemy (the model validator must not
import it); :func:`from_sqlalchemy` and :func:`to_sqlalchemy` import it only when called.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.types import TypeEngine

__all__ = [
    "SqlType",
    "SqlTypeError",
    "from_sqlalchemy",
    "parse_sql_type",
    "to_sqlalchemy",
    "types_match",
]

Dialect = str  # "postgresql", "sqlite", "mysql", "mariadb"


class SqlTypeError(ValueError):
    """Text that names no SQL type envoxy understands."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SqlType:
    """A column type in canonical form. ``timezone`` only means something for ``TIMESTAMP``."""

    name: str
    length: int | None = None
    timezone: bool = False

    def ddl(self) -> str:
        """PostgreSQL spelling, as a person reads it in ``rules.yaml`` and in messages."""
        if self.name == "TIMESTAMP":
            return f"TIMESTAMP {'WITH' if self.timezone else 'WITHOUT'} TIME ZONE"
        if self.length is not None:
            return f"{self.name}({self.length})"
        return self.name

    def __str__(self) -> str:
        return self.ddl()

    @property
    def python_type(self) -> str:
        """The Python type a value of this column has, as written in annotations."""
        return _PYTHON_TYPES.get(self.name, "Any")

    def sqlalchemy_source(self) -> str:
        """The SQLAlchemy constructor that makes this type, as written in generated code."""
        name, args = _SA_SOURCE[self.name]
        if self.name == "TIMESTAMP":
            return f"sa.DateTime(timezone={self.timezone})"
        if self.length is not None and name in ("String", "CHAR"):
            return f"sa.{name}({self.length})"
        return f"sa.{name}({args})"


_PYTHON_TYPES = {
    "VARCHAR": "str",
    "CHAR": "str",
    "TEXT": "str",
    "UUID": "uuid.UUID",
    "TIMESTAMP": "datetime.datetime",
    "DATE": "datetime.date",
    "INTEGER": "int",
    "BIGINT": "int",
    "SMALLINT": "int",
    "BOOLEAN": "bool",
    "NUMERIC": "decimal.Decimal",
    "FLOAT": "float",
    "JSON": "Any",
    "JSONB": "Any",
}

_SA_SOURCE = {
    "VARCHAR": ("String", ""),
    "CHAR": ("CHAR", ""),
    "TEXT": ("Text", ""),
    "UUID": ("Uuid", ""),
    "TIMESTAMP": ("DateTime", ""),
    "DATE": ("Date", ""),
    "INTEGER": ("Integer", ""),
    "BIGINT": ("BigInteger", ""),
    "SMALLINT": ("SmallInteger", ""),
    "BOOLEAN": ("Boolean", ""),
    "NUMERIC": ("Numeric", ""),
    "FLOAT": ("Float", ""),
    "JSON": ("JSON", ""),
    "JSONB": ("JSON", ""),
}

# Alias -> canonical name, for types that carry no length or time zone.
_SIMPLE = {
    "TEXT": "TEXT",
    "UNICODETEXT": "TEXT",
    "CLOB": "TEXT",
    "UUID": "UUID",
    "UNIQUEIDENTIFIER": "UUID",
    "DATE": "DATE",
    "INTEGER": "INTEGER",
    "INT": "INTEGER",
    "INT4": "INTEGER",
    "BIGINT": "BIGINT",
    "INT8": "BIGINT",
    "BIGINTEGER": "BIGINT",
    "SMALLINT": "SMALLINT",
    "INT2": "SMALLINT",
    "SMALLINTEGER": "SMALLINT",
    "BOOLEAN": "BOOLEAN",
    "BOOL": "BOOLEAN",
    "NUMERIC": "NUMERIC",
    "DECIMAL": "NUMERIC",
    "FLOAT": "FLOAT",
    "REAL": "FLOAT",
    "DOUBLE PRECISION": "FLOAT",
    "DOUBLE": "FLOAT",
    "JSON": "JSON",
    "JSONB": "JSONB",
}
_VARCHAR = {"VARCHAR", "CHARACTER VARYING", "STRING", "NVARCHAR", "UNICODE", "VARCHAR2"}
_CHAR = {"CHAR", "CHARACTER", "NCHAR"}
_TIMESTAMP = {"TIMESTAMP", "DATETIME"}
_PREFIX = re.compile(r"^(?:(?:SQLALCHEMY|DIALECTS|SA|POSTGRESQL|MYSQL|SQLITE|PG|TYPES)\.)+")
_CALL = re.compile(
    r"^(?P<name>[A-Z_][A-Z0-9_]*(?: [A-Z_][A-Z0-9_]*)*)\s*(?:\((?P<args>[^()]*)\))?\s*(?P<tail>.*)$"
)


def parse_sql_type(text: str) -> SqlType:
    """Canonical type for a DDL spelling or a SQLAlchemy constructor as source text.

    >>> parse_sql_type("sa.String(length=36)") == parse_sql_type("VARCHAR(36)")
    True
    """
    raw = " ".join(text.strip().upper().split())
    raw = _PREFIX.sub("", raw)
    if raw in ("TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE"):
        return SqlType(name="TIMESTAMP", timezone=True)
    match = _CALL.match(raw)
    if match is None:
        raise SqlTypeError(f"not a SQL type: {text!r}")
    name = match["name"].strip()
    args = [a.strip() for a in (match["args"] or "").split(",") if a.strip()]
    tail = match["tail"].strip()
    positional = [a for a in args if "=" not in a]
    keywords = dict(a.split("=", 1) for a in args if "=" in a)
    keywords = {k.strip(): v.strip() for k, v in keywords.items()}

    if name in _TIMESTAMP or name == "TIMESTAMP WITHOUT TIME ZONE":
        tz = keywords.get("TIMEZONE", "FALSE") == "TRUE"
        if tail == "WITH TIME ZONE":
            tz = True
        elif tail not in ("", "WITHOUT TIME ZONE"):
            raise SqlTypeError(f"not a SQL type: {text!r}")
        return SqlType(name="TIMESTAMP", timezone=tz)
    if tail:
        raise SqlTypeError(f"not a SQL type: {text!r}")
    if name in _VARCHAR or name in _CHAR:
        length = keywords.get("LENGTH", positional[0] if positional else None)
        if length is not None and not length.isdigit():
            raise SqlTypeError(f"not a SQL type: {text!r} (length must be a whole number)")
        canonical = "VARCHAR" if name in _VARCHAR else "CHAR"
        if canonical == "VARCHAR" and length is None:
            return SqlType(name="TEXT")  # unbounded VARCHAR is TEXT in every dialect we target
        return SqlType(name=canonical, length=int(length) if length is not None else 1)
    if name in _SIMPLE:
        return SqlType(name=_SIMPLE[name])
    raise SqlTypeError(f"not a SQL type: {text!r}")


def from_sqlalchemy(type_: TypeEngine[Any] | type[TypeEngine[Any]]) -> SqlType | None:
    """Canonical form of a SQLAlchemy type object (or class); ``None`` when it has no SQL type."""
    import sqlalchemy as sa

    if isinstance(type_, type):
        type_ = type_()
    if isinstance(type_, sa.types.NullType):
        return None
    if isinstance(type_, sa.Uuid):
        return SqlType(name="UUID")
    if isinstance(type_, sa.DateTime):
        return SqlType(name="TIMESTAMP", timezone=bool(type_.timezone))
    if isinstance(type_, sa.Enum):  # an Enum is a String subclass, but not a string column
        return SqlType(name="ENUM")
    if isinstance(type_, sa.Text):
        return SqlType(name="TEXT")
    if isinstance(type_, (sa.CHAR, sa.NCHAR)):
        return SqlType(name="CHAR", length=type_.length or 1)
    if isinstance(type_, sa.String):
        if type_.length is None:
            return SqlType(name="TEXT")
        return SqlType(name="VARCHAR", length=type_.length)
    from sqlalchemy.dialects.postgresql import JSONB

    for cls, name in (
        (JSONB, "JSONB"),
        (sa.BigInteger, "BIGINT"),
        (sa.SmallInteger, "SMALLINT"),
        (sa.Integer, "INTEGER"),
        (sa.Boolean, "BOOLEAN"),
        (sa.Date, "DATE"),
        (sa.Float, "FLOAT"),
        (sa.Numeric, "NUMERIC"),
        (sa.JSON, "JSON"),
    ):
        if isinstance(type_, cls):
            return SqlType(name=name)
    try:
        return parse_sql_type(type_.__visit_name__)
    except SqlTypeError:
        return SqlType(name=type(type_).__name__.upper())


def to_sqlalchemy(sql_type: SqlType) -> TypeEngine[Any]:
    """The SQLAlchemy type that creates ``sql_type`` (and its closest form on other dialects)."""
    import sqlalchemy as sa

    if sql_type.name == "TIMESTAMP":
        return sa.DateTime(timezone=sql_type.timezone)
    if sql_type.name == "VARCHAR":
        return sa.String(sql_type.length)
    if sql_type.name == "CHAR":
        return sa.CHAR(sql_type.length)
    simple: dict[str, Any] = {
        "TEXT": sa.Text,
        "UUID": sa.Uuid,
        "DATE": sa.Date,
        "INTEGER": sa.Integer,
        "BIGINT": sa.BigInteger,
        "SMALLINT": sa.SmallInteger,
        "BOOLEAN": sa.Boolean,
        "NUMERIC": sa.Numeric,
        "FLOAT": sa.Float,
        "JSON": sa.JSON,
    }
    if sql_type.name == "JSONB":
        from sqlalchemy.dialects.postgresql import JSONB

        return JSONB()
    return simple[sql_type.name]()  # type: ignore[no-any-return]


def types_match(expected: SqlType, actual: SqlType | None, dialect: Dialect = "postgresql") -> bool:
    """Whether a column of type ``actual`` satisfies ``expected`` on ``dialect``.

    Dialects without a native type store it in another: SQLAlchemy's ``Uuid`` becomes
    ``CHAR(32)`` on SQLite and MySQL, and neither keeps a time zone in ``DATETIME``.
    """
    if actual is None:
        return False
    if expected == actual:
        return True
    if dialect in ("sqlite", "mysql", "mariadb"):
        if expected.name == "UUID" and actual == SqlType(name="CHAR", length=32):
            return True
        if expected.name == "TIMESTAMP" and actual.name == "TIMESTAMP":
            return True
    return False
