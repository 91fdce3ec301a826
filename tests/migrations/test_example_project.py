"""examples/alembic, the project made by ``envoxy init-alembic``: its revision passes the scanner,
and on PostgreSQL ``alembic upgrade head`` builds a schema that ``envoxy check-db`` passes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from envoxy.tools.scaffold import template_dir
from tests.conftest import REPO, PgSchema, run_cli

EXAMPLE = REPO / "examples" / "alembic"


def _run(*argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(argv),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **env},
    )


def test_example_revisions_pass_the_scanner() -> None:
    proc = _run(
        sys.executable, "-m", "envoxy.check_migrations", "examples/alembic/versions", "--format", "json"
    )
    assert (proc.returncode, proc.stderr) == (0, "")
    assert json.loads(proc.stdout) == {
        "findings": [],
        "summary": {"files": 1, "findings": 0, "errors": 0, "warnings": 0, "baselined": 0},
    }


@pytest.mark.slow
def test_example_upgrade_head_passes_check_db(pg_schema: PgSchema) -> None:
    proc = _run(
        sys.executable,
        "-m",
        "alembic",
        "-c",
        str(EXAMPLE / "alembic.ini"),
        "upgrade",
        "head",
        DATABASE_URL=pg_schema.url,
    )
    assert proc.returncode == 0, proc.stderr
    result = run_cli("check-db", pg_schema.url, "--format", "json")
    assert (result.code, result.err) == (0, "")
    assert json.loads(result.out) == {
        "findings": [],
        "summary": {"files": 2, "findings": 0, "errors": 0, "warnings": 0, "baselined": 0},
    }


def test_example_env_py_is_the_shipped_template() -> None:
    """The example is what ``envoxy init-alembic`` makes with Alembic 1.18+ (the plugin gate):
    its env.py must not drift from it."""
    template = template_dir("plugin") / "env.py"
    assert (EXAMPLE / "env.py").read_text(encoding="utf-8") == template.read_text(encoding="utf-8")
