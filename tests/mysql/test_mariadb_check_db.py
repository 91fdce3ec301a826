"""``envoxy check-db`` and ``envoxy init --from-db`` on a real MariaDB: every column type judged
as the server stores it, through every URL form, with the findings exact."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tests.conftest import REPO, run_cli

Found = tuple[str, str | None, str | None, str]

TABLES = (
    # what profile mysql asks for, with types SQLAlchemy does not recognise beside it
    "CREATE TABLE good (id CHAR(36) PRIMARY KEY, created DATETIME(6) NOT NULL, "
    "updated DATETIME(6) NOT NULL, href TEXT NOT NULL, addr INET6, spot POINT, tags SET('x','Y'))",
    # a collation and a character set belong to the column; LONGTEXT holds any TEXT
    "CREATE TABLE collated (id CHAR(36) COLLATE utf8mb4_bin PRIMARY KEY, created DATETIME(6) NOT NULL, "
    "updated DATETIME(6) NOT NULL, href LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL)",
    # the legacy profile's types, as MySQL stores them
    "CREATE TABLE legacy_style (id VARCHAR(36) PRIMARY KEY, created DATETIME NOT NULL, "
    "updated DATETIME(6) NOT NULL, href MEDIUMTEXT NOT NULL)",
    # TIMESTAMP converts through the session's time zone; TINYTEXT holds 255 bytes
    "CREATE TABLE converting (id UUID PRIMARY KEY, "
    "created TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), updated TIMESTAMP(6) NULL, "
    "href TINYTEXT NOT NULL)",
    "CREATE TABLE bare (id INT AUTO_INCREMENT PRIMARY KEY, flag BOOL, name VARCHAR(20))",
    "CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)",
    "CREATE VIEW a_view AS SELECT 1 AS x",
)


def execute(url: str, *statements: str) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.execute(sa.text(statement))
    finally:
        engine.dispose()


def check_db(url: str, rules: Path, *options: str) -> tuple[int, list[Found], dict[str, int]]:
    result = run_cli("check-db", url, "--format", "json", "--rules", str(rules), *options)
    assert result.err == ""
    out = json.loads(result.out)
    assert all(f["path"] is None and f["severity"] == "error" for f in out["findings"])
    return (
        result.code,
        [(f["rule"], f["table"], f["field"], f["message"]) for f in out["findings"]],
        out["summary"],
    )


def test_every_column_judged_as_mariadb_stores_it(mysql_database: str, mysql_rules: Path) -> None:
    execute(mysql_database, *TABLES)
    code, found, summary = check_db(mysql_database, mysql_rules)
    assert code == 1
    assert summary == {"files": 5, "findings": 11, "errors": 11, "warnings": 0, "baselined": 0}
    assert found == [
        (
            "missing-field",
            "bare",
            "created",
            "table 'bare' lacks required column 'created' (DATETIME(6) NOT NULL)",
        ),
        ("missing-field", "bare", "href", "table 'bare' lacks required column 'href' (TEXT NOT NULL)"),
        (
            "missing-field",
            "bare",
            "updated",
            "table 'bare' lacks required column 'updated' (DATETIME(6) NOT NULL)",
        ),
        (
            "nullable-field",
            "converting",
            "updated",
            "column 'converting.updated' is nullable, expected NOT NULL",
        ),
        ("wrong-type", "bare", "id", "column 'bare.id' is INTEGER, expected CHAR(36)"),
        (
            "wrong-type",
            "converting",
            "created",
            "column 'converting.created' is TIMESTAMP(6), expected DATETIME(6)",
        ),
        ("wrong-type", "converting", "href", "column 'converting.href' is TINYTEXT, expected TEXT"),
        ("wrong-type", "converting", "id", "column 'converting.id' is UUID, expected CHAR(36)"),
        (
            "wrong-type",
            "converting",
            "updated",
            "column 'converting.updated' is TIMESTAMP(6), expected DATETIME(6)",
        ),
        (
            "wrong-type",
            "legacy_style",
            "created",
            "column 'legacy_style.created' is DATETIME, expected DATETIME(6)",
        ),
        ("wrong-type", "legacy_style", "id", "column 'legacy_style.id' is VARCHAR(36), expected CHAR(36)"),
    ]

    # legacy takes a DATETIME of any fractional seconds, and VARCHAR(36) ids
    code, found, _ = check_db(mysql_database, REPO / "rules.yaml")
    assert code == 1
    assert [(rule, table, field) for rule, table, field, _ in found] == [
        ("missing-field", "bare", "created"),
        ("missing-field", "bare", "href"),
        ("missing-field", "bare", "updated"),
        ("nullable-field", "converting", "updated"),
        ("wrong-type", "bare", "id"),
        ("wrong-type", "collated", "id"),
        ("wrong-type", "converting", "created"),
        ("wrong-type", "converting", "href"),
        ("wrong-type", "converting", "id"),
        ("wrong-type", "converting", "updated"),
        ("wrong-type", "good", "id"),
    ]
    assert (
        "wrong-type",
        "converting",
        "created",
        "column 'converting.created' is TIMESTAMP(6), expected DATETIME",
    ) in found


def test_a_conforming_database_passes_through_every_url_form(mysql_database: str, mysql_rules: Path) -> None:
    execute(mysql_database, *TABLES[:2])
    url = make_url(mysql_database)
    bare = url.set(drivername="mysql").render_as_string(hide_password=False)
    mariadb = url.set(drivername="mariadb+pymysql").render_as_string(hide_password=False)
    for given in (mysql_database, bare, mariadb):
        ok = run_cli("check-db", given, "--rules", str(mysql_rules))
        assert (ok.code, ok.out, ok.err) == (0, "No findings in 2 tables.\n", ""), given
    # --schema: another database of the same server
    elsewhere = url.set(database="mysql").render_as_string(hide_password=False)
    other = run_cli("check-db", elsewhere, "--schema", url.database or "", "--rules", str(mysql_rules))
    assert (other.code, other.out) == (0, "No findings in 2 tables.\n")
    missing = run_cli("check-db", mysql_database, "--schema", "envoxy_no_such_db_x")
    shown = url.render_as_string(hide_password=True)
    assert (missing.code, missing.out, missing.err) == (
        2,
        "",
        f"envoxy: no schema 'envoxy_no_such_db_x' in {shown}\n",
    )


def test_types_sqlalchemy_does_not_know_print_only_the_report(mysql_database: str, mysql_rules: Path) -> None:
    """INET6 and POINT: SQLAlchemy warns it does not recognise them; the catalog names them."""
    execute(mysql_database, TABLES[0])
    proc = subprocess.run(
        [sys.executable, "-m", "envoxy", "check-db", mysql_database, "--rules", str(mysql_rules)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "No findings in 1 table.\n", "")


def test_native_rules_are_refused(mysql_database: str, native_rules: Path) -> None:
    execute(mysql_database, *TABLES)
    refused = run_cli("check-db", mysql_database, "--format", "json", "--rules", str(native_rules))
    assert (refused.code, refused.out) == (2, "")
    assert refused.err.startswith(
        f"envoxy: the rules of {native_rules} (profile native) cannot apply to a mariadb database: "
        "created, updated are TIMESTAMP WITH TIME ZONE, and mariadb has no timestamp that keeps one"
    )
    assert refused.err.endswith(
        "Use profile: mysql (CHAR(36) ids, DATETIME(6) timestamps; docs/RULES.md, MySQL and MariaDB)\n"
    )


@pytest.mark.parametrize(
    ("url", "said"),
    [
        (
            "mysql+pymysql://envoxy:pw-s3cret-x@127.0.0.1:1/test",
            "envoxy: cannot reach mysql+pymysql://envoxy:***@127.0.0.1:1/test: (2003, \"Can't connect to "
            "MySQL server on '127.0.0.1' ([Errno 111] Connection refused)\")\n",
        ),
        (
            "mysql://envoxy@127.0.0.1:1/test?password=pw-s3cret-x",
            "envoxy: cannot reach mysql+pymysql://envoxy@127.0.0.1:1/test?password=***: (2003, \"Can't "
            "connect to MySQL server on '127.0.0.1' ([Errno 111] Connection refused)\")\n",
        ),
    ],
)
@pytest.mark.usefixtures("mysql_driver")
def test_an_unreachable_server_is_said_without_its_password(url: str, said: str) -> None:
    result = run_cli("check-db", url)
    assert (result.code, result.out, result.err) == (2, "", said)


def test_a_wrong_password_is_not_echoed(mysql_database: str) -> None:
    url = make_url(mysql_database).set(username="envoxy_no_such_user", password="pw-s3cret-x")
    result = run_cli("check-db", url.render_as_string(hide_password=False))
    assert result.code == 2
    assert "pw-s3cret-x" not in result.out + result.err
    assert result.err.count("\n") == 1
    assert result.err.startswith("envoxy: cannot reach mysql+pymysql://envoxy_no_such_user:***@")


def test_init_infers_profile_mysql(mysql_database: str, tmp_path: Path) -> None:
    execute(mysql_database, TABLES[0], TABLES[1], TABLES[3].replace("converting", "stamped"))
    result = run_cli("init", "--from-db", mysql_database, cwd=tmp_path)
    assert result.code == 0, result.err
    shown = make_url(mysql_database).render_as_string(hide_password=True)
    assert result.out.splitlines()[:6] == [
        f"profile mysql, inferred from 3 tables: {shown}",
        "  id       CHAR(36) on 2, UUID on 1",
        "  created  DATETIME(6) on 2, TIMESTAMP(6) on 1",
        "  updated  DATETIME(6) on 2, TIMESTAMP(6) on 1",
        "  href     LONGTEXT on 1, TEXT on 1, TINYTEXT on 1",
        "  note: created, updated: TIMESTAMP(6) (2 columns) is not adopted: mariadb has no timestamp that "
        "keeps one: DATETIME keeps no time zone, and TIMESTAMP reads what the driver sends (a Python "
        "datetime without its offset) in the session's time zone, so an instant lands shifted wherever "
        "that is not UTC",
    ]
    assert "\nprofile: mysql\n" in (tmp_path / "rules.yaml").read_text(encoding="utf-8")
