"""``envoxy explain ID`` and ``--list`` for the checks of rules.yaml, and SARIF's rules from the
check's description."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import REPO, run_cli

EXAMPLE_RULES = REPO / "examples" / "checks" / "rules.yaml"

EXPLAINED = """\
money-not-float (error by default): Money columns (price, amount, cost, total, balance, fee) are
  NUMERIC or integer cents, never REAL or DOUBLE PRECISION, whose binary fractions cannot hold 0.10
  exactly.
Defined in rules.yaml:37:3.
Reported by envoxy check-migrations, envoxy check-db (in revision scripts, live databases).
Skipped in model files: it reads sql_type, which a model file does not state (its declarations give
  names and a logical type, not SQL types, nullability, keys or indexes).

What it checks
  Money columns (price, amount, cost, total, balance, fee) are NUMERIC or integer cents, never REAL
    or DOUBLE PRECISION, whose binary fractions cannot hold 0.10 exactly.
  Each column matching `{"properties": {"name": {"pattern":
    "(^|_)(price|amount|cost|total|balance|fee)(_|$)"}}, "required": ["name"]}` must satisfy
    `{"properties": {"sql_type": {"not": {"pattern": "^(REAL|FLOAT|DOUBLE)"}}}}`.
  Message: column {column} of {table} holds money as a binary floating-point number

How to exempt or baseline it
  To let one table go unjudged, exempt it in rules.yaml with a reason: `exemptions: {TABLE: {checks:
    [money-not-float], reason: ...}}`. A `scope: exclude:` glob leaves tables out of every rule.
  To change its severity: `severity: {money-not-float: warning}` (or `off`) in rules.yaml.
  To accept today's findings and fail only on new ones, record them in the baseline with
    --write-baseline (error findings only; see docs/ADOPTING.md).
"""


def test_explain_a_check(tmp_path: Path) -> None:
    shutil.copy(EXAMPLE_RULES, tmp_path / "rules.yaml")
    result = run_cli("explain", "money-not-float", cwd=tmp_path)
    assert (result.code, result.err) == (0, "")
    assert result.out == EXPLAINED


def test_explain_says_where_a_builtin_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text(
        "version: 1\nchecks:\n  fk-indexed: {builtin: foreign-key-index, targets: [models, db]}\n"
    )
    out = run_cli("explain", "fk-indexed", cwd=tmp_path).out
    assert "Reported by envoxy check-db (in live databases).\n" in out
    assert "Skipped in model files: it reads foreign_keys, indexes, primary_key, which a model file" in out
    assert "Not run in revision scripts (targets: models, db).\n" in out
    assert "Built-in check foreign-key-index (defaults), judged on each table." in out


def test_list_and_unknown_ids(tmp_path: Path) -> None:
    shutil.copy(EXAMPLE_RULES, tmp_path / "rules.yaml")
    listed = run_cli("explain", "--list", cwd=tmp_path).out.splitlines()
    ids = [line.split()[0] for line in listed]
    assert ids == sorted(ids)
    assert "soft-delete-nullable" in ids and "missing-field" in ids
    assert (
        "snake-case-columns     (rules.yaml check) Column names are snake_case (lower-case letters, digits "
        "and underscores, starting with a letter), so they never need quoting in SQL."
    ) in listed
    typo = run_cli("explain", "snake-case-colums", cwd=tmp_path)
    assert typo.code == 2
    assert typo.err == (
        "envoxy: unknown rule 'snake-case-colums'; did you mean 'snake-case-columns' or "
        "'snake-case-tables'? ('envoxy explain --list' lists every rule)\n"
    )
    # without a rules file only the catalogue is listed, and nothing is said about the shipped rules
    bare = run_cli("explain", "--list", cwd=tmp_path / "..")
    assert "snake-case-columns" not in bare.out and bare.err == ""


def test_sarif_rules_carry_the_check_description(tmp_path: Path) -> None:
    shutil.copy(EXAMPLE_RULES, tmp_path / "rules.yaml")
    (tmp_path / "m.json").write_text(
        '{"table": "t", "fields": {"id": {}, "created": {}, "updated": {}, "href": {}}}'
    )
    sarif = json.loads(run_cli("validate", "m.json", "--format", "sarif", cwd=tmp_path).out)
    rules = {r["id"]: r for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    rule = rules["soft-delete-nullable"]
    assert rule["shortDescription"] == {
        "text": "A soft-delete column deleted_at, where a table has one, is nullable: "
        "NULL means the row is live."
    }
    assert rule["fullDescription"] == rule["shortDescription"]
    assert rule["defaultConfiguration"] == {"level": "error"}
    assert rule["help"]["text"].startswith("soft-delete-nullable (error by default): A soft-delete column")
    assert "missing-field" in rules  # the catalogue's rules stay


def test_sarif_with_checks_is_valid_sarif(tmp_path: Path) -> None:
    from jsonschema import Draft7Validator

    from tests.conftest import DATA

    (tmp_path / "rules.yaml").write_text(
        EXAMPLE_RULES.read_text(encoding="utf-8") + "severity: {table-names-casefold: 'off'}\n",
        encoding="utf-8",
    )
    (tmp_path / "m.json").write_text('{"table": "Bad", "fields": {"id": {}, "Col": {}}}')
    result = run_cli("validate", "m.json", "--format", "sarif", cwd=tmp_path)
    sarif = json.loads(result.out)
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    assert sorted(Draft7Validator(schema).iter_errors(sarif), key=str) == []
    run = sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    by_id = {r["id"]: r for r in rules}
    assert by_id["table-names-casefold"]["defaultConfiguration"] == {"level": "error"}
    results = {(r["ruleId"], rules[r["ruleIndex"]]["id"]) for r in run["results"]}
    assert ("snake-case-columns", "snake-case-columns") in results
    assert ("snake-case-tables", "snake-case-tables") in results
