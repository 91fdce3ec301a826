"""The history scanner's parts: where the versions are, the offline stand-in, the 1.x idioms,
captured output, ordering and budgets. Golden histories are in test_golden_histories.py."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

from tests.conftest import DATA, REPO, CliResult, dialect, run_cli
from tests.migrations.test_golden_histories import as_on_sqlalchemy_2_1

if TYPE_CHECKING:
    from envoxy.findings import Finding
    from envoxy.migrations.scanner import ScanResult

CASES = DATA / "migrations"
RULES = str(REPO / "rules.yaml")

HEADER = """\
import sqlalchemy as sa
from alembic import op

revision = {rev!r}
down_revision = {down!r}


def upgrade():
"""


def write_revision(versions: Path, rev: str, down: object, body: str) -> Path:
    versions.mkdir(parents=True, exist_ok=True)
    path = versions / f"{rev}_rev.py"
    path.write_text(
        HEADER.format(rev=rev, down=down) + textwrap.indent(textwrap.dedent(body), "    "), encoding="utf-8"
    )
    return path


def findings(result: CliResult) -> list[tuple[Any, ...]]:
    return [(f["rule"], f["path"], f["line"], f["message"]) for f in json.loads(result.out)["findings"]]


def scan_dir(versions: Path, **kw: Any) -> ScanResult:
    from envoxy.migrations.loader import resolve_locations
    from envoxy.migrations.scanner import scan
    from envoxy.rules import load_rules

    return scan(resolve_locations(str(versions), Path.cwd()), load_rules(RULES), **kw)


# -- where the versions are ----------------------------------------------------------------------


def test_default_versions_from_alembic_ini(tmp_path: Path) -> None:
    (tmp_path / "alembic.ini").write_text(
        "[alembic]\nscript_location = %(here)s/migrations\n", encoding="utf-8"
    )
    write_revision(tmp_path / "migrations" / "versions", "a1", None, 'op.drop_column("t", "href")\n')
    result = run_cli("check-migrations", "--rules", RULES, "--format", "json", cwd=tmp_path)
    assert (result.code, result.err) == (1, "")
    assert findings(result) == [
        (
            "dropped-field",
            "migrations/versions/a1_rev.py",
            9,
            "drop_column removes required column 't.href'; rules.yaml requires it (TEXT NOT NULL)",
        )
    ]


def test_default_versions_alembic_dir(tmp_path: Path) -> None:
    write_revision(tmp_path / "alembic" / "versions", "a1", None, 'op.drop_column("t", "id")\n')
    result = run_cli("check-migrations", "--rules", RULES, "--format", "json", cwd=tmp_path)
    assert [f[:3] for f in findings(result)] == [("dropped-field", "alembic/versions/a1_rev.py", 9)]


def test_no_versions_directory_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("check-migrations", "--rules", RULES, cwd=tmp_path)
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "envoxy: no versions directory given, no ./alembic.ini and no alembic/versions here\n"
    )
    result = run_cli("check-migrations", "nowhere", "--rules", RULES, cwd=tmp_path)
    assert (result.code, result.err) == (2, "envoxy: no such directory: nowhere\n")


def test_path_is_joined_below_the_directory_named(tmp_path: Path) -> None:
    write_revision(tmp_path / "db" / "versions", "a1", None, 'op.drop_column("t", "id")\n')
    result = run_cli("check-migrations", "db/versions/", "--rules", RULES, "--format", "json", cwd=tmp_path)
    assert [f[1] for f in findings(result)] == ["db/versions/a1_rev.py"]


def test_since_unknown_revision_is_a_usage_error() -> None:
    result = run_cli(
        "check-migrations", "versions", "--rules", RULES, "--since", "zz", cwd=CASES / "branches_merge"
    )
    assert (result.code, result.out) == (2, "")
    assert result.err == "envoxy: --since zz names no revision in the scanned history\n"


# -- ordering ------------------------------------------------------------------------------------


def test_dangling_down_revision_is_reported_and_the_rest_checked(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    write_revision(versions, "b2", "missing", 'op.drop_column("t", "href")\n')
    result = run_cli("check-migrations", "versions", "--rules", RULES, "--format", "json", cwd=tmp_path)
    assert result.code == 1
    assert findings(result) == [
        (
            "parse-error",
            "versions",
            None,
            "the revisions cannot be put in order (revision 'missing' is not present); "
            "they were checked in file order",
        ),
        (
            "dropped-field",
            "versions/b2_rev.py",
            9,
            "drop_column removes required column 't.href'; rules.yaml requires it (TEXT NOT NULL)",
        ),
    ]


def test_graph_order_not_file_order() -> None:
    """branches_merge's file names sort head first; the core table must exist before d_right
    alters it, or the head state would not know core.updated became nullable."""
    from envoxy.migrations.loader import Location, load_history

    history = load_history([Location("versions", CASES / "branches_merge" / "versions")])
    order = [r.id for r in history.revisions]
    assert order[0] == "b0" and order[-2:] == ["m3", "h4"]
    assert sorted(order[1:3]) == ["b1", "b2"]


# -- what scripts print stays out of envoxy's output ----------------------------------------------


def test_script_output_is_captured_not_printed(capfd: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    handler = logging.StreamHandler(sys.stderr)  # a project that configured logging
    root.addHandler(handler)
    try:
        result = scan_dir(CASES / "broken_scripts" / "versions")
    finally:
        root.removeHandler(handler)
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")
    for line in (
        "k1: imported",
        "k1: upgrading",
        "k1: to stderr",
        "k1: straight to file descriptor 1",
        "WARNING alembic.runtime.migration: k1: a log record",
        "ERROR root: k1: a root log record",
        "UserWarning: k1: a warning",
    ):
        assert line in result.output


@pytest.mark.slow
def test_module_command_prints_only_the_report() -> None:
    case = CASES / "broken_scripts"
    proc = subprocess.run(
        [sys.executable, "-m", "envoxy.check_migrations", "versions", "--rules", RULES, "--format", "json"],
        cwd=case,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))["plain"]
    assert (proc.returncode, proc.stderr) == (expected["exit"], "")
    assert as_on_sqlalchemy_2_1(json.loads(proc.stdout)) == expected["report"]


# -- SQLAlchemy and alembic are left as they were ------------------------------------------------


def test_scan_restores_sqlalchemy_alembic_and_logging() -> None:
    import alembic.op
    import sqlalchemy as sa
    from sqlalchemy.sql import expression, selectable

    before = (
        sa.select,
        sa.case,
        expression.select,
        selectable.Select.with_only_columns,
        selectable.FromClause.select,
        selectable.TableClause.update,
        sa.MetaData.__init__,
        sa.Table.__dict__["_new"],
        logging.Logger.callHandlers,
        alembic.op.__dict__.get("_proxy"),
    )
    result = scan_dir(CASES / "legacy_idioms" / "versions")
    assert [f.rule for f in result.findings] == ["dropped-field"]
    after = (
        sa.select,
        sa.case,
        expression.select,
        selectable.Select.with_only_columns,
        selectable.FromClause.select,
        selectable.TableClause.update,
        sa.MetaData.__init__,
        sa.Table.__dict__["_new"],
        logging.Logger.callHandlers,
        alembic.op.__dict__.get("_proxy"),
    )
    assert after == before
    assert sa.select.__module__ == "sqlalchemy.sql._selectable_constructors"
    with pytest.raises(sa.exc.ArgumentError):
        sa_1x: Any = sa
        sa_1x.select([sa.column("a")])


def test_legacy_idioms_build_the_2x_statements() -> None:
    import sqlalchemy as sa

    from envoxy.migrations.shims import legacy_idioms

    t = sa.table("t", sa.column("id"), sa.column("x"))
    modern = [
        sa.select(t.c.id).where(t.c.x == 1).order_by(t.c.id),
        t.select().where(t.c.x == 2),
        sa.select(t.c.x).with_only_columns(t.c.id),
        sa.case((t.c.x == 1, "a"), else_="b"),
        t.update().where(t.c.id == 1).values(x=3),
        t.delete().where(t.c.id == 1),
    ]
    # the 1.x signatures, which SQLAlchemy 2's annotations rightly reject
    sa_1x: Any = sa
    t_1x: Any = t
    with legacy_idioms():
        legacy = [
            sa_1x.select([t.c.id], t.c.x == 1, order_by=[t.c.id]),
            t_1x.select(t.c.x == 2),
            sa_1x.select([t.c.x]).with_only_columns([t.c.id]),
            sa_1x.case([(t.c.x == 1, "a")], else_="b"),
            t_1x.update(t.c.id == 1, values={"x": 3}),
            t_1x.delete(t.c.id == 1),
        ]
        also_2x = str(sa.select(t.c.id).where(t.c.x == 1))
    assert [str(s) for s in legacy] == [str(s) for s in modern]
    assert also_2x == str(modern[0]).replace(" ORDER BY t.id", "")


# -- the offline stand-in ------------------------------------------------------------------------


def test_standin_returns_no_rows_not_none() -> None:
    import sqlalchemy as sa
    from sqlalchemy.exc import NoResultFound

    from envoxy.migrations.standin import Budget, StandinConnection

    budget = Budget()
    budget.start()
    conn = StandinConnection(dialect("postgresql"), budget)
    statements: tuple[object, ...] = ("SELECT 1", sa.text("SELECT id FROM t"), sa.select(sa.column("a")))
    for statement in statements:
        result = conn.execute(statement)
        assert result is not None
        assert (result.fetchall(), result.first(), result.scalar(), list(result)) == ([], None, None, [])
        with pytest.raises(NoResultFound):
            conn.execute(statement).one()
    assert conn.scalars("SELECT 1").all() == []
    assert budget.queries == 7


def test_placeholder_rows_have_the_selected_width() -> None:
    import sqlalchemy as sa

    from envoxy.migrations.standin import Budget, StandinConnection

    budget = Budget(rows_per_query=1)
    budget.start()
    conn = StandinConnection(dialect("postgresql"), budget)
    a, b = conn.execute(sa.select(sa.column("a"), sa.column("b"))).one()
    named = conn.execute(sa.select(sa.column("a"), sa.column("b"))).first()
    assert dict(named) == {"a": "0", "b": "0"} == named._asdict() == dict(named._mapping)
    row = conn.execute("SELECT name FROM t").fetchone()
    assert (a, b, row[0], row.name, row._mapping["name"]) == ("0", "0", "0", "0", "0")
    assert row.total + 1 == 1 and not row.total > 0 and int(row.total) == 0


def test_busy_revision_is_stopped_by_the_time_budget(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    write_revision(
        versions,
        "a1",
        None,
        """\
        op.drop_column("t", "href")
        while True:
            pass
    """,
    )
    result = scan_dir(versions, seconds=0.3)
    assert [(f.rule, f.line, f.message) for f in result.findings] == [
        (
            "dropped-field",
            9,
            "drop_column removes required column 't.href'; rules.yaml requires it (TEXT NOT NULL)",
        ),
        (
            "unanalysable-revision",
            10,
            "upgrade() of revision 'a1' could not be followed to its end (gave up after 0.3 s); "
            "only the ops before it were checked",
        ),
    ]


def test_scan_opens_no_database_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlalchemy as sa

    def refuse(*args: object, **kwargs: object) -> NoReturn:
        raise AssertionError("the scanner opened a database connection")

    monkeypatch.setattr(sa.engine.Connection, "__init__", refuse)
    monkeypatch.setattr(sa.engine.Engine, "connect", refuse)
    for case in ("every_op", "data_migrations", "batch_ops"):
        expected = json.loads((CASES / case / "expected.json").read_text(encoding="utf-8"))
        result = scan_dir(CASES / case / "versions")
        assert len(result.findings) == expected["plain"]["report"]["summary"]["findings"]
        assert not [f for f in result.findings if f.rule == "unanalysable-revision"]


def test_revisions_import_project_modules_via_prepend_sys_path(tmp_path: Path) -> None:
    (tmp_path / "alembic.ini").write_text(
        "[alembic]\nscript_location = migrations\nprepend_sys_path = src\npath_separator = os\n",
        encoding="utf-8",
    )
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "envoxy_test_helpers_7d1.py").write_text(
        "def drop_href(op, table):\n    op.drop_column(table, 'href')\n", encoding="utf-8"
    )
    versions = tmp_path / "migrations" / "versions"
    path = write_revision(versions, "a1", None, "drop_href(op, 'users')\n")
    path.write_text(
        "from envoxy_test_helpers_7d1 import drop_href\n" + path.read_text("utf-8"), encoding="utf-8"
    )
    result = run_cli("check-migrations", "--rules", RULES, "--format", "json", cwd=tmp_path)
    # The op is made in the helper; the finding is at the helper's call in the revision file.
    assert findings(result) == [
        (
            "dropped-field",
            "migrations/versions/a1_rev.py",
            10,
            "drop_column removes required column 'users.href'; rules.yaml requires it (TEXT NOT NULL)",
        )
    ]
    assert str(tmp_path / "src") not in sys.path
    sys.modules.pop("envoxy_test_helpers_7d1", None)


def test_unimportable_files_without_a_revision_id_are_parse_errors(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "notes.py").write_text("def upgrade():\n    pass\n", encoding="utf-8")
    (versions / "latin1.py").write_bytes(b"revision = 'caf\xe9'\n")
    result = run_cli("check-migrations", "versions", "--rules", RULES, "--format", "json", cwd=tmp_path)
    assert result.code == 1
    assert [f[:3] for f in findings(result)] == [
        ("parse-error", "versions/latin1.py", 1),
        ("parse-error", "versions/notes.py", None),
    ]
    assert json.loads(result.out)["summary"]["files"] == 2


def test_bind_context_and_inspector_follow_the_history(tmp_path: Path) -> None:
    """``op.get_context().bind``, ``context.get_bind()`` are the stand-in; ``sa.inspect()`` of it
    answers from the tables the earlier revisions built, so conditional DDL is followed."""
    versions = tmp_path / "versions"
    write_revision(
        versions,
        "a1",
        None,
        """\
        op.create_table("a", sa.Column("id", sa.String(36), primary_key=True),
                        sa.Column("href", sa.Text(), nullable=False))
    """,
    )
    path = write_revision(
        versions,
        "a2",
        "a1",
        """\
        from alembic import context
        assert not context.is_offline_mode()
        assert op.get_context().bind.execute(sa.text("SELECT 1")).fetchall() == []
        assert context.get_bind().execute("SELECT 1").fetchall() == []
        inspector = sa.inspect(op.get_bind())
        assert inspector.get_table_names() == ["a"] and not inspector.has_table("b")
        if "href" in [c["name"] for c in inspector.get_columns("a")]:
            op.drop_column("a", "href")
        if inspector.get_pk_constraint("a")["constrained_columns"] != ["id"]:
            op.drop_column("a", "id")
    """,
    )
    result = scan_dir(versions)
    assert [(f.rule, f.path, f.line) for f in result.findings if f.path == f"{versions}/{path.name}"] == [
        ("dropped-field", f"{versions}/a2_rev.py", 16)
    ]


def test_an_op_envoxy_cannot_read_is_a_warning_and_the_scan_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import envoxy.migrations.replay as replay
    from envoxy.migrations.inspector import inspect_op as real

    def fragile(op: Any, *args: Any, **kwargs: Any) -> list[Finding]:
        if type(op).__name__ == "AlterColumnOp":
            raise ValueError("an op shape nobody foresaw")
        return real(op, *args, **kwargs)

    monkeypatch.setattr(replay, "inspect_op", fragile)
    versions = tmp_path / "versions"
    write_revision(
        versions,
        "a1",
        None,
        """\
        op.alter_column("t", "href", nullable=True)
        op.drop_column("t", "id")
    """,
    )
    result = scan_dir(versions)
    assert [(f.rule, f.severity, f.line, f.message) for f in result.findings] == [
        (
            "unanalysable-revision",
            "warning",
            9,
            "envoxy could not analyse the AlterColumnOp of revision 'a1' "
            "(ValueError: an op shape nobody foresaw)",
        ),
        (
            "dropped-field",
            "error",
            10,
            "drop_column removes required column 't.id'; rules.yaml requires it "
            "(VARCHAR(36) NOT NULL PRIMARY KEY)",
        ),
    ]


def test_reflected_tables_come_from_the_history(tmp_path: Path) -> None:
    """``Table(..., autoload_with=op.get_bind())`` and the 1.x ``MetaData(bind=...)`` +
    ``autoload=True`` reflect the columns the earlier revisions built."""
    versions = tmp_path / "versions"
    write_revision(
        versions,
        "a1",
        None,
        """\
        op.create_table("a", sa.Column("id", sa.String(36), primary_key=True),
                        sa.Column("href", sa.Text(), nullable=False))
    """,
    )
    write_revision(
        versions,
        "a2",
        "a1",
        """\
        modern = sa.Table("a", sa.MetaData(), autoload_with=op.get_bind())
        legacy = sa.Table("a", sa.MetaData(bind=op.get_bind()), autoload=True)
        for table in (modern, legacy):
            assert [c.name for c in table.c] == ["id", "href"]
            assert [c.name for c in table.primary_key] == ["id"]
            assert str(table.c.href.type) == "TEXT" and not table.c.href.nullable
        op.drop_column("a", legacy.c.href.name)
    """,
    )
    result = scan_dir(versions)
    assert [(f.rule, f.line) for f in result.findings if (f.path or "").endswith("a2_rev.py")] == [
        ("dropped-field", 15)
    ]
    import sqlalchemy as sa

    metadata: Any = sa.MetaData  # MetaData(bind=...) is 1.x
    with pytest.raises(TypeError):
        metadata(bind=None)


def test_revision_ids_alembic_rejects_are_findings(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    write_revision(versions, "x", 12, 'op.drop_column("t", "href")\n')
    write_revision(versions, "y", "y", 'op.drop_column("t", "id")\n')
    result = run_cli("check-migrations", "versions", "--rules", RULES, "--format", "json", cwd=tmp_path)
    assert result.code == 1
    assert findings(result) == [
        (
            "parse-error",
            "versions",
            None,
            "the revisions cannot be put in order (sequence item 0: expected str instance, int "
            "found); they were checked in file order",
        ),
        (
            "dropped-field",
            "versions/x_rev.py",
            9,
            "drop_column removes required column 't.href'; rules.yaml requires it (TEXT NOT NULL)",
        ),
        (
            "parse-error",
            "versions/y_rev.py",
            None,
            "revision file cannot be imported: LoopDetected: Self-loop is detected in revisions (y)",
        ),
    ]


# -- revisions that try to end or hang the scan --------------------------------------------------


@pytest.mark.slow
def test_exits_and_base_exceptions_end_the_revision_not_the_scan(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    write_revision(
        versions,
        "a1",
        None,
        """\
        op.drop_column("t", "href")
        import os
        os._exit(0)
    """,
    )
    write_revision(
        versions,
        "b1",
        "a1",
        """\
        class Stop(BaseException):
            pass
        raise Stop("halt")
    """,
    )
    (versions / "c1_rev.py").write_text(
        'revision = "c1"\ndown_revision = "b1"\nraise GeneratorExit("at import")\n', encoding="utf-8"
    )
    # A subprocess: without the guard os._exit(0) would end the test run itself.
    proc = subprocess.run(
        [sys.executable, "-m", "envoxy.check_migrations", "versions", "--rules", RULES, "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (proc.returncode, proc.stderr) == (1, "")
    assert [(f["rule"], f["path"], f["line"], f["message"]) for f in json.loads(proc.stdout)["findings"]] == [
        (
            "dropped-field",
            "versions/a1_rev.py",
            9,
            "drop_column removes required column 't.href'; rules.yaml requires it (TEXT NOT NULL)",
        ),
        (
            "unanalysable-revision",
            "versions/a1_rev.py",
            11,
            "upgrade() of revision 'a1' could not be followed to its end (ProcessExit: the revision "
            "called os._exit(0)); only the ops before it were checked",
        ),
        (
            "unanalysable-revision",
            "versions/b1_rev.py",
            11,
            "upgrade() of revision 'b1' could not be followed to its end (Stop: halt); only the ops "
            "before it were checked",
        ),
        (
            "parse-error",
            "versions/c1_rev.py",
            3,
            "revision file cannot be imported: GeneratorExit: at import",
        ),
    ]


def test_busy_loop_at_import_is_stopped_by_the_time_budget(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    (versions).mkdir()
    (versions / "a1_rev.py").write_text(
        'revision = "a1"\ndown_revision = None\nwhile True:\n    pass\n', encoding="utf-8"
    )
    write_revision(versions, "b1", "a1", 'op.drop_column("t", "href")\n')
    result = scan_dir(versions, seconds=0.3)
    assert [(f.rule, f.path, f.line, f.message) for f in result.findings] == [
        (
            "parse-error",
            f"{versions}/a1_rev.py",
            3,
            "revision file cannot be imported: BudgetExceeded: gave up after 0.3 s",
        ),
        (
            "dropped-field",
            f"{versions}/b1_rev.py",
            9,
            "drop_column removes required column 't.href'; rules.yaml requires it (TEXT NOT NULL)",
        ),
    ]


def test_since_on_a_history_that_cannot_be_ordered(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    write_revision(versions, "a1", None, 'op.drop_column("t", "id")\n')
    write_revision(versions, "b1", ("a1",), 'op.drop_column("t", "href")\n')
    write_revision(versions, "c1", "b1", 'op.drop_column("t", "updated")\n')
    (versions / "c1_rev.py").write_text(  # a dependency on a revision that is not there
        (versions / "c1_rev.py")
        .read_text(encoding="utf-8")
        .replace("down_revision = 'b1'", "down_revision = 'b1'\ndepends_on = 'missing'"),
        encoding="utf-8",
    )
    result = run_cli(
        "check-migrations", "versions", "--since", "a1", "--rules", RULES, "--format", "json", cwd=tmp_path
    )
    assert (result.code, result.err) == (1, "")
    assert findings(result) == [
        (
            "parse-error",
            "versions",
            None,
            "the revisions cannot be put in order (revision 'missing' is not present); they were "
            "checked in file order",
        ),
        (
            "dropped-field",
            "versions/b1_rev.py",
            9,
            "drop_column removes required column 't.href'; rules.yaml requires it (TEXT NOT NULL)",
        ),
        (
            "dropped-field",
            "versions/c1_rev.py",
            10,
            "drop_column removes required column 't.updated'; rules.yaml requires it "
            "(TIMESTAMP WITHOUT TIME ZONE NOT NULL)",
        ),
    ]


def test_a_revision_id_declared_twice_is_a_parse_error(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    write_revision(versions, "a1", None, 'op.drop_column("t", "href")\n')
    (versions / "a1_copy.py").write_text(
        (versions / "a1_rev.py").read_text(encoding="utf-8").replace('"href"', '"id"'), encoding="utf-8"
    )
    result = run_cli("check-migrations", "versions", "--rules", RULES, "--format", "json", cwd=tmp_path)
    assert (result.code, json.loads(result.out)["summary"]["files"]) == (1, 2)
    kept = [f for f in findings(result) if f[0] != "parse-error"]
    left_out = "versions/a1_rev.py" if kept[0][1] == "versions/a1_copy.py" else "versions/a1_copy.py"
    assert [f for f in findings(result) if f[0] == "parse-error"] == [
        (
            "parse-error",
            left_out,
            4,
            f"revision id 'a1' is also declared by {kept[0][1]}; Alembic keeps only one of them, "
            "so this file was not checked",
        ),
    ]


def test_schema_objects_created_through_the_bind(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    write_revision(
        versions,
        "a1",
        None,
        """\
        status = sa.Enum("new", "done", name="status")
        status.create(op.get_bind(), checkfirst=True)
        op.drop_column("t", "href")
        sa.Table("u", sa.MetaData(), sa.Column("id", sa.String(36), primary_key=True)).create(
            op.get_bind())
    """,
    )
    result = scan_dir(versions)
    assert [(f.rule, f.line, f.message) for f in result.findings] == [
        (
            "dropped-field",
            11,
            "drop_column removes required column 't.href'; rules.yaml requires it (TEXT NOT NULL)",
        ),
        (
            "missing-field",
            12,
            "table 'u' lacks required column 'created' (TIMESTAMP WITHOUT TIME ZONE NOT NULL)",
        ),
        (
            "missing-field",
            12,
            "table 'u' lacks required column 'updated' (TIMESTAMP WITHOUT TIME ZONE NOT NULL)",
        ),
        ("missing-field", 12, "table 'u' lacks required column 'href' (TEXT NOT NULL)"),
    ]


def test_recursive_version_locations_of_alembic_ini(tmp_path: Path) -> None:
    (tmp_path / "alembic.ini").write_text(
        "[alembic]\nscript_location = db\nrecursive_version_locations = true\n", encoding="utf-8"
    )
    write_revision(tmp_path / "db" / "versions", "a1", None, "pass\n")
    write_revision(tmp_path / "db" / "versions" / "2024", "b1", "a1", 'op.drop_column("t", "id")\n')
    result = run_cli("check-migrations", "--rules", RULES, "--format", "json", cwd=tmp_path)
    assert (result.code, json.loads(result.out)["summary"]["files"]) == (1, 2)
    assert findings(result) == [
        (
            "dropped-field",
            "db/versions/2024/b1_rev.py",
            9,
            "drop_column removes required column 't.id'; rules.yaml requires it "
            "(VARCHAR(36) NOT NULL PRIMARY KEY)",
        ),
    ]


def test_a_revision_closing_stdout_and_stderr(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    write_revision(
        versions,
        "a1",
        None,
        """\
        import sys
        sys.stdout.close()
        sys.stderr.close()
        print("after close")
        op.drop_column("t", "href")
    """,
    )
    result = scan_dir(versions)
    assert [(f.rule, f.line) for f in result.findings] == [("dropped-field", 13)]
    assert result.output == "after close\n"


def test_cwd_and_sys_path_are_restored_after_the_scan(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    write_revision(
        tmp_path / "versions",
        "a1",
        None,
        f"""\
        import os, sys
        os.chdir({str(elsewhere)!r})
        sys.path.insert(0, "/envoxy-test-no-such-dir")
        op.drop_column("t", "href")
    """,
    )
    result = run_cli(
        "check-migrations",
        "versions",
        "--rules",
        RULES,
        "--format",
        "json",
        "--output",
        "report.json",
        cwd=tmp_path,
    )
    assert (result.code, result.out, result.err) == (1, "", "")
    assert "/envoxy-test-no-such-dir" not in sys.path
    assert not (elsewhere / "report.json").exists()
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert [(f["rule"], f["path"], f["line"]) for f in report["findings"]] == [
        ("dropped-field", "versions/a1_rev.py", 12)
    ]


def test_script_location_as_a_package_resource(tmp_path: Path) -> None:
    (tmp_path / "alembic.ini").write_text(
        "[alembic]\nscript_location = envoxy_test_app:migrations\nprepend_sys_path = .\n", encoding="utf-8"
    )
    package = tmp_path / "envoxy_test_app"
    write_revision(package / "migrations" / "versions", "a1", None, 'op.drop_column("t", "id")\n')
    (package / "__init__.py").write_text("", encoding="utf-8")
    result = run_cli("check-migrations", "--rules", RULES, "--format", "json", cwd=tmp_path)
    assert (result.code, result.err) == (1, "")
    assert [f[:3] for f in findings(result)] == [
        ("dropped-field", "envoxy_test_app/migrations/versions/a1_rev.py", 9)
    ]


def test_ddl_through_the_bind_is_judged_as_op_execute(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    write_revision(
        versions,
        "a1",
        None,
        """\
        conn = op.get_bind()
        conn.execute(sa.text("ALTER TABLE t DROP COLUMN href"))
        conn.exec_driver_sql("UPDATE t SET name = 'x'")
        conn.execute(sa.schema.CreateTable(sa.Table("u", sa.MetaData(),
                                                    sa.Column("id", sa.String(36),
                                                              primary_key=True))))
        conn.execute(sa.select(sa.literal(1)))
    """,
    )
    result = scan_dir(versions)
    assert [(f.rule, f.line, f.message) for f in result.findings] == [
        (
            "dropped-field",
            10,
            "op.execute: drop_column removes required column 't.href'; rules.yaml requires it "
            "(TEXT NOT NULL)",
        ),
        (
            "missing-field",
            12,
            "table 'u' lacks required column 'created' (TIMESTAMP WITHOUT TIME ZONE NOT NULL)",
        ),
        (
            "missing-field",
            12,
            "table 'u' lacks required column 'updated' (TIMESTAMP WITHOUT TIME ZONE NOT NULL)",
        ),
        ("missing-field", 12, "table 'u' lacks required column 'href' (TEXT NOT NULL)"),
    ]


def test_what_a_script_thread_prints_later_is_captured(tmp_path: Path) -> None:
    write_revision(
        tmp_path / "versions",
        "a1",
        None,
        """\
        import threading, time
        def later():
            time.sleep(0.2)
            print("printed by a thread")
        threading.Thread(target=later).start()
    """,
    )
    result = scan_dir(tmp_path / "versions")
    assert (result.findings, result.output) == ((), "printed by a thread\n")


def test_a_multi_line_error_message_stays_one_finding_line(tmp_path: Path) -> None:
    write_revision(tmp_path / "versions", "a1", None, 'raise ValueError("one\\ntwo\\r\\n  three")\n')
    result = run_cli("check-migrations", "versions", "--rules", RULES, cwd=tmp_path)
    assert (result.code, result.out) == (
        0,
        (
            "versions/a1_rev.py:9: unanalysable-revision upgrade() of revision 'a1' could not be "
            "followed to its end (ValueError: one two three); only the ops before it were checked "
            "[warning]\n"
            "1 finding in 1 file: 0 errors, 1 warning.\n"
            "Run 'envoxy explain unanalysable-revision' for why and how to fix.\n"
        ),
    )


def test_script_location_in_pyproject_toml(tmp_path: Path) -> None:
    # What `alembic init --template pyproject` makes: alembic.ini for logging only.
    (tmp_path / "alembic.ini").write_text("[loggers]\nkeys = root\n", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "app"\n\n[tool.alembic]\nscript_location = "%(here)s/migrations"\n',
        encoding="utf-8",
    )
    write_revision(tmp_path / "migrations" / "versions", "a1", None, 'op.drop_column("t", "id")\n')
    result = run_cli("check-migrations", "--rules", RULES, "--format", "json", cwd=tmp_path)
    assert (result.code, result.err) == (1, "")
    assert [f[:3] for f in findings(result)] == [("dropped-field", "migrations/versions/a1_rev.py", 9)]


def test_create_table_returns_the_table_wherever_the_revision_keeps_it(tmp_path: Path) -> None:
    """``op.create_table`` skips making its Table only when the revision's statement throws
    it away; assigned, passed on, returned by a helper or used in an expression, it is there."""
    cols = (
        "sa.Column('id', sa.String(36), primary_key=True), "
        "sa.Column('created', sa.DateTime(), nullable=False), "
        "sa.Column('updated', sa.DateTime(), nullable=False), "
        "sa.Column('href', sa.Text(), nullable=False)"
    )
    body = f"""\
        def make(name):
            return op.create_table(name, {cols})

        op.create_table('dropped', {cols})
        kept = op.create_table('kept', {cols})
        print('kept', type(kept).__name__, sorted(kept.c.keys()))
        op.bulk_insert(op.create_table('passed', {cols}), [])
        print('helper', type(make('helped')).__name__)
        print('expression', op.create_table('expressed', {cols}).name)
        print('batch', [t.name for t in (op.create_table('listed', {cols}),)])
        """
    write_revision(tmp_path / "versions", "a1", None, body)
    result = scan_dir(tmp_path / "versions", head_state=True)
    assert result.findings == ()
    assert result.output.splitlines() == [
        "kept Table ['created', 'href', 'id', 'updated']",
        "helper Table",
        "expression expressed",
        "batch ['listed']",
    ]
    assert sorted(state.name for state, _ in result.head) == [
        "dropped",
        "expressed",
        "helped",
        "kept",
        "listed",
        "passed",
    ]


def test_meanwhile_runs_once_in_this_process_while_the_worker_runs(tmp_path: Path) -> None:
    import os

    write_revision(tmp_path / "versions", "a1", None, "op.add_column('t', sa.Column('x', sa.Text()))\n")
    write_revision(tmp_path / "versions", "a2", "a1", "op.add_column('t', sa.Column('y', sa.Text()))\n")
    calls: list[int] = []

    def meanwhile() -> None:
        calls.append(os.getpid())
        raise RuntimeError("ignored")  # its failure is not the scan's

    result = scan_dir(tmp_path / "versions", meanwhile=meanwhile)
    assert calls == [os.getpid()]
    assert [f.rule for f in result.findings] == []
