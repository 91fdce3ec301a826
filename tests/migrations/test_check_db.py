"""``envoxy check-db``: a real PostgreSQL (and SQLite) reflected and judged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import PgSchema, run_cli

REPO = Path(__file__).resolve().parents[2]


def legacy_sql(table: str) -> str:
    return (
        f"CREATE TABLE {table} (id VARCHAR(36) PRIMARY KEY, "
        "created TIMESTAMP WITHOUT TIME ZONE NOT NULL, "
        "updated TIMESTAMP WITHOUT TIME ZONE NOT NULL, href TEXT NOT NULL, name TEXT)"
    )


def native_sql(table: str) -> str:
    return (
        f"CREATE TABLE {table} (id UUID PRIMARY KEY, created TIMESTAMPTZ NOT NULL, "
        "updated TIMESTAMPTZ NOT NULL, href TEXT NOT NULL)"
    )


def findings(out: str) -> list[tuple[str, str | None, str | None, str | None, str]]:
    data = json.loads(out)
    return [(f["rule"], f["path"], f["table"], f["field"], f["message"]) for f in data["findings"]]


def execute(url: str, *statements: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(sa.text(statement))
    engine.dispose()


def test_postgres_schema_legacy_and_native(pg_schema: PgSchema, native_rules: Path) -> None:
    execute(
        pg_schema.url,
        legacy_sql("good_legacy"),
        native_sql("good_native"),
        "CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)",
        "CREATE TABLE bare (id VARCHAR(36) NOT NULL, created TIMESTAMP, href VARCHAR(200) NOT NULL)",
        "CREATE VIEW bare_view AS SELECT 1 AS x",
    )
    legacy = run_cli("check-db", pg_schema.url, "--format", "json", "--rules", str(REPO / "rules.yaml"))
    assert legacy.code == 1, legacy.err
    assert json.loads(legacy.out)["summary"] == {
        "files": 3,
        "findings": 7,
        "errors": 7,
        "warnings": 0,
        "baselined": 0,
    }
    assert findings(legacy.out) == [
        (
            "missing-field",
            None,
            "bare",
            "updated",
            "table 'bare' lacks required column 'updated' (TIMESTAMP WITHOUT TIME ZONE NOT NULL)",
        ),
        (
            "missing-primary-key",
            None,
            "bare",
            "id",
            "column 'bare.id' is not the primary key, expected PRIMARY KEY (id)",
        ),
        ("nullable-field", None, "bare", "created", "column 'bare.created' is nullable, expected NOT NULL"),
        ("wrong-type", None, "bare", "href", "column 'bare.href' is VARCHAR(200), expected TEXT"),
        (
            "wrong-type",
            None,
            "good_native",
            "created",
            "column 'good_native.created' is TIMESTAMP WITH TIME ZONE, expected TIMESTAMP WITHOUT TIME ZONE",
        ),
        ("wrong-type", None, "good_native", "id", "column 'good_native.id' is UUID, expected VARCHAR(36)"),
        (
            "wrong-type",
            None,
            "good_native",
            "updated",
            "column 'good_native.updated' is TIMESTAMP WITH TIME ZONE, expected TIMESTAMP WITHOUT TIME ZONE",
        ),
    ]
    native = run_cli("check-db", pg_schema.url, "--format", "json", "--rules", str(native_rules))
    assert native.code == 1
    assert [(r, t, f) for r, _, t, f, _ in findings(native.out)] == [
        ("missing-field", "bare", "updated"),
        ("missing-primary-key", "bare", "id"),
        ("nullable-field", "bare", "created"),
        ("wrong-type", "bare", "created"),
        ("wrong-type", "bare", "href"),
        ("wrong-type", "bare", "id"),
        ("wrong-type", "good_legacy", "created"),
        ("wrong-type", "good_legacy", "id"),
        ("wrong-type", "good_legacy", "updated"),
    ]


def test_conforming_schema_passes_and_schema_option(pg_schema: PgSchema, native_rules: Path) -> None:
    execute(pg_schema.url, native_sql("shop"), native_sql("orders"))
    ok = run_cli("check-db", pg_schema.url, "--rules", str(native_rules))
    assert (ok.code, ok.out, ok.err) == (0, "No findings in 2 tables.\n", "")
    # --schema from a connection whose search_path is elsewhere
    other = run_cli("check-db", pg_schema.base_url, "--schema", pg_schema.name, "--rules", str(native_rules))
    assert (other.code, other.out) == (0, "No findings in 2 tables.\n")
    missing = run_cli("check-db", pg_schema.base_url, "--schema", "no_such_schema_x")
    assert missing.code == 2
    assert missing.err == f"envoxy: no schema 'no_such_schema_x' in {pg_schema.base_url}\n"


def test_exemptions_are_reported(pg_schema: PgSchema, tmp_path: Path) -> None:
    execute(pg_schema.url, "CREATE TABLE audit_log (id VARCHAR(36) PRIMARY KEY, created TIMESTAMP NOT NULL)")
    text = (
        (REPO / "rules.yaml")
        .read_text(encoding="utf-8")
        .replace(
            "exemptions: {}",
            "exemptions:\n  audit_log:\n    fields: [updated, href]\n    reason: append-only\n"
            "  gone:\n    fields: [href]\n    reason: dropped long ago\n",
        )
    )
    rules = tmp_path / "rules.yaml"
    rules.write_text(text, encoding="utf-8")
    result = run_cli("check-db", pg_schema.url, "--format", "json", "--rules", str(rules))
    assert result.code == 0, result.out
    assert [(r, p, t) for r, p, t, _, _ in findings(result.out)] == [("unused-exemption", str(rules), "gone")]


def test_sqlite_database(tmp_path: Path, native_rules: Path) -> None:
    db = tmp_path / "app.db"
    url = f"sqlite:///{db}"
    metadata = sa.MetaData()
    sa.Table(
        "shop",
        metadata,
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("href", sa.Text(), nullable=False),
    )
    sa.Table("legacy", metadata, sa.Column("id", sa.String(36), primary_key=True))
    engine = sa.create_engine(url)
    metadata.create_all(engine)
    engine.dispose()
    result = run_cli("check-db", url, "--format", "json", "--rules", str(native_rules))
    assert result.code == 1
    assert [(r, t, f) for r, _, t, f, _ in findings(result.out)] == [
        ("missing-field", "legacy", "created"),
        ("missing-field", "legacy", "href"),
        ("missing-field", "legacy", "updated"),
        ("wrong-type", "legacy", "id"),
    ]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "postgresql+psycopg://envoxy:pw-s3cret-x@127.0.0.1:1/test",
            "envoxy: cannot reach postgresql+psycopg://envoxy:***@127.0.0.1:1/test: connection failed: "
            'connection to server at "127.0.0.1", port 1 failed: Connection refused\n',
        ),
        (
            "postgresql+psycopg://envoxy:pw-s3cret-x@127.0.0.1:port/test",
            "envoxy: not a database URL (expected dialect[+driver]://user@host/dbname or "
            "sqlite:///file.db)\n",
        ),
        (
            "nosuchdb://envoxy:pw-s3cret-x@host/db",
            "envoxy: no SQLAlchemy dialect or driver for 'nosuchdb' (nosuchdb://envoxy:***@host/db)\n",
        ),
        (
            "postgresql+psycopg://envoxy@127.0.0.1:1/test?password=pw-s3cret-x",
            "envoxy: cannot reach postgresql+psycopg://envoxy@127.0.0.1:1/test?password=***: "
            'connection failed: connection to server at "127.0.0.1", port 1 failed: Connection '
            "refused\n",
        ),
        (
            "nosuchdb:///db?host=h&PWD=pw-s3cret-x",
            "envoxy: no SQLAlchemy dialect or driver for 'nosuchdb' (nosuchdb:///db?PWD=***&host=h)\n",
        ),
        (
            "sqlite:///no/such/pw-s3cret-x-free.db",
            "envoxy: no SQLite database file at no/such/pw-s3cret-x-free.db\n",
        ),
    ],
)
def test_bad_url_or_unreachable_server(url: str, message: str) -> None:
    for fmt in ("text", "json"):
        result = run_cli("check-db", url, "--format", fmt)
        assert (result.code, result.out, result.err) == (2, "", message)
        if "free" not in url:
            assert "s3cret" not in result.out + result.err


def test_wrong_password_is_not_echoed(pg_schema: PgSchema) -> None:
    from sqlalchemy.engine import make_url

    url = make_url(pg_schema.base_url).set(password="pw-s3cret-x", database="no_such_db_x")
    raw = url.render_as_string(hide_password=False)
    result = run_cli("check-db", raw)
    assert result.code == 2
    assert "pw-s3cret-x" not in result.out + result.err
    assert result.err.count("\n") == 1
    assert result.err.startswith("envoxy: cannot reach ")


def test_exotic_tables_and_types_print_only_the_report(pg_schema: PgSchema) -> None:
    import subprocess
    import sys

    execute(
        pg_schema.url,
        "CREATE TYPE mood AS ENUM ('up', 'down')",
        legacy_sql('"Shop Items"').replace(
            "name TEXT", "tags TEXT[], m mood, doc XML, at POINT, n INT GENERATED ALWAYS AS (1) STORED"
        ),
        legacy_sql('"UPPER"'),
        legacy_sql("parted")
        .replace("id VARCHAR(36) PRIMARY KEY", "id VARCHAR(36) NOT NULL")
        .replace(", name TEXT)", ", PRIMARY KEY (id, created)) PARTITION BY RANGE (created)"),
        "CREATE TABLE parted_2020 PARTITION OF parted FOR VALUES FROM ('2020-01-01') TO ('2021-01-01')",
        "CREATE VIEW a_view AS SELECT 1 AS x",
    )
    # A subprocess: SQLAlchemy's "did not recognize type" warnings went to its stderr.
    proc = subprocess.run(
        [sys.executable, "-m", "envoxy", "check-db", pg_schema.url],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "No findings in 4 tables.\n", "")


def test_a_domain_is_judged_by_its_underlying_type(pg_schema: PgSchema) -> None:
    execute(
        pg_schema.url,
        "CREATE DOMAIN link AS TEXT NOT NULL",
        "CREATE DOMAIN short_link AS link",
        "CREATE DOMAIN stamp AS INTEGER",
        "CREATE TABLE t (id VARCHAR(36) PRIMARY KEY, created TIMESTAMP NOT NULL, "
        "updated stamp NOT NULL, href short_link)",
    )
    result = run_cli("check-db", pg_schema.url, "--format", "json")
    assert result.code == 1
    assert findings(result.out) == [
        (
            "wrong-type",
            None,
            "t",
            "updated",
            "column 't.updated' is INTEGER, expected TIMESTAMP WITHOUT TIME ZONE",
        ),
    ]


def test_a_search_path_naming_no_schema_is_an_error(pg_schema: PgSchema) -> None:
    from sqlalchemy.engine import make_url

    url = (
        make_url(pg_schema.base_url)
        .update_query_dict({"options": "-csearch_path=envoxy_no_such_schema_x"})
        .render_as_string(hide_password=False)
    )
    result = run_cli("check-db", url)
    shown = make_url(url).render_as_string(hide_password=True)
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        f"envoxy: {shown} has no default schema (its search_path names no "
        "schema that exists); name one with --schema\n"
    )
