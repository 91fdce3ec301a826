"""Raw SQL in revisions: DDL read into ops (or reported as unread), the rows SQL guarantees on an
empty database, and pglast imported only when raw SQL is met."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.operations import ops

from envoxy.migrations.rawddl import read_ddl
from envoxy.migrations.schema import SymbolicSchema
from envoxy.migrations.shapes import guaranteed_row
from tests.conftest import DATA, REPO, dialect


def kinds(text: str, dialect: str = "postgresql") -> tuple[list[str], bool]:
    reading = read_ddl(text, dialect, SymbolicSchema(dialect))
    return [type(op).__name__ for op in reading.ops], reading.unread


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("CREATE TABLE IF NOT EXISTS s.t (id int PRIMARY KEY)", ["CreateTableOp"]),
        ("ALTER TABLE t ADD COLUMN x int, DROP COLUMN y", ["AddColumnOp", "DropColumnOp"]),
        ("ALTER TABLE t ALTER COLUMN x TYPE bigint USING x::bigint", ["AlterColumnOp"]),
        ("ALTER TABLE t ALTER x SET NOT NULL, ALTER y DROP NOT NULL", ["AlterColumnOp", "AlterColumnOp"]),
        ("ALTER TABLE t RENAME COLUMN a TO b", ["AlterColumnOp"]),
        ("ALTER TABLE t RENAME TO u", ["RenameTableOp"]),
        ("ALTER TABLE ONLY t ADD PRIMARY KEY (id)", ["CreatePrimaryKeyOp"]),
        ("ALTER TABLE t ADD CONSTRAINT u UNIQUE (a)", ["CreateUniqueConstraintOp"]),
        ("ALTER TABLE t ADD FOREIGN KEY (a) REFERENCES u (id)", ["CreateForeignKeyOp"]),
        ("ALTER TABLE t DROP CONSTRAINT IF EXISTS t_pkey", ["DropConstraintOp"]),
        ("DROP TABLE IF EXISTS a, s.b CASCADE", ["DropTableOp", "DropTableOp"]),
        ("CREATE INDEX ON t (a); DROP INDEX t_a_idx", ["CreateIndexOp", "DropIndexOp"]),
        ("CREATE TYPE mood AS ENUM ('a')", ["CreateEnumOp"]),
        # what changes no table is read as nothing, and is no warning
        ("CREATE SCHEMA billing; COMMENT ON TABLE t IS 'x'; CREATE EXTENSION citext", []),
        ("ALTER TABLE t ALTER COLUMN x SET DEFAULT 1, OWNER TO app", []),
        ("UPDATE t SET x = 1; CREATE SEQUENCE s; GRANT SELECT ON t TO app", []),
    ],
)
def test_raw_ddl_is_read_into_ops(sql: str, expected: list[str]) -> None:
    assert kinds(sql) == (expected, False)


@pytest.mark.parametrize(
    "sql",
    [
        "DO $$ BEGIN ALTER TABLE t ADD x int; END $$",  # PL/pgSQL: not read
        "CREATE TABLE t AS SELECT 1 AS x",
        "CREATE TABLE t (LIKE u)",
        "CREATE TABLE c () INHERITS (p)",
        "ALTER TABLE t RENAME CONSTRAINT a TO b",
        "DROP SCHEMA billing CASCADE",
        "ALTER TABLE t ADD COLUMN x int; ALTER TABLE t ALTER COLUMN x",  # not SQL at all
        "ALTER TABLE t ATTACH PARTITION p FOR VALUES IN (1)",
    ],
)
def test_what_cannot_be_applied_is_unread(sql: str) -> None:
    assert kinds(sql)[1] is True


def test_only_postgresql_sql_is_read() -> None:
    assert kinds("ALTER TABLE t ADD COLUMN x int", "mysql") == ([], True)
    assert kinds("ALTER TABLE t ADD COLUMN x int", "sqlite") == ([], True)


def test_a_column_of_an_enum_the_history_created() -> None:
    schema = SymbolicSchema()
    schema.enums.add((None, "mood"))
    (op,) = read_ddl("ALTER TABLE t ADD COLUMN m mood NOT NULL", "postgresql", schema).ops
    assert isinstance(op, ops.AddColumnOp)
    assert (str(op.column.type.compile(dialect=dialect("postgresql"))), op.column.nullable) == ("mood", False)


# -- what an empty database answers ------------------------------------------------------------

T = sa.table("t", sa.column("id"), sa.column("value"))


@pytest.mark.parametrize(
    ("statement", "row"),
    [
        ("select count(*) from t", (0,)),
        ("SELECT count(id) AS n, max(value) FROM t WHERE value > 3", (0, None)),
        ("select sum(value)::int from t", (None,)),
        ("select exists (select 1 from t)", (False,)),
        ("select not exists (select 1 from t)", (True,)),
        (sa.text("SELECT COUNT(*) FROM t"), (0,)),
        (sa.select(sa.func.count()).select_from(T), (0,)),
        (sa.select(sa.func.max(T.c.value).label("top")), (None,)),
        (sa.select(sa.exists().where(T.c.value > 1)), (False,)),
    ],
)
def test_an_aggregate_without_group_by_is_one_row(statement: Any, row: tuple[Any, ...]) -> None:
    assert tuple(guaranteed_row(statement) or ()) == row


@pytest.mark.parametrize(
    "statement",
    [
        "select count(*) from t group by value",
        "select count(*) from t having count(*) > 1",
        "select count(*) from t limit 1",
        "select count(*) over () from t",
        "select id, count(*) from t",
        "select now()",
        "select id from t",
        "select count(*) from a union select count(*) from b",
        "not sql at all (",
        sa.select(sa.func.count()).select_from(T).group_by(T.c.value),
        sa.select(T.c.id),
        sa.select(sa.func.now()),
    ],
)
def test_no_row_is_promised_where_sql_promises_none(statement: Any) -> None:
    assert guaranteed_row(statement) is None


def test_the_row_answers_by_name() -> None:
    row = guaranteed_row("SELECT count(*) AS n, max(value) AS top FROM t")
    assert row is not None
    assert (row.n, row.top, row._mapping, row[0]) == (0, None, {"n": 0, "top": None}, 0)


# -- pglast is imported only for raw SQL ----------------------------------------------------------

PROBE = """
import sys
from pathlib import Path
from envoxy.migrations.loader import resolve_locations
from envoxy.migrations.scanner import scan
from envoxy.rules import load_rules

# In this process (the worker that runs revisions elsewhere imports what this one would).
scan(resolve_locations(sys.argv[1], Path.cwd()), load_rules(sys.argv[2]), head_state=True, isolated=False)
print("pglast" in sys.modules)
"""


@pytest.mark.parametrize(("case", "imported"), [("every_op", "False"), ("raw_ddl", "True")])
def test_pglast_is_imported_only_when_raw_sql_is_met(case: str, imported: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(DATA / "migrations" / case / "versions"), str(REPO / "rules.yaml")],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
    )
    assert done.stdout.strip() == imported


def test_the_validator_never_imports_pglast(tmp_path: Path) -> None:
    (tmp_path / "m.json").write_text('{"fields": {}}', encoding="utf-8")
    probe = (
        "import sys, runpy; sys.argv = ['validate', sys.argv[1]]\n"
        "try:\n    runpy.run_module('envoxy.validate', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print('pglast' in sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path)], capture_output=True, text=True, cwd=tmp_path
    )
    assert done.stderr.strip().splitlines()[-1] == "False"
