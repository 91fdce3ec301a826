"""judge_tables: exact verdicts, skipping on absent facts, scope, exemptions, severities, the
built-ins, ``only``, and the memo."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from envoxy.checks.engine import Verdict, compiled_checks, judge_tables, logical_type_of
from envoxy.rules import load_rules
from envoxy.rules.model import RuleSet

RULES = """\
version: 1
exemptions:
  legacy_Thing:
    checks: [snake-case-columns]
    reason: named before the convention
severity:
  pk-present: warning
checks:
  snake-case-columns:
    scope: column
    where: {properties: {name: {not: {pattern: "^legacy_"}}}}
    require: {properties: {name: {pattern: "^[a-z][a-z0-9_]*$"}}}
    message: "column {column} of {table} is not snake_case ({reason})"
  pk-present:
    scope: table
    require: {properties: {primary_key: {minItems: 1}}}
    message: "table {table} has no primary key"
    description: Every table has a primary key.
  money-not-float:
    scope: column
    where: {required: [name], properties: {name: {pattern: "(price|amount)"}}}
    require: {properties: {sql_type: {not: {pattern: "^(REAL|DOUBLE|FLOAT)"}}}}
    message: "column {column} of {table} holds money as {reason}"
    targets: [migrations, db]
  fk-columns-indexed: {builtin: foreign-key-index}
  names-casefold: {builtin: unique-table-names-casefold, severity: warning}
"""


def rules_from(tmp_path: Path, text: str) -> RuleSet:
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    return load_rules(path)


@pytest.fixture
def rules(tmp_path: Path) -> RuleSet:
    return rules_from(tmp_path, RULES)


def column(table: str, name: str, sql: str, *, nullable: bool = True, pk: bool = False) -> dict[str, Any]:
    return {"name": name, "table": table, "sql_type": sql, "nullable": nullable, "primary_key": pk}


def table(name: str, *columns: dict[str, Any], schema: str | None = None, **facts: Any) -> dict[str, Any]:
    doc = {
        "name": name,
        "schema": schema,
        "columns": list(columns),
        "primary_key": [],
        "indexes": [],
        "foreign_keys": [],
    }
    doc.update(facts)
    return doc


def test_every_kind_of_verdict(rules: RuleSet) -> None:
    orders = table(
        "Orders",
        column("Orders", "id", "VARCHAR(36)", nullable=False, pk=True),
        column("Orders", "BadName", "TEXT"),
        column("Orders", "legacy_Name", "TEXT"),
        column("Orders", "price", "DOUBLE PRECISION"),
        foreign_keys=[
            {
                "name": None,
                "columns": ["user_id"],
                "referred_schema": None,
                "referred_table": "users",
                "referred_columns": ["id"],
            },
            {
                "name": None,
                "columns": ["shop_id", "id"],
                "referred_schema": None,
                "referred_table": "shops",
                "referred_columns": ["a", "b"],
            },
        ],
        indexes=[{"name": "ix", "columns": ["id", "shop_id", "x"], "unique": False}],
    )
    lower = table("orders", schema="sales", primary_key=["id"])
    same = table("orders")
    assert judge_tables(rules, "db", [orders, lower, same]) == [
        Verdict(
            check="snake-case-columns",
            severity="error",
            schema=None,
            table="Orders",
            column="BadName",
            message="column BadName of Orders is not snake_case "
            "('BadName' does not match '^[a-z][a-z0-9_]*$')",
        ),
        Verdict(
            check="pk-present",
            severity="warning",
            schema=None,
            table="Orders",
            column=None,
            message="table Orders has no primary key",
        ),
        Verdict(
            check="pk-present",
            severity="warning",
            schema=None,
            table="orders",
            column=None,
            message="table orders has no primary key",
        ),
        Verdict(
            check="money-not-float",
            severity="error",
            schema=None,
            table="Orders",
            column="price",
            message="column price of Orders holds money as 'DOUBLE PRECISION' should not be valid "
            "under {'pattern': '^(REAL|DOUBLE|FLOAT)'}",
        ),
        Verdict(
            check="fk-columns-indexed",
            severity="error",
            schema=None,
            table="Orders",
            column="user_id",
            message="foreign key (user_id) of Orders to users is not covered by an index",
        ),
        Verdict(
            check="names-casefold",
            severity="warning",
            schema=None,
            table="Orders",
            column=None,
            message="table Orders differs from orders only in case",
        ),
        Verdict(
            check="names-casefold",
            severity="warning",
            schema=None,
            table="orders",
            column=None,
            message="table orders differs from Orders only in case",
        ),
    ]


def test_only_limits_the_verdicts_not_what_builtins_compare(rules: RuleSet) -> None:
    found = judge_tables(
        rules,
        "db",
        [table("Orders", primary_key=["id"]), table("orders", primary_key=["id"])],
        only={(None, "orders")},
    )
    assert [(v.check, v.table) for v in found] == [("names-casefold", "orders")]


def test_an_absent_fact_skips_the_check(rules: RuleSet) -> None:
    # a model datum: names only, no SQL types, no keys
    datum = {
        "name": "orders",
        "columns": [{"name": "Price", "table": "orders"}, {"name": "price", "table": "orders"}],
    }
    assert [(v.check, v.column) for v in judge_tables(rules, "models", [datum])] == [
        ("snake-case-columns", "Price")
    ]
    # the same place judging a document lacking a fact it usually knows (an op that does not say)
    partial = table("t", {"name": "price", "table": "t"}, primary_key=["id"])
    assert [(v.check, v.column) for v in judge_tables(rules, "db", [partial])] == []


def test_scope_and_exemptions(tmp_path: Path) -> None:
    rules = rules_from(tmp_path, RULES + "scope:\n  exclude: [tmp_*]\n")
    docs = [
        table("tmp_x", column("tmp_x", "Bad", "TEXT"), primary_key=["Bad"]),
        table("legacy_Thing", column("legacy_Thing", "Bad", "TEXT"), primary_key=["Bad"]),
    ]
    # tmp_x is out of scope; legacy_Thing is exempt from the one check, its name is still judged
    assert judge_tables(rules, "db", docs) == []
    docs.append(table("x", column("x", "Bad", "TEXT"), primary_key=["Bad"]))
    assert [(v.check, v.table) for v in judge_tables(rules, "db", docs)] == [("snake-case-columns", "x")]


def test_severity_off_and_targets(tmp_path: Path) -> None:
    rules = rules_from(tmp_path, RULES.replace("pk-present: warning", "pk-present: off"))
    assert [c.id for c in compiled_checks(rules, "db")] == [
        "snake-case-columns",
        "money-not-float",
        "fk-columns-indexed",
        "names-casefold",
    ]
    assert [c.id for c in compiled_checks(rules, "models")] == ["snake-case-columns", "names-casefold"]


def test_verdicts_are_remembered(rules: RuleSet) -> None:
    check = compiled_checks(rules, "db")[0]
    docs = [table(f"t{i}", column(f"t{i}", "Bad", "TEXT"), primary_key=["Bad"]) for i in range(50)]
    found = judge_tables(rules, "db", docs)
    assert len([v for v in found if v.check == "snake-case-columns"]) == 50
    assert list(check.memo) == ["Bad"]  # judged once: the check reads only the name, its key


def test_logical_type_of(rules: RuleSet, tmp_path: Path) -> None:
    assert logical_type_of(rules, "VARCHAR(36)") == "uuid"
    assert logical_type_of(rules, "character varying(36)") == "uuid"
    assert logical_type_of(rules, "TEXT") == "text"
    assert logical_type_of(rules, "TIMESTAMP WITHOUT TIME ZONE") == "timestamp"
    assert logical_type_of(rules, "INTEGER") is None
    assert logical_type_of(rules, "not a type((") is None
    assert logical_type_of(rules, None) is None
    native = rules_from(tmp_path, RULES + "profile: native\n")
    assert logical_type_of(native, "UUID") == "uuid"
    assert logical_type_of(native, "VARCHAR(36)") is None


def test_no_checks_cost_nothing(tmp_path: Path) -> None:
    rules = rules_from(tmp_path, "version: 1\n")
    assert rules.checks == ()
    assert judge_tables(rules, "db", [table("Bad Name")]) == []


names = st.text(alphabet="abAB_1 -", min_size=1, max_size=6)


@settings(max_examples=100, deadline=None)
@given(
    st.booleans(),
    st.sampled_from(["table", "column"]),
    st.lists(st.lists(names, max_size=4), min_size=1, max_size=4),
)
def test_require_true_finds_nothing_false_one_per_node(
    tmp_path_factory: Any, verdict: bool, scope: str, shape: list[list[str]]
) -> None:
    path = tmp_path_factory.mktemp("r") / "rules.yaml"
    path.write_text(
        "version: 1\nscope: {exclude: []}\nchecks:\n  c:\n"
        f"    scope: {scope}\n    require: {str(verdict).lower()}\n",
        encoding="utf-8",
    )
    rules = load_rules(path)
    docs: list[dict[str, Any]] = [
        {"name": f"t{i}", "columns": [{"name": n, "table": f"t{i}"} for n in cols]}
        for i, cols in enumerate(shape)
    ]
    found = judge_tables(rules, "models", docs)
    if verdict:
        assert found == []
    elif scope == "table":
        assert [(v.table, v.column) for v in found] == [(d["name"], None) for d in docs]
    else:
        assert [(v.table, v.column) for v in found] == [
            (d["name"], c["name"]) for d in docs for c in d["columns"]
        ]


def test_names_in_messages_are_escaped_and_cut(rules: RuleSet) -> None:
    long_name = "X" * 300
    found = judge_tables(
        rules,
        "db",
        [table("t", column("t", long_name, "TEXT"), column("t", "a\nB", "TEXT"), primary_key=["a"])],
    )
    messages = [v.message for v in found if v.check == "snake-case-columns"]
    assert messages[0].startswith(f"column {'X' * 100}… of t is not snake_case ('{'X' * 47}")
    assert messages[1] == "column a\\nB of t is not snake_case ('a\\nB' does not match '^[a-z][a-z0-9_]*$')"
    assert [v.column for v in found if v.check == "snake-case-columns"] == [long_name, "a\nB"]


def test_a_builtins_where_is_skipped_like_any_check(tmp_path: Path) -> None:
    rules = rules_from(
        tmp_path,
        "version: 1\nchecks:\n  folded:\n    builtin: unique-table-names-casefold\n"
        "    where: {required: [primary_key], properties: {primary_key: {minItems: 1}}}\n",
    )
    assert rules.check("folded").skipped_in() == {"models": ("primary_key",)}
    keyed = [table("Orders", primary_key=["id"]), table("orders", primary_key=["id"]), table("ORDERS")]
    assert [v.table for v in judge_tables(rules, "db", keyed)] == ["Orders", "orders"]
    assert (
        judge_tables(rules, "models", [{"name": "Orders", "columns": []}, {"name": "orders", "columns": []}])
        == []
    )
