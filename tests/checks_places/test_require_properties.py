"""Hypothesis: a check whose ``require`` is ``true`` yields no finding and one whose ``require`` is
``false`` one finding per selected node, in migrations (per op and at head) and in a live
database (a few examples, one PostgreSQL schema reused)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from envoxy.findings import Finding
from envoxy.live.check import check_database
from envoxy.migrations.loader import resolve_locations
from envoxy.migrations.scanner import scan
from envoxy.rules import load_rules
from envoxy.rules.model import RuleSet
from tests.checks_places.places import native_rules_text
from tests.conftest import PgSchema, postgres_schema
from tests.integrations.revisions import write_revision

TYPES = {
    "sa.Text()": "TEXT",
    "sa.Integer()": "INTEGER",
    "sa.Float()": "DOUBLE PRECISION",
    "sa.DateTime(timezone=True)": "TIMESTAMP WITH TIME ZONE",
    "sa.Uuid()": "UUID",
    "sa.JSON()": "JSON",
}

WHERE = {
    "column": '{properties: {name: {pattern: "^a"}}}',
    "table": '{properties: {name: {pattern: "^ta"}}}',
}


@dataclass(frozen=True)
class Shape:
    name: str
    columns: tuple[tuple[str, str, bool], ...]  # (name, type source, nullable)
    added: tuple[tuple[str, str, bool], ...]  # columns added by a later add_column


names = st.text("abcxyz", min_size=1, max_size=5)
column = st.tuples(names, st.sampled_from(sorted(TYPES)), st.booleans())


@st.composite
def schemas(draw: st.DrawFn) -> tuple[Shape, ...]:
    table_names = draw(st.lists(names.map(lambda n: "t" + n), min_size=1, max_size=4, unique=True))
    shapes = []
    for name in table_names:
        columns = draw(st.lists(column, min_size=1, max_size=5, unique_by=lambda c: c[0]))
        split = draw(st.integers(1, len(columns)))
        shapes.append(Shape(name, tuple(columns[:split]), tuple(columns[split:])))
    return tuple(shapes)


def selected(shapes: tuple[Shape, ...], scope: str, where: bool) -> set[tuple[str, str | None]]:
    if scope == "table":
        return {(s.name, None) for s in shapes if not where or s.name.startswith("ta")}
    return {
        (s.name, c[0]) for s in shapes for c in (*s.columns, *s.added) if not where or c[0].startswith("a")
    }


VARIANTS = list(itertools.product(["table", "column"], [True, False], [False, True]))


@pytest.fixture(scope="module")
def rule_sets(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, bool, bool], RuleSet]:
    """One compiled rule set per (scope, require, where), with one check, ``probe``."""
    made = {}
    for scope, require, where in VARIANTS:
        path = tmp_path_factory.mktemp("rules") / "rules.yaml"
        selector = f"    where: {WHERE[scope]}\n" if where else ""
        path.write_text(
            native_rules_text(
                "\nchecks:\n  probe:\n"
                f"    scope: {scope}\n{selector}    require: {str(require).lower()}\n"
                '    message: "probe"\n'
            ),
            encoding="utf-8",
        )
        made[scope, require, where] = load_rules(path)
    return made


def probe(findings: tuple[Finding, ...] | list[Finding]) -> list[tuple[str | None, str | None]]:
    return sorted(((f.table, f.field) for f in findings if f.rule == "probe"), key=str)


def revision_body(shapes: tuple[Shape, ...]) -> str:
    body = []
    for s in shapes:
        cols = "".join(f"    sa.Column({n!r}, {t}, nullable={nl}),\n" for n, t, nl in s.columns)
        body.append(f"op.create_table(\n    {s.name!r},\n{cols})\n")
    for s in shapes:
        body.extend(
            f"op.add_column({s.name!r}, sa.Column({n!r}, {t}, nullable={nl}))\n" for n, t, nl in s.added
        )
    return "".join(body)


_counter = itertools.count()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shapes=schemas(), variant=st.sampled_from(VARIANTS))
def test_migrations_per_op_and_at_head(
    rule_sets: dict[tuple[str, bool, bool], RuleSet],
    tmp_path_factory: pytest.TempPathFactory,
    shapes: tuple[Shape, ...],
    variant: tuple[str, bool, bool],
) -> None:
    scope, require, where = variant
    rules = rule_sets[variant]
    versions = tmp_path_factory.mktemp(f"h{next(_counter)}") / "versions"
    write_revision(versions, "r1", None, revision_body(shapes))
    locations = resolve_locations(str(versions), Path.cwd())
    expected = [] if require else sorted(selected(shapes, scope, where), key=str)
    assert probe(scan(locations, rules).findings) == expected
    assert probe(scan(locations, rules, head_state=True).findings) == expected


@pytest.fixture(scope="module")
def pg() -> Iterator[PgSchema]:
    with postgres_schema() as schema:
        yield schema


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shapes=schemas(), variant=st.sampled_from(VARIANTS))
def test_check_db(
    rule_sets: dict[tuple[str, bool, bool], RuleSet],
    pg: PgSchema,
    shapes: tuple[Shape, ...],
    variant: tuple[str, bool, bool],
) -> None:
    scope, require, where = variant
    engine = pg.engine()
    try:
        with engine.begin() as conn:
            for (name,) in conn.execute(
                sa.text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            ):
                conn.execute(sa.text(f'DROP TABLE "{name}" CASCADE'))
            for s in shapes:
                cols = ", ".join(
                    f'"{n}" {TYPES[t]}{"" if nl else " NOT NULL"}' for n, t, nl in (*s.columns, *s.added)
                )
                conn.execute(sa.text(f'CREATE TABLE "{s.name}" ({cols})'))
    finally:
        engine.dispose()
    expected = [] if require else sorted(selected(shapes, scope, where), key=str)
    assert probe(check_database(pg.url, rule_sets[variant]).findings) == expected
