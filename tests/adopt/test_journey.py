"""The newcomer's journey of docs/ADOPTING.md, end to end through the real CLI: a legacy service
(an Alembic history with tables lacking ``href``, model files missing fields, and a real
PostgreSQL database built by ``alembic upgrade head``) adopts envoxy in one command; every check
then passes; a new violation fails with exactly that finding; fixing an old one is
``stale-baseline`` until ``--write-baseline`` drops it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.adopt.service import Revision, make_service, revision_text
from tests.adopt.support import datum, report
from tests.conftest import REPO, run_cli

DOC = (REPO / "docs" / "ADOPTING.md").read_text(encoding="utf-8")

CHECKS: tuple[tuple[str, ...], ...] = (
    ("validate",),
    ("check-migrations",),
    ("check-migrations", "--head-state"),
    ("check-db", "{url}"),
)


def upgrade(service: Path, url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    done = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", "alembic.ini", "upgrade", "head"],
        cwd=service,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def check(service: Path, url: str, argv: tuple[str, ...]) -> tuple[int, dict[str, Any]]:
    result = run_cli(*(a.replace("{url}", url) for a in argv), "--format", "json", cwd=service)
    assert result.err == "", result.err
    return result.code, report(result)


def counted(data: dict[str, Any]) -> list[tuple[str, str | None, str | None]]:
    return [(f["rule"], f["table"], f["field"]) for f in data["findings"] if not f.get("baselined")]


def documented(service: Path, url: str, *argv: str) -> None:
    """The command's text output is, line for line, what docs/ADOPTING.md shows."""
    result = run_cli(*(a.replace("{url}", url) for a in argv), cwd=service)
    missing = [line for line in result.out.splitlines() if f"\n{line}\n" not in DOC]
    assert missing == [], argv


def add_revision(service: Path, revision: str, down: str, body: str, name: str = "step") -> Path:
    path = service / "alembic" / "versions" / f"{revision}_{name}.py"
    path.write_text(revision_text(Revision(revision, down, name, body), 8), encoding="utf-8")
    return path


COUPONS = """    op.create_table('coupons',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.Column('updated', sa.DateTime(), nullable=False),{href}
    sa.PrimaryKeyConstraint('id')
    )"""


def test_adopting_envoxy_in_a_legacy_service(
    tmp_path: Path, pg_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENVOXY_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("ENVOXY_RULES", raising=False)
    service = make_service(tmp_path / "service")
    url = pg_database
    upgrade(service, url)

    # 1. one command
    init = run_cli(
        "init", "--from-migrations", "alembic/versions", "--from-db", url, "--baseline", cwd=service
    )
    assert (init.code, init.err) == (0, "")
    lines = init.out.splitlines()
    assert [line for line in lines[1:] if f"\n{line}\n" not in DOC] == []
    assert lines[0].startswith(
        "profile legacy, inferred from 6 tables: alembic/versions (the head of 4 revisions); "
    )
    assert (
        "recorded today's findings in envoxy-baseline.json: 4 of models, 3 of migrations, "
        "3 of head_state, 3 of db"
    ) in lines
    baseline = (service / "envoxy-baseline.json").read_text()
    assert baseline.count('"rule"') == 13

    # 2. every check passes at once, the debt still visible
    for argv in CHECKS:
        code, data = check(service, url, argv)
        assert (code, counted(data)) == (0, []), argv
        assert data["summary"]["baselined"] == (4 if argv == ("validate",) else 3), argv
        documented(service, url, *argv)

    # 3. a new revision or a new datum that breaks the rules fails with exactly that finding
    coupons = add_revision(service, "5e6f708192a3", "4d5e6f708192", COUPONS.format(href=""), "coupons")
    for argv in CHECKS[1:3]:
        code, data = check(service, url, argv)
        assert (code, counted(data)) == (1, [("missing-field", "coupons", "href")]), argv
    orders = service / "models" / "orders.json"
    models = json.loads(orders.read_text())
    models["datums"].append(datum("coupons", "href"))
    orders.write_text(json.dumps(models, indent=2))
    code, data = check(service, url, ("validate",))
    assert (code, counted(data)) == (1, [("missing-field", "coupons", "href")])
    documented(service, url, "validate")
    documented(service, url, "check-migrations")

    # ... and passes once fixed (the revision and the datum gain href), the database upgraded
    coupons.write_text(
        revision_text(
            Revision(
                "5e6f708192a3",
                "4d5e6f708192",
                "coupons",
                COUPONS.format(href="\n    sa.Column('href', sa.Text(), nullable=False),"),
            ),
            8,
        )
    )
    models["datums"][-1] = datum("coupons")
    orders.write_text(json.dumps(models, indent=2))
    upgrade(service, url)
    for argv in CHECKS:
        assert check(service, url, argv)[0] == 0, argv

    # 4. fixing an old violation: stale-baseline until --write-baseline drops the entry
    add_revision(
        service,
        "6f708192a3b4",
        "5e6f708192a3",
        "    op.add_column('users', sa.Column('href', sa.Text(), nullable=False, server_default=''))",
    )
    upgrade(service, url)
    users = service / "models" / "users.json"
    fixed = json.loads(users.read_text())
    fixed["fields"]["href"] = {"type": "string"}
    users.write_text(json.dumps(fixed, indent=2))
    stale: dict[tuple[str, ...], list[tuple[str, str | None, str | None]]] = {
        ("validate",): [("stale-baseline", "users", "href")],
        ("check-migrations",): [],  # per op, users was still created without href: still accepted
        ("check-migrations", "--head-state"): [("stale-baseline", "users", "href")],
        ("check-db", "{url}"): [("stale-baseline", "users", "href")],
    }
    documented(service, url, "validate")
    for argv, expected in stale.items():
        code, data = check(service, url, argv)
        assert (code, counted(data)) == (1 if expected else 0, expected), argv
        for f in (f for f in data["findings"] if not f.get("baselined")):
            assert f["path"] == "envoxy-baseline.json"
            assert f["message"].endswith("--write-baseline' to drop it")
        written = run_cli(*(a.replace("{url}", url) for a in argv), "--write-baseline", cwd=service)
        assert written.code == 0
    documented(service, url, "validate")
    after = (service / "envoxy-baseline.json").read_text()
    assert after.count('"rule"') == 10  # three entries fewer: the baseline only shrinks
    for argv in CHECKS:
        assert check(service, url, argv)[0] == 0, argv
