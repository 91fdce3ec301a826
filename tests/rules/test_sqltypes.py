"""Types compare semantically, however they were written."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite

from envoxy.rules.sqltypes import (
    SqlType,
    SqlTypeError,
    from_sqlalchemy,
    parse_sql_type,
    types_match,
)

VARCHAR36 = SqlType(name="VARCHAR", length=36)
TS = SqlType(name="TIMESTAMP", timezone=False)
TSTZ = SqlType(name="TIMESTAMP", timezone=True)
UUID = SqlType(name="UUID")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("VARCHAR(36)", VARCHAR36),
        ("String(36)", VARCHAR36),
        ("sa.String(length=36)", VARCHAR36),
        ("character varying(36)", VARCHAR36),
        ("sqlalchemy.String(36)", VARCHAR36),
        ("DateTime()", TS),
        ("TIMESTAMP WITHOUT TIME ZONE", TS),
        ("sa.DateTime(timezone=False)", TS),
        ("timestamp", TS),
        ("TIMESTAMP WITH TIME ZONE", TSTZ),
        ("timestamptz", TSTZ),
        ("sa.TIMESTAMP(timezone=True)", TSTZ),
        ("TIMESTAMP(6) WITH TIME ZONE", SqlType(name="TIMESTAMP", timezone=True, precision=6)),
        ("Uuid", UUID),
        ("sa.Uuid()", UUID),
        ("postgresql.UUID(as_uuid=True)", UUID),
        ("uuid", UUID),
        ("TEXT", SqlType(name="TEXT")),
        ("sa.Text()", SqlType(name="TEXT")),
        ("String()", SqlType(name="VARCHAR")),
        ("CHAR(32)", SqlType(name="CHAR", length=32)),
        ("int", SqlType(name="INTEGER")),
    ],
)
def test_spellings_of_one_type(text: str, expected: SqlType) -> None:
    assert parse_sql_type(text) == expected


@pytest.mark.parametrize("text", ["VARCHR(36)", "VARCHAR(abc)", "TIMESTAMP WITH LOCAL TIME", "", "String(36"])
def test_not_a_type(text: str) -> None:
    with pytest.raises(SqlTypeError):
        parse_sql_type(text)


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        (sa.String(length=36), VARCHAR36),
        (sa.VARCHAR(36), VARCHAR36),
        (sa.DateTime(), TS),
        (sa.TIMESTAMP(timezone=True), TSTZ),
        (postgresql.TIMESTAMP(timezone=True), TSTZ),
        (postgresql.UUID(as_uuid=True), UUID),
        (postgresql.UUID(as_uuid=False), UUID),
        (sa.Uuid(), UUID),
        (sa.UUID(), UUID),
        (sa.Text(), SqlType(name="TEXT")),
        (sqlite.DATETIME(), TS),  # type: ignore[no-untyped-call]
        (mysql.VARCHAR(36), VARCHAR36),
        (sa.Integer, SqlType(name="INTEGER")),
    ],
)
def test_sqlalchemy_objects(obj: object, expected: SqlType) -> None:
    assert from_sqlalchemy(obj) == expected  # type: ignore[arg-type]


def test_dialect_equivalences() -> None:
    assert types_match(UUID, SqlType(name="CHAR", length=32), "sqlite")
    assert not types_match(UUID, SqlType(name="CHAR", length=32), "postgresql")
    assert types_match(TSTZ, TS, "sqlite")
    assert not types_match(TSTZ, TS, "postgresql")
    assert not types_match(VARCHAR36, SqlType(name="VARCHAR", length=20))
    assert not types_match(VARCHAR36, None)


def test_enum_and_jsonb_keep_their_identity() -> None:
    assert from_sqlalchemy(postgresql.ENUM("a", "b", name="kind")) == SqlType(name="ENUM", type_name="kind")
    assert from_sqlalchemy(sa.Enum("a", "b", name="kind"), "mysql") == SqlType(name="ENUM", labels=("a", "b"))
    assert from_sqlalchemy(postgresql.JSONB()) == SqlType(name="JSONB")
    assert from_sqlalchemy(sa.JSON()) == SqlType(name="JSON")
