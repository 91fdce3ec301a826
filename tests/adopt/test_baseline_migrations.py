"""``check-migrations`` with a baseline: keyed by revision id (per op) or by table (head state),
never by line; ``migrations.since``; staleness only where the whole history was judged."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.adopt.service import make_service
from tests.adopt.support import cli, findings, report, rules_yaml

BASELINE = "envoxy-baseline.json"
VERSIONS = Path("alembic") / "versions"
AUDIT = "3c4d5e6f7081_audit_log.py"
TWO_OPS = """    op.create_table('events',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.Column('updated', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('audit_log',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )"""


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVOXY_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def service(tmp_path: Path) -> Path:
    root = make_service(tmp_path / "service", models=False)
    (root / "rules.yaml").write_text(
        rules_yaml(paths="[]", extra=f"baseline: {BASELINE}\n"), encoding="utf-8"
    )
    return root


def add_revision(root: Path, revision: str, down: str, body: str) -> None:
    from tests.adopt.service import Revision, revision_text

    text = revision_text(Revision(revision, down, f"step {revision}", body), 9)
    (root / VERSIONS / f"{revision}_step.py").write_text(text, encoding="utf-8")


def test_recorded_history_passes_and_a_new_revision_fails_alone(service: Path) -> None:
    written = cli(service, "check-migrations", "--write-baseline")
    assert written.out == (
        "recorded 3 findings of 'envoxy check-migrations' as 3 entries in envoxy-baseline.json "
        "(section 'migrations')\n"
    )
    assert (service / BASELINE).read_text().splitlines()[3:7] == [
        '  "migrations": [',
        '    {"rule": "missing-field", "revision": "1a2b3c4d5e6f", "table": "users", "field": "href", '
        '"count": 1},',
        '    {"rule": "missing-field", "revision": "3c4d5e6f7081", "table": "audit_log", "field": "href", '
        '"count": 1},',
        '    {"rule": "missing-field", "revision": "3c4d5e6f7081", "table": "audit_log", "field": "updated", '
        '"count": 1}',
    ]
    assert cli(service, "check-migrations").out == "No findings in 4 files (3 baselined).\n"

    add_revision(
        service,
        "5e6f708192a3",
        "4d5e6f708192",
        "    op.create_table('coupons',\n    sa.Column('id', sa.String(length=36), nullable=False),\n"
        "    sa.Column('created', sa.DateTime(), nullable=False),\n"
        "    sa.Column('updated', sa.DateTime(), nullable=False),\n    sa.PrimaryKeyConstraint('id')\n    )",
    )
    result = cli(service, "check-migrations")
    assert result.code == 1
    assert result.out == (
        "alembic/versions/5e6f708192a3_step.py:24: missing-field table 'coupons' lacks required column "
        "'href' (TEXT NOT NULL)\n"
        "1 finding in 5 files: 1 error, 0 warnings (3 baselined).\n"
        "Run 'envoxy explain missing-field' for why and how to fix.\n"
    )


def test_reordering_a_revisions_ops_and_moving_lines_never_unbaselines(service: Path) -> None:
    audit = service / VERSIONS / AUDIT
    text = audit.read_text()
    start, end = text.index("    op.create_table('audit_log'"), text.index("    # ### end")
    audit.write_text(text[:start] + TWO_OPS + "\n" + text[end:])
    assert cli(service, "check-migrations", "--write-baseline").code == 0
    before = report(cli(service, "check-migrations", "--format", "json"))["findings"]
    assert len(before) == 4 and all(f["baselined"] for f in before)

    events, audit_op = TWO_OPS.split("\n    op.create_table('audit_log'")
    swapped = "    # audit first now\n\n" + "    op.create_table('audit_log'" + audit_op + "\n" + events
    audit.write_text("# a comment above everything\n\n" + text[:start] + swapped + "\n" + text[end:])
    after = cli(service, "check-migrations", "--format", "json")
    assert after.code == 0
    moved = report(after)["findings"]
    assert all(f["baselined"] for f in moved)
    assert sorted((f["table"], f["field"]) for f in moved) == sorted((f["table"], f["field"]) for f in before)
    assert {(f["table"], f["line"]) for f in moved} != {(f["table"], f["line"]) for f in before}


def test_head_state_entries_follow_the_table_not_the_revision(service: Path) -> None:
    assert cli(service, "check-migrations", "--head-state", "--write-baseline").code == 0
    text = (service / BASELINE).read_text()
    assert '{"rule": "missing-field", "table": "users", "field": "href", "count": 1}' in text
    assert '"migrations": []' in text

    # a later revision reshapes users (its head-state findings now point there): still accepted
    add_revision(
        service, "5e6f708192a3", "4d5e6f708192", "    op.add_column('users', sa.Column('nick', sa.Text()))"
    )
    assert cli(service, "check-migrations", "--head-state").out == "No findings in 5 files (3 baselined).\n"

    # and one that brings users onto the pattern makes its entry stale
    add_revision(
        service,
        "6f708192a3b4",
        "5e6f708192a3",
        "    op.add_column('users', sa.Column('href', sa.Text(), nullable=False))",
    )
    head = cli(service, "check-migrations", "--head-state")
    assert head.code == 1
    assert head.out.splitlines()[0] == (
        "envoxy-baseline.json:8:5: stale-baseline baseline entry 'missing-field' for 'users.href' at head "
        "matches no finding any more; run 'envoxy check-migrations --head-state --write-baseline' to drop it"
    )
    # per op, users was still created without href: that finding is not stale
    assert cli(service, "check-migrations", "--write-baseline").code == 0
    assert cli(service, "check-migrations").code == 0


def test_since_judges_only_the_revisions_after_it(service: Path) -> None:
    assert cli(service, "check-migrations", "--write-baseline").code == 0
    users = service / VERSIONS / "1a2b3c4d5e6f_users.py"
    users.write_text(
        users.read_text().replace(
            "    sa.PrimaryKeyConstraint('id')\n    )",
            "    sa.Column('href', sa.Text(), nullable=False),\n    sa.PrimaryKeyConstraint('id')\n    )",
            1,
        )
    )
    whole = cli(service, "check-migrations", "--format", "json")
    assert [(f[0], f[1]) for f in findings(whole) if not f[3]] == [("stale-baseline", "users")]
    since = cli(service, "check-migrations", "--since", "2b3c4d5e6f70")
    assert (since.code, since.out) == (0, "No findings in 4 files (2 baselined).\n")

    # migrations.since in rules.yaml is a standing --since; an entry for a revision the
    # history no longer has is stale even then
    rules = service / "rules.yaml"
    rules.write_text(rules.read_text() + "migrations: {since: 2b3c4d5e6f70}\n")
    baseline = service / BASELINE
    baseline.write_text(
        baseline.read_text().replace(
            '  "migrations": [\n',
            '  "migrations": [\n    {"rule": "missing-field", "revision": "0000deadbeef", "table": "gone", '
            '"field": "href", "count": 1},\n',
        )
    )
    standing = cli(service, "check-migrations", "--format", "json")
    assert standing.code == 1
    assert [(f[0], f[1]) for f in findings(standing) if not f[3]] == [("stale-baseline", "gone")]
    assert report(standing)["summary"]["baselined"] == 2

    rules.write_text(rules.read_text().replace("since: 2b3c4d5e6f70", "since: zzz"))
    bad = cli(service, "check-migrations")
    assert (bad.code, bad.err) == (
        2,
        "envoxy: --since zzz names no revision in the scanned history (migrations.since of rules.yaml)\n",
    )


def test_since_rewrites_the_head_state_entries_of_a_table_in_another_schema(service: Path) -> None:
    # a table outside the default schema is keyed as findings name it ('billing.invoices'): a
    # --since run that last shaped it owns its entry, so rewriting the baseline drops it once fixed
    add_revision(
        service,
        "5e6f708192a3",
        "4d5e6f708192",
        "    op.execute('CREATE SCHEMA billing')\n"
        "    op.create_table('invoices',\n"
        "    sa.Column('id', sa.String(length=36), nullable=False),\n"
        "    sa.Column('created', sa.DateTime(), nullable=False),\n"
        "    sa.Column('updated', sa.DateTime(), nullable=False),\n"
        "    sa.PrimaryKeyConstraint('id'),\n"
        "    schema='billing'\n"
        "    )",
    )
    since = ("check-migrations", "--head-state", "--since", "4d5e6f708192")
    assert cli(service, *since, "--write-baseline").code == 0
    entry = '{"rule": "missing-field", "table": "billing.invoices", "field": "href", "count": 1}'
    assert entry in (service / BASELINE).read_text()

    add_revision(
        service,
        "6f708192a3b4",
        "5e6f708192a3",
        "    op.add_column('invoices', sa.Column('href', sa.Text(), nullable=False), schema='billing')",
    )
    assert cli(service, *since, "--write-baseline").code == 0
    assert '"head_state": []' in (service / BASELINE).read_text()
