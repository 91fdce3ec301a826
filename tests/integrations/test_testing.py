"""``envoxy.testing``: the checks as plain functions, for explicit tests. Each raises
``FindingsError`` (an ``AssertionError``) with envoxy's text report, or returns the report."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from envoxy.testing import FindingsError, UpgradeError, check_database, check_migrations, check_models
from tests.conftest import run_cli
from tests.integrations.sample import COUPONS, ORDERS, create, fix_history, make_project, revision


@pytest.fixture
def project(tmp_path: Path) -> Path:
    make_project(tmp_path)
    return tmp_path


@pytest.fixture
def memory() -> Iterator[sa.Engine]:
    engine = sa.create_engine("sqlite://")
    yield engine
    engine.dispose()


def test_check_models_raises_with_the_findings(project: Path) -> None:
    with pytest.raises(FindingsError) as raised:
        check_models(root=project)
    assert str(raised.value).splitlines() == [
        "models/broken.json:1:30: missing-field datum 'carts' lacks required field 'href'",
        "models/broken.json:1:37: wrong-type datum 'carts' declares field 'id' as "
        '{"type": "integer"}, expected {"type": "string"}',
        "2 findings in 2 files: 2 errors, 0 warnings.",
        "Run 'envoxy explain missing-field' (or wrong-type) for why and how to fix.",
    ]
    assert isinstance(raised.value, AssertionError)
    assert [(f.rule, f.table, f.field) for f in raised.value.report.findings] == [
        ("missing-field", "carts", "href"),
        ("wrong-type", "carts", "id"),
    ]


def test_check_models_returns_the_report_when_clean(project: Path) -> None:
    (project / "models" / "broken.json").unlink()
    report = check_models(root=project)
    assert (report.findings, report.files) == ((), 1)


def test_check_migrations_judges_the_head_of_a_branching_history(project: Path) -> None:
    with pytest.raises(FindingsError) as raised:
        check_migrations(root=project)
    assert str(raised.value).splitlines() == [
        f"{create('orders', project)}: {ORDERS}",
        f"{create('coupons', project)}: {COUPONS}",
        "2 findings in 4 files: 2 errors, 0 warnings.",
        "Run 'envoxy explain missing-field' for why and how to fix.",
    ]
    fix_history(project)
    assert check_migrations(root=project).files == 5


def test_the_baseline_applies_and_its_stale_entries_fail(project: Path) -> None:
    with (project / "rules.yaml").open("a", encoding="utf-8") as fh:
        fh.write("baseline: envoxy-baseline.json\n")
    assert run_cli("check-migrations", "--head-state", "--write-baseline", cwd=project).code == 0
    report = check_migrations(root=project)
    assert report.findings == ()
    assert sorted((f.table, f.field) for f in report.baselined) == [
        ("coupons", "updated"),
        ("orders", "href"),
    ]
    with pytest.raises(FindingsError):
        check_migrations(root=project, baseline=False)
    fix_history(project)
    with pytest.raises(FindingsError) as raised:
        check_migrations(root=project)
    assert [(f.rule, f.table) for f in raised.value.report.findings] == [
        ("stale-baseline", "coupons"),
        ("stale-baseline", "orders"),
    ]


def test_check_database_upgrades_heads_through_the_engine(project: Path, memory: sa.Engine) -> None:
    with pytest.raises(FindingsError) as raised:
        check_database(memory, root=project, alembic_config="alembic.ini")
    assert str(raised.value).splitlines() == [
        f"table coupons: {COUPONS}",
        f"table orders: {ORDERS}",
        "2 findings in 4 tables: 2 errors, 0 warnings.",
        "Run 'envoxy explain missing-field' for why and how to fix.",
    ]
    # The same in-memory database, upgraded through the engine given: check it again as it is.
    with pytest.raises(FindingsError):
        check_database(memory, root=project)
    with memory.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one() == "m1"


def test_check_database_takes_a_url(project: Path) -> None:
    database = project / "app.db"
    sa.create_engine(f"sqlite:///{database}").dispose()
    fix_history(project)
    report = check_database(f"sqlite:///{database}", root=project, alembic_config="alembic.ini")
    assert (report.findings, report.files) == ((), 4)


def test_check_database_keeps_the_process_as_it_was(project: Path, memory: sa.Engine) -> None:
    """env.py runs in the project, and may configure logging; afterwards the directory,
    sys.path and the loggers are as they were."""
    import logging
    import sys

    env = project / "alembic" / "env.py"
    env.write_text(
        env.read_text(encoding="utf-8").replace(
            'if config.config_file_name is not None and "connection" not in config.attributes:',
            "if config.config_file_name is not None:",
        ),
        encoding="utf-8",
    )
    mine = logging.getLogger("tests.integrations.mine")
    handlers = list(logging.getLogger().handlers)
    cwd, path = os.getcwd(), list(sys.path)
    with pytest.raises(FindingsError):
        check_database(memory, root=project, alembic_config="alembic.ini")
    assert (os.getcwd(), sys.path, logging.getLogger().handlers) == (cwd, path, handlers)
    assert not mine.disabled  # fileConfig disables every logger it does not name


def test_an_upgrade_that_fails_says_why(project: Path, memory: sa.Engine) -> None:
    body = '    raise RuntimeError("needs the billing service")\n'
    (project / "alembic" / "versions" / "z1.py").write_text(revision("z1", "m1", body), encoding="utf-8")
    with pytest.raises(UpgradeError) as raised:
        check_database(memory, root=project, alembic_config="alembic.ini")
    assert str(raised.value) == "alembic upgrade heads failed: RuntimeError: needs the billing service"


def test_rules_given_as_a_path(project: Path) -> None:
    exempt = (
        (project / "rules.yaml")
        .read_text(encoding="utf-8")
        .replace("exemptions: {}\n", "exemptions:\n  carts: {fields: [href, id], reason: legacy}\n")
    )
    (project / "exempt.yaml").write_text(exempt, encoding="utf-8")
    assert check_models("exempt.yaml", root=project).findings == ()  # rules.yaml would fail carts
    with pytest.raises(FindingsError):
        check_models("rules.yaml", root=project)
