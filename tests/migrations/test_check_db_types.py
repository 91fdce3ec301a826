"""``envoxy check-db`` judges every column type on a real PostgreSQL: one SQLAlchemy does not
recognise by the catalog's own name for it, a domain by its base type with its length."""

from __future__ import annotations

import json
import subprocess
import sys

import sqlalchemy as sa

from tests.conftest import REPO, PgSchema, run_cli

Finding = tuple[str, str | None, str | None, str]


def execute(url: str, *statements: str) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.execute(sa.text(statement))
    finally:
        engine.dispose()


def check_db(url: str) -> tuple[int, list[Finding]]:
    result = run_cli("check-db", url, "--format", "json", "--rules", str(REPO / "rules.yaml"))
    assert result.err == ""
    found = json.loads(result.out)["findings"]
    return result.code, [(f["rule"], f["table"], f["field"], f["message"]) for f in found]


def test_types_sqlalchemy_does_not_know_are_judged_by_their_catalog_name(pg_schema: PgSchema) -> None:
    execute(
        pg_schema.url,
        "CREATE TYPE mood AS ENUM ('up', 'down')",
        "CREATE TABLE odd (id XML NOT NULL, created POINT NOT NULL, "
        "updated TIMESTAMP NOT NULL, href TEXT NOT NULL)",
        "CREATE TABLE named (id VARCHAR(36) PRIMARY KEY, created mood NOT NULL, "
        'updated TIMESTAMP[] NOT NULL, href "char" NOT NULL)',
        "CREATE TABLE fine (id VARCHAR(36) PRIMARY KEY, created TIMESTAMP(3) NOT NULL, "
        "updated TIMESTAMP(0) NOT NULL, href VARCHAR NOT NULL, extra XML)",
    )
    assert check_db(pg_schema.url) == (
        1,
        [
            (
                "missing-primary-key",
                "odd",
                "id",
                "column 'odd.id' is not the primary key, expected PRIMARY KEY (id)",
            ),
            (
                "wrong-type",
                "named",
                "created",
                "column 'named.created' is mood, expected TIMESTAMP WITHOUT TIME ZONE",
            ),
            ("wrong-type", "named", "href", """column 'named.href' is "char", expected TEXT"""),
            (
                "wrong-type",
                "named",
                "updated",
                "column 'named.updated' is TIMESTAMP WITHOUT TIME ZONE[], "
                "expected TIMESTAMP WITHOUT TIME ZONE",
            ),
            (
                "wrong-type",
                "odd",
                "created",
                "column 'odd.created' is POINT, expected TIMESTAMP WITHOUT TIME ZONE",
            ),
            ("wrong-type", "odd", "id", "column 'odd.id' is XML, expected VARCHAR(36)"),
        ],
    )


def test_a_domain_is_judged_by_its_base_type_with_its_length(pg_schema: PgSchema) -> None:
    execute(
        pg_schema.url,
        "CREATE DOMAIN short_id AS VARCHAR(10)",
        "CREATE DOMAIN shorter_id AS short_id",
        "CREATE DOMAIN good_id AS VARCHAR(36)",
        "CREATE DOMAIN stamp AS TIMESTAMP(3) NOT NULL",
        "CREATE DOMAIN amount AS NUMERIC(5, 2)",
        "CREATE DOMAIN link AS TEXT NOT NULL",
        "CREATE DOMAIN doc AS XML",
        "CREATE TABLE a (id shorter_id PRIMARY KEY, created stamp, updated amount NOT NULL, href link)",
        "CREATE TABLE b (id good_id PRIMARY KEY, created stamp, updated stamp, href doc NOT NULL)",
        "CREATE TABLE c (id good_id PRIMARY KEY, created stamp, updated stamp, href link)",
    )
    assert check_db(pg_schema.url) == (
        1,
        [
            ("wrong-type", "a", "id", "column 'a.id' is VARCHAR(10), expected VARCHAR(36)"),
            (
                "wrong-type",
                "a",
                "updated",
                "column 'a.updated' is NUMERIC(5, 2), expected TIMESTAMP WITHOUT TIME ZONE",
            ),
            ("wrong-type", "b", "href", "column 'b.href' is XML, expected TEXT"),
        ],
    )


def test_extension_types_through_the_real_command(pg_database: str) -> None:
    """ltree is unknown to SQLAlchemy (it warns, and gives NullType); citext and hstore it
    knows. Every one is judged by its name, and nothing but the report is printed."""
    execute(
        pg_database,
        "CREATE EXTENSION ltree",
        "CREATE EXTENSION citext",
        "CREATE EXTENSION hstore",
        "CREATE TABLE t (id CITEXT PRIMARY KEY, created HSTORE NOT NULL, "
        "updated TIMESTAMP NOT NULL, href LTREE NOT NULL)",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "envoxy", "check-db", pg_database, "--rules", str(REPO / "rules.yaml")],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert (proc.returncode, proc.stderr) == (1, "")
    assert proc.stdout == (
        "table t: wrong-type column 't.created' is HSTORE, expected TIMESTAMP WITHOUT TIME ZONE\n"
        "table t: wrong-type column 't.href' is LTREE, expected TEXT\n"
        "table t: wrong-type column 't.id' is CITEXT, expected VARCHAR(36)\n"
        "3 findings in 1 table: 3 errors, 0 warnings.\n"
        "Run 'envoxy explain wrong-type' for why and how to fix.\n"
    )
