"""The schema the scanner replays equals the schema a real ``alembic upgrade heads`` builds.

For every golden history marked ``"upgradable": true``: run the real upgrade on PostgreSQL (a fresh
database; an ``env.py`` in ``tmp_path`` pointing at the case's ``versions/``), then compare, through
the real CLI, ``envoxy schema --from-migrations`` (no database) with ``envoxy schema --from-db``
(reflection): identical JSON (every table, column by column: type as PostgreSQL writes it,
nullability, primary key in key order) and identical DDL (``--format sql``: also the names of the
primary keys, unique constraints, foreign keys and indexes, and their columns).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import DATA, run_cli

CASES_DIR = DATA / "migrations"
UPGRADABLE = sorted(
    p.name
    for p in CASES_DIR.iterdir()
    if (p / "case.json").is_file() and json.loads((p / "case.json").read_text(encoding="utf-8"))["upgradable"]
)

ENV_PY = """
import sqlalchemy as sa
from alembic import context

engine = sa.create_engine(context.config.attributes["url"])
with engine.connect() as connection:
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
"""

pytestmark = pytest.mark.slow


def _upgrade(tmp_path: Path, versions: Path, url: str) -> None:
    from alembic import command
    from alembic.config import Config

    (tmp_path / "env.py").write_text(ENV_PY, encoding="utf-8")
    config = Config()
    config.set_main_option("script_location", str(tmp_path))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", str(versions))
    config.attributes["url"] = url
    command.upgrade(config, "heads")


WARNING = re.compile(r"envoxy: versions/\S+:\d+: warning: .* \[unanalysed-sql\]")


def _schema(*argv: str, cwd: Path) -> str:
    """What the command prints; it may only warn of raw SQL it did not read (a DO block)."""
    result = run_cli("schema", *argv, cwd=cwd)
    assert result.code == 0, result.err
    assert all(WARNING.fullmatch(line) for line in result.err.splitlines()), result.err
    return result.out


def _schemas_of(exported: dict[str, Any]) -> list[str]:
    """The ``--schema`` arguments that reflect every schema the history built into."""
    named = {t["schema"] for t in exported["tables"]}
    return [a for s in sorted(named, key=lambda s: s or "") for a in ("--schema", s or "public")]


def test_some_histories_are_upgradable() -> None:
    assert {
        "every_op",
        "href_later",
        "branches_merge",
        "batch_ops",
        "data_migrations",
        "raw_sql",
        "primary_keys",
        "schemas",
        "raw_ddl",
        "every_type",
        "count_idioms",
        "indexes_and_keys",
    } <= set(UPGRADABLE)


@pytest.mark.parametrize("name", UPGRADABLE)
def test_history_schema_equals_the_upgraded_database(name: str, pg_database: str, tmp_path: Path) -> None:
    case = CASES_DIR / name
    _upgrade(tmp_path, case / "versions", pg_database)
    built = _schema("--from-migrations", "versions", cwd=case)
    exported = json.loads(built)
    assert exported["tables"], "the history builds no table"
    reflected = _schema("--from-db", pg_database, *_schemas_of(exported), cwd=tmp_path)
    assert json.loads(built) == json.loads(reflected)
    assert built == reflected
    ddl = ("--format", "sql")
    assert _schema("--from-migrations", "versions", *ddl, cwd=case) == _schema(
        "--from-db", pg_database, *_schemas_of(exported), *ddl, cwd=tmp_path
    )
