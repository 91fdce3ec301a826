"""``checks:`` in rules.yaml: compiled form, ``extends`` (a child replaces a check by id),
``severity:`` and exemptions by check id, and the rules cache."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from envoxy.checks.model import Check
from envoxy.rules import load_rules
from envoxy.rules.cache import load_rules_cached

BASE = """\
version: 1
checks:
  snake-case-columns:
    scope: column
    where: {properties: {name: {not: {pattern: "^legacy_"}}}}
    require: {properties: {name: {pattern: "^[a-z][a-z0-9_]*$"}}}
    message: "column {column} of {table} is not snake_case"
    description: Column names are snake_case.
  pk-present:
    scope: table
    require: {properties: {primary_key: {minItems: 1}}}
    targets: [db]
  fk-indexed: {builtin: foreign-key-index, parameters: {primary_key: false}}
"""


def test_compiled_form(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text(BASE, encoding="utf-8")
    rules = load_rules(tmp_path / "rules.yaml")
    assert rules.checks == (
        Check(
            id="snake-case-columns",
            scope="column",
            require_json='{"properties": {"name": {"pattern": "^[a-z][a-z0-9_]*$"}}}',
            where_json='{"properties": {"name": {"not": {"pattern": "^legacy_"}}}}',
            message="column {column} of {table} is not snake_case",
            description="Column names are snake_case.",
            needs=frozenset({"name"}),
            path=str(tmp_path / "rules.yaml"),
            line=3,
            column=3,
        ),
        Check(
            id="pk-present",
            scope="table",
            require_json='{"properties": {"primary_key": {"minItems": 1}}}',
            message="table {table} fails check pk-present: {reason}",
            targets=("db",),
            needs=frozenset({"primary_key"}),
            path=str(tmp_path / "rules.yaml"),
            line=9,
            column=3,
        ),
        Check(
            id="fk-indexed",
            scope="table",
            message="foreign key ({columns}) of {table} to {referred_table} is not covered by an index",
            description=rules.checks[2].description,
            builtin="foreign-key-index",
            parameters=(("primary_key", False),),
            needs=frozenset({"foreign_keys", "indexes", "primary_key"}),
            path=str(tmp_path / "rules.yaml"),
            line=13,
            column=3,
        ),
    )
    assert rules.checks[2].description.startswith("Every foreign key's columns lead some index")
    assert rules.checks[0].skipped_in() == {}
    assert rules.checks[2].skipped_in() == {"models": ("foreign_keys", "indexes", "primary_key")}


def test_extends_replaces_a_check_by_id_and_severity_takes_ids(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(BASE, encoding="utf-8")
    (tmp_path / "rules.yaml").write_text(
        "version: 1\nextends: base.yaml\n"
        "severity: {pk-present: 'off', own-check: warning}\n"
        "checks:\n"
        "  snake-case-columns:\n"
        "    scope: column\n"
        "    require: {properties: {name: {maxLength: 30}}}\n"
        "  fk-indexed: null\n"
        "  own-check: {scope: table, require: true}\n",
        encoding="utf-8",
    )
    rules = load_rules(tmp_path / "rules.yaml")
    assert [c.id for c in rules.checks] == ["snake-case-columns", "pk-present", "own-check"]
    child = rules.check("snake-case-columns")
    assert (child.where_json, child.require_json) == (None, '{"properties": {"name": {"maxLength": 30}}}')
    assert child.path == str(tmp_path / "rules.yaml")
    assert rules.severity("pk-present") == "off"
    assert rules.severity("own-check") == "warning"
    assert rules.severity("snake-case-columns") == "error"
    assert rules.severity("missing-field") == "error"


def test_exemption_by_check(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text(
        BASE + "exemptions:\n  legacy:\n    checks: [pk-present]\n    reason: no key yet\n", encoding="utf-8"
    )
    rules = load_rules(tmp_path / "rules.yaml")
    exemption = rules.exemption("legacy")
    assert exemption is not None
    assert (exemption.fields, exemption.checks) == (frozenset(), frozenset({"pk-present"}))
    # the required fields stay required
    assert [c.name for c in rules.required_columns("legacy")] == ["id", "created", "updated", "href"]


def test_checks_survive_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVOXY_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "rules.yaml").write_text(BASE, encoding="utf-8")
    first = load_rules_cached(tmp_path / "rules.yaml")
    again = load_rules_cached(tmp_path / "rules.yaml")
    assert first is not again
    assert again.checks == first.checks
    assert pickle.loads(pickle.dumps(first)).checks == first.checks
