"""The first run in someone else's repository: no rules.yaml, so the shipped default applies,
every command works and says so once, on stderr, naming ``envoxy init``."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from envoxy.cli import SHIPPED_DEFAULT_NOTE
from tests.adopt.service import make_service
from tests.conftest import REPO

DISCOVERED = "envoxy: checking the model directories found here: models\n"
VALIDATE_OUT = (
    "models/orders.json:35:17: missing-field datum 'audit_log' lacks required field 'href'\n"
    "models/orders.json:35:17: missing-field datum 'audit_log' lacks required field 'updated'\n"
    "models/orders.json:36:15: wrong-type datum 'audit_log' declares field 'id' as {\"type\": \"integer\"}, "
    'expected {"type": "string"}\n'
    "models/users.json:4:13: missing-field datum 'users' lacks required field 'href'\n"
    "4 findings in 2 files: 4 errors, 0 warnings.\n"
    "Run 'envoxy explain missing-field' (or wrong-type) for why and how to fix.\n"
)
MIGRATIONS_OUT = (
    "alembic/versions/1a2b3c4d5e6f_users.py:24: missing-field table 'users' lacks required column 'href' "
    "(TEXT NOT NULL)\n"
    "alembic/versions/3c4d5e6f7081_audit_log.py:24: missing-field table 'audit_log' lacks required column "
    "'href' (TEXT NOT NULL)\n"
    "alembic/versions/3c4d5e6f7081_audit_log.py:24: missing-field table 'audit_log' lacks required column "
    "'updated' (TIMESTAMP WITHOUT TIME ZONE NOT NULL)\n"
    "3 findings in 4 files: 3 errors, 0 warnings.\n"
    "Run 'envoxy explain missing-field' for why and how to fix.\n"
)


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Another project: an Alembic history and model files, no rules.yaml here or above."""
    monkeypatch.delenv("ENVOXY_RULES", raising=False)
    monkeypatch.setenv("ENVOXY_CACHE_DIR", str(tmp_path / "cache"))
    root = make_service(tmp_path / "service")
    assert not any((d / "rules.yaml").exists() for d in (root, *root.parents))
    return root


def run(cwd: Path, *argv: str) -> tuple[int, str, str]:
    from tests.conftest import run_cli

    result = run_cli(*argv, cwd=cwd)
    return result.code, result.out, result.err


def test_the_note_is_one_line_naming_envoxy_init() -> None:
    assert SHIPPED_DEFAULT_NOTE.count("\n") == 1 and SHIPPED_DEFAULT_NOTE.endswith("\n")
    assert "'envoxy init'" in SHIPPED_DEFAULT_NOTE


def test_every_command_works_on_the_shipped_default_and_says_so_once(elsewhere: Path) -> None:
    assert run(elsewhere, "validate") == (1, VALIDATE_OUT, SHIPPED_DEFAULT_NOTE + DISCOVERED)
    assert run(elsewhere, "check-migrations") == (1, MIGRATIONS_OUT, SHIPPED_DEFAULT_NOTE)
    code, out, err = run(elsewhere, "check-migrations", "--head-state")
    assert (code, err) == (1, SHIPPED_DEFAULT_NOTE)
    assert run(elsewhere, "compile") == (
        0,
        "wrote schemas/model.schema.json\nwrote schemas/columns.json\n",
        SHIPPED_DEFAULT_NOTE,
    )
    code, out, err = run(elsewhere, "generate-mixin")
    assert (code, err) == (0, SHIPPED_DEFAULT_NOTE)
    assert "class EnvoxyMixin" in out
    with sqlite3.connect(elsewhere / "app.db") as connection:
        connection.execute("CREATE TABLE t (id VARCHAR(36) PRIMARY KEY NOT NULL)")
    code, out, err = run(elsewhere, "check-db", f"sqlite:///{elsewhere / 'app.db'}")
    assert (code, err) == (1, SHIPPED_DEFAULT_NOTE)
    assert out.endswith(
        "3 findings in 1 table: 3 errors, 0 warnings.\n"
        "Run 'envoxy explain missing-field' for why and how to fix.\n"
    )
    # the schemas compile writes are not model files: the next run finds the same directories
    assert run(elsewhere, "validate")[2] == SHIPPED_DEFAULT_NOTE + DISCOVERED


def test_nothing_to_validate_is_a_clear_usage_error(elsewhere: Path) -> None:
    shutil.rmtree(elsewhere / "models")
    code, out, err = run(elsewhere, "validate")
    assert (code, out) == (2, "")
    assert err == SHIPPED_DEFAULT_NOTE + (
        "envoxy: no paths given, no rules.yaml naming models.paths, and no directory here holds JSON "
        "model files (objects declaring 'fields'); name model files or directories\n"
    )


def test_a_project_rules_file_without_model_paths_still_asks_for_them(elsewhere: Path) -> None:
    (elsewhere / "rules.yaml").write_text("version: 1\n")
    code, _, err = run(elsewhere, "validate")
    assert (code, err) == (
        2,
        "envoxy: no paths given and the rules file names no models.paths; name model files or "
        "directories on the command line\n",
    )


@pytest.mark.slow
def test_a_fresh_virtualenv_with_envoxy_installed(tmp_path: Path) -> None:
    """``pip install`` of this repository (not editable) and the console script, run from an
    unrelated directory: the packaged default points nowhere into this repository."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    source = tmp_path / "source"  # what a source distribution holds: no .venv, no build leftovers
    shutil.copytree(REPO / "envoxy", source / "envoxy", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    installed = subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(source)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert installed.returncode == 0, installed.stderr
    shutil.rmtree(source)
    project = make_service(tmp_path / "project")
    env = {k: v for k, v in os.environ.items() if k not in ("ENVOXY_RULES", "PYTHONPATH")}
    env["ENVOXY_CACHE_DIR"] = str(tmp_path / "cache")
    env["NO_COLOR"] = "1"
    for argv, out in ((["validate"], VALIDATE_OUT), (["check-migrations"], MIGRATIONS_OUT)):
        done = subprocess.run(
            [str(bin_dir / "envoxy"), *argv],
            cwd=project,
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert (done.returncode, done.stdout) == (1, out), done.stderr
        assert done.stderr.startswith(SHIPPED_DEFAULT_NOTE)
        assert done.stderr.count("envoxy init") == 1
    where = subprocess.run(
        [str(bin_dir / "python"), "-c", "import envoxy; print(envoxy.__file__)"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert where.stdout.startswith(str(venv))  # the installed copy, not this repository


def test_the_readme_shows_the_shipped_rules_byte_for_byte() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    shipped = (REPO / "envoxy" / "rules" / "default.yaml").read_text(encoding="utf-8")
    assert f"```yaml\n{shipped}```\n" in readme
    assert (
        "| `envoxy init [--from-migrations DIR] [--from-db URL] [--models PATH ...] [--baseline] [--force]` |"
        in (readme)
    )
