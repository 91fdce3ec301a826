"""End to end with the real ``alembic`` command on a real PostgreSQL and a real MariaDB, in the
profiles that fit each and with both ways ``env.py`` runs the gate (the Alembic plugin and the
hook).

A project made by ``envoxy init-alembic``; a model without the required columns is refused by
``alembic revision --autogenerate`` (and ``alembic check``); the same model with ``EnvoxyMixin``
is written, upgraded, and passes ``check-db`` and ``check_migrations``; a hand-written revision
dropping ``href`` is then reported at its file and line.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from envoxy.tools.alembic_plugin import plugins_supported
from envoxy.tools.scaffold import Gate, default_gate, template_dir
from tests.conftest import BACKEND_DATABASES, Cli
from tests.migrations.alembic_projects import (
    BARE_MODEL,
    MIXIN_MODEL,
    NULLABLE_HREF_MODEL,
    NULLABLE_HREF_REFUSAL,
    TYPES_SAID,
    Project,
    alembic_command,
    refusal,
)

REPO = Path(__file__).resolve().parents[2]

DROP_HREF = '''\
"""drop href by hand"""
from alembic import op
import sqlalchemy as sa

revision = "b2"
down_revision = {down!r}
branch_labels = None
depends_on = None


def upgrade():
    op.drop_column("shop", "href")


def downgrade():
    op.add_column("shop", sa.Column("href", sa.Text(), nullable=False))
'''
DROP_HREF_LINE = 12


@pytest.fixture
def rules_for(native_rules: Path, mysql_rules: Path) -> Callable[[str], Path]:
    return {"legacy": REPO / "rules.yaml", "native": native_rules, "mysql": mysql_rules}.__getitem__


NO_PLUGINS = pytest.mark.skipif(
    not plugins_supported(), reason="the installed Alembic has no plugin system (1.18+)"
)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("backend", "profile", "gate"),
    [
        pytest.param("postgresql", "legacy", "plugin", marks=NO_PLUGINS),
        ("postgresql", "native", "hook"),
        pytest.param("mariadb", "mysql", "plugin", marks=NO_PLUGINS),
        ("mariadb", "legacy", "hook"),
    ],
    ids=["postgresql-legacy-plugin", "postgresql-native-hook", "mariadb-mysql-plugin", "mariadb-legacy-hook"],
)
def test_autogenerate_gate_end_to_end(
    backend: str,
    profile: str,
    gate: Gate,
    rules_for: Callable[[str], Path],
    cli: Cli,
    tmp_path: Path,
) -> None:
    with BACKEND_DATABASES[backend]() as url:
        said = refusal(rules_for(profile), *TYPES_SAID[backend, profile])
        gate_end_to_end(Project(tmp_path / "project", url, rules_for(profile)), gate, said, cli)


def init_project(project: Project, gate: Gate, cli: Cli) -> None:
    """Make ``project`` with ``envoxy init-alembic --gate GATE``, its metadata ``models.py``'s."""
    root = project.root
    root.mkdir()
    made = cli("init-alembic", "--gate", gate, cwd=root)
    assert made.code == 0, made.err
    assert (root / "alembic" / "env.py").read_text(encoding="utf-8") == (
        template_dir(gate) / "env.py"
    ).read_text(encoding="utf-8")
    config = root / "alembic.ini"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "\nenvoxy.target_metadata =\n", "\nenvoxy.target_metadata = models:Base.metadata\n"
        ),
        encoding="utf-8",
    )


def gate_end_to_end(project: Project, gate: Gate, said: str, cli: Cli) -> None:
    """Refused, written, upgraded, checked: ``said`` is the refusal of ``BARE_MODEL``."""
    init_project(project, gate, cli)
    root, rules = project.root, project.rules
    assert rules is not None

    # A model without the required columns: refused, nothing written; `alembic check` agrees.
    (root / "models.py").write_text(BARE_MODEL, encoding="utf-8")
    refused = project.alembic("revision", "--autogenerate", "-m", "shop")
    assert refused.returncode != 0
    assert said in refused.stdout + refused.stderr
    assert project.revisions() == []
    checked = project.alembic("check")
    assert checked.returncode != 0
    assert said in checked.stdout + checked.stderr
    assert project.revisions() == []

    # The same model with the mixin: written, upgraded, and every check passes.
    (root / "models.py").write_text(MIXIN_MODEL, encoding="utf-8")
    written = project.alembic("revision", "--autogenerate", "-m", "shop")
    assert written.returncode == 0, written.stdout + written.stderr
    [first] = project.revisions()
    assert "op.create_table('shop'" in (project.versions / first).read_text(encoding="utf-8")
    upgraded = project.alembic("upgrade", "head")
    assert upgraded.returncode == 0, upgraded.stderr
    clean = project.alembic("check")
    assert (clean.returncode, clean.stdout) == (0, "No new upgrade operations detected.\n")
    live = cli("check-db", project.database_url, "--rules", str(rules))
    assert (live.code, live.out, live.err) == (0, "No findings in 1 table.\n", "")
    history = project.check_migrations()
    assert (history.returncode, history.stdout, history.stderr) == (0, "No findings in 1 file.\n", "")

    # A model change that makes href nullable: autogenerate's alter_column is refused.
    (root / "models.py").write_text(NULLABLE_HREF_MODEL, encoding="utf-8")
    altered = project.alembic("revision", "--autogenerate", "-m", "nullable href")
    assert altered.returncode != 0
    assert NULLABLE_HREF_REFUSAL.format(rules=rules) in altered.stdout + altered.stderr
    assert project.revisions() == [first]

    # A hand-written revision that drops href: reported at its file and line.
    down = first.split("_", 1)[0]
    (project.versions / "b2_drop_href.py").write_text(DROP_HREF.format(down=down), encoding="utf-8")
    dropped = project.check_migrations("--format", "json")
    assert dropped.returncode == 1, dropped.stderr
    assert json.loads(dropped.stdout)["findings"] == [
        {
            "rule": "dropped-field",
            "severity": "error",
            "path": "alembic/versions/b2_drop_href.py",
            "line": DROP_HREF_LINE,
            "column": None,
            "pointer": None,
            "table": "shop",
            "field": "href",
            "message": "drop_column removes required column 'shop.href'; rules.yaml requires it "
            "(TEXT NOT NULL)",
        }
    ]


GATE_SAID = {
    "plugin": "env.py runs envoxy's rules as an Alembic plugin (autogenerate_plugins)\n",
    "hook": "env.py runs envoxy's rules in its process_revision_directives hook\n",
}


def test_init_alembic_scaffold(cli: Cli, tmp_path: Path) -> None:
    made = cli("init-alembic", "db/migrations", "--config", "db/alembic.ini", cwd=tmp_path)
    assert (made.code, made.err) == (0, "")
    assert made.out == (
        "created db/migrations/ (env.py, script.py.mako, README, versions/)\n"
        + GATE_SAID[default_gate()]
        + "wrote db/alembic.ini: set envoxy.target_metadata to your models' MetaData "
        "(module:attribute) and export DATABASE_URL\n"
    )
    migrations = tmp_path / "db" / "migrations"
    assert sorted(p.name for p in migrations.iterdir()) == ["README", "env.py", "script.py.mako", "versions"]
    assert (migrations / "env.py").read_text() == (template_dir() / "env.py").read_text()
    ini = (tmp_path / "db" / "alembic.ini").read_text(encoding="utf-8")
    assert "\nscript_location = %(here)s/migrations\n" in ini
    again = cli("init-alembic", "db/migrations", cwd=tmp_path)
    assert (again.code, again.out) == (2, "")
    assert again.err == "envoxy: Directory db/migrations already exists and is not empty\n"
    beside = cli("init-alembic", "other", "--config", "db/alembic.ini", cwd=tmp_path)
    assert beside.code == 0
    assert beside.out.splitlines()[2] == (
        "db/alembic.ini exists and was left unchanged: point its script_location at other"
    )


@pytest.mark.slow
def test_alembic_init_takes_the_template_directory(tmp_path: Path) -> None:
    done = subprocess.run(
        [*alembic_command(), "init", "-t", str(template_dir()), "alembic"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "alembic" / "env.py").read_text() == (template_dir() / "env.py").read_text()
    assert "envoxy.target_metadata =" in (tmp_path / "alembic.ini").read_text(encoding="utf-8")


@pytest.mark.slow
def test_env_py_without_database_url_fails_plainly(cli: Cli, tmp_path: Path) -> None:
    assert cli("init-alembic", cwd=tmp_path).code == 0
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "ALEMBIC_CONFIG")}
    done = subprocess.run(
        [*alembic_command(), "upgrade", "head"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "FAILED: set DATABASE_URL to the database to migrate" in done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr


@pytest.mark.slow
def test_env_py_with_a_bad_rules_file_fails_plainly(cli: Cli, tmp_path: Path) -> None:
    assert cli("init-alembic", cwd=tmp_path).code == 0
    ini = tmp_path / "alembic.ini"
    ini.write_text(
        ini.read_text(encoding="utf-8").replace(
            "\nenvoxy.target_metadata =\n", "\nenvoxy.target_metadata = models:Base.metadata\n"
        ),
        encoding="utf-8",
    )
    (tmp_path / "models.py").write_text(
        "from sqlalchemy.orm import DeclarativeBase\n"
        "from envoxy.db.envoxy_mixin import EnvoxyMixin\n\n\n"
        "class Base(DeclarativeBase):\n    pass\n",
        encoding="utf-8",
    )
    missing = tmp_path / "no-such-rules.yaml"
    env = {
        **os.environ,
        "DATABASE_URL": "sqlite://",
        "ENVOXY_RULES": str(missing),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.pop("ALEMBIC_CONFIG", None)
    done = subprocess.run(
        [*alembic_command(), "revision", "--autogenerate", "-m", "x"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stdout == (
        "FAILED: envoxy: cannot import the models (models:Base.metadata): "
        f"{missing}: the rules file does not exist, expected a readable rules.yaml\n"
    )


def test_init_alembic_refuses_a_bad_config_path_and_makes_nothing(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "cfgdir").mkdir()
    missing = cli("init-alembic", "one", "--config", "nodir/alembic.ini", cwd=tmp_path)
    assert (missing.code, missing.out, missing.err) == (
        2,
        "",
        "envoxy: cannot write nodir/alembic.ini: no directory nodir\n",
    )
    directory = cli("init-alembic", "two", "--config", "cfgdir", cwd=tmp_path)
    assert (directory.code, directory.out, directory.err) == (
        2,
        "",
        "envoxy: cfgdir is not a file; give --config the Alembic config file to write or keep\n",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cfgdir"]


UNFIT = (
    "the rules of {rules} (profile native) cannot apply to a mariadb database: created, updated "
    "are TIMESTAMP WITH TIME ZONE, and mariadb has no timestamp that keeps one: DATETIME keeps no "
    "time zone, and TIMESTAMP reads what the driver sends (a Python datetime without its offset) "
    "in the session's time zone, so an instant lands shifted wherever that is not UTC. Use "
    "profile: mysql (CHAR(36) ids, DATETIME(6) timestamps; docs/RULES.md, MySQL and MariaDB)"
)


@pytest.mark.slow
def test_native_rules_cannot_apply_on_mariadb(
    mysql_database: str, native_rules: Path, cli: Cli, tmp_path: Path
) -> None:
    """``profile: native`` asks for a time zone MariaDB cannot keep: the gate refuses to judge
    (with the real ``alembic``), and so does ``check-db``, saying why and what fits."""
    project = Project(tmp_path / "project", mysql_database, native_rules)
    init_project(project, "hook", cli)
    (project.root / "models.py").write_text(MIXIN_MODEL, encoding="utf-8")
    refused = project.alembic("revision", "--autogenerate", "-m", "shop")
    assert refused.returncode != 0
    assert refused.stdout == (
        f"FAILED: envoxy: cannot check the revision: {UNFIT.format(rules=native_rules)}\n"
    ), refused.stderr
    assert project.revisions() == []
    live = cli("check-db", mysql_database, "--rules", str(native_rules))
    assert (live.code, live.out, live.err) == (2, "", f"envoxy: {UNFIT.format(rules=native_rules)}\n")
