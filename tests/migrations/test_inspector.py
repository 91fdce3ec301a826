"""The op inspector on every op kind, in both profiles, with the exact findings."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import sqlalchemy as sa
from alembic.operations import Operations, ops
from alembic.operations.base import AbstractOperations
from alembic.runtime.migration import MigrationContext
from sqlalchemy.dialects import postgresql

from envoxy.findings import Finding
from envoxy.migrations.inspector import (
    Lookup,
    inspect_op,
    inspect_ops,
    is_raw_ddl,
    table_state_from_create,
)
from envoxy.rules import load_rules
from envoxy.rules.model import RuleSet
from envoxy.rules.sqltypes import SqlType
from envoxy.tables import ColumnState, TableState

REPO = Path(__file__).resolve().parents[2]

LEGACY_EXPECT = {
    "id": "VARCHAR(36) NOT NULL PRIMARY KEY",
    "created": "TIMESTAMP WITHOUT TIME ZONE NOT NULL",
    "href": "TEXT NOT NULL",
}


@pytest.fixture
def legacy() -> RuleSet:
    return load_rules(REPO / "rules.yaml")


@pytest.fixture
def native(native_rules: Path) -> RuleSet:
    return load_rules(native_rules)


def rules_with(tmp_path: Path, old: str, new: str) -> RuleSet:
    text = (REPO / "rules.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "rules.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return load_rules(path)


def legacy_columns() -> list[sa.Column[object]]:
    """What autogenerate renders for the legacy mixin."""
    return [
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("updated", sa.DateTime(), nullable=False),
        sa.Column("href", sa.Text(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=True),
    ]


def native_columns() -> list[sa.Column[object]]:
    """What autogenerate renders for the native mixin."""
    return [
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("created", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("href", sa.Text(), nullable=False),
    ]


def err(rule: str, table: str | None, field: str | None, message: str) -> Finding:
    return Finding(rule=rule, severity="error", message=message, table=table, field=field)


def warn(rule: str, table: str | None, message: str) -> Finding:
    return Finding(rule=rule, severity="warning", message=message, table=table, field=None)


# -- create_table ------------------------------------------------------------------------------


def test_conforming_create_table_passes_in_its_profile(legacy: RuleSet, native: RuleSet) -> None:
    op = ops.CreateTableOp("shop", [*legacy_columns(), sa.PrimaryKeyConstraint("id")])
    assert inspect_op(op, legacy) == []
    op = ops.CreateTableOp("shop", [*native_columns(), sa.PrimaryKeyConstraint("id")])
    assert inspect_op(op, native) == []
    uuid_op = ops.CreateTableOp(
        "shop",
        [
            sa.Column("id", sa.Uuid(), primary_key=True),
            *native_columns()[1:],
        ],
    )
    assert inspect_op(uuid_op, native) == []


def test_each_profile_rejects_the_other_profiles_types(legacy: RuleSet, native: RuleSet) -> None:
    op = ops.CreateTableOp("shop", [*native_columns(), sa.PrimaryKeyConstraint("id")])
    assert inspect_op(op, legacy) == [
        err("wrong-type", "shop", "id", "column 'shop.id' is UUID, expected VARCHAR(36)"),
        err(
            "wrong-type",
            "shop",
            "created",
            "column 'shop.created' is TIMESTAMP WITH TIME ZONE, expected TIMESTAMP WITHOUT TIME ZONE",
        ),
        err(
            "wrong-type",
            "shop",
            "updated",
            "column 'shop.updated' is TIMESTAMP WITH TIME ZONE, expected TIMESTAMP WITHOUT TIME ZONE",
        ),
    ]
    op = ops.CreateTableOp("shop", [*legacy_columns(), sa.PrimaryKeyConstraint("id")])
    assert inspect_op(op, native) == [
        err("wrong-type", "shop", "id", "column 'shop.id' is VARCHAR(36), expected UUID"),
        err(
            "wrong-type",
            "shop",
            "created",
            "column 'shop.created' is TIMESTAMP WITHOUT TIME ZONE, expected TIMESTAMP WITH TIME ZONE",
        ),
        err(
            "wrong-type",
            "shop",
            "updated",
            "column 'shop.updated' is TIMESTAMP WITHOUT TIME ZONE, expected TIMESTAMP WITH TIME ZONE",
        ),
    ]


def test_create_table_missing_nullable_and_no_primary_key(legacy: RuleSet) -> None:
    op = ops.CreateTableOp(
        "orders",
        [
            sa.Column("id", sa.String(36), nullable=False),
            sa.Column("created", sa.DateTime(), nullable=True),
            sa.Column("total", sa.Integer(), primary_key=True),
        ],
    )
    assert inspect_op(op, legacy) == [
        err(
            "missing-primary-key",
            "orders",
            "id",
            "column 'orders.id' is not the primary key, expected PRIMARY KEY (id)",
        ),
        err("nullable-field", "orders", "created", "column 'orders.created' is nullable, expected NOT NULL"),
        err(
            "missing-field",
            "orders",
            "updated",
            "table 'orders' lacks required column 'updated' (TIMESTAMP WITHOUT TIME ZONE NOT NULL)",
        ),
        err("missing-field", "orders", "href", "table 'orders' lacks required column 'href' (TEXT NOT NULL)"),
    ]


def test_table_state_reads_primary_key_from_column_and_constraint() -> None:
    via_constraint = ops.CreateTableOp(
        "t",
        [
            sa.Column("id", sa.String(36)),
            sa.Column("x", sa.Integer()),
            sa.PrimaryKeyConstraint("id", name="t_pk"),
        ],
    )
    assert table_state_from_create(via_constraint) == TableState(
        name="t",
        columns=(
            ColumnState(name="id", type=SqlType(name="VARCHAR", length=36), nullable=False, primary_key=True),
            ColumnState(name="x", type=SqlType(name="INTEGER"), nullable=True, primary_key=False),
        ),
        primary_key=("id",),
        primary_key_name="t_pk",
    )
    via_column = ops.CreateTableOp("t", [sa.Column("id", sa.String(36), primary_key=True)])
    assert table_state_from_create(via_column).columns == (
        ColumnState(name="id", type=SqlType(name="VARCHAR", length=36), nullable=False, primary_key=True),
    )


def test_create_table_from_a_real_table_as_autogenerate_builds_it(native: RuleSet) -> None:
    table = sa.Table("things", sa.MetaData(), *native_columns()[:3], sa.PrimaryKeyConstraint("id"))
    assert inspect_op(ops.CreateTableOp.from_table(table), native) == [
        err("missing-field", "things", "href", "table 'things' lacks required column 'href' (TEXT NOT NULL)"),
    ]


def test_out_of_scope_and_exempt_tables(legacy: RuleSet, tmp_path: Path) -> None:
    bare = [sa.Column("version_num", sa.String(32), primary_key=True)]
    assert inspect_op(ops.CreateTableOp("alembic_version_shop", bare), legacy) == []
    exempt = rules_with(
        tmp_path,
        "exemptions: {}",
        "exemptions:\n  legacy_log:\n    fields: [href, updated]\n    reason: append-only log\n",
    )
    op = ops.CreateTableOp("legacy_log", [sa.Column("id", sa.String(36), primary_key=True)])
    assert inspect_op(op, exempt) == [
        err(
            "missing-field",
            "legacy_log",
            "created",
            "table 'legacy_log' lacks required column 'created' (TIMESTAMP WITHOUT TIME ZONE NOT NULL)",
        ),
    ]


def test_type_decorator_is_judged_by_what_it_stores(native: RuleSet, legacy: RuleSet) -> None:
    class GUID(sa.types.TypeDecorator[object]):
        impl = sa.CHAR
        cache_ok = True

        def load_dialect_impl(self, dialect: sa.engine.Dialect) -> sa.types.TypeEngine[Any]:
            if dialect.name == "postgresql":
                return dialect.type_descriptor(postgresql.UUID())
            return dialect.type_descriptor(sa.CHAR(32))

    op = ops.AddColumnOp("shop", sa.Column("id", GUID(), nullable=False))
    assert types_judged(op, native) == []
    assert types_judged(op, native, dialect="sqlite") == []
    assert types_judged(op, legacy) == [
        err("wrong-type", "shop", "id", "column 'shop.id' is UUID, expected VARCHAR(36)"),
    ]


def types_judged(op: ops.MigrateOperation, rules: RuleSet, dialect: str = "postgresql") -> list[Finding]:
    """The findings about the column's type (an added ``id`` is also not the key: Alembic's
    add_column emits no PRIMARY KEY)."""
    return [f for f in inspect_op(op, rules, dialect=dialect) if f.rule == "wrong-type"]


# -- add / drop / alter column -----------------------------------------------------------------


def test_add_column(legacy: RuleSet, native: RuleSet) -> None:
    assert inspect_op(ops.AddColumnOp("shop", sa.Column("href", sa.Text(), nullable=False)), legacy) == []
    assert inspect_op(ops.AddColumnOp("shop", sa.Column("notes", sa.Integer())), legacy) == []
    assert inspect_op(ops.AddColumnOp("shop", sa.Column("created", sa.Integer())), native) == [
        err(
            "wrong-type",
            "shop",
            "created",
            "column 'shop.created' is INTEGER, expected TIMESTAMP WITH TIME ZONE",
        ),
        err("nullable-field", "shop", "created", "column 'shop.created' is nullable, expected NOT NULL"),
    ]


def test_drop_column(legacy: RuleSet, native: RuleSet) -> None:
    assert inspect_op(ops.DropColumnOp("shop", "notes"), legacy) == []
    assert inspect_op(ops.DropColumnOp("alembic_version", "href"), legacy) == []
    for rules in (legacy, native):
        assert inspect_op(ops.DropColumnOp("shop", "href"), rules) == [
            err(
                "dropped-field",
                "shop",
                "href",
                "drop_column removes required column 'shop.href'; rules.yaml requires it (TEXT NOT NULL)",
            ),
        ]


def test_alter_column(legacy: RuleSet, native: RuleSet) -> None:
    assert inspect_op(ops.AlterColumnOp("shop", "name", modify_nullable=True), legacy) == []
    assert (
        inspect_op(
            ops.AlterColumnOp("shop", "id", modify_type=sa.VARCHAR(36), existing_type=sa.String(36)), legacy
        )
        == []
    )
    assert inspect_op(ops.AlterColumnOp("shop", "id", modify_type=sa.Uuid()), native) == []
    assert inspect_op(ops.AlterColumnOp("shop", "href", modify_nullable=False), native) == []
    assert inspect_op(
        ops.AlterColumnOp("shop", "created", modify_type=sa.DateTime(), modify_nullable=True), native
    ) == [
        err(
            "altered-field",
            "shop",
            "created",
            "alter_column on required column 'shop.created' changes its type to TIMESTAMP WITHOUT "
            "TIME ZONE; rules.yaml expects 'created' TIMESTAMP WITH TIME ZONE NOT NULL",
        ),
        err(
            "altered-field",
            "shop",
            "created",
            "alter_column on required column 'shop.created' makes it nullable; rules.yaml expects "
            "'created' TIMESTAMP WITH TIME ZONE NOT NULL",
        ),
    ]
    assert inspect_op(ops.AlterColumnOp("shop", "href", modify_name="url"), legacy) == [
        err(
            "altered-field",
            "shop",
            "href",
            "alter_column on required column 'shop.href' renames it to 'url'; rules.yaml expects "
            "'href' TEXT NOT NULL",
        ),
    ]
    assert inspect_op(ops.AlterColumnOp("shop", "id", modify_type=sa.String(32)), legacy) == [
        err(
            "altered-field",
            "shop",
            "id",
            "alter_column on required column 'shop.id' changes its type to VARCHAR(32); rules.yaml "
            "expects 'id' VARCHAR(36) NOT NULL PRIMARY KEY",
        ),
    ]


def test_severity_settings_apply(tmp_path: Path) -> None:
    rules = rules_with(
        tmp_path, "severity: {}", "severity:\n  dropped-field: off\n  altered-field: warning\n"
    )
    assert inspect_op(ops.DropColumnOp("shop", "href"), rules) == []
    assert inspect_op(ops.AlterColumnOp("shop", "href", modify_nullable=True), rules) == [
        Finding(
            rule="altered-field",
            severity="warning",
            table="shop",
            field="href",
            message="alter_column on required column 'shop.href' makes it nullable; "
            "rules.yaml expects 'href' TEXT NOT NULL",
        ),
    ]


# -- tables: rename and drop -------------------------------------------------------------------


def test_rename_table_into_scope(legacy: RuleSet) -> None:
    bare = TableState(
        name="alembic_version_tmp",
        columns=(
            ColumnState(name="id", type=SqlType(name="VARCHAR", length=36), nullable=False, primary_key=True),
        ),
    )
    op = ops.RenameTableOp("alembic_version_tmp", "shop")
    assert inspect_op(op, legacy) == []  # without state, no finding
    found = inspect_op(op, legacy, lookup=lookup_in(bare))
    prefix = "rename_table 'alembic_version_tmp' -> 'shop': table 'shop' lacks required column"
    assert found == [
        err("missing-field", "shop", "created", f"{prefix} 'created' (TIMESTAMP WITHOUT TIME ZONE NOT NULL)"),
        err("missing-field", "shop", "updated", f"{prefix} 'updated' (TIMESTAMP WITHOUT TIME ZONE NOT NULL)"),
        err("missing-field", "shop", "href", f"{prefix} 'href' (TEXT NOT NULL)"),
    ]


def test_rename_table_reports_only_what_the_new_name_brings(legacy: RuleSet) -> None:
    conforming = table_state_from_create(
        ops.CreateTableOp("old", [*legacy_columns(), sa.PrimaryKeyConstraint("id")])
    )
    assert inspect_op(ops.RenameTableOp("old", "new"), legacy, lookup=lookup_in(conforming)) == []
    broken = TableState(name="old", columns=conforming.columns[:3])
    # 'old' already lacked href: reported at its create_table, not again at the rename.
    assert inspect_op(ops.RenameTableOp("old", "new"), legacy, lookup=lookup_in(broken)) == []


def lookup_in(*states: TableState) -> Lookup:
    """A lookup answering with ``states`` (the default schema's tables)."""

    def lookup(name: str, schema: str | None = None) -> TableState | None:
        return next((t for t in states if t.name == name and schema is None), None)

    return lookup


def test_drop_table_and_other_ops_find_nothing(legacy: RuleSet) -> None:
    assert inspect_op(ops.DropTableOp("shop"), legacy) == []
    assert inspect_op(ops.CreateIndexOp("ix", "shop", ["href"]), legacy) == []
    assert inspect_op(ops.DropConstraintOp("shop_email_key", "shop"), legacy) == []
    assert inspect_op(ops.DropConstraintOp("pk", "alembic_version", type_="primary"), legacy) == []


# -- primary keys ----------------------------------------------------------------------------------

KEY_DROPPED = "drop_constraint removes the primary key of 'shop'; rules.yaml expects PRIMARY KEY (id)"


def test_dropping_the_primary_key_by_type_or_by_the_default_name(legacy: RuleSet) -> None:
    by_type = ops.DropConstraintOp("pk_shop", "shop", type_="primary")
    assert inspect_op(by_type, legacy) == [err("missing-primary-key", "shop", "id", KEY_DROPPED)]
    by_default_name = ops.DropConstraintOp("shop_pkey", "shop")  # PostgreSQL's name for it
    assert inspect_op(by_default_name, legacy) == [err("missing-primary-key", "shop", "id", KEY_DROPPED)]
    # MySQL names every key PRIMARY; shop_pkey is no key there
    assert inspect_op(by_default_name, legacy, dialect="mysql") == []
    assert inspect_op(ops.DropConstraintOp("PRIMARY", "shop"), legacy, dialect="mysql") == [
        err("missing-primary-key", "shop", "id", KEY_DROPPED)
    ]
    in_schema = ops.DropConstraintOp("shop_pkey", "shop", schema="billing")
    assert [(f.table, f.message) for f in inspect_op(in_schema, legacy)] == [
        (
            "billing.shop",
            "drop_constraint removes the primary key of 'billing.shop'; rules.yaml expects PRIMARY KEY (id)",
        )
    ]


def test_a_known_table_tells_which_constraint_is_its_key(legacy: RuleSet) -> None:
    """With the table known, its key's own name decides, and a key that already left ``id`` out
    is not newly broken."""
    keyed = TableState(
        name="shop",
        columns=(ColumnState(name="id", type=SqlType(name="VARCHAR", length=36), nullable=False),),
        primary_key=("id",),
        primary_key_name="pk_shop",
    )

    lookup = lookup_in(keyed)
    assert inspect_op(ops.DropConstraintOp("shop_pkey", "shop"), legacy, lookup=lookup) == []
    assert inspect_op(ops.DropConstraintOp("pk_shop", "shop"), legacy, lookup=lookup) == [
        err("missing-primary-key", "shop", "id", KEY_DROPPED)
    ]
    code = ColumnState(name="code", type=SqlType(name="TEXT"), nullable=False)
    other_key = TableState(
        name="shop", columns=(*keyed.columns, code), primary_key=("code",), primary_key_name="pk_shop"
    )
    assert other_key.column("id") == ColumnState(
        name="id", type=SqlType(name="VARCHAR", length=36), nullable=False, primary_key=False
    )
    drop = ops.DropConstraintOp("pk_shop", "shop", type_="primary")
    assert inspect_op(drop, legacy, lookup=lookup_in(other_key)) == []


def test_create_primary_key_replaces_the_key(legacy: RuleSet) -> None:
    assert inspect_op(ops.CreatePrimaryKeyOp("pk", "shop", ["id"]), legacy) == []
    assert inspect_op(ops.CreatePrimaryKeyOp("pk", "shop", ["code"]), legacy) == [
        err(
            "missing-primary-key",
            "shop",
            "id",
            "create_primary_key makes (code) the primary key of 'shop'; rules.yaml expects PRIMARY KEY (id)",
        )
    ]


def test_add_column_makes_no_key_unless_inline(legacy: RuleSet) -> None:
    column = sa.Column("id", sa.String(36), primary_key=True)
    assert inspect_op(ops.AddColumnOp("shop", column), legacy) == [
        err(
            "missing-primary-key",
            "shop",
            "id",
            "add_column adds 'shop.id' without making it the primary key (Alembic's add_column emits "
            "no PRIMARY KEY; add the key with create_primary_key); rules.yaml expects PRIMARY KEY (id)",
        )
    ]
    inline = ops.AddColumnOp("shop", sa.Column("id", sa.String(36), primary_key=True))
    inline.inline_primary_key = True  # Alembic 1.18+: add_column(..., inline_primary_key=True)
    assert inspect_op(inline, legacy) == []


# -- containers and batch mode -----------------------------------------------------------------


def test_upgrade_ops_are_walked_recursively(legacy: RuleSet) -> None:
    upgrade = ops.UpgradeOps(
        ops=[
            ops.CreateTableOp("a", [*legacy_columns(), sa.PrimaryKeyConstraint("id")]),
            ops.ModifyTableOps(
                "b",
                ops=[
                    ops.AddColumnOp("b", sa.Column("note", sa.Text())),
                    ops.DropColumnOp("b", "updated"),
                ],
            ),
        ]
    )
    expected = [
        err(
            "dropped-field",
            "b",
            "updated",
            "drop_column removes required column 'b.updated'; rules.yaml requires it "
            "(TIMESTAMP WITHOUT TIME ZONE NOT NULL)",
        ),
    ]
    assert inspect_op(upgrade, legacy) == expected
    assert inspect_ops([upgrade], legacy) == expected
    assert inspect_ops(upgrade.ops, legacy) == expected


def test_what_batch_alter_table_produces(legacy: RuleSet) -> None:
    recorded: list[ops.MigrateOperation] = []

    def record(self: AbstractOperations, operation: ops.MigrateOperation) -> None:
        recorded.append(operation)

    context = MigrationContext.configure(dialect_name="sqlite", opts={"as_sql": True})
    with mock.patch.object(AbstractOperations, "invoke", record):
        op = Operations(context)
        with op.batch_alter_table("shop") as batch:
            batch.add_column(sa.Column("href", sa.String(200), nullable=True))
            batch.alter_column("created", new_column_name="created_at", existing_type=sa.DateTime())
            batch.drop_column("updated")
    assert [type(o) for o in recorded] == [ops.AddColumnOp, ops.AlterColumnOp, ops.DropColumnOp]
    assert inspect_ops(recorded, legacy, dialect="sqlite") == [
        err("wrong-type", "shop", "href", "column 'shop.href' is VARCHAR(200), expected TEXT"),
        err("nullable-field", "shop", "href", "column 'shop.href' is nullable, expected NOT NULL"),
        err(
            "altered-field",
            "shop",
            "created",
            "alter_column on required column 'shop.created' renames it to 'created_at'; "
            "rules.yaml expects 'created' TIMESTAMP WITHOUT TIME ZONE NOT NULL",
        ),
        err(
            "dropped-field",
            "shop",
            "updated",
            "drop_column removes required column 'shop.updated'; rules.yaml requires it "
            "(TIMESTAMP WITHOUT TIME ZONE NOT NULL)",
        ),
    ]


# -- op.execute --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "table"),
    [
        ("ALTER TABLE shop DROP COLUMN href", "shop"),
        (sa.text('-- widen\ncreate table if not exists public."shop2" (x int)'), "shop2"),
        ("UPDATE shop SET href = ''; DROP TABLE old_shop", "old_shop"),
        ("COMMENT ON TABLE shop IS 'x'", None),
        ("DO $$ BEGIN EXECUTE 'alter table shop add x int'; END $$", "shop"),
        (sa.DDL("ALTER TABLE shop RENAME COLUMN href TO url"), "shop"),  # type: ignore[no-untyped-call]
    ],
)
def test_raw_ddl_is_an_unanalysed_sql_warning(legacy: RuleSet, sql: object, table: str | None) -> None:
    found = inspect_op(ops.ExecuteSQLOp(sql), legacy)  # type: ignore[arg-type]
    assert [(f.rule, f.severity, f.table, f.field) for f in found] == [
        ("unanalysed-sql", "warning", table, None)
    ]
    assert found[0].message.startswith("op.execute runs raw DDL that envoxy cannot analyse: ")


def test_unanalysed_sql_message(legacy: RuleSet) -> None:
    assert inspect_op(ops.ExecuteSQLOp("ALTER TABLE shop\n  DROP COLUMN href"), legacy) == [
        warn(
            "unanalysed-sql",
            "shop",
            "op.execute runs raw DDL that envoxy cannot analyse: 'ALTER TABLE shop DROP COLUMN "
            "href'; check it against rules.yaml by hand or use op.* calls",
        ),
    ]


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE shop SET href = '/x/' || id",
        sa.text("INSERT INTO shop (id) VALUES (:id)"),
        "SELECT 1 -- DROP TABLE shop",
        "  /* CREATE */ DELETE FROM shop",
        sa.table("shop", sa.column("href")).update().values(href="x"),
        sa.select(sa.literal(1)),
        "DO $$ BEGIN UPDATE shop SET href = ''; END $$",
    ],
)
def test_dml_and_core_statements_find_nothing(legacy: RuleSet, sql: object) -> None:
    assert inspect_op(ops.ExecuteSQLOp(sql), legacy) == []  # type: ignore[arg-type]


def test_core_create_table_is_judged(native: RuleSet) -> None:
    table = sa.Table("core_made", sa.MetaData(), *native_columns()[:2], sa.PrimaryKeyConstraint("id"))
    found = inspect_op(ops.ExecuteSQLOp(sa.schema.CreateTable(table)), native)
    assert [(f.rule, f.field) for f in found] == [("missing-field", "updated"), ("missing-field", "href")]


def test_is_raw_ddl() -> None:
    assert is_raw_ddl("truncate shop")
    assert is_raw_ddl("rename table a to b")
    assert not is_raw_ddl("select 'create'")
    assert not is_raw_ddl("")


def test_alter_column_renaming_into_a_required_name(legacy: RuleSet) -> None:
    assert (
        inspect_op(
            ops.AlterColumnOp(
                "shop", "url", modify_name="href", existing_type=sa.Text(), existing_nullable=False
            ),
            legacy,
        )
        == []
    )
    assert inspect_op(ops.AlterColumnOp("shop", "url", modify_name="href"), legacy) == []
    assert inspect_op(
        ops.AlterColumnOp(
            "shop", "url", modify_name="href", existing_type=sa.String(200), existing_nullable=True
        ),
        legacy,
    ) == [
        err("wrong-type", "shop", "href", "column 'shop.href' is VARCHAR(200), expected TEXT"),
        err("nullable-field", "shop", "href", "column 'shop.href' is nullable, expected NOT NULL"),
    ]
    # renaming one required column onto another: both sides are judged
    assert [
        (f.rule, f.field)
        for f in inspect_op(
            ops.AlterColumnOp(
                "shop", "created", modify_name="updated", existing_type=sa.DateTime(), existing_nullable=False
            ),
            legacy,
        )
    ] == [("altered-field", "created")]


def test_with_variant_is_judged_per_dialect(native: RuleSet) -> None:
    id_type = sa.String(36).with_variant(postgresql.UUID(as_uuid=True), "postgresql")
    op = ops.AddColumnOp("shop", sa.Column("id", id_type, nullable=False))
    assert types_judged(op, native) == []
    assert types_judged(op, native, dialect="sqlite") == [
        err("wrong-type", "shop", "id", "column 'shop.id' is VARCHAR(36), expected UUID"),
    ]


def test_a_type_given_as_a_string_is_judged() -> None:
    from alembic.operations import ops

    from envoxy.migrations.inspector import inspect_op
    from envoxy.rules import load_rules
    from tests.conftest import REPO

    rules = load_rules(REPO / "rules.yaml")
    op = ops.AlterColumnOp("users", "id", modify_type="VARCHAR(20)", existing_type=None)
    assert [(f.rule, f.table, f.field) for f in inspect_op(op, rules)] == [("altered-field", "users", "id")]
    same = ops.AlterColumnOp("users", "id", modify_type="character varying(36)")
    assert inspect_op(same, rules) == []
