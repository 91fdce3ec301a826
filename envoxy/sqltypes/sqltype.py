"""The canonical SQL type: one value for every way a column type gets written."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from envoxy.sqltypes.dialects import DEFAULT_DIALECT, dialect_of
from envoxy.sqltypes.registry import Kind, TypeDef, type_named

__all__ = ["SqlType", "SqlTypeError"]


class SqlTypeError(ValueError):
    """Text that names no SQL type envoxy understands."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SqlType:
    """A column type in canonical form: ``name`` is the registry's canonical name (or, for a
    type envoxy does not know, the name as the database gave it). ``timezone`` only means
    something for ``TIMESTAMP``."""

    name: str
    length: int | None = None
    timezone: bool = False

    @property
    def definition(self) -> TypeDef | None:
        """The registry entry of this type (``None`` for a type envoxy does not know)."""
        return type_named(self.name)

    def ddl(self, dialect: str = DEFAULT_DIALECT) -> str:
        """How ``dialect``'s DDL writes this type; by default PostgreSQL's spelling, as a person
        reads it in ``rules.yaml`` and in messages."""
        definition = self.definition
        if definition is None:
            return self.name
        facts = dialect_of(dialect)
        if self.name == "UUID" and facts.uuid_column != "UUID":
            return facts.uuid_column
        key = f"{self.name} WITH TIME ZONE" if self.timezone else self.name
        template = facts.spellings.get(key) or definition.spelling
        return template.format(length=self.length, tz="WITH" if self.timezone else "WITHOUT")

    def __str__(self) -> str:
        return self.ddl()

    @property
    def python_type(self) -> str:
        """The Python type a value of this column has, as written in annotations."""
        definition = self.definition
        return definition.python if definition is not None else "Any"

    @property
    def holds_text(self) -> bool:
        """Whether a value of this type is text (``VARCHAR``, ``CHAR``, ``TEXT``)."""
        definition = self.definition
        return definition is not None and definition.holds_text

    def sqlalchemy_source(self) -> str:
        """The SQLAlchemy constructor that makes this type, as written in generated code."""
        definition = self.definition
        if definition is None:
            raise SqlTypeError(f"no SQLAlchemy type for {self.name!r}")
        positional, keywords = self.constructor_arguments()
        args = [_source(v) for v in positional] + [f"{k}={_source(v)}" for k, v in keywords.items()]
        return f"sa.{definition.generated or definition.sqlalchemy}({', '.join(args)})"

    def constructor_arguments(self) -> tuple[list[Any], dict[str, Any]]:
        """The arguments of the SQLAlchemy constructor that makes this type."""
        definition = self.definition
        return _ARGUMENTS[definition.kind](self) if definition is not None else ([], {})


def _source(value: Any) -> str:
    return value.sqlalchemy_source() if isinstance(value, SqlType) else repr(value)


# The SQLAlchemy constructor's arguments, by kind of type.
_ARGUMENTS: dict[Kind, Callable[[SqlType], tuple[list[Any], dict[str, Any]]]] = {
    "plain": lambda t: ([], {}),
    "length": lambda t: ([] if t.length is None else [t.length], {}),
    "datetime": lambda t: ([], {"timezone": t.timezone}),
}
