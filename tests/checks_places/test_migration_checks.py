"""Checks in the migration places without a database: the documents, the history scanner per op
and with ``--head-state``, and the autogenerate gate as a library."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.operations import ops

from envoxy.checks.documents import table_document
from envoxy.migrations.replay import Replay
from envoxy.rules import load_rules
from envoxy.rules.model import RuleSet
from envoxy.sqltypes import parse_sql_type
from envoxy.tables import ColumnState, ForeignKeyState, IndexState, TableState
from envoxy.tools.alembic_hooks import EnvoxyRevisionError, check_autogenerate_revision
from tests.conftest import REPO, run_cli
from tests.integrations.revisions import write_revision

CHECKS = """
checks:
  snake-case-columns:
    scope: column
    require: {properties: {name: {pattern: "^[a-z][a-z0-9_]*$"}}}
    message: "column {column} of {table} is not snake_case"
    description: "Column names are snake_case."
  snake-case-tables:
    scope: table
    require: {properties: {name: {pattern: "^[a-z][a-z0-9_]*$"}}}
    message: "table {table} is not snake_case"
    description: "Table names are snake_case."
  no-float-money:
    scope: column
    where: {properties: {name: {pattern: "[Pp]rice|amount"}}}
    require: {properties: {sql_type: {not: {enum: ["REAL", "DOUBLE PRECISION", "FLOAT"]}}}}
    message: "money column {column} of {table} is a float"
    description: "Money is not stored as a float."
"""


def rules_with(tmp_path: Path, checks: str = CHECKS) -> Path:
    path = tmp_path / "rules.yaml"
    text = (
        (REPO / "rules.yaml").read_text(encoding="utf-8").replace('paths: ["examples/models"]', "paths: []")
    )
    path.write_text(text + checks, encoding="utf-8")
    return path


def full_columns(*more: str) -> str:
    return "\n".join(
        [
            '    sa.Column("id", sa.String(36), primary_key=True),',
            '    sa.Column("created", sa.DateTime(), nullable=False),',
            '    sa.Column("updated", sa.DateTime(), nullable=False),',
            '    sa.Column("href", sa.Text(), nullable=False),',
            *(f"    {m}," for m in more),
        ]
    )


def found(out: str) -> list[tuple[Any, ...]]:
    return [(f["rule"], f["line"], f["table"], f["field"], f["message"]) for f in json.loads(out)["findings"]]


# -- documents ----------------------------------------------------------------------------------


def test_table_document_from_a_table_state() -> None:
    rules = load_rules(REPO / "rules.yaml")
    state = TableState(
        name="orders",
        schema="sales",
        columns=(
            ColumnState(name="id", type=parse_sql_type("VARCHAR(36)"), nullable=False, primary_key=True),
            ColumnState(name="created", type=parse_sql_type("TIMESTAMP"), nullable=False),
            ColumnState(name="price", type=parse_sql_type("DOUBLE PRECISION")),
            ColumnState(name="shape", type=None),
        ),
        indexes=(IndexState(name="ix_price", columns=("price",)),),
        foreign_keys=(
            ForeignKeyState(
                name="fk_shop", columns=("shape",), referred_table="shops", referred_columns=("id",)
            ),
        ),
    )
    assert table_document(rules, state) == {
        "name": "orders",
        "schema": "sales",
        "columns": [
            {
                "name": "id",
                "table": "orders",
                "logical_type": "uuid",
                "sql_type": "VARCHAR(36)",
                "nullable": False,
                "primary_key": True,
            },
            {
                "name": "created",
                "table": "orders",
                "logical_type": "timestamp",
                "sql_type": "TIMESTAMP WITHOUT TIME ZONE",
                "nullable": False,
                "primary_key": False,
            },
            {
                "name": "price",
                "table": "orders",
                "sql_type": "DOUBLE PRECISION",
                "nullable": True,
                "primary_key": False,
            },
            # A type envoxy could not read: no sql_type, so no logical type either.
            {"name": "shape", "table": "orders", "nullable": True, "primary_key": False},
        ],
        "primary_key": ["id"],
        "indexes": [{"name": "ix_price", "columns": ["price"], "unique": False}],
        "foreign_keys": [
            {
                "name": "fk_shop",
                "columns": ["shape"],
                "referred_schema": None,
                "referred_table": "shops",
                "referred_columns": ["id"],
            }
        ],
    }


def test_no_checks_no_check_work() -> None:
    shipped: RuleSet = load_rules(REPO / "rules.yaml")
    assert Replay(shipped).checks is None


# -- the history scanner ------------------------------------------------------------------------

PRICE = 'sa.Column("Price", sa.Float())'
HISTORY = [
    (
        "a1",
        None,
        'op.create_table(\n    "orders",\n' + full_columns(PRICE) + "\n)\n"
        'op.add_column("orders", sa.Column("note", sa.Text()))\n'
        'op.add_column("orders", sa.Column("BadName", sa.Text()))\n',
    ),
    (
        "a2",
        "a1",
        'op.alter_column("orders", "Price", nullable=False)\n'
        'op.create_index("ix_note", "orders", ["note"])\n',
    ),
    (
        "a3",
        "a2",
        'op.alter_column("orders", "Price", new_column_name="price")\nop.rename_table("orders", "Orders")\n',
    ),
    (
        "a4",
        "a3",
        'op.create_table(\n    "Scratch",\n' + full_columns() + "\n)\n"
        'op.rename_table("Scratch", "scratch")\n',
    ),
]


def write_history(versions: Path) -> None:
    for rev, down, body in HISTORY:
        write_revision(versions, rev, down, body)


def located(out: str) -> list[tuple[Any, ...]]:
    return [
        (Path(f["path"]).name, *row) for f, row in zip(json.loads(out)["findings"], found(out), strict=True)
    ]


def test_per_op_findings_point_at_the_op_that_breaks(tmp_path: Path) -> None:
    write_history(tmp_path / "versions")
    rules = rules_with(tmp_path)
    result = run_cli(
        "check-migrations", str(tmp_path / "versions"), "--rules", str(rules), "--format", "json"
    )
    assert (result.code, result.err) == (1, "")
    assert located(result.out) == [
        # create_table (lines 9-16): the table judged whole
        ("a1_rev.py", "no-float-money", 9, "orders", "Price", "money column Price of orders is a float"),
        ("a1_rev.py", "snake-case-columns", 9, "orders", "Price", "column Price of orders is not snake_case"),
        # add_column of a good column repeats nothing; of a bad one, says so at its line
        (
            "a1_rev.py",
            "snake-case-columns",
            18,
            "orders",
            "BadName",
            "column BadName of orders is not snake_case",
        ),
        # alter_column judges the column it changes, each time; create_index changes nothing
        ("a2_rev.py", "no-float-money", 9, "orders", "Price", "money column Price of orders is a float"),
        ("a2_rev.py", "snake-case-columns", 9, "orders", "Price", "column Price of orders is not snake_case"),
        # the renamed column is judged again; rename_table newly breaks the table's name only
        ("a3_rev.py", "no-float-money", 9, "orders", "price", "money column price of orders is a float"),
        ("a3_rev.py", "snake-case-tables", 10, "Orders", None, "table Orders is not snake_case"),
        # a4: what a later op of the same revision mends is not reported
    ]


def test_head_state_findings_point_at_the_op_that_last_shaped_the_table(tmp_path: Path) -> None:
    write_history(tmp_path / "versions")
    rules = rules_with(tmp_path)
    result = run_cli(
        "check-migrations",
        str(tmp_path / "versions"),
        "--rules",
        str(rules),
        "--format",
        "json",
        "--head-state",
    )
    assert (result.code, result.err) == (1, "")
    assert located(result.out) == [
        ("a3_rev.py", "no-float-money", 10, "Orders", "price", "money column price of Orders is a float"),
        (
            "a3_rev.py",
            "snake-case-columns",
            10,
            "Orders",
            "BadName",
            "column BadName of Orders is not snake_case",
        ),
        ("a3_rev.py", "snake-case-tables", 10, "Orders", None, "table Orders is not snake_case"),
    ]


# -- the autogenerate gate ----------------------------------------------------------------------


def test_the_gate_refuses_a_revision_that_breaks_a_check(tmp_path: Path) -> None:
    rules = load_rules(rules_with(tmp_path))
    create = ops.CreateTableOp(
        "shop",
        [
            sa.Column("id", sa.String(length=36), nullable=False),
            sa.Column("created", sa.DateTime(), nullable=False),
            sa.Column("updated", sa.DateTime(), nullable=False),
            sa.Column("href", sa.Text(), nullable=False),
            sa.Column("Price", sa.Float(), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        ],
    )
    with pytest.raises(EnvoxyRevisionError) as raised:
        check_autogenerate_revision(ops.UpgradeOps(ops=[create]), rules=rules)
    assert str(raised.value) == (
        f"envoxy: the autogenerated revision breaks rules.yaml ({rules.source}) in 2 places:\n"
        "  - column Price of shop is not snake_case [snake-case-columns]\n"
        "  - money column Price of shop is a float [no-float-money]\n"
        "No revision file was written. Change the models so that they pass the checks of "
        "rules.yaml, or exempt the tables from those checks with a reason."
    )


def test_the_gate_judges_a_column_op_on_a_table_it_does_not_create(tmp_path: Path) -> None:
    """autogenerate's alter_column on a table the database already has: judged from what the op
    states (existing_type, which autogenerate writes), the column's checks only."""
    rules = load_rules(rules_with(tmp_path))
    alter = ops.AlterColumnOp(
        "payments", "amount", existing_type=sa.Float(), modify_nullable=False, existing_nullable=True
    )
    add = ops.AddColumnOp("payments", sa.Column("unit_price", sa.Numeric(12, 2)))
    modify = ops.ModifyTableOps("payments", [alter, add])
    with pytest.raises(EnvoxyRevisionError) as raised:
        check_autogenerate_revision(ops.UpgradeOps(ops=[modify]), rules=rules)
    assert [(f.rule, f.table, f.field, f.message) for f in raised.value.findings] == [
        ("no-float-money", "payments", "amount", "money column amount of payments is a float")
    ]


FOLDED = """
checks:
  table-names-casefold:
    builtin: unique-table-names-casefold
"""


def test_names_that_collide_when_folded_are_reported_where_they_collide(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    create = 'op.create_table(\n    "{name}",\n' + full_columns() + "\n)\n"
    write_revision(versions, "a1", None, create.format(name="accounts"))
    # Accounts makes both collide: both reported at its create_table (lines 9-14) ...
    write_revision(versions, "a2", "a1", create.format(name="Accounts"))
    # ... and a revision whose later op mends the collision it made reports nothing.
    write_revision(versions, "a3", "a2", create.format(name="ACCOUNTS") + 'op.drop_table("ACCOUNTS")\n')
    rules = rules_with(tmp_path, FOLDED)
    result = run_cli("check-migrations", str(versions), "--rules", str(rules), "--format", "json")
    assert (result.code, result.err) == (1, "")
    assert [(row[0], row[1], row[2], row[3]) for row in located(result.out)] == [
        ("a2_rev.py", "table-names-casefold", 9, "Accounts"),
        ("a2_rev.py", "table-names-casefold", 9, "accounts"),
    ]


KEYED = """
checks:
  primary-key-present:
    scope: table
    require: {required: [primary_key], properties: {primary_key: {minItems: 1}}}
    message: "table {table} has no primary key"
"""


def test_a_key_added_later_in_the_revision_mends_it_and_a_dropped_key_is_reported_at_the_drop(
    tmp_path: Path,
) -> None:
    versions = tmp_path / "versions"
    keyless = full_columns().replace(", primary_key=True", ", nullable=False")
    write_revision(
        versions,
        "k1",
        None,
        'op.create_table(\n    "keyless",\n' + keyless + "\n)\n"
        'op.create_primary_key("keyless_pkey", "keyless", ["id"])\n',
    )
    write_revision(versions, "k2", "k1", 'op.drop_constraint("keyless_pkey", "keyless", type_="primary")\n')
    rules = rules_with(tmp_path, KEYED)
    result = run_cli("check-migrations", str(versions), "--rules", str(rules), "--format", "json")
    assert (result.code, result.err) == (1, "")
    assert [row for row in located(result.out) if row[1] == "primary-key-present"] == [
        ("k2_rev.py", "primary-key-present", 9, "keyless", None, "table keyless has no primary key")
    ]


def test_check_findings_take_the_baseline_per_op_and_at_head(tmp_path: Path) -> None:
    write_history(tmp_path / "versions")
    rules, baseline = str(rules_with(tmp_path)), str(tmp_path / "baseline.json")
    for head in ((), ("--head-state",)):
        args = (
            "check-migrations",
            str(tmp_path / "versions"),
            "--rules",
            rules,
            *head,
            "--baseline",
            baseline,
        )
        assert run_cli(*args, "--write-baseline").code == 0
        again = run_cli(*args)
        assert (again.code, again.out) == (0, f"No findings in 4 files ({3 if head else 7} baselined).\n")


def test_sql_types_are_those_envoxy_schema_prints(tmp_path: Path) -> None:
    """The documents name each column's type exactly as ``envoxy schema --from-migrations``."""
    from envoxy.checks.documents import Documents
    from envoxy.migrations.loader import resolve_locations
    from envoxy.migrations.scanner import scan
    from envoxy.schema_export import export_json, from_migrations

    write_history(tmp_path / "versions")
    locations = resolve_locations(str(tmp_path / "versions"), Path.cwd())
    rules = load_rules(rules_with(tmp_path))
    documents = Documents(rules)
    said = {
        (t["name"], c["name"]): c.get("sql_type")
        for state, _ in scan(locations, rules, head_state=True).head
        for t in [documents.of(state)]
        for c in t["columns"]
    }
    printed = {
        (t["name"], c["name"]): c["type"]
        for t in export_json(from_migrations(locations, dialect="postgresql"))["tables"]
        for c in t["columns"]
    }
    assert said == printed
    assert said["Orders", "price"] == "DOUBLE PRECISION"


def test_raw_ddl_is_judged_as_the_ops_it_stands_for(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    write_revision(
        versions,
        "s1",
        None,
        'op.execute("""CREATE TABLE "Ledger" (id VARCHAR(36) PRIMARY KEY, created TIMESTAMP NOT NULL,\n'
        '    updated TIMESTAMP NOT NULL, href TEXT NOT NULL, amount REAL)""")\n'
        'op.execute("ALTER TABLE \\"Ledger\\" ADD COLUMN \\"unitPrice\\" DOUBLE PRECISION")\n',
    )
    rules = rules_with(tmp_path)
    result = run_cli("check-migrations", str(versions), "--rules", str(rules), "--format", "json")
    assert (result.code, result.err) == (1, "")
    assert located(result.out) == [
        ("s1_rev.py", "no-float-money", 9, "Ledger", "amount", "money column amount of Ledger is a float"),
        ("s1_rev.py", "snake-case-tables", 9, "Ledger", None, "table Ledger is not snake_case"),
        (
            "s1_rev.py",
            "no-float-money",
            11,
            "Ledger",
            "unitPrice",
            "money column unitPrice of Ledger is a float",
        ),
        (
            "s1_rev.py",
            "snake-case-columns",
            11,
            "Ledger",
            "unitPrice",
            "column unitPrice of Ledger is not snake_case",
        ),
    ]


def test_the_gate_names_both_kinds_of_rule_when_both_are_broken(tmp_path: Path) -> None:
    rules = load_rules(rules_with(tmp_path))
    create = ops.CreateTableOp(
        "shop",
        [sa.Column("id", sa.String(length=36), primary_key=True), sa.Column("Price", sa.Numeric(12, 2))],
    )
    with pytest.raises(EnvoxyRevisionError) as raised:
        check_autogenerate_revision(ops.UpgradeOps(ops=[create]), rules=rules)
    said = str(raised.value)
    assert "  - column Price of shop is not snake_case [snake-case-columns]\n" in said
    assert "  - table 'shop' lacks required column 'href' (TEXT NOT NULL) [missing-field]\n" in said
    assert said.endswith(
        "No revision file was written. Give the tables the required columns (inherit EnvoxyMixin) and "
        "change them so that they pass the checks of rules.yaml, or add exemptions with a reason to "
        "rules.yaml."
    )


def test_a_column_passing_where_exempt_is_judged_again_where_not(tmp_path: Path) -> None:
    """Columns that pass every column check are remembered and not judged again in other
    tables; one that passed only because its table is exempt (or out of scope) is."""
    versions = tmp_path / "versions"
    create = 'op.create_table(\n    "{name}",\n' + full_columns('sa.Column("Price", sa.Float())') + "\n)\n"
    for rev, down, name in [("a1", None, "legacy"), ("a2", "a1", "orders"), ("a3", "a2", "shop")]:
        write_revision(versions, rev, down, create.format(name=name))
    rules = rules_with(tmp_path)
    exempt = "exemptions:\n  legacy: {checks: [snake-case-columns, no-float-money], reason: old}\n"
    rules.write_text(rules.read_text(encoding="utf-8").replace("exemptions: {}\n", exempt), encoding="utf-8")
    result = run_cli("check-migrations", str(versions), "--rules", str(rules), "--format", "json")
    assert (result.code, result.err) == (1, "")
    assert [(path, rule, table, column) for path, rule, _, table, column, _ in located(result.out)] == [
        ("a2_rev.py", "no-float-money", "orders", "Price"),
        ("a2_rev.py", "snake-case-columns", "orders", "Price"),
        ("a3_rev.py", "no-float-money", "shop", "Price"),
        ("a3_rev.py", "snake-case-columns", "shop", "Price"),
    ]
