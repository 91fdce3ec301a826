"""Checks in ``envoxy check-db`` on a real MariaDB: the documents name each type as MariaDB's DDL
writes it, and the profile's logical types where the stored type matches one."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from tests.conftest import REPO, run_cli

CHECKS = """
checks:
  no-float-money:
    scope: column
    where: {properties: {name: {pattern: "price$"}}}
    require: {properties: {sql_type: {not: {enum: [FLOAT, DOUBLE]}}}}
    message: "money column {column} of {table} is {reason}"
  ids-are-uuids:
    scope: column
    where: {properties: {name: {const: id}}}
    require: {required: [logical_type], properties: {logical_type: {const: uuid}}}
    message: "{table}.{column} is not the profile's uuid"
  keyed:
    scope: table
    require: {properties: {primary_key: {minItems: 1}}}
    message: "table {table} has no primary key"
"""
IDS = {"no-float-money", "ids-are-uuids", "keyed"}


def test_checks_on_mariadb(mysql_database: str, tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    text = (REPO / "rules.yaml").read_text(encoding="utf-8").replace("profile: legacy", "profile: mysql")
    rules.write_text(text + CHECKS, encoding="utf-8")
    engine = sa.create_engine(mysql_database)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "CREATE TABLE shop (id CHAR(36) PRIMARY KEY, price DOUBLE, unit_price DECIMAL(12, 2))"
                )
            )
            conn.execute(sa.text("CREATE TABLE loose (id INT, price FLOAT)"))
    finally:
        engine.dispose()
    result = run_cli("check-db", mysql_database, "--rules", str(rules), "--format", "json")
    assert (result.code, result.err) == (1, "")
    found = json.loads(result.out)["findings"]
    assert [(f["rule"], f["table"], f["field"], f["message"]) for f in found if f["rule"] in IDS] == [
        ("ids-are-uuids", "loose", "id", "loose.id is not the profile's uuid"),
        ("keyed", "loose", None, "table loose has no primary key"),
        (
            "no-float-money",
            "loose",
            "price",
            "money column price of loose is 'FLOAT' should not be valid under {'enum': ['FLOAT', 'DOUBLE']}",
        ),
        (
            "no-float-money",
            "shop",
            "price",
            "money column price of shop is 'DOUBLE' should not be valid under {'enum': ['FLOAT', 'DOUBLE']}",
        ),
    ]
