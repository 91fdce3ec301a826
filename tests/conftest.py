"""Shared fixtures: the rules, the CLI, and an isolated PostgreSQL schema or MariaDB database
per test.

``ENVOXY_TEST_DATABASE_URL`` names the PostgreSQL the tests use. Without it the PostgreSQL tests
skip saying so; with ``ENVOXY_REQUIRE_POSTGRES=1`` (set by ``.ci/run``) they fail instead.
``ENVOXY_TEST_MYSQL_URL`` and ``ENVOXY_REQUIRE_MYSQL=1`` do the same for MySQL or MariaDB.
"""

from __future__ import annotations

import contextlib
import io
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pytest

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.engine import Dialect

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def run_cli(*argv: str, only: str | None = None, cwd: Path | None = None) -> CliResult:
    """Run the envoxy CLI in-process, capturing its streams (``cwd`` changes the directory)."""
    from envoxy.cli import main

    out, err = io.StringIO(), io.StringIO()
    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        code = main(list(argv), only=only, stdout=out, stderr=err)
    finally:
        os.chdir(old)
    return CliResult(code, out.getvalue(), err.getvalue())


class Cli(Protocol):
    """The type of :func:`run_cli`, as the ``cli`` fixture hands it out."""

    def __call__(self, *argv: str, only: str | None = None, cwd: Path | None = None) -> CliResult: ...


@pytest.fixture
def cli() -> Cli:
    return run_cli


def dialect(name: str) -> Dialect:
    """A SQLAlchemy dialect by name (``postgresql.dialect()`` and the like are untyped)."""
    import sqlalchemy as sa

    cls: type[Dialect] = sa.dialects.registry.load(name)
    return cls()


# -- PostgreSQL ------------------------------------------------------------------------------


def postgres_url() -> str:
    """The test PostgreSQL URL, or skip (fail under ENVOXY_REQUIRE_POSTGRES=1) without one."""
    url = os.environ.get("ENVOXY_TEST_DATABASE_URL")
    if url:
        return url
    message = "ENVOXY_TEST_DATABASE_URL is not set; PostgreSQL tests need a server"
    if os.environ.get("ENVOXY_REQUIRE_POSTGRES") == "1":
        pytest.fail(message + " (ENVOXY_REQUIRE_POSTGRES=1)")
    pytest.skip(message)


@dataclass
class PgSchema:
    """An empty PostgreSQL schema for one test; ``url`` puts it first on the search_path."""

    name: str
    base_url: str
    url: str

    def engine(self, **kwargs: Any) -> Engine:
        import sqlalchemy as sa

        return sa.create_engine(self.url, **kwargs)


def _with_search_path(url: str, schema: str) -> str:
    from sqlalchemy.engine import make_url

    u = make_url(url)
    return u.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)


@contextlib.contextmanager
def postgres_schema(prefix: str = "envoxy_t") -> Iterator[PgSchema]:
    """A fresh schema in the test database, dropped (with everything in it) afterwards; skips
    (or fails under ENVOXY_REQUIRE_POSTGRES=1) without a test server."""
    import sqlalchemy as sa

    base = postgres_url()
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{name}"'))
        yield PgSchema(name=name, base_url=base, url=_with_search_path(base, name))
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()


@pytest.fixture
def pg_schema() -> Iterator[PgSchema]:
    """An isolated PostgreSQL schema for one test (see :func:`postgres_schema`)."""
    with postgres_schema() as schema:
        yield schema


@pytest.fixture
def pg_database() -> Iterator[str]:
    """A fresh database (for tests that need a whole one), dropped afterwards; yields its URL."""
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    base = postgres_url()
    name = f"envoxy_t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# -- MySQL and MariaDB ------------------------------------------------------------------------


def mysql_url() -> str:
    """The test MySQL or MariaDB URL (a database the tests' user may create databases from), or
    skip (fail under ENVOXY_REQUIRE_MYSQL=1) without one."""
    url = os.environ.get("ENVOXY_TEST_MYSQL_URL")
    if url:
        return url
    message = "ENVOXY_TEST_MYSQL_URL is not set; MySQL/MariaDB tests need a server"
    if os.environ.get("ENVOXY_REQUIRE_MYSQL") == "1":
        pytest.fail(message + " (ENVOXY_REQUIRE_MYSQL=1)")
    pytest.skip(message)


@pytest.fixture
def mysql_driver() -> None:
    """PyMySQL, the mysql extra's driver, for tests that need it but no server: skip without it
    (fail under ENVOXY_REQUIRE_MYSQL=1)."""
    import importlib.util

    if importlib.util.find_spec("pymysql") is not None:
        return
    message = "PyMySQL is not installed (pip install -e '.[test,mysql]')"
    if os.environ.get("ENVOXY_REQUIRE_MYSQL") == "1":
        pytest.fail(message + " (ENVOXY_REQUIRE_MYSQL=1)")
    pytest.skip(message)


@contextlib.contextmanager
def mysql_database_url(prefix: str = "envoxy_t") -> Iterator[str]:
    """A fresh database on the test server, dropped (with everything in it) afterwards; yields
    its URL. Skips (or fails under ENVOXY_REQUIRE_MYSQL=1) without a test server."""
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    base = mysql_url()
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
        admin.dispose()


@pytest.fixture
def mysql_database() -> Iterator[str]:
    """A fresh MySQL/MariaDB database for one test, dropped afterwards; yields its URL."""
    with mysql_database_url() as url:
        yield url


# -- either ----------------------------------------------------------------------------------


@contextlib.contextmanager
def _postgres_schema_url() -> Iterator[str]:
    with postgres_schema() as schema:
        yield schema.url


BACKEND_DATABASES: dict[str, Callable[[], contextlib.AbstractContextManager[str]]] = {
    "postgresql": _postgres_schema_url,
    "mariadb": mysql_database_url,
}
"""The servers the end-to-end tests run on, each making an empty database for one test (a fresh
PostgreSQL schema first on the search_path, a fresh MariaDB database) that is dropped afterwards:
``with BACKEND_DATABASES[backend]() as url``."""

BACKENDS = tuple(BACKEND_DATABASES)


@pytest.fixture
def shipped_rules_text() -> str:
    return (REPO / "rules.yaml").read_text(encoding="utf-8")


@pytest.fixture
def native_rules(tmp_path: Path, shipped_rules_text: str) -> Path:
    """A copy of the shipped rules.yaml with only ``profile: legacy`` changed to native."""
    text = shipped_rules_text.replace("profile: legacy", "profile: native")
    assert text != shipped_rules_text
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def mysql_rules(tmp_path: Path, shipped_rules_text: str) -> Path:
    """A copy of the shipped rules.yaml with only ``profile: legacy`` changed to mysql."""
    text = shipped_rules_text.replace("profile: legacy", "profile: mysql")
    assert text != shipped_rules_text
    path = tmp_path / "mysql" / "rules.yaml"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    return path
