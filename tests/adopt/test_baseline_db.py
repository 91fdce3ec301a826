"""``check-db`` with a baseline: entries keyed by the database schema, judged only for the schema
a run checked."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.adopt.support import cli, findings, report, rules_yaml
from tests.conftest import PgSchema, postgres_schema

BASELINE = "envoxy-baseline.json"


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVOXY_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "rules.yaml").write_text(
        rules_yaml(paths="[]", extra=f"baseline: {BASELINE}\n"), encoding="utf-8"
    )
    with sqlite3.connect(tmp_path / "app.db") as connection:
        connection.execute(
            "CREATE TABLE orders (id VARCHAR(36) PRIMARY KEY NOT NULL, created DATETIME NOT NULL, "
            "updated DATETIME NOT NULL)"
        )
    return tmp_path


def test_a_database_baseline(project: Path) -> None:
    url = f"sqlite:///{project / 'app.db'}"
    written = cli(project, "check-db", url, "--write-baseline")
    assert written.out == (
        "recorded 1 finding of 'envoxy check-db URL' as 1 entry in envoxy-baseline.json (section 'db')\n"
    )
    assert (
        '    {"rule": "missing-field", "schema": null, "table": "orders", "field": "href", "count": 1}\n'
        in ((project / BASELINE).read_text())
    )
    assert cli(project, "check-db", url).out == "No findings in 1 table (1 baselined).\n"
    # entries are per schema as named: the same tables named another way are not accepted
    named = cli(project, "check-db", url, "--schema", "main", "--format", "json")
    assert (named.code, findings(named)) == (1, [("missing-field", "orders", "href", False)])

    with sqlite3.connect(project / "app.db") as connection:
        connection.execute("ALTER TABLE orders ADD COLUMN href TEXT NOT NULL DEFAULT ''")
    stale = cli(project, "check-db", url)
    assert stale.code == 1
    assert stale.out == (
        "envoxy-baseline.json:7:5: stale-baseline baseline entry 'missing-field' for 'orders.href' in the "
        "default schema matches no finding any more; run 'envoxy check-db URL --write-baseline' to drop it\n"
        "1 finding in 1 table: 1 error, 0 warnings.\n"
        "Run 'envoxy explain stale-baseline' for why and how to fix.\n"
    )


def test_entries_of_another_schema_are_not_judged(tmp_path: Path, pg_schema: PgSchema) -> None:
    import sqlalchemy as sa

    (tmp_path / "rules.yaml").write_text(
        rules_yaml(paths="[]", extra=f"baseline: {BASELINE}\n"), encoding="utf-8"
    )
    with postgres_schema("envoxy_t_b") as other:
        engine = sa.create_engine(pg_schema.base_url)
        with engine.begin() as connection:
            for schema in (pg_schema.name, other.name):
                connection.execute(sa.text(f'CREATE TABLE "{schema}".items (id VARCHAR(36) PRIMARY KEY)'))
        for schema in (pg_schema.name, other.name):
            result = cli(tmp_path, "check-db", pg_schema.base_url, "--schema", schema, "--write-baseline")
            assert result.code == 0, result.err
        text = (tmp_path / BASELINE).read_text()
        assert text.count('"table": "items"') == 6  # created, updated, href in each schema

        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP TABLE "{other.name}".items'))
        engine.dispose()
        first = cli(tmp_path, "check-db", pg_schema.base_url, "--schema", pg_schema.name, "--format", "json")
        assert (first.code, report(first)["summary"]["baselined"]) == (0, 3)
        second = cli(tmp_path, "check-db", pg_schema.base_url, "--schema", other.name, "--format", "json")
        assert second.code == 1
        assert [(f[0], f[1], f[2]) for f in findings(second)] == [
            ("stale-baseline", "items", "created"),
            ("stale-baseline", "items", "href"),
            ("stale-baseline", "items", "updated"),
        ]
