"""``envoxy schema``: its options, its errors, what it says on standard error, through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import DATA, Cli

EVERY_OP = DATA / "migrations" / "every_op"


def write_revision(versions: Path, rev: str, *body: str) -> None:
    """A revision whose ``upgrade()`` runs the lines ``body``."""
    versions.mkdir(parents=True, exist_ok=True)
    lines = [
        "import sqlalchemy as sa",
        "from alembic import op",
        "",
        f"revision = {rev!r}",
        "down_revision = None",
        "",
        "",
        "def upgrade():",
        *(f"    {line}" for line in body),
    ]
    (versions / f"{rev}_rev.py").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_json_is_the_default_and_sql_prints_ddl(cli: Cli) -> None:
    shown = cli("schema", "--from-migrations", "versions", cwd=EVERY_OP)
    assert (shown.code, shown.err) == (0, "")
    exported = json.loads(shown.out)
    assert exported["dialect"] == "postgresql"
    assert [(t["schema"], t["name"]) for t in exported["tables"]] == [
        (None, "accounts"),
        (None, "gadgets"),
        (None, "staging"),
        (None, "widgets"),
    ]
    assert exported["tables"][1] == {
        "schema": None,
        "name": "gadgets",
        "primary_key": ["id"],
        "columns": [
            {"name": "id", "type": "VARCHAR(36)", "nullable": False, "primary_key": True},
            {
                "name": "created",
                "type": "TIMESTAMP WITHOUT TIME ZONE",
                "nullable": False,
                "primary_key": False,
            },
            {
                "name": "updated",
                "type": "TIMESTAMP WITHOUT TIME ZONE",
                "nullable": False,
                "primary_key": False,
            },
            {"name": "href", "type": "TEXT", "nullable": False, "primary_key": False},
        ],
    }
    ddl = cli("schema", "--from-migrations", "versions", "--format", "sql", cwd=EVERY_OP)
    assert ddl.code == 0
    assert (
        "CREATE TABLE gadgets (\n"
        "    id VARCHAR(36) NOT NULL,\n"
        "    created TIMESTAMP WITHOUT TIME ZONE NOT NULL,\n"
        "    updated TIMESTAMP WITHOUT TIME ZONE NOT NULL,\n"
        "    href TEXT NOT NULL,\n"
        "    CONSTRAINT pk_gadgets PRIMARY KEY (id)\n"
        ");\n"
    ) in ddl.out
    assert ddl.out.endswith("CREATE INDEX ix_accounts_name ON accounts (name);\n")


def test_output_is_written_atomically(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "schema.json"
    done = cli("schema", "--from-migrations", str(EVERY_OP / "versions"), "--output", str(target))
    assert (done.code, done.out, done.err) == (0, "", "")
    assert json.loads(target.read_text(encoding="utf-8"))["tables"][0]["name"] == "accounts"


def test_the_dialect_comes_from_the_flag_then_alembic_ini(cli: Cli, tmp_path: Path) -> None:
    write_revision(tmp_path / "versions", "a1", 'op.create_table("t", sa.Column("at", sa.DateTime()))')

    def dialect_and_type(*argv: str) -> tuple[str, str]:
        done = cli("schema", "--from-migrations", "versions", *argv, cwd=tmp_path)
        assert done.code == 0, done.err
        exported = json.loads(done.out)
        return exported["dialect"], exported["tables"][0]["columns"][0]["type"]

    assert dialect_and_type() == ("postgresql", "TIMESTAMP WITHOUT TIME ZONE")
    assert dialect_and_type("--dialect", "mysql") == ("mysql", "DATETIME")
    (tmp_path / "alembic.ini").write_text(
        "[alembic]\nscript_location = .\nsqlalchemy.url = sqlite:///app.db\n", encoding="utf-8"
    )
    assert dialect_and_type() == ("sqlite", "DATETIME")
    # alembic init's placeholder names no dialect
    (tmp_path / "alembic.ini").write_text(
        "[alembic]\nscript_location = .\nsqlalchemy.url = driver://user:pass@localhost/dbname\n",
        encoding="utf-8",
    )
    assert dialect_and_type() == ("postgresql", "TIMESTAMP WITHOUT TIME ZONE")


def test_where_the_history_was_not_followed_is_said(cli: Cli, tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    write_revision(
        versions,
        "a1",
        'op.create_table("t", sa.Column("x", sa.Integer()))',
        'op.execute("DO $$ BEGIN ALTER TABLE t ADD y int; END $$")',
    )
    done = cli("schema", "--from-migrations", "versions", cwd=tmp_path)
    assert done.code == 0
    assert done.err == (
        "envoxy: versions/a1_rev.py:10: warning: op.execute runs raw DDL that envoxy cannot analyse: "
        "'DO $$ BEGIN ALTER TABLE t ADD y int; END $$'; check it against rules.yaml by hand or use "
        "op.* calls [unanalysed-sql]\n"
    )
    (versions / "b1_broken.py").write_text("revision = 'b1'\ndown_revision = 'a1'\nthis is not python\n")
    broken = cli("schema", "--from-migrations", "versions", cwd=tmp_path)
    assert broken.code == 1
    assert [t["name"] for t in json.loads(broken.out)["tables"]] == ["t"]
    assert "versions/b1_broken.py:3: error: revision file cannot be imported" in broken.err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--from-db", "sqlite:///x.db", "--dialect", "mysql"], "--dialect goes with --from-migrations"),
        (["--from-migrations", "versions", "--schema", "s"], "--schema goes with --from-db"),
        (["--from-migrations", "no_such_dir"], "no such directory: no_such_dir"),
        (["--from-db", "sqlite:///no/such.db"], "no SQLite database file at no/such.db"),
        (["--from-db", "postgresql://app:hunter2@db:port/app"], "not a database URL"),
    ],
)
def test_usage_errors(cli: Cli, tmp_path: Path, argv: list[str], message: str) -> None:
    (tmp_path / "versions").mkdir()
    done = cli("schema", *argv, cwd=tmp_path)
    assert done.code == 2
    assert message in done.err
    assert "hunter2" not in done.err


def test_a_source_is_required(cli: Cli) -> None:
    assert cli("schema").code == 2
    assert cli("schema", "--from-migrations", "--from-db", "sqlite://").code == 2


def test_from_a_sqlite_database(cli: Cli, tmp_path: Path) -> None:
    import sqlalchemy as sa

    database = tmp_path / "app.db"
    engine = sa.create_engine(f"sqlite:///{database}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"))
        conn.execute(sa.text("CREATE TABLE b (id VARCHAR(36) PRIMARY KEY, n INTEGER NOT NULL, at DATETIME)"))
        conn.execute(sa.text("CREATE UNIQUE INDEX ix_b_n ON b (n)"))
    engine.dispose()
    done = cli("schema", "--from-db", f"sqlite:///{database}")
    assert done.code == 0, done.err
    assert json.loads(done.out) == {
        "dialect": "sqlite",
        "tables": [
            {
                "schema": None,
                "name": "b",
                "primary_key": ["id"],
                "columns": [
                    {"name": "id", "type": "VARCHAR(36)", "nullable": False, "primary_key": True},
                    {"name": "n", "type": "INTEGER", "nullable": False, "primary_key": False},
                    {"name": "at", "type": "DATETIME", "nullable": True, "primary_key": False},
                ],
            }
        ],
    }
    ddl = cli("schema", "--from-db", f"sqlite:///{database}", "--format", "sql")
    assert ddl.out.endswith("CREATE UNIQUE INDEX ix_b_n ON b (n);\n")
