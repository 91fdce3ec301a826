"""The types and dialects registry: every entry read, written and compared as it says."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql

from envoxy.live.reflect import reflect_tables
from envoxy.sqltypes import (
    DIALECTS,
    TYPES,
    DialectDef,
    SqlType,
    SqlTypeError,
    dialect_of,
    from_sqlalchemy,
    parse_sql_type,
    sql_type_named,
    to_sqlalchemy,
    types_match,
)
from envoxy.sqltypes.alchemy import sqlalchemy_dialect
from envoxy.sqltypes.compare import could_match

TEXT = SqlType(name="TEXT")
VARCHAR36 = SqlType(name="VARCHAR", length=36)
TS = SqlType(name="TIMESTAMP")
TSTZ = SqlType(name="TIMESTAMP", timezone=True)
UUID = SqlType(name="UUID")
CHAR32 = SqlType(name="CHAR", length=32)
CHAR36 = SqlType(name="CHAR", length=36)
TS6 = SqlType(name="TIMESTAMP", precision=6)
LONGTEXT = SqlType(name="LONGTEXT")
MOOD = SqlType(name="ENUM", type_name="mood")


@pytest.mark.parametrize("name", sorted(TYPES))
def test_every_spelling_of_a_type_reads_as_it(name: str) -> None:
    """An alias added to the registry is understood everywhere a type is read."""
    definition = TYPES[name]
    expected = {"FLOAT": "DOUBLE PRECISION"}.get(name, name)
    for spelling in (definition.name, *definition.aliases):
        if definition.kind == "array":
            assert parse_sql_type(f"{spelling}(TEXT)") == SqlType(name="ARRAY", item=TEXT)
        else:
            assert parse_sql_type(spelling).name == expected, spelling
            assert parse_sql_type(spelling.lower()).name == expected, spelling


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
def test_every_dialect_synonym_reads_as_what_it_stands_for(dialect: str) -> None:
    facts = DIALECTS[dialect]
    assert facts.synonyms, "every dialect here has synonyms"
    for spelling, means in facts.synonyms.items():
        assert parse_sql_type(spelling, dialect) == parse_sql_type(means, dialect), spelling
    for spelling in (facts.uuid_column, *facts.uuid_stored_as):
        assert types_match(UUID, sql_type_named(spelling, dialect), dialect)


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
def test_every_storage_of_a_dialect_holds_what_it_stands_for(dialect: str) -> None:
    """A ``stored_as`` entry is accepted for its type there, and nowhere else."""
    for wanted, spellings in DIALECTS[dialect].stored_as.items():
        for spelling in spellings:
            assert types_match(parse_sql_type(wanted), sql_type_named(spelling, dialect), dialect)
            assert not types_match(parse_sql_type(wanted), sql_type_named(spelling, dialect), "postgresql")


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
def test_every_unkept_type_is_one_the_registry_knows(dialect: str) -> None:
    for key, why in DIALECTS[dialect].unkept.items():
        name = key.removesuffix(" WITH TIME ZONE")
        assert name in TYPES, key
        assert why and not why[0].isupper(), "the rest of a sentence that starts with the dialect's name"


# canonical type -> its DDL on postgresql, sqlite, mysql, mariadb
DDL: list[tuple[SqlType, tuple[str, str, str, str]]] = [
    (VARCHAR36, ("VARCHAR(36)",) * 4),
    (SqlType(name="VARCHAR"), ("VARCHAR",) * 4),
    (TEXT, ("TEXT",) * 4),
    (LONGTEXT, ("LONGTEXT",) * 4),
    (SqlType(name="MEDIUMTEXT"), ("MEDIUMTEXT",) * 4),
    (CHAR32, ("CHAR(32)",) * 4),
    (UUID, ("UUID", "CHAR(32)", "CHAR(32)", "UUID")),
    (TS, ("TIMESTAMP WITHOUT TIME ZONE", "DATETIME", "DATETIME", "DATETIME")),
    # MySQL's TIMESTAMP converts through the session's time zone: it holds an instant
    (TSTZ, ("TIMESTAMP WITH TIME ZONE", "DATETIME", "TIMESTAMP", "TIMESTAMP")),
    (
        SqlType(name="TIMESTAMP", precision=3, timezone=True),
        ("TIMESTAMP(3) WITH TIME ZONE", "DATETIME", "TIMESTAMP(3)", "TIMESTAMP(3)"),
    ),
    (
        SqlType(name="TIMESTAMP", precision=6),
        ("TIMESTAMP(6) WITHOUT TIME ZONE", "DATETIME", "DATETIME(6)", "DATETIME(6)"),
    ),
    (
        SqlType(name="TIME", precision=3, timezone=True),
        ("TIME(3) WITH TIME ZONE", "TIME", "TIME(3)", "TIME(3)"),
    ),
    (SqlType(name="DATE"), ("DATE",) * 4),
    (SqlType(name="INTERVAL"), ("INTERVAL", "DATETIME", "DATETIME", "DATETIME")),
    (
        SqlType(name="INTERVAL", fields="DAY TO SECOND", precision=2),
        ("INTERVAL DAY TO SECOND(2)", "DATETIME", "DATETIME", "DATETIME"),
    ),
    (SqlType(name="NUMERIC", precision=36, scale=18), ("NUMERIC(36, 18)",) * 4),
    (SqlType(name="NUMERIC"), ("NUMERIC",) * 4),
    (SqlType(name="REAL"), ("REAL", "REAL", "FLOAT", "FLOAT")),
    (SqlType(name="DOUBLE PRECISION"), ("DOUBLE PRECISION", "REAL", "DOUBLE", "DOUBLE")),
    (SqlType(name="BOOLEAN"), ("BOOLEAN", "BOOLEAN", "BOOL", "BOOL")),
    (SqlType(name="BYTEA"), ("BYTEA", "BLOB", "BLOB", "BLOB")),
    (SqlType(name="JSONB"), ("JSONB",) * 4),
    (SqlType(name="ARRAY", item=VARCHAR36), ("VARCHAR(36)[]",) * 4),
    (MOOD, ("mood",) * 4),
    (SqlType(name="ENUM", type_name="Mood Q"), ('"Mood Q"',) * 4),
    (SqlType(name="ENUM", labels=("a", "it's")), ("ENUM('a','it''s')",) * 4),
    (SqlType(name="XML"), ("XML",) * 4),
]


@pytest.mark.parametrize(("sql_type", "spelled"), DDL, ids=[t.ddl() for t, _ in DDL])
def test_ddl_per_dialect(sql_type: SqlType, spelled: tuple[str, str, str, str]) -> None:
    assert tuple(sql_type.ddl(d) for d in ("postgresql", "sqlite", "mysql", "mariadb")) == spelled
    assert str(sql_type) == spelled[0]
    if sql_type.type_name is None:  # text alone cannot tell that "mood" is an enum
        assert sql_type_named(spelled[0]) == sql_type
        if sql_type.definition is not None:
            assert parse_sql_type(spelled[0]) == sql_type


# SQLAlchemy 2.1 stores Uuid() on MariaDB (10.7+) as its native UUID, 2.0 as CHAR(32); envoxy
# follows the dialect, and .ci/run tests both (SQLAlchemy's floor in .ci/floors.txt is a 2.0).
SQLALCHEMY_2_1 = tuple(int(part) for part in sa.__version__.split(".")[:2]) >= (2, 1)

# A SQLAlchemy type -> its canonical type's DDL as SQLite, MySQL and MariaDB store it: the DDL
# SQLAlchemy writes for the dialect, read back (``*`` marks where that text differs from
# SQLAlchemy's own: the same type, spelled as envoxy spells it).
STORED: list[tuple[sa.types.TypeEngine[Any], tuple[str, str, str]]] = [
    (sa.String(36), ("VARCHAR(36)", "VARCHAR(36)", "VARCHAR(36)")),
    (sa.Uuid(), ("CHAR(32)", "CHAR(32)", "UUID" if SQLALCHEMY_2_1 else "CHAR(32)")),
    (sa.Uuid(native_uuid=False), ("CHAR(32)", "CHAR(32)", "CHAR(32)")),
    (sa.DateTime(timezone=True), ("DATETIME", "DATETIME", "DATETIME")),
    (mysql.DATETIME(fsp=6), ("DATETIME", "DATETIME(6)", "DATETIME(6)")),
    (mysql.TIMESTAMP(fsp=6), ("DATETIME*", "TIMESTAMP(6)", "TIMESTAMP(6)")),
    (sa.TIMESTAMP(), ("DATETIME*", "TIMESTAMP", "TIMESTAMP")),
    (mysql.LONGTEXT(), ("LONGTEXT*", "LONGTEXT", "LONGTEXT")),
    (mysql.VARCHAR(36, charset="utf8mb4", collation="utf8mb4_bin"), ("VARCHAR(36)*",) * 3),
    (mysql.TIME(fsp=3), ("TIME", "TIME(3)", "TIME(3)")),
    (sa.Interval(), ("DATETIME", "DATETIME", "DATETIME")),
    (sa.Boolean(), ("BOOLEAN", "BOOL", "BOOL")),
    (mysql.TINYINT(1), ("TINYINT*", "BOOL*", "BOOL*")),
    (sa.Numeric(10), ("NUMERIC(10, 0)*", "NUMERIC(10, 0)*", "NUMERIC(10, 0)*")),
    (sa.Float(), ("REAL*", "FLOAT", "FLOAT")),
    (sa.Float(53), ("REAL*", "DOUBLE*", "DOUBLE*")),
    (sa.REAL(), ("REAL", "DOUBLE*", "DOUBLE*")),
    (sa.Double(), ("REAL*", "DOUBLE", "DOUBLE")),
    (sa.LargeBinary(), ("BLOB", "BLOB", "BLOB")),
    (sa.Enum("up", "down", name="mood"), ("VARCHAR(4)", "ENUM('up','down')", "ENUM('up','down')")),
    (sa.Enum("up", "down", name="mood", native_enum=False), ("VARCHAR(4)",) * 3),
    (sa.String(36).with_variant(sa.Uuid(), "mysql"), ("VARCHAR(36)", "CHAR(32)", "VARCHAR(36)")),
]


@pytest.mark.parametrize(("type_", "stored"), STORED, ids=[repr(t) for t, _ in STORED])
def test_a_sqlalchemy_type_as_each_dialect_stores_it(
    type_: sa.types.TypeEngine[Any], stored: tuple[str, str, str]
) -> None:
    for dialect, expected in zip(("sqlite", "mysql", "mariadb"), stored, strict=True):
        canonical = from_sqlalchemy(type_, dialect)
        assert canonical is not None
        assert canonical.ddl(dialect) == expected.rstrip("*"), dialect
        if not expected.endswith("*"):
            assert str(type_.compile(dialect=sqlalchemy_dialect(dialect))) == expected, dialect
        assert from_sqlalchemy(to_sqlalchemy(canonical), dialect) == canonical, dialect


def test_sqlite_stores_what_it_says(tmp_path: Path) -> None:
    """Created by SQLAlchemy on a real SQLite file and reflected back: the same canonical types."""
    # what SQLite cannot create: MySQL's own integer, text and collation
    declared = [t for t, _ in STORED if not isinstance(t, (mysql.TINYINT, mysql.LONGTEXT, mysql.VARCHAR))]
    declared += [sa.Text(), sa.CHAR(32), sa.Date(), sa.Numeric(36, 18), sa.JSON()]
    metadata = sa.MetaData()
    sa.Table("t", metadata, *(sa.Column(f"c{i}", t) for i, t in enumerate(declared)))
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    engine = sa.create_engine(url)
    metadata.create_all(engine)
    engine.dispose()
    (table,) = reflect_tables(url).tables
    assert [c.type for c in table.columns] == [from_sqlalchemy(t, "sqlite") for t in declared]


SOURCES: list[tuple[str, str, str]] = [
    ("VARCHAR(36)", "sa.String(36)", "str"),
    ("VARCHAR", "sa.String()", "str"),
    ("CHAR(32)", "sa.CHAR(32)", "str"),
    ("TEXT", "sa.Text()", "str"),
    ("UUID", "sa.Uuid()", "uuid.UUID"),
    ("TIMESTAMP WITH TIME ZONE", "sa.DateTime(timezone=True)", "datetime.datetime"),
    ("TIME", "sa.Time(timezone=False)", "datetime.time"),
    ("DATE", "sa.Date()", "datetime.date"),
    ("INTERVAL", "sa.Interval()", "datetime.timedelta"),
    ("BIGINT", "sa.BigInteger()", "int"),
    ("NUMERIC(36, 18)", "sa.Numeric(36, 18)", "decimal.Decimal"),
    ("NUMERIC", "sa.Numeric()", "decimal.Decimal"),
    ("REAL", "sa.Float(24)", "float"),
    ("DOUBLE PRECISION", "sa.Double()", "float"),
    ("BOOLEAN", "sa.Boolean()", "bool"),
    ("BYTEA", "sa.LargeBinary()", "bytes"),
    ("JSON", "sa.JSON()", "Any"),
    ("JSONB", "sa.JSON()", "Any"),
    ("TEXT[]", "sa.ARRAY(sa.Text())", "list[str]"),
    ("TIMESTAMP[]", "sa.ARRAY(sa.DateTime(timezone=False))", "list[datetime.datetime]"),
]


@pytest.mark.parametrize(("ddl", "source", "python"), SOURCES)
def test_generated_code_and_annotation(ddl: str, source: str, python: str) -> None:
    sql_type = parse_sql_type(ddl)
    assert (sql_type.sqlalchemy_source(), sql_type.python_type) == (source, python)
    made = eval(source, {"sa": sa})  # the source makes the type it names (JSONB: generic JSON)
    assert from_sqlalchemy(made) == (sql_type if ddl != "JSONB" else SqlType(name="JSON"))


MATCHES: list[tuple[str, SqlType, SqlType, bool]] = [
    ("postgresql", UUID, CHAR32, False),
    ("sqlite", UUID, CHAR32, True),
    ("mysql", UUID, CHAR32, True),
    ("mariadb", UUID, CHAR32, True),
    ("mariadb", UUID, UUID, True),
    ("sqlite", VARCHAR36, CHAR32, False),
    ("postgresql", TSTZ, TS, False),
    ("sqlite", TSTZ, TS, True),
    # MySQL's DATETIME keeps no zone, its TIMESTAMP converts through the session's
    ("mysql", TS, TSTZ, False),
    ("mariadb", TSTZ, TS, False),
    ("mysql", TS, SqlType(name="TIMESTAMP", precision=6), True),
    ("mariadb", TS6, TS6, True),
    ("mariadb", TS6, TS, False),  # DATETIME is DATETIME(0): no microseconds
    ("postgresql", TS6, TS, True),
    # TEXT holds 64 KiB on MySQL: LONGTEXT and MEDIUMTEXT hold any TEXT, TINYTEXT does not
    ("mysql", TEXT, LONGTEXT, True),
    ("mariadb", TEXT, SqlType(name="MEDIUMTEXT"), True),
    ("mysql", TEXT, SqlType(name="TINYTEXT"), False),
    ("postgresql", TEXT, LONGTEXT, False),
    ("mysql", LONGTEXT, TEXT, False),
    # CHAR(36) and VARCHAR(36) are told apart, as on PostgreSQL
    ("mysql", VARCHAR36, CHAR36, False),
    ("mariadb", CHAR36, VARCHAR36, False),
    ("mariadb", CHAR36, CHAR36, True),
    ("mysql", SqlType(name="BOOLEAN"), sql_type_named("TINYINT(1)", "mysql"), True),
    # a rule's unsaid fractional seconds and precision take any
    ("postgresql", TSTZ, SqlType(name="TIMESTAMP", timezone=True, precision=3), True),
    ("postgresql", SqlType(name="NUMERIC"), SqlType(name="NUMERIC", precision=10, scale=2), True),
    # what a rule says is compared, the dialect's default filled in
    ("postgresql", SqlType(name="TIMESTAMP", precision=6), TS, True),
    ("postgresql", SqlType(name="TIMESTAMP", precision=3), TS, False),
    ("mysql", SqlType(name="TIMESTAMP", precision=0), TS, True),
    ("sqlite", SqlType(name="TIMESTAMP", precision=3), TS, True),
    ("postgresql", SqlType(name="NUMERIC", precision=10, scale=2), SqlType(name="NUMERIC"), False),
    (
        "postgresql",
        SqlType(name="NUMERIC", precision=10, scale=2),
        SqlType(name="NUMERIC", precision=10, scale=3),
        False,
    ),
    # an unbounded VARCHAR is stored as TEXT
    ("postgresql", TEXT, SqlType(name="VARCHAR"), True),
    ("postgresql", VARCHAR36, SqlType(name="VARCHAR"), False),
    ("postgresql", VARCHAR36, SqlType(name="VARCHAR", length=20), False),
    ("postgresql", SqlType(name="REAL"), SqlType(name="DOUBLE PRECISION"), False),
    ("postgresql", SqlType(name="ARRAY", item=TEXT), SqlType(name="ARRAY", item=TEXT), True),
    ("postgresql", SqlType(name="ARRAY", item=TEXT), SqlType(name="ARRAY", item=VARCHAR36), False),
    ("postgresql", SqlType(name="ARRAY", item=TEXT), TEXT, False),
    ("postgresql", MOOD, MOOD, True),
    ("postgresql", MOOD, SqlType(name="ENUM", type_name="other"), False),
    ("postgresql", VARCHAR36, SqlType(name="XML"), False),
    ("postgresql", VARCHAR36, MOOD, False),
]


@pytest.mark.parametrize(("dialect", "expected", "actual", "result"), MATCHES)
def test_types_match(dialect: str, expected: SqlType, actual: SqlType, result: bool) -> None:
    assert types_match(expected, actual, dialect) is result


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
def test_the_quick_test_never_rules_out_a_match(dialect: str) -> None:
    """``could_match`` (the logical type's pre-filter) is true wherever ``types_match`` is, over
    every spelling the registry and the dialect know, sized and unsized, and the cases above;
    and ``types_match`` says what its first, slower form said."""
    facts = DIALECTS[dialect]
    spellings = {
        *(s for d in TYPES.values() if d.kind != "array" for s in (d.name, *d.aliases)),
        *facts.synonyms,
        *facts.synonyms.values(),
        facts.uuid_column,
        *facts.uuid_stored_as,
        *facts.stored_as,
        *(s for stored in facts.stored_as.values() for s in stored),
        "VARCHAR(36)",
        "CHAR(32)",
        "NUMERIC(12, 2)",
        "TIMESTAMP(3) WITH TIME ZONE",
        "TIMESTAMP(6) WITHOUT TIME ZONE",
        "TEXT[]",
    }
    types = {sql_type_named(s, dialect) for s in spellings}
    types |= {t for _, expected, actual, _ in MATCHES for t in (expected, actual)}
    matched = 0
    for expected in types:
        for actual in types:
            if types_match(expected, actual, dialect):
                matched += 1
                assert could_match(expected, actual, dialect), (expected, actual)
            assert types_match(expected, actual, dialect) == _match_by_replace(expected, actual, dialect)
    assert matched > len(types)  # more than each type with itself


def _match_by_replace(expected: SqlType, actual: SqlType, dialect: str) -> bool:
    """types_match as it was first written (what is unsaid blanked in copies, then compared)."""
    from dataclasses import replace

    from envoxy.sqltypes import compare

    facts = DIALECTS[dialect]
    if actual == expected:
        return True
    if (expected.name == "UUID" or facts.stored_as) and actual in compare._stored_forms(dialect, expected):
        return True

    def accepts(wanted: SqlType, got: SqlType) -> bool:
        if (wanted.item is not None or got.item is not None) and (
            wanted.item is None or got.item is None or not accepts(wanted.item, got.item)
        ):
            return False
        unsaid = {n: blank for n, blank in compare._UNSAID.items() if getattr(wanted, n) == blank}
        stored = replace(compare._as_stored(got, facts), item=None, **unsaid)
        return stored == replace(compare._as_stored(wanted, facts), item=None, **unsaid)

    return accepts(expected, actual)


def test_a_uuid_storage_the_registry_does_not_know(monkeypatch: pytest.MonkeyPatch) -> None:
    """A dialect's ``uuid_stored_as`` may name a type that has no registry entry."""
    import envoxy.sqltypes.compare as compare

    binary = DialectDef(name="binarydb", sqlalchemy="", uuid_stored_as=("BINARY(16)",))
    monkeypatch.setattr(compare, "dialect_of", lambda n: binary if n == "binarydb" else dialect_of(n))
    assert types_match(UUID, from_sqlalchemy(mysql.BINARY(16), "mysql"), "binarydb")
    assert not types_match(UUID, SqlType(name="BINARY(16)"), "postgresql")


@pytest.mark.parametrize(
    "text",
    [
        "ARRAY",
        "INTERVAL FORTNIGHT",
        "NUMERIC(ten)",
        "NUMERIC(10, two)",
        "TIMESTAMP(three)",
        "VARCHAR(36) WITH TIME ZONE",
        "ENUM('a', b)",
        "ARRAY(" * 9 + "TEXT" + ")" * 9,
        "TEXT" + "[" * 100_000,
        "XML",
        "mood",
    ],
)
def test_not_a_type_envoxy_knows(text: str) -> None:
    with pytest.raises(SqlTypeError, match="not a SQL type"):
        parse_sql_type(text)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("xml", SqlType(name="XML")),
        ("array", SqlType(name="ARRAY")),
        ("bit varying(5)", SqlType(name="BIT VARYING(5)")),
        ("public.ltree", SqlType(name="PUBLIC.LTREE")),
        ('"char"', SqlType(name='"char"')),
        ('"Mood Q"[]', SqlType(name="ARRAY", item=SqlType(name='"Mood Q"'))),
        ('character varying(36) COLLATE "C"', VARCHAR36),
        ("timestamp(3) with time zone", SqlType(name="TIMESTAMP", precision=3, timezone=True)),
        ("interval day to second(2)", SqlType(name="INTERVAL", fields="DAY TO SECOND", precision=2)),
        ("INTERVAL DAY (3)", SqlType(name="INTERVAL", fields="DAY", precision=3)),
        ("integer ARRAY[4]", SqlType(name="ARRAY", item=SqlType(name="INTEGER"))),
        (
            "sa.ARRAY(sa.String(20), dimensions=2)",
            SqlType(name="ARRAY", item=SqlType(name="VARCHAR", length=20)),
        ),
        ("mysql.ENUM('a', 'It''s')", SqlType(name="ENUM", labels=("a", "It's"))),
        ("varchar(36) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin", VARCHAR36),
        ("VARCHAR(36) COLLATE utf8mb4_bin CHARSET utf8mb4", VARCHAR36),
        ("set('x','It''s')", SqlType(name="SET('x','It''s')")),
        ("bigint(20) unsigned", SqlType(name="BIGINT(20) UNSIGNED")),
    ],
)
def test_a_name_the_catalog_gives(text: str, named: SqlType) -> None:
    """A type envoxy does not know is carried by its name, never dropped."""
    assert sql_type_named(text) == named
    assert sql_type_named(named.ddl()) == named


@pytest.mark.parametrize("precision", [3, 6])
def test_generated_code_keeps_fractional_seconds_on_mysql(precision: int) -> None:
    """MySQL's DATETIME keeps no fractional seconds unless told: generated code says how many."""
    sql_type = SqlType(name="TIMESTAMP", precision=precision)
    source = sql_type.sqlalchemy_source()
    assert source == (
        f'sa.DateTime(timezone=False).with_variant(mysql.DATETIME(fsp={precision}), "mysql", "mariadb")'
    )
    made = eval(source, {"sa": sa, "mysql": mysql})
    for dialect in ("mysql", "mariadb"):
        assert from_sqlalchemy(made, dialect) == sql_type
        assert str(made.compile(dialect=sqlalchemy_dialect(dialect))) == f"DATETIME({precision})"
    assert types_match(sql_type, from_sqlalchemy(made, "postgresql"), "postgresql") is (precision == 6)


def test_types_postgresql_names_by_the_dialect_object() -> None:
    assert from_sqlalchemy(postgresql.DOUBLE_PRECISION(precision=53)) == SqlType(name="DOUBLE PRECISION")
    assert from_sqlalchemy(postgresql.INTERVAL(fields="day to second", precision=2)) == SqlType(
        name="INTERVAL", fields="DAY TO SECOND", precision=2
    )
    assert from_sqlalchemy(sa.types.NullType()) is None
    assert from_sqlalchemy(postgresql.ARRAY(sa.types.NullType())) is None


def test_reading_types_imports_no_sqlalchemy() -> None:
    code = (
        "import sys; from envoxy.sqltypes import parse_sql_type, types_match; "
        "t = parse_sql_type('TIMESTAMP(3) WITH TIME ZONE'); t.ddl('mysql'); t.sqlalchemy_source(); "
        "parse_sql_type('TIMESTAMP(3)').sqlalchemy_source(); "
        "types_match(t, parse_sql_type('TEXT[]'), 'sqlite'); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'alembic')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out == "[]\n"
