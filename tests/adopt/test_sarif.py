"""SARIF that survives edits on GitHub code scanning: fingerprints from the logical key (never the
line), ``automationDetails.id`` naming the command, a file location for every result (check-db's
included), and still valid SARIF 2.1.0."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from jsonschema.validators import validator_for

from tests.adopt.service import make_service
from tests.adopt.support import cli, datum, rules_yaml, write_json
from tests.conftest import DATA

SCHEMA = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))  # ../shared/data copy


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVOXY_CACHE_DIR", str(tmp_path / "cache"))


def sarif(cwd: Path, *argv: str) -> dict[str, Any]:
    result = cli(cwd, *argv, "--format", "sarif")
    assert result.code in (0, 1), result.err
    data: dict[str, Any] = json.loads(result.out)
    assert list(validator_for(SCHEMA)(SCHEMA).iter_errors(data)) == []
    for r in data["runs"][0]["results"]:  # what code scanning needs of every result
        assert r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert r["partialFingerprints"]["primaryLocationLineHash"]
    return data


def results(data: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = data["runs"][0]["results"]
    return found


def fingerprinted(data: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {
        (r["ruleId"], r["properties"].get("table", "") + "." + r["properties"].get("field", "")): r[
            "partialFingerprints"
        ]["primaryLocationLineHash"]
        for r in results(data)
    }


def test_fingerprints_keep_their_identity_when_lines_move(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text(rules_yaml(), encoding="utf-8")
    shop = {"datums": [datum("products", "href"), datum("shops", wrong="id")]}
    write_json(tmp_path / "models" / "shop.json", shop)
    before = sarif(tmp_path, "validate")
    assert before["runs"][0]["automationDetails"] == {"id": "envoxy/validate/"}

    moved = {"description": "inserted\nabove", "datums": [datum("first"), *reversed(shop["datums"])]}
    (tmp_path / "models" / "shop.json").write_text("\n\n" + json.dumps(moved, indent=4))
    after = sarif(tmp_path, "validate")
    assert fingerprinted(after) == fingerprinted(before)
    lines = [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results(before)]
    assert lines != [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results(after)]
    # the same run from another directory (paths shown differently) keeps them too
    assert fingerprinted(sarif(tmp_path / "models", "validate", "--rules", "../rules.yaml", ".")) == (
        fingerprinted(before)
    )
    # a different finding has a different fingerprint
    assert len(set(fingerprinted(before).values())) == 2


def test_findings_sharing_a_key_are_numbered(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text(rules_yaml(), encoding="utf-8")
    write_json(tmp_path / "models" / "a.json", {"datums": [datum("t", "href"), datum("t", "href")]})
    marks = [
        r["partialFingerprints"]["primaryLocationLineHash"] for r in results(sarif(tmp_path, "validate"))
    ]
    assert [m.split(":")[1] for m in marks] == ["1", "2"]
    assert marks[0].split(":")[0] == marks[1].split(":")[0]


def test_baselined_findings_are_left_out_and_stale_entries_are_located(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text(rules_yaml(extra="baseline: b.json\n"), encoding="utf-8")
    write_json(tmp_path / "models" / "a.json", datum("a", "href", wrong="id"))
    assert cli(tmp_path, "validate", "--write-baseline").code == 0
    write_json(tmp_path / "models" / "a.json", datum("a", "href"))
    write_json(tmp_path / "models" / "b.json", datum("b", "created"))
    got = [
        (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
        for r in results(sarif(tmp_path, "validate"))
    ]
    assert got == [("stale-baseline", "b.json"), ("missing-field", "models/b.json")]


def test_migrations_runs_are_named_apart(tmp_path: Path) -> None:
    make_service(tmp_path, models=False)
    per_op = sarif(tmp_path, "check-migrations")
    head = sarif(tmp_path, "check-migrations", "--head-state")
    assert per_op["runs"][0]["automationDetails"] == {"id": "envoxy/check-migrations/"}
    assert head["runs"][0]["automationDetails"] == {"id": "envoxy/check-migrations/head-state/"}
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results(per_op)] == [
        "alembic/versions/1a2b3c4d5e6f_users.py",
        "alembic/versions/3c4d5e6f7081_audit_log.py",
        "alembic/versions/3c4d5e6f7081_audit_log.py",
    ]


@pytest.mark.parametrize("own_rules", [True, False])
def test_check_db_results_are_located_at_the_rules_file(tmp_path: Path, own_rules: bool) -> None:
    database = tmp_path / "app.db"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE orders (id VARCHAR(36) PRIMARY KEY NOT NULL, total INTEGER)")
    if own_rules:
        (tmp_path / "config").mkdir()
        (tmp_path / "config" / "rules.yaml").write_text(rules_yaml(paths="[]"), encoding="utf-8")
    argv = ["--rules", "config/rules.yaml"] if own_rules else []
    data = sarif(tmp_path, "check-db", f"sqlite:///{database}", *argv)
    assert data["runs"][0]["automationDetails"] == {"id": "envoxy/check-db/"}
    uri = "config/rules.yaml" if own_rules else "rules.yaml"
    got = [
        (r["ruleId"], r["locations"][0]["physicalLocation"], r["locations"][0]["logicalLocations"][0]["name"])
        for r in results(data)
    ]
    assert got == [
        ("missing-field", {"artifactLocation": {"uri": uri}}, "orders.created"),
        ("missing-field", {"artifactLocation": {"uri": uri}}, "orders.href"),
        ("missing-field", {"artifactLocation": {"uri": uri}}, "orders.updated"),
    ]
    schema = sarif(tmp_path, "check-db", f"sqlite:///{database}", "--schema", "main", *argv)
    assert schema["runs"][0]["automationDetails"] == {"id": "envoxy/check-db/main/"}
