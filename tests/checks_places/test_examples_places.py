"""Every example check of docs/CHECKS.md (``examples/checks/examples.yaml``: the six kinds, the
built-ins and the peers' rule sets) in every place it targets, judged against the docs' own rules
files:

- the autogenerate gate, through the real ``alembic revision --autogenerate`` of models holding
  the example tables;
- the history scanner, per op and with ``--head-state``, on the revision autogenerate wrote (or,
  where the gate refused it, the same tables written by hand);
- ``check-db`` on PostgreSQL after ``alembic upgrade head``;
- ``envoxy validate`` on the same tables as a model file.

The bad example gives exactly the expected findings, the good one none, and each check's verdicts
are the same (rule, table, column) in every place that judges it. The examples of one rules file
share one schema (each example's tables prefixed ``x<n>_``), bad and good apart: four projects,
four PostgreSQL schemas, for the whole module.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from envoxy.rules import load_rules
from tests.checks_places.places import (
    EXAMPLES,
    EXAMPLES_DIR,
    alembic_project,
    check_findings,
    json_findings,
    model_file,
    models_source,
    prefixed,
    revision_source,
)
from tests.conftest import postgres_schema, run_cli
from tests.migrations.alembic_projects import Project

pytestmark = pytest.mark.slow

FILES = ("rules.yaml", "peers.yaml")
VARIANTS = ("bad", "good")
PREFIX = {check: f"x{n}_" for n, check in enumerate(EXAMPLES)}
IDS = {file: {c for c, e in EXAMPLES.items() if e["file"] == file} for file in FILES}
RULES = {file: load_rules(EXAMPLES_DIR / file) for file in FILES}

# PostgreSQL cuts an identifier longer than 63 bytes to 63 (with a NOTICE): a live database never
# holds a name these checks refuse. They exist to refuse it before it gets there.
CUT_BY_POSTGRESQL = {"table-name-length", "column-name-length"}

Found = set[tuple[str, str | None, str | None]]


def tables(file: str, variant: str) -> list[dict[str, Any]]:
    return [t for c in sorted(IDS[file]) for t in prefixed(EXAMPLES[c][variant], PREFIX[c])]


@dataclass
class Run:
    gate_code: int
    gate_said: str
    revision: str
    per_op: str
    head: str
    db: str
    db_tables: set[str]
    models: str


def gate_lines(said: str) -> set[tuple[str, str]]:
    """(rule, message) of every finding ``alembic`` printed refusing a revision."""
    return {(m.group(2), m.group(1)) for m in re.finditer(r"^  - (.*) \[([a-z0-9-]+)\]$", said, re.MULTILINE)}


def run(root: Path, file: str, variant: str) -> Run:
    rules = EXAMPLES_DIR / file
    built = tables(file, variant)
    alembic_project(root)
    (root / "models.py").write_text(models_source(built), encoding="utf-8")
    with postgres_schema() as schema:
        project = Project(root, schema.url, rules)
        gate = project.alembic("revision", "--autogenerate", "-m", variant)
        if gate.returncode != 0:  # refused: the same tables by hand
            assert project.revisions() == [], gate.stderr
            (project.versions / "r1_by_hand.py").write_text(
                revision_source("r1", None, built), encoding="utf-8"
            )
        [revision] = project.revisions()
        upgraded = project.alembic("upgrade", "head")
        assert upgraded.returncode == 0, upgraded.stderr
        per_op = run_cli("check-migrations", "--rules", str(rules), "--format", "json", cwd=root)
        head = run_cli(
            "check-migrations", "--rules", str(rules), "--format", "json", "--head-state", cwd=root
        )
        db = run_cli("check-db", schema.url, "--rules", str(rules), "--format", "json")
        import sqlalchemy as sa

        engine = schema.engine()
        try:
            db_tables = set(sa.inspect(engine).get_table_names())
        finally:
            engine.dispose()
    models = run_cli(
        "validate",
        str(model_file(root / "models.json", built, RULES[file])),
        "--rules",
        str(rules),
        "--format",
        "json",
    )
    for result in (per_op, head, db, models):
        assert result.err == "", result.err
    return Run(
        gate_code=gate.returncode,
        gate_said=gate.stdout + gate.stderr,
        revision=(project.versions / revision).read_text(encoding="utf-8"),
        per_op=per_op.out,
        head=head.out,
        db=db.out,
        db_tables=db_tables,
        models=models.out,
    )


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[tuple[str, str], Run]]:
    base = tmp_path_factory.mktemp("examples")
    yield {(f, v): run(base / f"{Path(f).stem}-{v}", f, v) for f in FILES for v in VARIANTS}


def expected(check: str, place: str) -> Found:
    runs_there = RULES[EXAMPLES[check]["file"]].check(check).runs_in(place)  # type: ignore[arg-type]
    if not runs_there or (place == "db" and check in CUT_BY_POSTGRESQL):
        return set()
    return {(check, PREFIX[check] + f["table"], f["column"]) for f in EXAMPLES[check]["findings"]}


def of_example(found: Found, check: str, variant: str) -> Found:
    names = {PREFIX[check] + t["name"] for t in EXAMPLES[check][variant]}
    return {f for f in found if f[0] == check and f[1] in names}


def test_every_check_has_an_example() -> None:
    assert {c.id for f in FILES for c in RULES[f].checks} == set(EXAMPLES)


@pytest.mark.parametrize("check", sorted(EXAMPLES))
def test_history_per_op(runs: dict[tuple[str, str], Run], check: str) -> None:
    file = EXAMPLES[check]["file"]
    for variant in VARIANTS:
        r = runs[file, variant]
        found = of_example(check_findings(r.per_op, IDS[file]), check, variant)
        assert found == (expected(check, "migrations") if variant == "bad" else set()), variant
        lines = r.revision.splitlines()
        for f in json_findings(r.per_op):
            if (f["rule"], f["table"], f["field"]) in found:
                # at the create_table of the table (or, for names that collide when folded,
                # of the table whose creation made them collide)
                assert lines[f["line"] - 1].strip().startswith("op.create_table("), f
                created = (lines[f["line"] - 1] + lines[f["line"]]).casefold()
                assert repr(f["table"].casefold()) in created, f


@pytest.mark.parametrize("check", sorted(EXAMPLES))
def test_history_head_state(runs: dict[tuple[str, str], Run], check: str) -> None:
    file = EXAMPLES[check]["file"]
    for variant in VARIANTS:
        found = of_example(check_findings(runs[file, variant].head, IDS[file]), check, variant)
        assert found == (expected(check, "migrations") if variant == "bad" else set()), variant


@pytest.mark.parametrize("check", sorted(EXAMPLES))
def test_check_db(runs: dict[tuple[str, str], Run], check: str) -> None:
    file = EXAMPLES[check]["file"]
    for variant in VARIANTS:
        found = of_example(check_findings(runs[file, variant].db, IDS[file]), check, variant)
        assert found == (expected(check, "db") if variant == "bad" else set()), variant


@pytest.mark.parametrize("check", sorted(EXAMPLES))
def test_model_files(runs: dict[tuple[str, str], Run], check: str) -> None:
    file = EXAMPLES[check]["file"]
    for variant in VARIANTS:
        found = of_example(check_findings(runs[file, variant].models, IDS[file]), check, variant)
        assert found == (expected(check, "models") if variant == "bad" else set()), variant


@pytest.mark.parametrize(("file", "variant"), [(f, v) for f in FILES for v in VARIANTS])
def test_the_gate_says_what_the_history_says(
    runs: dict[tuple[str, str], Run], file: str, variant: str
) -> None:
    """The gate judges autogenerate's ops as the scanner judges a revision: the same findings,
    word for word (each message names its table and column, so the words tell them apart)."""
    r = runs[file, variant]
    history = {(f["rule"], f["message"]) for f in json_findings(r.per_op) if f["rule"] in IDS[file]}
    assert len(history) == len(check_findings(r.per_op, IDS[file]))
    said = {(rule, message) for rule, message in gate_lines(r.gate_said) if rule in IDS[file]}
    assert said == history
    assert (r.gate_code == 0) == (not gate_lines(r.gate_said))
    if variant == "bad":
        assert r.gate_code != 0 and said


def test_postgresql_cuts_the_long_names(runs: dict[tuple[str, str], Run]) -> None:
    bad = runs["rules.yaml", "bad"]
    [long_name] = [PREFIX["table-name-length"] + t["name"] for t in EXAMPLES["table-name-length"]["bad"]]
    assert long_name not in bad.db_tables and long_name[:63] in bad.db_tables


@pytest.mark.parametrize("check", sorted(EXAMPLES))
def test_the_same_verdicts_in_every_place(runs: dict[tuple[str, str], Run], check: str) -> None:
    """One table built four ways (model file, autogenerate, history, live database): each place
    that judges the check and can hold the table gives the same (rule, table, column)."""
    file = EXAMPLES[check]["file"]
    rules = RULES[file].check(check)
    for variant in VARIANTS:
        r = runs[file, variant]
        places = {"history": r.per_op, "head": r.head}
        if check not in CUT_BY_POSTGRESQL:
            places["db"] = r.db
        if rules.runs_in("models"):
            places["models"] = r.models
        verdicts = {
            name: of_example(check_findings(out, IDS[file]), check, variant) for name, out in places.items()
        }
        assert len({frozenset(v) for v in verdicts.values()}) == 1, verdicts
