"""MySQL and MariaDB without a server: the mysql profile, the rules each dialect can keep, the
gate judging ops as those servers store them, and the URLs and driver check-db takes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.operations import ops
from sqlalchemy.dialects import mysql

from envoxy.live.reflect import parse_url
from envoxy.migrations.inspector import inspect_ops
from envoxy.rules import load_rules
from envoxy.rules.artifacts import column_specs
from envoxy.rules.dialect_fit import RulesUnfitError, Unkept, check_rules_fit, unkept_columns
from envoxy.sqltypes import DIALECTS
from envoxy.sqltypes.alchemy import sqlalchemy_dialect
from envoxy.sqltypes.dialects import dialect_name
from envoxy.tools.alembic_hooks import EnvoxyHookError, check_autogenerate_revision
from tests.conftest import REPO

SHIPPED = REPO / "rules.yaml"
MIXIN_TIMESTAMP = 'sa.DateTime(timezone=False).with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")'


def test_the_mysql_profile(mysql_rules: Path) -> None:
    """CHAR(36) ids, DATETIME(6) timestamps (as PostgreSQL names it, TIMESTAMP(6)), TEXT hrefs."""
    rules = load_rules(mysql_rules)
    specs = column_specs(rules)
    assert specs["profile"] == "mysql"
    assert [(c["name"], c["sql"], c["ddl"], c["sqlalchemy"]) for c in specs["columns"]] == [
        (
            "id",
            "CHAR(36)",
            {"postgresql": "CHAR(36)", "sqlite": "CHAR(36)", "mysql": "CHAR(36)"},
            "sa.CHAR(36)",
        ),
        *(
            (
                name,
                "TIMESTAMP(6) WITHOUT TIME ZONE",
                {
                    "postgresql": "TIMESTAMP(6) WITHOUT TIME ZONE",
                    "sqlite": "DATETIME",
                    "mysql": "DATETIME(6)",
                },
                MIXIN_TIMESTAMP,
            )
            for name in ("created", "updated")
        ),
        ("href", "TEXT", {"postgresql": "TEXT", "sqlite": "TEXT", "mysql": "TEXT"}, "sa.Text()"),
    ]
    model = json.loads(rules.model_schema_json)
    assert model["$defs"]["field-id"]["x-envoxy-column"]["sql"] == "CHAR(36)"


NATIVE_UNKEPT = (
    Unkept(
        sql="TIMESTAMP WITH TIME ZONE",
        fields=("created", "updated"),
        why=DIALECTS["mysql"].unkept["TIMESTAMP WITH TIME ZONE"],
    ),
)


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
@pytest.mark.parametrize("profile", ["legacy", "native", "mysql"])
def test_which_rules_a_dialect_can_keep(
    profile: str, dialect: str, native_rules: Path, mysql_rules: Path
) -> None:
    rules = load_rules({"legacy": SHIPPED, "native": native_rules, "mysql": mysql_rules}[profile])
    unkept = NATIVE_UNKEPT if (profile, dialect) in {("native", "mysql"), ("native", "mariadb")} else ()
    assert unkept_columns(rules, dialect) == unkept
    if unkept:
        with pytest.raises(RulesUnfitError) as raised:
            check_rules_fit(rules, dialect)
        assert str(raised.value).startswith(
            f"the rules of {native_rules} (profile native) cannot apply to a {dialect} database: created, "
            f"updated are TIMESTAMP WITH TIME ZONE, and {dialect} has no timestamp that keeps one: "
        )
    else:
        check_rules_fit(rules, dialect)


def test_a_custom_profile_is_judged_by_its_types(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "version: 1\nprofile: mine\nprofiles:\n  mine:\n    base: legacy\n    types:\n"
        "      clock: {sql: TIME WITH TIME ZONE, json: {type: string}}\n"
        "fields:\n  id: {type: uuid, primary_key: true, value: uuid4}\n  at: {type: clock}\n",
        encoding="utf-8",
    )
    assert unkept_columns(load_rules(rules), "mariadb") == (
        Unkept(sql="TIME WITH TIME ZONE", fields=("at",), why="has no time of day that keeps a time zone"),
    )


def create_shop(*columns: sa.Column[Any]) -> ops.UpgradeOps:
    return ops.UpgradeOps(ops=[ops.CreateTableOp("shop", list(columns))])


def mixin_columns(created: sa.types.TypeEngine[Any]) -> list[sa.Column[Any]]:
    return [
        sa.Column("id", sa.CHAR(36), primary_key=True),
        sa.Column("created", created, nullable=False),
        sa.Column(
            "updated",
            sa.DateTime(timezone=False).with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"),
            nullable=False,
        ),
        sa.Column("href", sa.Text(), nullable=False),
    ]


@pytest.mark.parametrize(
    ("created", "said"),
    [
        (sa.DateTime(timezone=False).with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"), None),
        (mysql.DATETIME(fsp=6), None),
        (sa.DateTime(), "column 'shop.created' is DATETIME, expected DATETIME(6)"),
        (sa.DateTime(timezone=True), "column 'shop.created' is DATETIME, expected DATETIME(6)"),
        (mysql.TIMESTAMP(fsp=6), "column 'shop.created' is TIMESTAMP(6), expected DATETIME(6)"),
        (sa.TIMESTAMP(), "column 'shop.created' is TIMESTAMP, expected DATETIME(6)"),
    ],
)
@pytest.mark.parametrize("dialect", ["mysql", "mariadb"])
def test_the_gate_judges_timestamps_as_mysql_stores_them(
    created: sa.types.TypeEngine[Any], said: str | None, dialect: str, mysql_rules: Path
) -> None:
    """A DATETIME keeps no fractional seconds, a TIMESTAMP converts through the session's time
    zone: neither is the DATETIME(6) profile mysql asks for."""
    found = inspect_ops([create_shop(*mixin_columns(created))], load_rules(mysql_rules), dialect=dialect)
    assert [(f.rule, f.field, f.message) for f in found] == (
        [] if said is None else [("wrong-type", "created", said)]
    )


def test_the_gate_refuses_rules_mariadb_cannot_keep(native_rules: Path) -> None:
    directives = create_shop(sa.Column("id", sa.Uuid(), primary_key=True))
    with pytest.raises(EnvoxyHookError) as raised:
        check_autogenerate_revision(directives, rules=native_rules, dialect="mariadb")
    assert str(raised.value).startswith(
        f"envoxy: cannot check the revision: the rules of {native_rules} (profile native) cannot apply "
        "to a mariadb database: created, updated are TIMESTAMP WITH TIME ZONE"
    )
    # on PostgreSQL the same rules judge the ops: a conforming table passes
    native_shop = create_shop(
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("href", sa.Text(), nullable=False),
    )
    assert check_autogenerate_revision(native_shop, rules=native_rules, dialect="postgresql") == []


def test_a_mariadb_server_is_known_through_a_mysql_url() -> None:
    """SQLAlchemy names the dialect of mysql:// ``mysql`` and tells MariaDB apart on connecting."""
    plain = sqlalchemy_dialect("mysql")
    assert plain is not None
    assert dialect_name(plain) == "mysql"
    assert dialect_name(sqlalchemy_dialect("mariadb")) == "mariadb"
    connected: Any = mysql.dialect()  # a fresh one: no driver needed
    connected.is_mariadb = True  # what initialize() sets on meeting a MariaDB server
    assert dialect_name(connected) == "mariadb"
    assert dialect_name(None) == "postgresql"


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("mysql://root@127.0.0.1:3306/db", "mysql+pymysql://root@127.0.0.1:3306/db"),
        ("mariadb://root@127.0.0.1/db", "mariadb+pymysql://root@127.0.0.1/db"),
        ("mysql+pymysql://root@h/db", "mysql+pymysql://root@h/db"),
        ("mysql+mysqldb://root@h/db", "mysql+mysqldb://root@h/db"),
        ("mariadb+mariadbconnector://root@h/db", "mariadb+mariadbconnector://root@h/db"),
    ],
)
def test_a_url_naming_no_driver_uses_pymysql(given: str, used: str) -> None:
    assert parse_url(given).render_as_string(hide_password=False) == used


def check_db_without(module: str, url: str) -> subprocess.CompletedProcess[str]:
    """``envoxy check-db URL`` in a process where ``module`` cannot be imported."""
    code = (
        f"import sys; sys.modules[{module!r}] = None; from envoxy.cli import main; "
        f"raise SystemExit(main(['check-db', {url!r}]))"
    )
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize(
    ("module", "url", "said"),
    [
        (
            "pymysql",
            "mysql://root:pw-s3cret-x@127.0.0.1:1/db",
            "envoxy: the driver for 'mysql+pymysql' is not installed: import of pymysql halted; None in "
            "sys.modules (pip install 'envoxy[mysql]')\n",
        ),
        (
            "pymysql",
            "mariadb://root@127.0.0.1:1/db",
            "envoxy: the driver for 'mariadb+pymysql' is not installed: import of pymysql halted; None in "
            "sys.modules (pip install 'envoxy[mysql]')\n",
        ),
        (
            "MySQLdb",
            "mysql+mysqldb://root@127.0.0.1:1/db",
            "envoxy: the driver for 'mysql+mysqldb' is not installed: import of MySQLdb halted; None in "
            "sys.modules\n",
        ),
    ],
)
def test_a_missing_driver_names_the_extra(module: str, url: str, said: str) -> None:
    done = check_db_without(module, url)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", said)
