"""Every example check in every place it targets, and the same verdicts in all four: the bad and
good tables of each example written once as SQLAlchemy models and judged by the real ``alembic
revision --autogenerate`` (refused, then written without the checks), by ``check-migrations``
per op and with ``--head-state`` on the revisions autogenerate wrote, by ``check-db`` on
PostgreSQL after ``alembic upgrade head``, and by ``envoxy validate`` on the same tables as a
model file. One project and one database for the whole module."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.checks_places.examples import DOCS, KEYLESS_EXEMPTION, Example, checks_yaml
from tests.checks_places.places import (
    alembic_project,
    check_findings,
    json_findings,
    model_file,
    models_source,
    native_rules_text,
)
from tests.conftest import postgres_schema, run_cli
from tests.migrations.alembic_projects import Project

pytestmark = pytest.mark.slow

IDS = {e.id for e in DOCS}
BAD = tuple(t for e in DOCS for t in e.bad)
GOOD = tuple(t for e in DOCS for t in e.good)
BAD_NAMES = {t.name for t in BAD}


@dataclass
class World:
    root: Path
    refused: str  # what `alembic revision --autogenerate` printed refusing the bad models
    good_written: int  # its exit status for the good models (with the checks in force)
    revisions: dict[str, str]  # file name -> text: bad tables (written without checks), good ones
    per_op: str
    head: str
    db: str
    models: str


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("four") / "project"
    alembic_project(root)
    plain = root / "plain-rules.yaml"
    plain.write_text(native_rules_text(exemptions=KEYLESS_EXEMPTION), encoding="utf-8")
    checked = root / "rules.yaml"
    checked.write_text(native_rules_text(checks_yaml(DOCS), KEYLESS_EXEMPTION), encoding="utf-8")
    with postgres_schema() as schema:
        project = Project(root, schema.url, checked)
        (root / "models.py").write_text(models_source(BAD), encoding="utf-8")
        refused = project.alembic("revision", "--autogenerate", "-m", "bad")
        assert refused.returncode != 0 and project.revisions() == [], refused.stderr
        project.env["ENVOXY_RULES"] = str(plain)
        written = project.alembic("revision", "--autogenerate", "-m", "bad")
        assert written.returncode == 0, written.stdout + written.stderr
        upgraded = project.alembic("upgrade", "head")
        assert upgraded.returncode == 0, upgraded.stderr
        project.env["ENVOXY_RULES"] = str(checked)
        (root / "models.py").write_text(models_source((*BAD, *GOOD)), encoding="utf-8")
        good = project.alembic("revision", "--autogenerate", "-m", "good")
        upgraded = project.alembic("upgrade", "head")
        assert upgraded.returncode == 0, upgraded.stderr
        rules = str(checked)
        per_op = project.check_migrations("--rules", rules, "--format", "json")
        head = project.check_migrations("--rules", rules, "--format", "json", "--head-state")
        db = run_cli("check-db", schema.url, "--rules", rules, "--format", "json")
        models = run_cli(
            "validate",
            str(model_file(root / "models.json", (*BAD, *GOOD))),
            "--rules",
            rules,
            "--format",
            "json",
        )
        yield World(
            root=root,
            refused=refused.stdout + refused.stderr,
            good_written=good.returncode,
            revisions={
                name: (project.versions / name).read_text(encoding="utf-8") for name in project.revisions()
            },
            per_op=per_op.stdout,
            head=head.stdout,
            db=db.out,
            models=models.out,
        )


def expected(examples: tuple[Example, ...], place: str) -> set[tuple[str, str, str | None]]:
    return {(e.id, table, column) for e in examples if place in e.places for table, column in e.expected}


def messages(out: str) -> dict[tuple[str, str, str | None], str]:
    return {(f["rule"], f["table"], f["field"]): f["message"] for f in json_findings(out) if f["rule"] in IDS}


def test_the_gate_refuses_the_bad_models_with_every_check_finding(world: World) -> None:
    said = {
        (m.group(2), m.group(1))
        for m in re.finditer(r"^  - (.*) \[([a-z0-9-]+)\]$", world.refused, re.MULTILINE)
    }
    # The same findings, word for word, as check-db gives on the tables the history then built.
    db = messages(world.db)
    assert said == {(rule, message) for (rule, _, _), message in db.items()}
    assert len(said) == len(expected(DOCS, "migrations"))
    assert "No revision file was written. Change the models so that they pass the checks" in world.refused


def test_the_gate_passes_the_good_models(world: World) -> None:
    assert world.good_written == 0
    [_, good] = sorted(world.revisions.values(), key=lambda text: "Revises: \n" not in text)
    assert all(f"op.create_table('{t.name}'" in good for t in GOOD)
    assert not any(f"op.create_table('{t.name}'" in good for t in BAD)


def test_history_per_op_at_each_create_table(world: World) -> None:
    assert check_findings(world.per_op, IDS) == expected(DOCS, "migrations")
    for f in json_findings(world.per_op):
        if f["rule"] not in IDS:
            continue
        text = world.revisions[Path(f["path"]).name]
        line = text.splitlines()[f["line"] - 1]
        assert line.strip() == f"op.create_table('{f['table']}',", (f, line)
    # Nothing but the checks: the tables conform to the required columns.
    assert {f["rule"] for f in json_findings(world.per_op)} <= IDS


def test_history_head_state(world: World) -> None:
    assert check_findings(world.head, IDS) == expected(DOCS, "migrations")
    assert messages(world.head) == messages(world.per_op)


def test_check_db_on_postgresql(world: World) -> None:
    assert check_findings(world.db, IDS) == expected(DOCS, "db")
    assert messages(world.db) == messages(world.head)


def test_model_files(world: World) -> None:
    assert check_findings(world.models, IDS) == expected(DOCS, "models")
    for f in json_findings(world.models):
        if f["rule"] in IDS:
            assert (f["line"], f["column"]) != (None, None) and f["pointer"].startswith("/datums/"), f


def test_the_same_verdicts_in_all_four_places(world: World) -> None:
    """One table built four ways: the checks every place judges (the names) agree everywhere,
    and the others agree wherever they are judged."""
    everywhere = {e.id for e in DOCS if e.places == {"models", "migrations", "db"}}
    assert everywhere  # the naming checks
    gate = {
        (rule, message)
        for m in re.finditer(r"^  - (.*) \[([a-z0-9-]+)\]$", world.refused, re.MULTILINE)
        for rule, message in [(m.group(2), m.group(1))]
    }
    places = {
        "models": check_findings(world.models, everywhere),
        "history": check_findings(world.per_op, everywhere),
        "head": check_findings(world.head, everywhere),
        "db": check_findings(world.db, everywhere),
    }
    assert all(found == places["db"] for found in places.values()), places
    assert {(r, t) for r, t, _ in places["db"]} <= BAD_RULE_TABLES
    assert {rule for rule, _ in gate if rule in everywhere} == {r for r, _, _ in places["db"]}


BAD_RULE_TABLES = {(e.id, t.name) for e in DOCS for t in e.bad}
