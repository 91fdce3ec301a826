"""Reflect a live database into :class:`~envoxy.tables.TableState` values: columns with their
types as the catalog names them, nullability, the primary key in key order with its name,
indexes (unique constraints among them) and foreign keys.

Every error is a :class:`DatabaseError` whose message is one line and never carries the URL's
password: the URL is shown with the password masked, and the password is scrubbed from whatever
the driver says.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.engine.reflection import Inspector

from envoxy.errors import EnvoxyError
from envoxy.live.catalog import CATALOG_TYPES, ColumnTypes
from envoxy.sqltypes import from_sqlalchemy
from envoxy.sqltypes.dialects import dialect_name
from envoxy.tables import ColumnState, ForeignKeyState, IndexState, TableState

__all__ = [
    "DatabaseError",
    "Reflection",
    "parse_url",
    "reflect_engine",
    "reflect_schemas",
    "reflect_tables",
    "scrub_error",
    "shown_url",
]

CONNECT_TIMEOUT = 10  # seconds; an unreachable server fails instead of hanging

# Dialect name -> connect() keyword for the timeout (the drivers we know take this one).
_TIMEOUT_ARG = {"postgresql": "connect_timeout", "mysql": "connect_timeout", "mariadb": "connect_timeout"}

# A URL naming no driver (mysql://, mariadb://) uses the one envoxy's extra installs, not
# SQLAlchemy's default (mysqlclient, which needs a C library).
_DEFAULT_DRIVER = {"mysql": "pymysql", "mariadb": "pymysql"}

# Dialect name -> (the driver an envoxy extra installs, that extra), for the message when the
# driver is missing.
_EXTRAS = {
    "postgresql": ("psycopg", "postgres"),
    "mysql": ("pymysql", "mysql"),
    "mariadb": ("pymysql", "mysql"),
}


class DatabaseError(EnvoxyError):
    """The database cannot be reached or reflected; the message is safe to show."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Reflection:
    dialect: str
    schema: str | None
    tables: tuple[TableState, ...]


_USERINFO = re.compile(r"(//[^/:@]*:)[^@/]*@")
# Query parameters that carry a password (libpq and the MySQL drivers take it there too).
_SECRET_PARAMS = frozenset({"password", "passwd", "pwd", "sslpassword"})


def _secrets(url: URL) -> list[str]:
    """The URL's password and the values of its password-carrying query parameters."""
    found = [url.password] if url.password else []
    for key, value in url.query.items():
        if key.lower() in _SECRET_PARAMS:
            found.extend(v for v in ((value,) if isinstance(value, str) else value) if v)
    return found


def _shown(url: URL) -> str:
    """The URL as it may be printed: every password masked, in the userinfo and the query."""
    masked = url.update_query_dict({k: "***" for k in url.query if k.lower() in _SECRET_PARAMS})
    return masked.render_as_string(hide_password=True).replace("=%2A%2A%2A", "=***")


def _scrub(text: str, secrets: list[str]) -> str:
    """One line, with the passwords (and anything shaped like URL credentials) masked."""
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, "***")
    text = _USERINFO.sub(r"\1***@", text)
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else "no detail"


def parse_url(raw: str) -> URL:
    """The URL, or a :class:`DatabaseError` that does not repeat it (it may hold a password)."""
    try:
        url = make_url(raw)
    except (sa.exc.ArgumentError, ValueError) as e:
        raise DatabaseError(
            "not a database URL (expected dialect[+driver]://user@host/dbname or sqlite:///file.db)"
        ) from e
    if url.drivername.startswith("postgres") and not url.drivername.startswith("postgresql"):
        url = url.set(drivername="postgresql" + url.drivername[len("postgres") :])
    driver = _DEFAULT_DRIVER.get(url.drivername)
    if driver is not None:
        url = url.set(drivername=f"{url.drivername}+{driver}")
    return url


def _missing_driver(url: URL, error: ImportError) -> str:
    """Which driver is missing, and the extra that installs it where envoxy has one."""
    said = f"the driver for {url.drivername!r} is not installed: {_scrub(str(error), _secrets(url))}"
    driver, extra = _EXTRAS.get(url.get_backend_name(), (None, None))
    if driver is None or url.get_driver_name() != driver:
        return said
    return f"{said} (pip install 'envoxy[{extra}]')"


def _engine(url: URL) -> sa.Engine:
    shown = _shown(url)
    connect_args: dict[str, Any] = {}
    timeout_arg = _TIMEOUT_ARG.get(url.get_backend_name())
    if timeout_arg is not None and timeout_arg not in url.query:
        connect_args[timeout_arg] = CONNECT_TIMEOUT
    database = url.database or ""
    # SQLite would create a missing file: a typo must not pass as an empty database.
    if (
        url.get_backend_name() == "sqlite"
        and database not in ("", ":memory:")
        and not database.startswith("file:")
        and not Path(database).is_file()
    ):
        raise DatabaseError(f"no SQLite database file at {database}")
    try:
        return sa.create_engine(url, poolclass=sa.pool.NullPool, connect_args=connect_args)
    except sa.exc.NoSuchModuleError as e:
        raise DatabaseError(f"no SQLAlchemy dialect or driver for {url.drivername!r} ({shown})") from e
    except ImportError as e:
        raise DatabaseError(_missing_driver(url, e)) from e
    except (sa.exc.ArgumentError, TypeError, ValueError) as e:
        raise DatabaseError(f"cannot use {shown}: {_scrub(str(e), _secrets(url))}") from e


def _stored_type(column_type: Any) -> tuple[Any, bool]:
    """The type a column stores, and whether that type itself forbids NULL: a PostgreSQL domain
    is judged by the type it is defined over (a domain of a domain too; the catalog gives its
    length, see :mod:`envoxy.live.catalog`) and its NOT NULL."""
    from sqlalchemy.dialects.postgresql import DOMAIN

    not_null = False
    while isinstance(column_type, DOMAIN):
        not_null = not_null or bool(column_type.not_null)
        column_type = column_type.data_type
    return column_type, not_null


def _catalog_types(connection: sa.Connection, inspector: Inspector, schema: str | None) -> ColumnTypes:
    """The column types as the catalog names them, where the dialect has one to ask."""
    ask = CATALOG_TYPES.get(connection.dialect.name)
    where = schema if schema is not None else inspector.default_schema_name
    return ask(connection, where) if ask is not None and where is not None else {}


def _tables(
    inspector: Inspector, schema: str | None, dialect: str, catalog: ColumnTypes, named: str | None
) -> list[TableState]:
    """The tables of ``schema``, each with ``named`` as its schema (``None``: the default)."""
    with warnings.catch_warnings():
        # "Did not recognize type 'xml'": such a column reflects as NullType (the catalog names
        # its type), and the warning, printed with a source line, is not the user's business.
        warnings.simplefilter("ignore", sa.exc.SAWarning)
        columns = inspector.get_multi_columns(schema=schema)
        keys = inspector.get_multi_pk_constraint(schema=schema)
        indexes = _multi(inspector.get_multi_indexes, schema)
        uniques = _multi(inspector.get_multi_unique_constraints, schema)
        fks = _multi(inspector.get_multi_foreign_keys, schema)
    default = inspector.default_schema_name
    tables = []
    for key in sorted(columns, key=lambda k: k[1]):
        pk_info: dict[str, Any] = dict(keys.get(key) or {})
        pk = tuple(pk_info.get("constrained_columns") or ())
        states = []
        for c in columns[key]:
            stored, not_null = _stored_type(c["type"])
            found = catalog.get((key[1], c["name"]))
            states.append(
                ColumnState(
                    name=c["name"],
                    type=found if found is not None else from_sqlalchemy(stored, dialect),
                    nullable=bool(c["nullable"]) and not not_null and c["name"] not in pk,
                    primary_key=c["name"] in pk,
                )
            )
        tables.append(
            TableState(
                name=key[1],
                schema=named,
                columns=tuple(states),
                primary_key=pk,
                primary_key_name=pk_info.get("name") if pk else None,
                indexes=_indexes(indexes.get(key, ()), uniques.get(key, ())),
                foreign_keys=tuple(_foreign_key(f, default) for f in fks.get(key, ())),
            )
        )
    return tables


def _multi(method: Any, schema: str | None) -> dict[Any, list[dict[str, Any]]]:
    """One kind of metadata for every table; nothing where the dialect cannot reflect it."""
    try:
        return dict(method(schema=schema))
    except NotImplementedError:
        return {}


def _indexes(indexes: Sequence[dict[str, Any]], uniques: Sequence[dict[str, Any]]) -> tuple[IndexState, ...]:
    found = [
        IndexState(
            name=u.get("name"), columns=tuple(u.get("column_names") or ()), unique=True, constraint=True
        )
        for u in uniques
    ]
    constraint_names = {u.get("name") for u in uniques}
    for i in indexes:
        if i.get("duplicates_constraint") or (i.get("unique") and i.get("name") in constraint_names):
            continue  # the index a unique constraint keeps
        # An expression's column name is None; "expressions" holds every entry as text.
        columns = tuple(i.get("expressions") or i.get("column_names") or ())
        found.append(IndexState(name=i.get("name"), columns=columns, unique=bool(i.get("unique"))))
    return tuple(found)


def _foreign_key(f: dict[str, Any], default: str | None) -> ForeignKeyState:
    referred = f.get("referred_schema")
    return ForeignKeyState(
        name=f.get("name"),
        columns=tuple(f.get("constrained_columns") or ()),
        referred_schema=None if referred == default else referred,
        referred_table=str(f.get("referred_table") or ""),
        referred_columns=tuple(f.get("referred_columns") or ()),
    )


def _reflect(raw_url: str | URL, schemas: Sequence[str | None], *, qualify: bool) -> Reflection:
    url = raw_url if isinstance(raw_url, URL) else parse_url(raw_url)
    engine = _engine(url)
    try:
        return _reflect_engine(engine, schemas, qualify=qualify)
    finally:
        engine.dispose()


def _reflect_engine(engine: sa.Engine, schemas: Sequence[str | None], *, qualify: bool) -> Reflection:
    url = engine.url
    shown = _shown(url)
    try:
        with engine.connect() as connection:
            inspector = sa.inspect(connection)
            dialect = dialect_name(connection.dialect)  # mariadb, through a mysql:// URL too
            known: list[str] | None = None
            tables: list[TableState] = []
            for schema in schemas:
                if schema is not None:
                    known = known if known is not None else inspector.get_schema_names()
                    if schema not in known:
                        raise DatabaseError(f"no schema {schema!r} in {shown}")
                if (
                    schema is None
                    and inspector.default_schema_name is None
                    and engine.dialect.name == "postgresql"
                ):
                    # A search_path naming no existing schema: nothing would be checked, and pass.
                    raise DatabaseError(
                        f"{shown} has no default schema (its search_path names no "
                        "schema that exists); name one with --schema"
                    )
                named = schema if qualify and schema != inspector.default_schema_name else None
                types = _catalog_types(connection, inspector, schema)
                tables.extend(_tables(inspector, schema, dialect, types, named))
            return Reflection(
                dialect=dialect,
                schema=schemas[0] if len(schemas) == 1 else None,
                tables=tuple(tables),
            )
    except sa.exc.DBAPIError as e:
        detail = _scrub(str(e.orig) if e.orig is not None else str(e), _secrets(url))
        failed = (
            "cannot reach"
            if isinstance(e, (sa.exc.OperationalError, sa.exc.InterfaceError))
            else "cannot reflect"
        )
        raise DatabaseError(f"{failed} {shown}: {detail}") from e
    except sa.exc.SQLAlchemyError as e:
        raise DatabaseError(f"cannot reflect {shown}: {_scrub(str(e), _secrets(url))}") from e


def reflect_engine(engine: sa.Engine, schema: str | None = None) -> Reflection:
    """:func:`reflect_tables` through an engine the caller made (and disposes of): its pool, its
    connect arguments, and an in-memory SQLite database are all as the caller set them up."""
    return _reflect_engine(engine, [schema], qualify=False)


def scrub_error(text: str, url: URL) -> str:
    """``text`` (an error's message) on one line, with ``url``'s passwords masked."""
    return _scrub(text, _secrets(url))


def reflect_tables(raw_url: str | URL, schema: str | None = None) -> Reflection:
    """Every table of ``schema`` (default: the connection's default schema), as it stands. The
    tables' own ``schema`` is left ``None``: ``check-db`` judges one schema, named in its run."""
    return _reflect(raw_url, [schema], qualify=False)


def reflect_schemas(raw_url: str | URL, schemas: Sequence[str] = ()) -> Reflection:
    """Every table of each of ``schemas`` (none: the connection's default schema), each naming
    its schema (``None`` for the default one), as ``envoxy schema --from-db`` prints them."""
    return _reflect(raw_url, list(schemas) or [None], qualify=True)


def shown_url(url: URL) -> str:
    """``url`` as it may be printed: every password masked (in the userinfo and the query)."""
    return _shown(url)
