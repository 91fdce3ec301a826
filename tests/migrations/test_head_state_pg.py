"""The head state the scanner computes equals the schema a real ``alembic upgrade heads`` builds.

For every golden history marked ``"upgradable": true``: run the real upgrade on PostgreSQL (an
``env.py`` in ``tmp_path`` pointing at the case's ``versions/``), reflect the schema, and compare
table by table, column by column: name, semantic type, nullability, primary key.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import DATA, REPO, PgSchema

if TYPE_CHECKING:
    from sqlalchemy import Engine

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

Shape = dict[str, dict[str, tuple[object, bool, bool]]]


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


def _reflected(engine: Engine) -> Shape:
    import sqlalchemy as sa

    from envoxy.rules.sqltypes import from_sqlalchemy

    inspector = sa.inspect(engine)
    shape: Shape = {}
    for table in inspector.get_table_names():
        if table == "alembic_version":
            continue
        pk = set(inspector.get_pk_constraint(table)["constrained_columns"])
        shape[table] = {
            c["name"]: (from_sqlalchemy(c["type"]), bool(c["nullable"]), c["name"] in pk)
            for c in inspector.get_columns(table)
        }
    return shape


def _scanned(versions: Path) -> Shape:
    from envoxy.migrations.loader import resolve_locations
    from envoxy.migrations.scanner import scan
    from envoxy.rules import load_rules

    result = scan(
        resolve_locations(str(versions), Path.cwd()), load_rules(str(REPO / "rules.yaml")), head_state=True
    )
    return {
        state.name: {c.name: (c.type, c.nullable, c.primary_key) for c in state.columns}
        for state, _ in result.head
    }


def test_some_histories_are_upgradable() -> None:
    assert {"every_op", "href_later", "branches_merge", "batch_ops", "data_migrations", "raw_sql"} <= set(
        UPGRADABLE
    )


@pytest.mark.parametrize("name", UPGRADABLE)
def test_head_state_matches_real_upgrade(name: str, pg_schema: PgSchema, tmp_path: Path) -> None:
    versions = CASES_DIR / name / "versions"
    _upgrade(tmp_path, versions, pg_schema.url)
    engine = pg_schema.engine()
    try:
        reflected = _reflected(engine)
    finally:
        engine.dispose()
    scanned = _scanned(versions)
    assert reflected
    assert sorted(scanned) == sorted(reflected)
    for table in reflected:
        assert scanned[table] == reflected[table], table
