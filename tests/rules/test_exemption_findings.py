"""Expired and unused exemptions are judged by every command alike: ``validate``,
``check-migrations`` with and without ``--head-state``, and ``check-db`` give the same findings
(rule, message, place), each in the rules file that declared the exemption, and judge unused
ones only when the run saw its whole surface."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.conftest import run_cli

BASE = """\
version: 1
exemptions:
  old_audit:
    fields: [href]
    reason: Append-only audit log.
    until: 2020-01-31
  removed_table:
    fields: [href]
    reason: Dropped last year.
"""
RULES = """\
version: 1
extends: org/base.yaml
exemptions:
  kept: {fields: [href], reason: Served by the old API.}
"""
REVISION = """\
import sqlalchemy as sa
from alembic import op

revision = {rev!r}
down_revision = {down!r}


def upgrade():
{body}
"""
TABLE = """\
op.create_table(
    {name!r},
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("created", sa.DateTime(), nullable=False),
    sa.Column("updated", sa.DateTime(), nullable=False),
)
"""
FIELDS = {
    "id": {"type": "string", "format": "uuid"},
    "created": {"type": "string", "format": "date-time"},
    "updated": {"type": "string", "format": "date-time"},
}


def revision(versions: Path, rev: str, down: str | None, tables: list[str]) -> None:
    body = "".join(TABLE.format(name=t) for t in tables) or "pass\n"
    text = REVISION.format(rev=rev, down=down, body=textwrap.indent(body, "    "))
    (versions / f"{rev}_rev.py").write_text(text, encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The tables ``kept`` and ``old_audit`` (without href, as their exemptions allow) as model
    files, as a revision history and as a SQLite database; ``removed_table`` nowhere."""
    (tmp_path / "org").mkdir()
    (tmp_path / "org" / "base.yaml").write_text(BASE, encoding="utf-8")
    (tmp_path / "rules.yaml").write_text(RULES, encoding="utf-8")
    (tmp_path / "models").mkdir()
    for name in ("kept", "old_audit"):
        datum = {"table": name, "fields": FIELDS}
        (tmp_path / "models" / f"{name}.json").write_text(json.dumps(datum), encoding="utf-8")
    versions = tmp_path / "versions"
    versions.mkdir()
    revision(versions, "a1", None, ["kept"])
    revision(versions, "a2", "a1", ["old_audit"])
    metadata = sa.MetaData()
    for name in ("kept", "old_audit"):
        sa.Table(
            name,
            metadata,
            sa.Column("id", sa.String(36), primary_key=True),
            sa.Column("created", sa.DateTime(), nullable=False),
            sa.Column("updated", sa.DateTime(), nullable=False),
        )
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'app.db'}")
    metadata.create_all(engine)
    engine.dispose()
    return tmp_path


def run(project: Path, *argv: str) -> tuple[int, list[dict[str, Any]]]:
    result = run_cli(*argv, "--rules", "rules.yaml", "--format", "json", cwd=project)
    assert result.err == ""
    return result.code, json.loads(result.out)["findings"]


EXPIRED = {
    "rule": "expired-exemption",
    "severity": "error",
    "path": "org/base.yaml",
    "line": 3,
    "column": 3,
    "pointer": "/exemptions/old_audit",
    "table": "old_audit",
    "field": None,
    "message": "exemption for table 'old_audit' expired on 2020-01-31 (reason: Append-only audit log.)",
}
UNUSED = {
    "rule": "unused-exemption",
    "severity": "warning",
    "path": "org/base.yaml",
    "line": 7,
    "column": 3,
    "pointer": "/exemptions/removed_table",
    "table": "removed_table",
    "field": None,
    "message": "exemption for table 'removed_table' matches no table or datum that was checked",
}
WHOLE = {
    "validate": ["validate", "models"],
    "check-migrations": ["check-migrations", "versions"],
    "check-migrations --head-state": ["check-migrations", "versions", "--head-state"],
    "check-db": ["check-db", "sqlite:///app.db"],
}
PART = {
    "validate FILE": ["validate", "models/kept.json", "models/old_audit.json"],
    "check-migrations --since": ["check-migrations", "versions", "--since", "a1"],
    "check-migrations --since --head-state": [
        "check-migrations",
        "versions",
        "--since",
        "a1",
        "--head-state",
    ],
}


@pytest.mark.parametrize("command", WHOLE)
def test_a_run_over_the_whole_surface(project: Path, command: str) -> None:
    assert run(project, *WHOLE[command]) == (1, [EXPIRED, UNUSED])


@pytest.mark.parametrize("command", PART)
def test_a_run_over_part_of_the_surface_judges_only_expiry(project: Path, command: str) -> None:
    assert run(project, *PART[command]) == (1, [EXPIRED])


def test_an_amended_exemption_points_at_the_file_that_amended_it(project: Path) -> None:
    (project / "rules.yaml").write_text(RULES + "  old_audit: {until: 2021-06-30}\n", encoding="utf-8")
    expired = {
        **EXPIRED,
        "path": "rules.yaml",
        "line": 5,
        "message": "exemption for table 'old_audit' expired on 2021-06-30 (reason: Append-only audit log.)",
    }
    for command in WHOLE.values():
        assert run(project, *command) == (1, [UNUSED, expired])  # in path order


def test_a_long_reason_is_cut_in_the_message(project: Path) -> None:
    base = BASE.replace("reason: Append-only audit log.", "reason: " + "why " * 1000)
    (project / "org" / "base.yaml").write_text(base, encoding="utf-8")
    _, findings = run(project, *WHOLE["validate"])
    assert findings[0]["message"] == (
        f"exemption for table 'old_audit' expired on 2020-01-31 (reason: {'why ' * 20}…)"
    )
