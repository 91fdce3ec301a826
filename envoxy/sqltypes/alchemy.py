"""The bridge to SQLAlchemy: canonical types from its type objects, and back.

SQLAlchemy is imported inside the functions only, so that importing :mod:`envoxy.sqltypes`
stays free of it (the model validator must never import it).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from envoxy.sqltypes.dialects import DIALECTS
from envoxy.sqltypes.parse import parse_sql_type
from envoxy.sqltypes.registry import TYPES, Kind, TypeDef, type_named
from envoxy.sqltypes.sqltype import SqlType, SqlTypeError

if TYPE_CHECKING:
    from sqlalchemy.engine import Dialect
    from sqlalchemy.types import TypeEngine

__all__ = ["from_sqlalchemy", "sqlalchemy_dialect", "to_sqlalchemy"]


def _class(path: str) -> Any:
    """A SQLAlchemy class by its registry name: ``String`` or ``postgresql.JSONB``."""
    module, _, name = path.rpartition(".")
    where = f"sqlalchemy.dialects.{module}" if module else "sqlalchemy"
    return getattr(importlib.import_module(where), name)


@lru_cache(maxsize=1)
def _matchers() -> tuple[tuple[tuple[Any, ...], TypeDef], ...]:
    return tuple((tuple(_class(c) for c in t.classes), t) for t in TYPES.values() if t.classes)


def from_sqlalchemy(type_: TypeEngine[Any] | type[TypeEngine[Any]]) -> SqlType | None:
    """Canonical form of a SQLAlchemy type object (or class); ``None`` when it has no SQL type."""
    import sqlalchemy as sa

    if isinstance(type_, type):
        type_ = type_()
    if isinstance(type_, sa.types.NullType):
        return None
    for classes, definition in _matchers():
        if isinstance(type_, classes):
            return _read(type_, definition)
    try:
        return parse_sql_type(type_.__visit_name__)
    except SqlTypeError:
        return SqlType(name=type(type_).__name__.upper())


def _read(type_: Any, definition: TypeDef) -> SqlType:
    return _READERS[definition.kind](type_, definition)


def _read_length(type_: Any, definition: TypeDef) -> SqlType:
    if type_.length is not None:
        return SqlType(name=definition.name, length=type_.length)
    if definition.unsized is not None:
        return SqlType(name=definition.unsized)
    return SqlType(name=definition.name, length=definition.default_length)


# What each kind of type takes from a SQLAlchemy type object.
_READERS: dict[Kind, Callable[[Any, TypeDef], SqlType]] = {
    "plain": lambda t, d: SqlType(name=d.name),
    "length": _read_length,
    "datetime": lambda t, d: SqlType(name=d.name, timezone=bool(t.timezone)),
}


def to_sqlalchemy(sql_type: SqlType) -> TypeEngine[Any]:
    """The SQLAlchemy type that creates ``sql_type`` (and its closest form on other dialects);
    ``NullType`` for a type envoxy does not know."""
    import sqlalchemy as sa

    definition = type_named(sql_type.name)
    if definition is None:
        return sa.types.NullType()
    positional, keywords = sql_type.constructor_arguments()
    return _class(definition.sqlalchemy)(  # type: ignore[no-any-return]
        *(_made(v) for v in positional), **{k: _made(v) for k, v in keywords.items()}
    )


def _made(value: Any) -> Any:
    return to_sqlalchemy(value) if isinstance(value, SqlType) else value


@lru_cache(maxsize=16)
def sqlalchemy_dialect(name: str) -> Dialect | None:
    """SQLAlchemy's dialect for ``name``, made without a driver (for compiling types); ``None``
    when this SQLAlchemy has no such dialect."""
    import sqlalchemy as sa

    try:
        if name in DIALECTS:
            module, _, attribute = DIALECTS[name].sqlalchemy.partition(":")
            made = getattr(importlib.import_module(module), attribute)
        else:  # a third-party dialect, through SQLAlchemy's own registry
            made = sa.dialects.registry.load(name)
        return made() if isinstance(made, type) else made  # type: ignore[no-any-return]
    except (sa.exc.NoSuchModuleError, ImportError, AttributeError):
        return None
