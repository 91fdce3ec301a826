"""The bridge to SQLAlchemy: canonical types from its type objects, and back.

A type object is read as the dialect stores it: SQLAlchemy's own DDL compiler for that dialect
writes it (so a ``TypeDecorator``, a ``with_variant`` and a type the dialect has no native form
for come out as what ``CREATE TABLE`` would make, ``Uuid(native_uuid=False)`` as ``CHAR(32)``),
and :func:`~envoxy.sqltypes.parse.sql_type_named` reads that text. Enums and arrays are read
from the object, since their DDL hides what they are.

SQLAlchemy is imported inside the functions only, so that importing :mod:`envoxy.sqltypes`
stays free of it (the model validator must never import it).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from envoxy.sqltypes.dialects import DEFAULT_DIALECT, DIALECTS, dialect_of
from envoxy.sqltypes.parse import sql_type_named
from envoxy.sqltypes.registry import Kind, type_named
from envoxy.sqltypes.sqltype import SqlType

if TYPE_CHECKING:
    from sqlalchemy.engine import Dialect
    from sqlalchemy.types import TypeEngine

__all__ = ["from_sqlalchemy", "sqlalchemy_dialect", "stored_type", "to_sqlalchemy"]


def _class(path: str) -> Any:
    """A SQLAlchemy class by its registry name: ``String`` or ``postgresql.JSONB``."""
    module, _, name = path.rpartition(".")
    where = f"sqlalchemy.dialects.{module}" if module else "sqlalchemy"
    return getattr(importlib.import_module(where), name)


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


def stored_type(type_: TypeEngine[Any], dialect: str = DEFAULT_DIALECT) -> TypeEngine[Any]:
    """The type ``dialect`` stores for ``type_``: a ``with_variant`` for ``dialect`` is that
    variant, a ``TypeDecorator`` (a project's own ``GUID`` type, say) the type it loads there."""
    import sqlalchemy as sa

    while True:
        variant = getattr(type_, "_variant_mapping", {}).get(dialect)
        if variant is not None:
            type_ = variant
        elif isinstance(type_, sa.types.TypeDecorator):
            d = sqlalchemy_dialect(dialect)  # unknown here: the decorator's generic impl
            type_ = type_.type_engine(d) if d is not None else type_.impl_instance
        else:
            return type_


def from_sqlalchemy(
    type_: TypeEngine[Any] | type[TypeEngine[Any]], dialect: str = DEFAULT_DIALECT
) -> SqlType | None:
    """Canonical form of a SQLAlchemy type object (or class) as ``dialect`` stores it; ``None``
    when it has no SQL type."""
    import sqlalchemy as sa

    if isinstance(type_, type):
        type_ = type_()
    type_ = stored_type(type_, dialect)
    if isinstance(type_, sa.types.NullType):
        return None
    compiler = sqlalchemy_dialect(dialect)
    if isinstance(type_, sa.ARRAY):
        item = from_sqlalchemy(type_.item_type, dialect)
        return SqlType(name="ARRAY", item=item) if item is not None else None
    if isinstance(type_, sa.Enum) and type_.native_enum and getattr(compiler, "supports_native_enum", True):
        if dialect_of(dialect).named_enums:
            return SqlType(name="ENUM", type_name=type_.name)
        return SqlType(name="ENUM", labels=tuple(type_.enums))
    try:
        text = type_.compile(dialect=compiler)
    except sa.exc.CompileError:  # a type this dialect cannot write (JSONB on MySQL, say)
        text = type_.__visit_name__
    return sql_type_named(text, dialect)


@lru_cache(maxsize=1)
def _named_type() -> Any:
    """A type class for a type envoxy does not know: it compiles to its name."""
    import sqlalchemy as sa

    class Named(sa.types.UserDefinedType[Any]):
        cache_ok = True

        def __init__(self, name: str) -> None:
            self.name = name

        def get_col_spec(self, **kw: Any) -> str:
            return self.name

    return Named


def to_sqlalchemy(sql_type: SqlType) -> TypeEngine[Any]:
    """The SQLAlchemy type that creates ``sql_type``: the generic type, with the dialect's own
    type as a variant where the generic one cannot say it all (fractional seconds, interval
    fields); a type envoxy does not know compiles to its name."""
    definition = type_named(sql_type.name)
    if definition is None:
        return _named_type()(sql_type.name)  # type: ignore[no-any-return]
    positional, keywords = sql_type.constructor_arguments()
    made: TypeEngine[Any] = _class(definition.sqlalchemy)(
        *(_made(v) for v in positional), **{k: _made(v) for k, v in keywords.items()}
    )
    for dialects, variant in _variants(sql_type):
        made = made.with_variant(variant, *dialects)
    return made


def _made(value: Any) -> Any:
    return to_sqlalchemy(value) if isinstance(value, SqlType) else value


def _variants(t: SqlType) -> list[tuple[tuple[str, ...], TypeEngine[Any]]]:
    """The dialects' own types, where they say what the generic one cannot."""
    definition = type_named(t.name)
    make = _VARIANTS.get(definition.kind) if definition is not None else None
    return make(t) if make is not None else []


def _datetime_variants(t: SqlType) -> list[tuple[tuple[str, ...], TypeEngine[Any]]]:
    from sqlalchemy.dialects import mysql, postgresql

    made: list[tuple[tuple[str, ...], TypeEngine[Any]]] = []
    if t.precision is not None:
        pg = postgresql.TIME if t.name == "TIME" else postgresql.TIMESTAMP
        made.append((("postgresql",), pg(timezone=t.timezone, precision=t.precision)))
    # MySQL's TIMESTAMP is its time-zone-converting one (see envoxy.sqltypes.dialects); the
    # generic DateTime(timezone=True) makes a DATETIME there.
    if t.name == "TIMESTAMP" and t.timezone:
        made.append((("mysql", "mariadb"), mysql.TIMESTAMP(timezone=True, fsp=t.precision)))
    elif t.precision is not None:
        my = mysql.TIME if t.name == "TIME" else mysql.DATETIME
        made.append((("mysql", "mariadb"), my(timezone=t.timezone, fsp=t.precision)))
    return made


def _interval_variants(t: SqlType) -> list[tuple[tuple[str, ...], TypeEngine[Any]]]:
    from sqlalchemy.dialects import postgresql

    if t.precision is None and t.fields is None:
        return []
    fields = t.fields.lower() if t.fields else None
    return [(("postgresql",), postgresql.INTERVAL(precision=t.precision, fields=fields))]


# By kind of type: the dialect types that carry what the generic type cannot.
_VARIANTS: dict[Kind, Callable[[SqlType], list[tuple[tuple[str, ...], TypeEngine[Any]]]]] = {
    "datetime": _datetime_variants,
    "interval": _interval_variants,
}
