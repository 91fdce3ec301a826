"""envoxy's rules as an Alembic plugin: the ``alembic.plugins`` entry point ``envoxy.rules``,
enabled by ``autogenerate_plugins=["alembic.autogenerate.*", "envoxy.*"]`` in ``env.py``.

In process (SQLite, and PostgreSQL for the dialect) through Alembic's own ``produce_migrations``,
which runs the same comparators as ``alembic revision --autogenerate``; end to end with the real
``alembic`` command on a project made by plain ``alembic init`` plus the one documented edit; and
``envoxy init-alembic`` choosing the plugin or the hook by the installed Alembic.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

import alembic
import pytest
import sqlalchemy as sa
from alembic.autogenerate import produce_migrations
from alembic.operations import ops
from alembic.runtime.migration import MigrationContext
from alembic.util import CommandError

from envoxy.tools import alembic_plugin
from envoxy.tools.alembic_hooks import EnvoxyHookError, EnvoxyRevisionError
from envoxy.tools.alembic_plugin import AUTOGENERATE_PLUGINS, PLUGIN_NAME, plugins_supported
from envoxy.tools.scaffold import template_dir
from tests.conftest import REPO, Cli, PgSchema
from tests.migrations.alembic_projects import (
    BARE_MODEL,
    MIXIN_MODEL,
    NULLABLE_HREF_MODEL,
    NULLABLE_HREF_REFUSAL,
    PROFILES,
    Project,
    alembic_command,
    refusal,
)

NEEDS_PLUGINS = pytest.mark.skipif(
    not plugins_supported(), reason=f"Alembic {alembic.__version__} has no plugin system (1.18+)"
)

PLUGIN_LINE = 'autogenerate_plugins=["alembic.autogenerate.*", "envoxy.*"],'
"""The documented edit: one keyword in ``env.py``'s ``context.configure(...)``."""

LEGACY = REPO / "rules.yaml"


@pytest.fixture
def legacy_rules(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ENVOXY_RULES", str(LEGACY))
    return LEGACY


# -- the entry point ------------------------------------------------------------------------------


def _entry_point() -> metadata.EntryPoint:
    [entry] = [e for e in metadata.entry_points(group="alembic.plugins") if e.name == PLUGIN_NAME]
    return entry


def test_the_entry_point_names_the_plugin_module_which_is_also_a_collection_of_itself() -> None:
    entry = _entry_point()
    assert entry.value == "envoxy.tools.alembic_plugin"
    loaded = entry.load()
    assert loaded is alembic_plugin
    assert isinstance(loaded, ModuleType)
    # Alembic 1.18.0 to 1.20.0 iterate what the entry point names
    collection: Any = loaded
    assert list(collection) == [loaded]


def test_the_documented_line_is_the_one_tested() -> None:
    assert f"autogenerate_plugins={list(AUTOGENERATE_PLUGINS)}".replace("'", '"') + "," == PLUGIN_LINE
    assert PLUGIN_LINE in (REPO / "docs" / "ALEMBIC.md").read_text(encoding="utf-8")
    assert PLUGIN_LINE in (template_dir("plugin") / "env.py").read_text(encoding="utf-8")


def test_loading_the_plugin_stays_light() -> None:
    """Alembic 1.18+ loads every installed plugin whenever ``alembic`` is imported."""
    heavy = ("sqlalchemy", "alembic", "yaml", "jsonschema", "envoxy.rules", "envoxy.migrations")
    code = (
        "import sys, envoxy.tools.alembic_plugin; "
        f"print(sorted(m for m in {heavy!r} + ('envoxy.tools.alembic_hooks',) if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "[]\n"


@NEEDS_PLUGINS
def test_alembic_loads_the_installed_plugin_without_a_warning(tmp_path: Path) -> None:
    """Alembic's own loader, in a fresh interpreter where every warning is an error."""
    code = """\
import sqlalchemy as sa
from alembic.autogenerate import produce_migrations
from alembic.runtime.migration import MigrationContext

md = sa.MetaData()
sa.Table("shop", md, sa.Column("id", sa.Integer, primary_key=True))
with sa.create_engine("sqlite://").connect() as conn:
    ctx = MigrationContext.configure(
        conn, opts={"target_metadata": md, "autogenerate_plugins": ["alembic.autogenerate.*", "envoxy.rules"]}
    )
    try:
        produce_migrations(ctx, md)
    except Exception as e:
        print(type(e).__name__, [(f.rule, f.field) for f in e.findings])
"""
    env_rules = {**os.environ, "ENVOXY_RULES": str(LEGACY)}
    out = subprocess.run(
        [sys.executable, "-W", "error", "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env_rules,
        timeout=60,
    )
    assert (out.stdout, out.stderr) == (
        "EnvoxyRevisionError [('wrong-type', 'id'), ('missing-field', 'created'), "
        "('missing-field', 'updated'), ('missing-field', 'href')]\n",
        "",
    )


@pytest.fixture
def fresh_plugin_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Plugins a test registers are forgotten afterwards (Alembic keeps one global registry)."""
    from alembic.runtime import plugins

    monkeypatch.setattr(plugins, "_all_plugins", dict(plugins._all_plugins))


@NEEDS_PLUGINS
@pytest.mark.parametrize("loader", ["module", "collection"])
@pytest.mark.usefixtures("fresh_plugin_registry", "legacy_rules")
def test_both_entry_point_loaders_of_alembic_set_it_up(loader: str, sqlite: sa.Connection) -> None:
    """Alembic 1.20.1+ hands the loaded module to ``setup_plugin_from_module``; 1.18.0 to 1.20.0
    do so for each item of it (``for mod in entrypoint.load()``)."""
    from alembic.runtime.plugins import Plugin

    loaded = _entry_point().load()
    name = f"envoxy_test.{loader}"
    if loader == "module":
        Plugin.setup_plugin_from_module(loaded, name)
    else:
        for module in loaded:
            Plugin.setup_plugin_from_module(module, name)
    with pytest.raises(EnvoxyRevisionError):
        autogenerate(sqlite, shop_metadata(bare=True), ["alembic.autogenerate.*", name])


# -- the comparator, in process ---------------------------------------------------------------------


@pytest.fixture
def sqlite() -> Iterator[sa.Connection]:
    engine = sa.create_engine("sqlite://")
    with engine.connect() as conn:
        yield conn
    engine.dispose()


def shop_metadata(*, bare: bool) -> sa.MetaData:
    md = sa.MetaData()
    if bare:
        sa.Table("shop", md, sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.String(80)))
    else:
        sa.Table(
            "shop",
            md,
            sa.Column("id", sa.String(36), primary_key=True),
            sa.Column("created", sa.DateTime(), nullable=False),
            sa.Column("updated", sa.DateTime(), nullable=False),
            sa.Column("href", sa.Text(), nullable=False),
        )
    return md


def autogenerate(conn: sa.Connection, md: sa.MetaData, plugins: list[str] | None) -> ops.UpgradeOps:
    """What ``alembic revision --autogenerate`` compares, for ``env.py`` passing ``plugins``."""
    opts: dict[str, Any] = {"target_metadata": md}
    if plugins is not None:
        opts["autogenerate_plugins"] = plugins
    script = produce_migrations(MigrationContext.configure(conn, opts=opts), md)
    assert script.upgrade_ops is not None
    return script.upgrade_ops


ENABLED = list(AUTOGENERATE_PLUGINS)


@NEEDS_PLUGINS
def test_a_bad_table_is_refused_with_every_violation(sqlite: sa.Connection, legacy_rules: Path) -> None:
    with pytest.raises(EnvoxyRevisionError) as raised:
        autogenerate(sqlite, shop_metadata(bare=True), ENABLED)
    assert isinstance(raised.value, CommandError)
    assert str(raised.value) == refusal(legacy_rules, *PROFILES["legacy"]).removeprefix("FAILED: ").rstrip()
    assert [(f.rule, f.table, f.field) for f in raised.value.findings] == [
        ("wrong-type", "shop", "id"),
        ("missing-field", "shop", "created"),
        ("missing-field", "shop", "updated"),
        ("missing-field", "shop", "href"),
    ]


@NEEDS_PLUGINS
@pytest.mark.usefixtures("legacy_rules")
def test_a_conforming_table_passes_and_alembic_finds_it(sqlite: sa.Connection) -> None:
    upgrade = autogenerate(sqlite, shop_metadata(bare=False), ENABLED)
    assert [(type(op).__name__, getattr(op, "table_name", None)) for op in upgrade.ops] == [
        ("CreateTableOp", "shop")
    ]


@NEEDS_PLUGINS
@pytest.mark.usefixtures("legacy_rules")
def test_without_the_plugin_named_nothing_is_judged(sqlite: sa.Connection) -> None:
    for plugins in (None, ["alembic.autogenerate.*"]):
        upgrade = autogenerate(sqlite, shop_metadata(bare=True), plugins)
        assert [type(op).__name__ for op in upgrade.ops] == ["CreateTableOp"]


@NEEDS_PLUGINS
@pytest.mark.usefixtures("legacy_rules")
def test_the_plugin_judges_the_whole_revision_not_one_table(sqlite: sa.Connection) -> None:
    """Ops of several tables, and of both kinds (a new table, an altered column), in one refusal."""
    sqlite.execute(
        sa.text(
            "CREATE TABLE orders (id VARCHAR(36) PRIMARY KEY, created DATETIME NOT NULL, "
            "updated DATETIME NOT NULL, href TEXT NOT NULL)"
        )
    )
    md = shop_metadata(bare=True)
    sa.Table(
        "orders",
        md,
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("updated", sa.DateTime(), nullable=False),
        sa.Column("href", sa.Text(), nullable=True),
    )
    with pytest.raises(EnvoxyRevisionError) as raised:
        autogenerate(sqlite, md, ENABLED)
    assert [(f.rule, f.table, f.field) for f in raised.value.findings] == [
        ("wrong-type", "shop", "id"),
        ("missing-field", "shop", "created"),
        ("missing-field", "shop", "updated"),
        ("missing-field", "shop", "href"),
        ("altered-field", "orders", "href"),
    ]


@NEEDS_PLUGINS
@pytest.mark.usefixtures("legacy_rules")
@pytest.mark.parametrize(
    "plugins",
    [["envoxy.*"], ["alembic.autogenerate.*", "~alembic.autogenerate.schemas", "envoxy.rules"]],
    ids=["envoxy-alone", "sweep-excluded"],
)
def test_naming_envoxy_without_alembics_own_comparison_is_refused(
    plugins: list[str], sqlite: sa.Connection
) -> None:
    """Alembic would compare nothing, and an empty revision would pass ``alembic check``."""
    with pytest.raises(EnvoxyHookError) as raised:
        autogenerate(sqlite, shop_metadata(bare=True), plugins)
    assert not isinstance(raised.value, EnvoxyRevisionError)
    assert str(raised.value) == (
        "envoxy: autogenerate_plugins does not enable Alembic's own comparison "
        "(alembic.autogenerate.*), so autogenerate found nothing for envoxy to judge; "
        'pass autogenerate_plugins=["alembic.autogenerate.*", "envoxy.*"]'
    )


@NEEDS_PLUGINS
@pytest.mark.usefixtures("legacy_rules")
def test_excluding_other_alembic_comparators_keeps_the_judgement(sqlite: sa.Connection) -> None:
    with pytest.raises(EnvoxyRevisionError):
        autogenerate(
            sqlite,
            shop_metadata(bare=True),
            ["alembic.autogenerate.*", "~alembic.autogenerate.comments", "envoxy.*"],
        )


@NEEDS_PLUGINS
def test_the_plugin_judges_on_the_context_dialect(
    pg_schema: PgSchema, native_rules: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL with the native profile: ``sa.Uuid`` and ``TIMESTAMP WITH TIME ZONE`` pass,
    ``String(36)`` ids are refused."""
    monkeypatch.setenv("ENVOXY_RULES", str(native_rules))
    native = sa.MetaData()
    sa.Table(
        "shop",
        native,
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("created", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("updated", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("href", sa.Text(), nullable=False),
    )
    engine = pg_schema.engine()
    try:
        with engine.connect() as conn:
            assert [type(op).__name__ for op in autogenerate(conn, native, ENABLED).ops] == ["CreateTableOp"]
            with pytest.raises(EnvoxyRevisionError) as raised:
                autogenerate(conn, shop_metadata(bare=False), ENABLED)
    finally:
        engine.dispose()
    assert [(f.rule, f.field) for f in raised.value.findings] == [
        ("wrong-type", "id"),
        ("wrong-type", "created"),
        ("wrong-type", "updated"),
    ]
    assert "column 'shop.id' is VARCHAR(36), expected UUID [wrong-type]" in str(raised.value)


# -- plain `alembic init` plus the documented edit, with the real alembic command --------------------


def documented_edit(env_py: str) -> str:
    """The one edit docs/ALEMBIC.md asks of an ``env.py`` made by plain ``alembic init``: name the
    plugin in the online ``context.configure(...)``."""
    call = "connection=connection, target_metadata=target_metadata\n"
    assert env_py.count(call) == 1, "Alembic's generic env.py changed shape"
    return env_py.replace(
        call, f"connection=connection, target_metadata=target_metadata,\n            {PLUGIN_LINE}\n"
    )


@pytest.mark.slow
@NEEDS_PLUGINS
def test_plain_alembic_init_plus_the_documented_edit(pg_database: str, tmp_path: Path) -> None:
    root = tmp_path / "project"
    root.mkdir()
    made = subprocess.run(
        [*alembic_command(), "init", "alembic"], cwd=root, capture_output=True, text=True, timeout=60
    )
    assert made.returncode == 0, made.stdout + made.stderr

    # Alembic's own setup steps: where the database is, and the models' MetaData.
    ini = root / "alembic.ini"
    placeholder = "sqlalchemy.url = driver://user:pass@localhost/dbname\n"
    assert placeholder in ini.read_text(encoding="utf-8")
    ini.write_text(
        ini.read_text(encoding="utf-8").replace(placeholder, f"sqlalchemy.url = {pg_database}\n"),
        encoding="utf-8",
    )
    env_py = root / "alembic" / "env.py"
    plain = env_py.read_text(encoding="utf-8").replace(
        "target_metadata = None\n", "from models import Base\ntarget_metadata = Base.metadata\n"
    )
    # envoxy's edit, and nothing else: one keyword added to the call.
    edited = documented_edit(plain)
    env_py.write_text(edited, encoding="utf-8")
    added = set(edited.splitlines()) - set(plain.splitlines())
    assert added == {
        f"            {PLUGIN_LINE}",
        "            connection=connection, target_metadata=target_metadata,",
    }
    # The rules of the project, found from the project directory upward.
    rules = root / "rules.yaml"
    shutil.copyfile(LEGACY, rules)
    project = Project(root, pg_database, rules=None)  # env.py reads sqlalchemy.url, not DATABASE_URL

    # A model without the required columns: refused, nothing written; `alembic check` agrees.
    (root / "models.py").write_text(BARE_MODEL, encoding="utf-8")
    for argv in (("revision", "--autogenerate", "-m", "shop"), ("check",)):
        refused = project.alembic(*argv)
        assert refused.returncode != 0, argv
        # the rules found from the project directory, named as found
        assert refused.stdout == refusal(Path("rules.yaml"), *PROFILES["legacy"]), argv
        assert "Traceback" not in refused.stderr
        assert project.revisions() == []

    # The same model with the mixin: written, upgraded, and `alembic check` is clean.
    (root / "models.py").write_text(MIXIN_MODEL, encoding="utf-8")
    written = project.alembic("revision", "--autogenerate", "-m", "shop")
    assert written.returncode == 0, written.stdout + written.stderr
    [first] = project.revisions()
    assert "op.create_table('shop'" in (project.versions / first).read_text(encoding="utf-8")
    upgraded = project.alembic("upgrade", "head")
    assert upgraded.returncode == 0, upgraded.stderr
    clean = project.alembic("check")
    assert (clean.returncode, clean.stdout) == (0, "No new upgrade operations detected.\n"), clean.stderr

    # A change making href nullable: autogenerate's alter_column is refused, by `check` too.
    (root / "models.py").write_text(NULLABLE_HREF_MODEL, encoding="utf-8")
    for argv in (("revision", "--autogenerate", "-m", "nullable href"), ("check",)):
        altered = project.alembic(*argv)
        assert altered.returncode != 0, argv
        assert altered.stdout.startswith(NULLABLE_HREF_REFUSAL.format(rules="rules.yaml")), argv
        assert project.revisions() == [first]


# -- envoxy init-alembic: the plugin where Alembic has it, the hook otherwise ------------------------


@NEEDS_PLUGINS
def test_init_alembic_writes_the_plugin_form_on_alembic_with_plugins(cli: Cli, tmp_path: Path) -> None:
    made = cli("init-alembic", cwd=tmp_path)
    assert (made.code, made.err) == (0, "")
    assert (
        made.out.splitlines()[1] == "env.py runs envoxy's rules as an Alembic plugin (autogenerate_plugins)"
    )
    env_py = (tmp_path / "alembic" / "env.py").read_text(encoding="utf-8")
    assert env_py == (template_dir("plugin") / "env.py").read_text(encoding="utf-8")
    assert PLUGIN_LINE in env_py
    assert "process_revision_directives" not in env_py.split('"""', 2)[2]

    hooked = cli("init-alembic", "hooked", "--config", "hooked.ini", "--gate", "hook", cwd=tmp_path)
    assert hooked.code == 0, hooked.err
    assert hooked.out.splitlines()[1] == "env.py runs envoxy's rules in its process_revision_directives hook"
    hook_py = (tmp_path / "hooked" / "env.py").read_text(encoding="utf-8")
    assert hook_py == (template_dir("hook") / "env.py").read_text(encoding="utf-8")
    assert "autogenerate_plugins" not in hook_py


def test_init_alembic_writes_the_hook_form_on_alembic_without_plugins(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(alembic_plugin, "plugins_supported", lambda: False)
    made = cli("init-alembic", cwd=tmp_path)
    assert (made.code, made.err) == (0, "")
    assert made.out.splitlines()[1] == "env.py runs envoxy's rules in its process_revision_directives hook"
    env_py = (tmp_path / "alembic" / "env.py").read_text(encoding="utf-8")
    assert env_py == (template_dir("hook") / "env.py").read_text(encoding="utf-8")
    assert "process_revision_directives=revision_hook," in env_py
    assert "autogenerate_plugins" not in env_py

    refused = cli("init-alembic", "other", "--config", "other.ini", "--gate", "plugin", cwd=tmp_path)
    assert (refused.code, refused.out) == (2, "")
    assert refused.err == (
        f"envoxy: the plugin gate needs Alembic 1.18 or later (this is Alembic {alembic.__version__}); "
        "use the hook gate, or upgrade Alembic\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alembic", "alembic.ini"]


def test_the_two_templates_differ_only_in_env_py_and_readme() -> None:
    plugin, hook = template_dir("plugin"), template_dir("hook")

    def files(directory: Path) -> list[str]:
        # An installed package has its env.py compiled (__pycache__): `alembic init` copies files only.
        return sorted(p.name for p in directory.iterdir() if p.is_file())

    assert files(plugin) == files(hook) == ["README", "alembic.ini.mako", "env.py", "script.py.mako"]
    for name in ("alembic.ini.mako", "script.py.mako"):
        assert (plugin / name).read_bytes() == (hook / name).read_bytes(), name
