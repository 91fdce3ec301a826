"""Helpers for the mixin tests: generated modules, subprocess runs, PostgreSQL schemas, decoding."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.conftest import REPO, run_cli
from tests.conftest import postgres_schema as conftest_postgres_schema

HERE = Path(__file__).resolve().parent
SCENARIOS_SCRIPT = HERE / "mixin_scenarios.py"
SHIPPED_RULES = REPO / "rules.yaml"
UTC = dt.timezone.utc


def generate_module(rules: Path, directory: Path, name: str) -> Path:
    """Write the mixin module for ``rules`` through the real CLI, as ``directory/name.py``."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{name}.py"
    result = run_cli("generate-mixin", "--rules", str(rules), "-o", str(target))
    assert result.code == 0, result.err
    return target


def _site_dirs() -> list[str]:
    import importlib.util

    import psycopg
    import sqlalchemy

    modules: list[str | None] = [sqlalchemy.__file__, psycopg.__file__]
    pymysql = importlib.util.find_spec("pymysql")  # the mysql extra's driver, where installed
    if pymysql is not None:
        modules.append(pymysql.origin)
    dirs = []
    for file in modules:
        assert file is not None  # regular packages, not namespace ones
        dirs.append(str(Path(file).resolve().parent.parent))
    return list(dict.fromkeys(dirs))


# -I: no PYTHON* variables, no user site, not the script's directory; -S: no site module, so no
# .pth file, and so no editable install of envoxy. Only the directories holding SQLAlchemy and
# the drivers go on the path, the way an application that never installed envoxy would have them.
_BOOTSTRAP = """
import runpy, sys
sys.path[:0] = {dirs!r}
sys.argv = [{script!r}, *sys.argv[1:]]
runpy.run_path({script!r}, run_name="__main__")
"""


def run_isolated(
    script: Path, *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``script`` in a fresh interpreter where envoxy cannot be imported."""
    code = _BOOTSTRAP.format(dirs=_site_dirs(), script=str(script))
    return subprocess.run(
        [sys.executable, "-I", "-S", "-c", code, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
        check=False,
    )


def run_generated(module: Path, url: str, scenarios: list[str], env: dict[str, str]) -> dict[str, Any]:
    proc = run_isolated(
        SCENARIOS_SCRIPT, str(module.parent), module.stem, url, *scenarios, env=env, cwd=module.parent
    )
    assert proc.returncode == 0, proc.stderr
    out: dict[str, Any] = json.loads(proc.stdout)
    assert out["envoxy_importable"] is False
    assert Path(out["module_file"]) == module
    return out["results"]  # type: ignore[no-any-return]


@contextlib.contextmanager
def postgres_schema() -> Iterator[str]:
    """A fresh schema (skips without a test server); yields a URL with it on the search_path."""
    with conftest_postgres_schema("envoxy_m") as schema:
        yield schema.url


def decode(tagged: list[Any]) -> Any:
    """Inverse of ``mixin_scenarios.encode``."""
    kind, *value = tagged
    if kind == "none":
        return None
    if kind == "uuid":
        return uuid.UUID(value[0])
    if kind == "datetime":
        return dt.datetime.fromisoformat(value[0])
    return value[0]


def decode_rows(rows: list[dict[str, list[Any]]]) -> list[dict[str, Any]]:
    return [{k: decode(v) for k, v in row.items()} for row in rows]


def as_utc(value: dt.datetime) -> dt.datetime:
    """A stored timestamp as an aware UTC instant; naive ones are UTC by the contract."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
