"""The examples of ``examples/checks/examples.yaml`` (those of docs/CHECKS.md), judged by the
engine on the documents a place that knows every fact builds, and on those a model file gives:
each bad example gives exactly its findings, each good one none, and every check has one.
(The places' own tests run the same examples through model files, revisions, the autogenerate
gate and a live database.)"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from envoxy.checks.engine import judge_tables, logical_type_of
from envoxy.rules import load_rules
from envoxy.rules.model import RuleSet
from tests.conftest import REPO

EXAMPLES_DIR = REPO / "examples" / "checks"
EXAMPLES: dict[str, Any] = yaml.safe_load((EXAMPLES_DIR / "examples.yaml").read_text(encoding="utf-8"))
REQUIRED = [
    {"name": "id", "type": "VARCHAR(36)", "nullable": False, "primary_key": True},
    {"name": "created", "type": "TIMESTAMP WITHOUT TIME ZONE", "nullable": False},
    {"name": "updated", "type": "TIMESTAMP WITHOUT TIME ZONE", "nullable": False},
    {"name": "href", "type": "TEXT", "nullable": False},
]


def _rules(file: str) -> RuleSet:
    return load_rules(EXAMPLES_DIR / file)


def full_documents(rules: RuleSet, tables: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Table documents as a migration history or a database gives them: every fact."""
    out = []
    for t in tables:
        columns = [*(REQUIRED if t.get("required", True) else []), *t["columns"]]
        docs = []
        for c in columns:
            doc = {
                "name": c["name"],
                "table": t["name"],
                "sql_type": c["type"],
                "nullable": c.get("nullable", True) and not c.get("primary_key", False),
                "primary_key": c.get("primary_key", False),
            }
            logical = logical_type_of(rules, c["type"])
            if logical is not None:
                doc["logical_type"] = logical
            docs.append(doc)
        out.append(
            {
                "name": t["name"],
                "schema": None,
                "columns": docs,
                "primary_key": t.get("primary_key", [c["name"] for c in columns if c.get("primary_key")]),
                "indexes": [
                    {"name": i.get("name"), "columns": i["columns"], "unique": i.get("unique", False)}
                    for i in t.get("indexes", [])
                ],
                "foreign_keys": [
                    {"name": None, "referred_schema": None, **fk} for fk in t.get("foreign_keys", [])
                ],
            }
        )
    return out


def model_documents(tables: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Table documents as a model file gives them: names only."""
    return [
        {
            "name": t["name"],
            "columns": [
                {"name": c["name"], "table": t["name"]}
                for c in [*(REQUIRED if t.get("required", True) else []), *t["columns"]]
            ],
        }
        for t in tables
    ]


def test_every_check_has_an_example() -> None:
    ids = {c.id for file in ("rules.yaml", "peers.yaml") for c in _rules(file).checks}
    assert ids == set(EXAMPLES)
    assert {e["file"] for e in EXAMPLES.values()} == {"rules.yaml", "peers.yaml"}


@pytest.mark.parametrize("check_id", sorted(EXAMPLES))
@pytest.mark.parametrize("target", ["db", "models"])
def test_example(check_id: str, target: str) -> None:
    example = EXAMPLES[check_id]
    rules = _rules(example["file"])
    check = rules.check(check_id)

    def found(tables: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
        docs = full_documents(rules, tables) if target == "db" else model_documents(tables)
        return sorted(
            (v.table, v.column)
            for v in judge_tables(rules, target, docs)  # type: ignore[arg-type]
            if v.check == check_id
        )

    expected = sorted((f["table"], f["column"]) for f in example["findings"])
    if not check.runs_in(target):  # type: ignore[arg-type]
        expected = []
    assert found(example["bad"]) == expected
    assert found(example["good"]) == []
    if target == "db":
        assert expected  # every example fails where every fact is known
