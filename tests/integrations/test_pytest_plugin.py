"""The pytest plugin, run by pytest itself (pytester) on a sample project made by the real
``envoxy init-alembic``: item ids, outcomes and failure texts, the switch, the fixtures, the
baseline, and a live PostgreSQL database."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.integrations.sample import COUPONS, ORDERS, create, fix_history, make_project, revision, table

pytest_plugins = ["pytester"]

ARGS = ("-p", "no:cacheprovider")

BROKEN = [
    "models/broken.json:1:30: missing-field datum 'carts' lacks required field 'href'",
    "models/broken.json:1:37: wrong-type datum 'carts' declares field 'id' as "
    '{"type": "integer"}, expected {"type": "string"}',
]

STATIC = {
    "envoxy::models": "passed",
    "envoxy::models/broken.json": "failed",
    "envoxy::models/shop.json": "passed",
    "envoxy::migrations": "passed",
    "envoxy::migrations::audit": "passed",
    "envoxy::migrations::coupons": "failed",
    "envoxy::migrations::orders": "failed",
    "envoxy::migrations::users": "passed",
}
APP = {"test_app.py::test_app": "passed"}


# pytester's in-process runs drop every module first imported inside them; imported again by the
# next run, a second copy of SQLAlchemy's dialect modules meets the first one's classes. What the
# inner runs import is imported here once, before any of them.
WARM = (
    "alembic.command",
    "logging.config",
    "sqlalchemy.dialects.postgresql",
    "sqlalchemy.dialects.sqlite",
    "sqlalchemy.future",
    "envoxy.commands._baseline",
    "envoxy.commands.validate",
    "envoxy.live.check",
    "envoxy.migrations.scanner",
    "envoxy.pytest_plugin.collect",
    "envoxy.pytest_plugin.state",
    "envoxy.testing",
    "envoxy.validate.runner",
    # raw SQL in a sample history is read by pglast: imported first inside a run, its AST classes
    # would be dropped with it, and a later import's would not be the ones already in use
    "envoxy.migrations.rawddl",
    "envoxy.migrations.sqlops",
    "envoxy.migrations.shapes",
    "pglast",
    "pglast.ast",
    "pglast.stream",
)


@pytest.fixture(autouse=True, scope="module")
def _warm() -> Iterator[None]:
    for name in WARM:
        importlib.import_module(name)
    yield


def outcomes(reprec: pytest.HookRecorder) -> dict[str, str]:
    """Each item's outcome, in the order the items ran."""
    found: dict[str, str] = {}
    for rep in reprec.getreports("pytest_runtest_logreport"):
        if rep.when == "call" or (rep.when == "setup" and not rep.passed):
            found[rep.nodeid] = rep.outcome
    return found


def failures(reprec: pytest.HookRecorder) -> dict[str, list[str]]:
    """The failure text of each failed item, line by line."""
    return {
        rep.nodeid: rep.longreprtext.splitlines()
        for rep in reprec.getreports("pytest_runtest_logreport")
        if rep.failed
    }


def skips(reprec: pytest.HookRecorder) -> dict[str, str]:
    out: dict[str, str] = {}
    for rep in reprec.getreports("pytest_runtest_logreport"):
        if rep.skipped:
            assert isinstance(rep.longrepr, tuple)
            out[rep.nodeid] = rep.longrepr[2].removeprefix("Skipped: ")
    return out


@pytest.fixture
def project(pytester: pytest.Pytester) -> Path:
    make_project(pytester.path)
    pytester.makepyfile(test_app="def test_app():\n    pass\n")
    return pytester.path


def test_one_item_per_model_file_and_table(pytester: pytest.Pytester, project: Path) -> None:
    reprec = pytester.inline_run("--envoxy", *ARGS)
    assert outcomes(reprec) == {**STATIC, **APP}
    assert list(outcomes(reprec)) == [*STATIC, *APP]  # envoxy's items first
    assert failures(reprec) == {
        "envoxy::models/broken.json": BROKEN,
        "envoxy::migrations::coupons": [f"{create('coupons', project)}: {COUPONS}"],
        "envoxy::migrations::orders": [f"{create('orders', project)}: {ORDERS}"],
    }


def test_failure_reads_like_envoxy_with_no_traceback(pytester: pytest.Pytester, project: Path) -> None:
    result = pytester.runpytest("--envoxy", *ARGS)
    result.assert_outcomes(passed=6, failed=3)
    text = result.stdout.str()
    assert "Traceback" not in text and "envoxy/pytest_plugin" not in text
    result.stdout.fnmatch_lines(
        [
            "*_ envoxy: table orders at the head of the history _*",
            f"{create('orders', project)}: {ORDERS}",
            "FAILED envoxy::migrations::coupons - alembic/versions/b1_coupons.py:*",
        ]
    )


def test_off_unless_enabled(pytester: pytest.Pytester, project: Path) -> None:
    reprec = pytester.inline_run(*ARGS)
    assert outcomes(reprec) == APP


def test_ini_option_enables_it(pytester: pytest.Pytester, project: Path) -> None:
    pytester.makeini("[pytest]\nenvoxy = true\n")
    assert outcomes(pytester.inline_run(*ARGS)) == {**STATIC, **APP}
    pytester.makeini("[pytest]\nenvoxy = false\n")
    assert outcomes(pytester.inline_run(*ARGS)) == APP


def test_selection_sees_envoxy_items(pytester: pytest.Pytester, project: Path) -> None:
    assert outcomes(pytester.inline_run("--envoxy", "-m", "envoxy", "-k", "orders", *ARGS)) == {
        "envoxy::migrations::orders": "failed"
    }
    assert outcomes(pytester.inline_run("--envoxy", "-m", "not envoxy", *ARGS)) == APP
    deselected = pytester.inline_run("--envoxy", "--deselect", "envoxy::migrations", *ARGS)
    assert outcomes(deselected) == {k: v for k, v in {**STATIC, **APP}.items() if "::migrations" not in k}


def test_passes_once_the_history_is_fixed(pytester: pytest.Pytester, project: Path) -> None:
    fix_history(project)
    (project / "models" / "broken.json").unlink()
    reprec = pytester.inline_run("--envoxy", *ARGS)
    assert outcomes(reprec) == {
        "envoxy::models": "passed",
        "envoxy::models/shop.json": "passed",
        "envoxy::migrations": "passed",
        "envoxy::migrations::audit": "passed",
        "envoxy::migrations::coupons": "passed",
        "envoxy::migrations::orders": "passed",
        "envoxy::migrations::users": "passed",
        **APP,
    }


def test_plugin_import_costs_nothing_when_off(pytester: pytest.Pytester) -> None:
    """pytest loads the plugin in every run where envoxy is installed."""
    pytester.makepyfile(
        test_light="""
        import sys

        def test_nothing_heavy_imported():
            assert "envoxy.pytest_plugin" in sys.modules
            heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("sqlalchemy", "alembic", "yaml"))
            assert heavy == []
        """
    )
    result = pytester.runpytest_subprocess(*ARGS, "-p", "no:hypothesispytest")
    result.assert_outcomes(passed=1)


# -- the baseline --------------------------------------------------------------------------------


def test_baselined_items_pass_and_stale_entries_fail_one_item(
    pytester: pytest.Pytester, project: Path
) -> None:
    with (project / "rules.yaml").open("a", encoding="utf-8") as fh:
        fh.write("baseline: envoxy-baseline.json\n")
    assert run_cli("validate", "--write-baseline", cwd=project).code == 0
    assert run_cli("check-migrations", "--head-state", "--write-baseline", cwd=project).code == 0
    baselined = {k: "passed" for k in STATIC} | {"envoxy::baseline": "passed"} | APP
    assert outcomes(pytester.inline_run("--envoxy", *ARGS)) == baselined

    fix_history(project)  # orders and coupons conform now: their entries accept nothing
    reprec = pytester.inline_run("--envoxy", *ARGS)
    assert outcomes(reprec) == baselined | {"envoxy::baseline": "failed"}
    entries = (project / "envoxy-baseline.json").read_text(encoding="utf-8").splitlines()

    def stale(table: str, field: str) -> str:
        [line] = [n for n, text in enumerate(entries, 1) if f'"table": "{table}", "field": "{field}"' in text]
        return (
            f"envoxy-baseline.json:{line}:5: stale-baseline baseline entry 'missing-field' for "
            f"'{table}.{field}' at head matches no finding any more; run 'envoxy check-migrations "
            "--head-state --write-baseline' to drop it"
        )

    assert failures(reprec) == {"envoxy::baseline": [stale("coupons", "updated"), stale("orders", "href")]}


def test_exemptions_are_one_item(pytester: pytest.Pytester, project: Path) -> None:
    exemptions = (
        "exemptions:\n"
        "  orders: {fields: [href], reason: legacy, until: 2000-01-01}\n"
        "  ghosts: {fields: [href], reason: gone}\n"
    )
    rules = (project / "rules.yaml").read_text(encoding="utf-8").replace("exemptions: {}\n", exemptions)
    (project / "rules.yaml").write_text(rules, encoding="utf-8")
    reprec = pytester.inline_run("--envoxy", *ARGS)
    assert (
        outcomes(reprec)
        == STATIC | {"envoxy::migrations::orders": "passed", "envoxy::exemptions": "failed"} | APP
    )
    line = rules.splitlines().index("  orders: {fields: [href], reason: legacy, until: 2000-01-01}") + 1
    unused = "matches no table or datum that was checked [warning]"
    # Once each, though three surfaces judge them; 'orders' has no datum in the model files, so
    # the models surface finds its exemption unused, as 'envoxy validate' does.
    assert failures(reprec)["envoxy::exemptions"] == [
        f"rules.yaml:{line}:3: expired-exemption exemption for table 'orders' expired on 2000-01-01 "
        "(reason: legacy)",
        f"rules.yaml:{line}:3: unused-exemption exemption for table 'orders' {unused}",
        f"rules.yaml:{line + 1}:3: unused-exemption exemption for table 'ghosts' {unused}",
    ]


# -- warnings, broken input ------------------------------------------------------------------------


def test_warnings_do_not_fail_and_are_reported(pytester: pytest.Pytester, project: Path) -> None:
    # (a DO block: plain DDL is read and applied, so only this stays a warning)
    body = '    op.execute("DO $$ BEGIN ALTER TABLE users ADD COLUMN note TEXT; END $$")\n'
    (project / "alembic" / "versions" / "w1_raw.py").write_text(revision("w1", "m1", body), encoding="utf-8")
    result = pytester.runpytest("--envoxy", *ARGS)
    result.assert_outcomes(passed=6, failed=3, warnings=1)
    finding = (
        "alembic/versions/w1_raw.py:12: unanalysed-sql op.execute runs raw DDL that envoxy cannot analyse: "
        "'DO $$ BEGIN ALTER TABLE users ADD COLUMN note TEXT; END $$'; check it against rules.yaml by hand "
        "or use op.* calls "
        "[warning]"
    )
    # The item of the table the DDL names; the summary shows the revision's own line.
    result.stdout.fnmatch_lines(
        [
            "envoxy::migrations::users",
            f"  alembic/versions/w1_raw.py:12: EnvoxyWarning: {finding}",
            '    op.execute("DO $$ BEGIN ALTER TABLE users ADD COLUMN note TEXT; END $$")',
        ],
        consecutive=True,
    )


def test_a_revision_that_cannot_be_imported_fails_the_history_item(
    pytester: pytest.Pytester, project: Path
) -> None:
    (project / "alembic" / "versions" / "x1_broken.py").write_text(
        revision("x1", "m1", "    op.create_table(\n"), encoding="utf-8"
    )
    reprec = pytester.inline_run("--envoxy", *ARGS)
    assert outcomes(reprec) == STATIC | {"envoxy::migrations": "failed"} | APP
    [text] = failures(reprec)["envoxy::migrations"]
    assert text.startswith("alembic/versions/x1_broken.py:12: parse-error revision file cannot be imported: ")


def test_a_bad_rules_file_is_a_collection_error(pytester: pytest.Pytester, project: Path) -> None:
    (project / "rules.yaml").write_text("version: 1\nprofile: nope\n", encoding="utf-8")
    result = pytester.runpytest("--envoxy", *ARGS)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*ERROR collecting envoxy*", "envoxy: the rules file has * problem*"])
    assert "Traceback" not in result.stdout.str()


def test_a_missing_models_path_fails_the_models_item(pytester: pytest.Pytester, project: Path) -> None:
    rules = (
        (project / "rules.yaml").read_text(encoding="utf-8").replace("paths: [models]", "paths: [nowhere]")
    )
    (project / "rules.yaml").write_text(rules, encoding="utf-8")
    reprec = pytester.inline_run("--envoxy", *ARGS)
    assert (
        outcomes(reprec)
        == {"envoxy::models": "failed"} | {k: v for k, v in STATIC.items() if "::migrations" in k} | APP
    )
    assert failures(reprec)["envoxy::models"] == [
        "models.paths entry 'nowhere' of rules.yaml does not exist (looked for nowhere); fix rules.yaml "
        "or name paths on the command line"
    ]


# -- fixtures --------------------------------------------------------------------------------------


def test_envoxy_engine_in_tests_conftest_applies(pytester: pytest.Pytester, project: Path) -> None:
    """An override in tests/conftest.py: envoxy's items are placed where it applies."""
    (project / "tests").mkdir()
    (project / "test_app.py").rename(project / "tests" / "test_app.py")
    (project / "tests" / "conftest.py").write_text(
        textwrap.dedent(
            """
            import pytest
            import sqlalchemy as sa


            @pytest.fixture(scope="session")
            def envoxy_engine():
                engine = sa.create_engine("sqlite://")  # in memory: checked through this engine
                yield engine
                engine.dispose()
            """
        ),
        encoding="utf-8",
    )
    reprec = pytester.inline_run("--envoxy", *ARGS)
    db = {
        "envoxy::db": "passed",
        "envoxy::db::audit": "passed",
        "envoxy::db::coupons": "failed",
        "envoxy::db::orders": "failed",
        "envoxy::db::users": "passed",
    }
    assert outcomes(reprec) == STATIC | db | {"tests/test_app.py::test_app": "passed"}
    found = failures(reprec)
    assert found["envoxy::db::orders"] == [f"table orders: {ORDERS}"]
    assert found["envoxy::db::coupons"] == [f"table coupons: {COUPONS}"]


def test_overrides_in_sibling_conftests_are_refused(pytester: pytest.Pytester, project: Path) -> None:
    for name in ("a", "b"):
        (project / name).mkdir()
        (project / name / "conftest.py").write_text(
            "import pytest\n\n@pytest.fixture\ndef envoxy_engine():\n    return None\n", encoding="utf-8"
        )
        (project / name / f"test_{name}.py").write_text("def test_x():\n    pass\n", encoding="utf-8")
    result = pytester.runpytest("--envoxy", *ARGS)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(
        [
            "*ERROR collecting envoxy*",
            "envoxy's fixtures (envoxy_rules, envoxy_alembic_config, envoxy_engine) are overridden in "
            f"conftest.py files of directories that are not one inside the other ({project}/a/conftest.py, "
            f"{project}/b/conftest.py)*",
        ]
    )


def test_rules_and_alembic_config_overrides_apply(pytester: pytest.Pytester, project: Path) -> None:
    """Rules with an exemption for orders, and another history with one violating table: each
    overridden surface is one item, judged with the fixtures' values."""
    other = project / "other"
    (other / "versions").mkdir(parents=True)
    (other / "versions" / "o1.py").write_text(
        revision("o1", None, table("orders", without=("href",)) + table("items", without=("created",))),
        encoding="utf-8",
    )
    exempt = (
        (project / "rules.yaml")
        .read_text(encoding="utf-8")
        .replace("exemptions: {}\n", "exemptions:\n  orders: {fields: [href], reason: legacy}\n")
    )
    (project / "exempt.yaml").write_text(exempt, encoding="utf-8")
    pytester.makeconftest(
        """
        import pytest
        from alembic.config import Config

        from envoxy.rules import load_rules


        @pytest.fixture(scope="session")
        def envoxy_rules(pytestconfig):
            return load_rules(pytestconfig.rootpath / "exempt.yaml", cwd=pytestconfig.rootpath)


        @pytest.fixture(scope="session")
        def envoxy_alembic_config(pytestconfig):
            config = Config()
            config.set_main_option("script_location", str(pytestconfig.rootpath / "other"))
            return config
        """
    )
    reprec = pytester.inline_run("--envoxy", *ARGS)
    assert outcomes(reprec) == {
        "envoxy::models": "failed",
        "envoxy::migrations": "failed",
        "envoxy::exemptions": "passed",
        "envoxy::baseline": "skipped",
        **APP,
    }
    assert failures(reprec) == {
        "envoxy::models": BROKEN,
        "envoxy::migrations": [
            f"{create('items', project, 'other/versions')}: missing-field table 'items' lacks required "
            "column 'created' (TIMESTAMP WITHOUT TIME ZONE NOT NULL)"
        ],
    }
    assert skips(reprec) == {"envoxy::baseline": "the rules name no baseline file"}


def test_pytest_alembic_engine_is_reused(pytester: pytest.Pytester, project: Path) -> None:
    """With pytest-alembic active, the project's alembic_engine is the database envoxy checks;
    pytest-alembic's own default (an in-memory SQLite) is not the project's, and is left alone.
    (A stand-in registered under pytest-alembic's plugin name, as its entry point does.)"""
    pytester.makepyfile(
        pytest_alembic="""
        import pytest
        import sqlalchemy


        @pytest.fixture
        def alembic_engine():
            return sqlalchemy.create_engine("sqlite:///")
        """
    )
    pytester.syspathinsert()
    without = pytester.inline_run("--envoxy", "-p", "pytest_alembic", *ARGS)
    assert outcomes(without) == {**STATIC, **APP}
    pytester.makeconftest(
        """
        import pytest
        import sqlalchemy


        @pytest.fixture
        def alembic_engine(tmp_path):
            return sqlalchemy.create_engine(f"sqlite:///{tmp_path}/app.db")
        """
    )
    reprec = pytester.inline_run("--envoxy", "-p", "pytest_alembic", *ARGS)
    assert outcomes(reprec) == {
        **STATIC,
        "envoxy::db": "passed",
        "envoxy::db::audit": "passed",
        "envoxy::db::coupons": "failed",
        "envoxy::db::orders": "failed",
        "envoxy::db::users": "passed",
        **APP,
    }


def test_no_database_without_an_engine_when_the_override_returns_none(
    pytester: pytest.Pytester, project: Path
) -> None:
    pytester.makeconftest("import pytest\n\n@pytest.fixture\ndef envoxy_engine():\n    return None\n")
    reprec = pytester.inline_run("--envoxy", *ARGS)
    db_skipped = {f"envoxy::db{s}": "skipped" for s in ("", "::audit", "::coupons", "::orders", "::users")}
    assert outcomes(reprec) == STATIC | db_skipped | APP
    reason = "no database: override the envoxy_engine fixture to return an SQLAlchemy engine (docs/PYTEST.md)"
    assert skips(reprec) == dict.fromkeys(db_skipped, reason)


def test_an_upgrade_that_fails_fails_the_database_item(pytester: pytest.Pytester, project: Path) -> None:
    body = '    raise RuntimeError("data migration needs the billing service")\n'
    (project / "alembic" / "versions" / "z1_fails.py").write_text(
        revision("z1", "m1", body), encoding="utf-8"
    )
    pytester.makeconftest(
        "import pytest, sqlalchemy\n\n@pytest.fixture\ndef envoxy_engine():\n"
        '    return sqlalchemy.create_engine("sqlite://")\n'
    )
    reprec = pytester.inline_run("--envoxy", *ARGS)
    assert failures(reprec)["envoxy::db"] == [
        "alembic upgrade heads failed: RuntimeError: data migration needs the billing service"
    ]
    assert skips(reprec)["envoxy::db::orders"] == "not checked: envoxy::db says why"


# -- a live PostgreSQL ---------------------------------------------------------------------------


@pytest.mark.slow
def test_live_postgres_after_upgrade_heads(
    pytester: pytest.Pytester, project: Path, pg_database: str
) -> None:
    pytester.makeconftest(
        f"""
        import pytest
        import sqlalchemy


        @pytest.fixture(scope="session")
        def envoxy_engine():
            engine = sqlalchemy.create_engine({pg_database!r})
            yield engine
            engine.dispose()
        """
    )
    reprec = pytester.inline_run("--envoxy", *ARGS)
    assert outcomes(reprec) == {
        **STATIC,
        "envoxy::db": "passed",
        "envoxy::db::audit": "passed",
        "envoxy::db::coupons": "failed",
        "envoxy::db::orders": "failed",
        "envoxy::db::users": "passed",
        **APP,
    }
    assert failures(reprec)["envoxy::db::orders"] == [f"table orders: {ORDERS}"]
    import sqlalchemy as sa

    engine = sa.create_engine(pg_database)
    try:
        with engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
            heads = {row[0] for row in conn.execute(sa.text("SELECT version_num FROM alembic_version"))}
    finally:
        engine.dispose()
    assert tables == {"alembic_version", "audit", "coupons", "orders", "users"}
    assert heads == {"m1"}


# -- a real project, a real pytest -----------------------------------------------------------------


@pytest.mark.slow
def test_pytest_envoxy_in_a_project_made_by_init_alembic(tmp_path: Path) -> None:
    """``envoxy init-alembic`` in a subprocess, then ``pytest --envoxy`` in another: one
    failing item per violating table; a revision fixing them makes the run pass."""
    made = subprocess.run(
        [sys.executable, "-m", "envoxy", "init-alembic"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert made.returncode == 0, made.stderr
    versions = tmp_path / "alembic" / "versions"
    (versions / "a1_base.py").write_text(
        revision("a1", None, table("users") + table("orders", without=("href",))), encoding="utf-8"
    )
    (versions / "b1_coupons.py").write_text(
        revision("b1", "a1", table("coupons", without=("updated",))), "utf-8"
    )
    (versions / "b2_audit.py").write_text(revision("b2", "a1", table("audit")), encoding="utf-8")
    (versions / "m1_merge.py").write_text(revision("m1", ("b1", "b2"), ""), encoding="utf-8")

    def pytest_envoxy() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pytest", "--envoxy", "-p", "no:cacheprovider", "-rA", "-q"],
            cwd=tmp_path,
            env={**os.environ, "COLUMNS": "400"},  # the summary lines whole
            capture_output=True,
            text=True,
            timeout=300,
        )

    first = pytest_envoxy()
    assert first.returncode == 1, first.stdout + first.stderr
    results = [line for line in first.stdout.splitlines() if line.startswith(("PASSED ", "FAILED "))]
    assert results == [
        "PASSED envoxy::migrations",
        "PASSED envoxy::migrations::audit",
        "PASSED envoxy::migrations::users",
        f"FAILED envoxy::migrations::coupons - {create('coupons', tmp_path)}: {COUPONS}",
        f"FAILED envoxy::migrations::orders - {create('orders', tmp_path)}: {ORDERS}",
    ]
    fix_history(tmp_path)
    second = pytest_envoxy()
    assert second.returncode == 0, second.stdout + second.stderr
    assert second.stdout.splitlines()[-1].startswith("5 passed")


# -- tables outside the default schema ----------------------------------------------------------


def _in_billing(code: str) -> str:
    return code.replace(
        '        sa.PrimaryKeyConstraint("id"),\n',
        '        sa.PrimaryKeyConstraint("id"),\n        schema="billing",\n',
    )


BILLING = (
    '    op.execute("CREATE SCHEMA billing")\n'
    + _in_billing(table("orders"))
    + _in_billing(table("invoices", without=("href",)))
)
INVOICES = "missing-field table 'billing.invoices' lacks required column 'href' (TEXT NOT NULL)"


def test_tables_of_another_schema_are_items_of_their_own(pytester: pytest.Pytester, project: Path) -> None:
    # billing.orders conforms while public's orders does not, billing.invoices does not: each is
    # its own item, named as findings name it, and the items of public's tables are unchanged
    (project / "alembic" / "versions" / "s1_billing.py").write_text(
        revision("s1", "m1", BILLING), encoding="utf-8"
    )
    reprec = pytester.inline_run("--envoxy", *ARGS)
    assert outcomes(reprec) == {
        **{k: v for k, v in STATIC.items() if k != "envoxy::migrations::users"},
        "envoxy::migrations::billing.invoices": "failed",
        "envoxy::migrations::billing.orders": "passed",
        "envoxy::migrations::users": "passed",
        **APP,
    }
    assert failures(reprec)["envoxy::migrations::billing.invoices"] == [
        f"{create('invoices', project)}: {INVOICES}"
    ]
    assert failures(reprec)["envoxy::migrations::orders"] == [f"{create('orders', project)}: {ORDERS}"]
