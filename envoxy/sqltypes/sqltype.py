"""The canonical SQL type: one value for every way a column type gets written, carrying what
tells stored types apart (length, precision and scale, fractional seconds, time zone, interval
fields, array item, enum)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from envoxy.sqltypes.dialects import DEFAULT_DIALECT, dialect_of
from envoxy.sqltypes.registry import Kind, TypeDef, type_named

__all__ = ["SqlType", "SqlTypeError"]

_PLAIN_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_$]*$")


class SqlTypeError(ValueError):
    """Text that names no SQL type envoxy understands."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SqlType:
    """A column type in canonical form.

    ``name`` is the registry's canonical name, or for a type envoxy does not know, the name the
    database gives it (``XML``, ``BIT(3)``). The rest is set only where the type takes it:
    ``length`` (``VARCHAR``, ``CHAR``), ``precision`` (``NUMERIC`` digits; fractional-second
    digits of ``TIMESTAMP``, ``TIME``, ``INTERVAL``), ``scale`` (``NUMERIC``), ``timezone``
    (``TIMESTAMP``, ``TIME``), ``fields`` (``INTERVAL DAY TO SECOND``), ``item`` (``ARRAY``),
    ``type_name`` (a PostgreSQL enum) and ``labels`` (a MySQL enum).
    """

    name: str
    length: int | None = None
    precision: int | None = None
    scale: int | None = None
    timezone: bool = False
    fields: str | None = None
    item: SqlType | None = None
    type_name: str | None = None
    labels: tuple[str, ...] = ()

    @property
    def definition(self) -> TypeDef | None:
        """The registry entry of this type (``None`` for a type envoxy does not know)."""
        return type_named(self.name)

    def ddl(self, dialect: str = DEFAULT_DIALECT) -> str:
        """How ``dialect``'s DDL writes this type; by default PostgreSQL's spelling, as a person
        reads it in ``rules.yaml`` and in messages, and as PostgreSQL's ``format_type()``
        names it (``VARCHAR(36)``, ``TIMESTAMP(3) WITHOUT TIME ZONE``, ``NUMERIC(36, 18)``,
        ``TEXT[]``, an enum by its name)."""
        definition = self.definition
        if definition is None or (definition.kind == "array" and self.item is None):
            return self.name  # as the database named it
        facts = dialect_of(dialect)
        if self.name == "UUID":
            return facts.uuid_column
        key = f"{self.name} WITH TIME ZONE" if self.timezone else self.name
        template = facts.spellings.get(key) or definition.spelling
        return template.format(
            length="" if self.length is None else f"({self.length})",
            precision="" if self.precision is None else f"({self.precision})",
            numeric=_numeric(self),
            tz="WITH" if self.timezone else "WITHOUT",
            fields=f" {self.fields}" if self.fields else "",
            item=self.item.ddl(dialect) if self.item is not None else "",
            enum=_enum(self),
        )

    def __str__(self) -> str:
        return self.ddl()

    @property
    def python_type(self) -> str:
        """The Python type a value of this column has, as written in annotations."""
        definition = self.definition
        if definition is None:
            return "Any"
        if self.item is not None:
            return f"{definition.python}[{self.item.python_type}]"
        return definition.python

    @property
    def holds_text(self) -> bool:
        """Whether a value of this type is text (``VARCHAR``, ``CHAR``, ``TEXT``)."""
        definition = self.definition
        return definition is not None and definition.holds_text

    def sqlalchemy_source(self) -> str:
        """The SQLAlchemy constructor that makes this type, as written in generated code (which
        imports nothing but ``sqlalchemy``, so it uses the generic types, and ``mysql`` from
        ``sqlalchemy.dialects`` where MySQL needs a type of its own)."""
        definition = self.definition
        if definition is None:
            raise SqlTypeError(f"no SQLAlchemy type for {self.name!r}")
        positional, keywords = self.constructor_arguments()
        args = [_source(v) for v in positional] + [f"{k}={_source(v)}" for k, v in keywords.items()]
        variant = _VARIANT_SOURCES.get(definition.kind, _no_variant)(self)
        return f"sa.{definition.generated or definition.sqlalchemy}({', '.join(args)}){variant}"

    def constructor_arguments(self) -> tuple[list[Any], dict[str, Any]]:
        """The arguments of the generic SQLAlchemy constructor that makes this type (an item
        type as a :class:`SqlType`)."""
        definition = self.definition
        if definition is None:
            return [], {}
        positional, keywords = _ARGUMENTS[definition.kind](self)
        return [*definition.arguments, *positional], keywords


def _numeric(t: SqlType) -> str:
    if t.precision is None:
        return ""
    return f"({t.precision}, {t.scale or 0})"


def _enum(t: SqlType) -> str:
    if t.type_name is not None:  # quoted as PostgreSQL's format_type() quotes it
        if _PLAIN_IDENTIFIER.match(t.type_name):
            return t.type_name
        return '"' + t.type_name.replace('"', '""') + '"'
    if t.labels:
        return "ENUM(" + ",".join("'" + label.replace("'", "''") + "'" for label in t.labels) + ")"
    return "ENUM"


def _source(value: Any) -> str:
    return value.sqlalchemy_source() if isinstance(value, SqlType) else repr(value)


# The generic SQLAlchemy constructor's arguments, by kind of type.
_ARGUMENTS: dict[Kind, Callable[[SqlType], tuple[list[Any], dict[str, Any]]]] = {
    "plain": lambda t: ([], {}),
    "float": lambda t: ([], {}),
    "interval": lambda t: ([], {}),
    "length": lambda t: ([] if t.length is None else [t.length], {}),
    "numeric": lambda t: ([] if t.precision is None else [t.precision, t.scale or 0], {}),
    "datetime": lambda t: ([], {"timezone": t.timezone}),
    "array": lambda t: ([t.item], {}),
    "enum": lambda t: (list(t.labels), {} if t.type_name is None else {"name": t.type_name}),
}


def _no_variant(t: SqlType) -> str:
    return ""


def _fractional_seconds_on_mysql(t: SqlType) -> str:
    """MySQL and MariaDB keep no fractional seconds unless the column says how many (their
    ``DATETIME`` is ``DATETIME(0)``), which the generic ``DateTime`` cannot say. (With a time
    zone there is no faithful MySQL column: see ``unkept`` in :mod:`envoxy.sqltypes.dialects`.)"""
    if t.precision is None or t.timezone:
        return ""
    mysql_type = "TIME" if t.name == "TIME" else "DATETIME"
    return f'.with_variant(mysql.{mysql_type}(fsp={t.precision}), "mysql", "mariadb")'


# By kind of type: what generated code adds for the dialects where the generic type falls short.
_VARIANT_SOURCES: dict[Kind, Callable[[SqlType], str]] = {"datetime": _fractional_seconds_on_mysql}
