"""Peers' rule sets as the coverage test: schemalint's and squawk's rules written as checks, a
history of hand-written revisions building a schema that breaks and keeps each, ``alembic upgrade
head`` on a fresh PostgreSQL schema, then ``check-db`` and ``check-migrations --head-state``
(and per op) give the same verdicts, the expected ones."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.checks_places.examples import PEERS, checks_yaml
from tests.checks_places.places import (
    alembic_project,
    check_findings,
    json_findings,
    native_rules_text,
    revision_source,
)
from tests.conftest import postgres_schema, run_cli
from tests.migrations.alembic_projects import Project

pytestmark = pytest.mark.slow

IDS = {e.id for e in PEERS}
EXPECTED = {(e.id, table, column) for e in PEERS for table, column in e.expected}


@dataclass
class Verdicts:
    per_op: str
    head: str
    db: str


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Verdicts]:
    root = tmp_path_factory.mktemp("peers") / "project"
    alembic_project(root)
    rules = root / "rules.yaml"
    rules.write_text(native_rules_text(checks_yaml(PEERS)), encoding="utf-8")
    versions = root / "alembic" / "versions"
    (root / "models.py").write_text("import sqlalchemy as sa\n\nmetadata = sa.MetaData()\n", encoding="utf-8")
    bad = tuple(t for e in PEERS for t in e.bad)
    good = tuple(t for e in PEERS for t in e.good)
    (versions / "p1_bad.py").write_text(revision_source("p1", None, bad), encoding="utf-8")
    (versions / "p2_good.py").write_text(revision_source("p2", "p1", good), encoding="utf-8")
    with postgres_schema() as schema:
        project = Project(root, schema.url, rules)
        upgraded = project.alembic("upgrade", "head")
        assert upgraded.returncode == 0, upgraded.stderr
        per_op = project.check_migrations("--format", "json")
        head = project.check_migrations("--format", "json", "--head-state")
        db = run_cli("check-db", schema.url, "--rules", str(rules), "--format", "json")
        yield Verdicts(per_op.stdout, head.stdout, db.out)


def test_check_db_finds_exactly_the_peers_verdicts(verdicts: Verdicts) -> None:
    assert check_findings(verdicts.db, IDS) == EXPECTED
    assert {f["rule"] for f in json_findings(verdicts.db)} <= IDS


def test_the_history_gives_the_same_verdicts(verdicts: Verdicts) -> None:
    assert check_findings(verdicts.head, IDS) == EXPECTED
    assert check_findings(verdicts.per_op, IDS) == EXPECTED
    said = {(f["rule"], f["table"], f["field"]): f["message"] for f in json_findings(verdicts.db)}
    assert {(f["rule"], f["table"], f["field"]): f["message"] for f in json_findings(verdicts.head)} == said


def test_every_peer_rule_is_covered() -> None:
    assert (
        {
            "name-casing",
            "prefer-jsonb-to-json",
            "prefer-text-to-varchar",
            "prefer-timestamptz-to-timestamp",
            "index-referencing-column",
            "prefer-bigint-over-int",
            "ban-char-field",
        }
        == IDS
        == IDS
    )
