"""On a real PostgreSQL: every type envoxy supports, created from its SQLAlchemy type as
``alembic upgrade`` would create it, is named alike by envoxy's canonical form of the declared
type, of SQLAlchemy's reflection, of envoxy's own reflection, and by PostgreSQL's
``format_type()``, column by column."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from envoxy.live.reflect import reflect_tables
from envoxy.sqltypes import SqlType, from_sqlalchemy, sql_type_named, to_sqlalchemy
from tests.conftest import PgSchema


class Guid(sa.types.TypeDecorator[Any]):
    """A project's own UUID type: native on PostgreSQL, CHAR(32) elsewhere."""

    impl = sa.CHAR(32)
    cache_ok = True

    def load_dialect_impl(self, dialect: sa.engine.Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.UUID())
        return dialect.type_descriptor(sa.CHAR(32))


MOOD = sa.Enum("up", "down", name="mood")

# (SQLAlchemy type as a migration declares it, envoxy's DDL, PostgreSQL's format_type())
CASES: list[tuple[sa.types.TypeEngine[Any], str, str]] = [
    (sa.String(36), "VARCHAR(36)", "character varying(36)"),
    (sa.Unicode(10), "VARCHAR(10)", "character varying(10)"),
    (sa.String(), "VARCHAR", "character varying"),
    (sa.Text(), "TEXT", "text"),
    (sa.CHAR(32), "CHAR(32)", "character(32)"),
    (sa.CHAR(), "CHAR(1)", "character(1)"),
    (sa.Uuid(), "UUID", "uuid"),
    (postgresql.UUID(as_uuid=False), "UUID", "uuid"),
    (sa.Uuid(native_uuid=False), "CHAR(32)", "character(32)"),
    (Guid(), "UUID", "uuid"),
    (sa.String(36).with_variant(postgresql.UUID(), "postgresql"), "UUID", "uuid"),
    (sa.DateTime(), "TIMESTAMP WITHOUT TIME ZONE", "timestamp without time zone"),
    (sa.DateTime(timezone=True), "TIMESTAMP WITH TIME ZONE", "timestamp with time zone"),
    (postgresql.TIMESTAMP(precision=3), "TIMESTAMP(3) WITHOUT TIME ZONE", "timestamp(3) without time zone"),
    (
        postgresql.TIMESTAMP(timezone=True, precision=0),
        "TIMESTAMP(0) WITH TIME ZONE",
        "timestamp(0) with time zone",
    ),
    (sa.Time(), "TIME WITHOUT TIME ZONE", "time without time zone"),
    (sa.Time(timezone=True), "TIME WITH TIME ZONE", "time with time zone"),
    (postgresql.TIME(precision=2), "TIME(2) WITHOUT TIME ZONE", "time(2) without time zone"),
    (sa.Date(), "DATE", "date"),
    (sa.Interval(), "INTERVAL", "interval"),
    (postgresql.INTERVAL(precision=3), "INTERVAL(3)", "interval(3)"),
    (
        postgresql.INTERVAL(fields="day to second", precision=2),
        "INTERVAL DAY TO SECOND(2)",
        "interval day to second(2)",
    ),
    (postgresql.INTERVAL(fields="year"), "INTERVAL YEAR", "interval year"),
    (sa.SmallInteger(), "SMALLINT", "smallint"),
    (sa.Integer(), "INTEGER", "integer"),
    (sa.BigInteger(), "BIGINT", "bigint"),
    (sa.Boolean(), "BOOLEAN", "boolean"),
    (sa.Numeric(), "NUMERIC", "numeric"),
    (sa.Numeric(36, 18), "NUMERIC(36, 18)", "numeric(36,18)"),
    (sa.Numeric(10), "NUMERIC(10, 0)", "numeric(10,0)"),
    (sa.Float(), "DOUBLE PRECISION", "double precision"),
    (sa.Float(24), "REAL", "real"),
    (sa.Float(53), "DOUBLE PRECISION", "double precision"),
    (sa.REAL(), "REAL", "real"),
    (sa.Double(), "DOUBLE PRECISION", "double precision"),
    (sa.DOUBLE_PRECISION(), "DOUBLE PRECISION", "double precision"),
    (sa.JSON(), "JSON", "json"),
    (postgresql.JSONB(), "JSONB", "jsonb"),
    (sa.LargeBinary(), "BYTEA", "bytea"),
    (postgresql.BYTEA(), "BYTEA", "bytea"),
    (MOOD, "mood", "mood"),
    (sa.Enum("a", "Quoted", name="Mood Q"), '"Mood Q"', '"Mood Q"'),
    (sa.Enum("up", "down", name="unused", native_enum=False), "VARCHAR(4)", "character varying(4)"),
    (postgresql.ARRAY(sa.Text()), "TEXT[]", "text[]"),
    (postgresql.ARRAY(sa.String(20), dimensions=2), "VARCHAR(20)[]", "character varying(20)[]"),
    (sa.ARRAY(sa.Integer()), "INTEGER[]", "integer[]"),
    (
        postgresql.ARRAY(postgresql.TIMESTAMP(precision=3)),
        "TIMESTAMP(3) WITHOUT TIME ZONE[]",
        "timestamp(3) without time zone[]",
    ),
    (postgresql.ARRAY(MOOD), "mood[]", "mood[]"),
    (postgresql.TSVECTOR(), "TSVECTOR", "tsvector"),
    (postgresql.INET(), "INET", "inet"),
    (postgresql.MONEY(), "MONEY", "money"),
    (postgresql.BIT(3), "BIT(3)", "bit(3)"),
    (postgresql.BIT(5, varying=True), "BIT VARYING(5)", "bit varying(5)"),
    (postgresql.INT4RANGE(), "INT4RANGE", "int4range"),
]

_LONG_NAMES = {"VARCHAR": "character varying", "CHAR": "character"}


def as_format_type(ddl: str) -> str:
    """envoxy's DDL in PostgreSQL's format_type() spelling: the same words, but the SQL
    standard's long names for the two character types, no space after a comma, lower case
    outside quoted names."""

    def unquoted(part: str) -> str:
        part = re.sub(r"\b(VARCHAR|CHAR)\b", lambda m: _LONG_NAMES[m[1]], part)
        return part.replace(", ", ",").lower()

    parts = ddl.split('"')
    return '"'.join(part if i % 2 else unquoted(part) for i, part in enumerate(parts))


def column_name(i: int) -> str:
    return f"c{i:02d}"


@pytest.fixture
def built(pg_schema: PgSchema) -> tuple[PgSchema, dict[str, str], dict[str, Any]]:
    """The table, created from CASES by SQLAlchemy; format_type() and SQLAlchemy's reflected
    type of each column."""
    metadata = sa.MetaData()
    sa.Table("t", metadata, *(sa.Column(column_name(i), t) for i, (t, _, _) in enumerate(CASES)))
    engine = sa.create_engine(pg_schema.url)
    try:
        metadata.create_all(engine)
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
                    "WHERE attrelid = CAST(:t AS regclass) AND attnum > 0 ORDER BY attnum"
                ),
                {"t": f'"{pg_schema.name}".t'},
            )
            formatted = {name: text for name, text in rows}
            reflected = {
                c["name"]: c["type"] for c in sa.inspect(conn).get_columns("t", schema=pg_schema.name)
            }
    finally:
        engine.dispose()
    return pg_schema, formatted, reflected


def test_ddl_is_what_format_type_names(built: tuple[PgSchema, dict[str, str], dict[str, Any]]) -> None:
    pg_schema, formatted, reflected = built
    ours = {c.name: c.type for c in reflect_tables(pg_schema.url).tables[0].columns}
    rows = []
    for i, (declared, _, _) in enumerate(CASES):
        name = column_name(i)
        canonical = from_sqlalchemy(declared, "postgresql")
        assert canonical is not None
        rows.append(
            (
                name,
                canonical.ddl(),  # from the SQLAlchemy type, with no database
                str(ours[name]),  # envoxy's reflection
                str(from_sqlalchemy(reflected[name], "postgresql")),  # SQLAlchemy's reflection
                # the catalog's own name, read as text alone (which cannot tell that "mood" is
                # an enum: envoxy's reflection asks the catalog, and gets it exact)
                sql_type_named(formatted[name]).ddl().upper(),
                formatted[name],
                as_format_type(canonical.ddl()),
            )
        )
    assert rows == [
        (column_name(i), ddl, ddl, ddl, ddl.upper(), catalog, catalog)
        for i, (_, ddl, catalog) in enumerate(CASES)
    ]


def test_to_sqlalchemy_creates_the_same_column(pg_schema: PgSchema) -> None:
    """A canonical type turned back into SQLAlchemy (as the offline stand-in reflects a table
    for a revision) creates what it says, fractional seconds and interval fields included."""
    canonical = [from_sqlalchemy(t, "postgresql") for t, _, _ in CASES]
    metadata = sa.MetaData()
    columns = [sa.Column(column_name(i), to_sqlalchemy(c)) for i, c in enumerate(canonical) if c is not None]
    sa.Table("back", metadata, *columns)
    engine = sa.create_engine(pg_schema.url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TYPE mood AS ENUM ('up', 'down')"))
            conn.execute(sa.text("""CREATE TYPE "Mood Q" AS ENUM ('a', 'Quoted')"""))
        metadata.create_all(engine)
    finally:
        engine.dispose()
    back: list[SqlType | None] = [c.type for c in reflect_tables(pg_schema.url).tables[0].columns]
    assert back == canonical
