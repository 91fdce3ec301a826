"""envoxy inside pytest: ``pytest --envoxy`` (or ``envoxy = true`` in the ini file) adds one test
item per model file and per table, failing with envoxy's own findings (docs/PYTEST.md).

Loaded through the ``pytest11`` entry point whenever envoxy is installed, and off until enabled:
importing this module imports nothing beyond pytest and the standard library, and registers no
collection hook. The fixtures below are always there (they cost nothing until a test asks for
one), so explicit tests can use them with :mod:`envoxy.testing` too:

- ``envoxy_rules``: the rules in force, found from pytest's rootdir upward as the commands find
  them (``$ENVOXY_RULES``, the nearest ``rules.yaml``, envoxy's shipped default);
- ``envoxy_alembic_config``: the ``alembic.config.Config`` of the rootdir's ``alembic.ini`` (or
  of ``alembic/versions``), ``None`` when the project has no Alembic history;
- ``envoxy_engine``: the database to check after ``alembic upgrade heads``: ``None`` (no live
  check) unless overridden, or the project's own ``alembic_engine`` when pytest-alembic is active.

Override any of them in a ``conftest.py``; envoxy's items are placed where the overrides apply.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Engine

    from envoxy.pytest_plugin.state import Outcome, State, Static
    from envoxy.rules.model import RuleSet

__all__ = [
    "envoxy_alembic_config",
    "envoxy_engine",
    "envoxy_rules",
    "pytest_addoption",
    "pytest_configure",
]

MARKER = "envoxy: an item envoxy's pytest plugin collected (a model file, a table, the baseline)"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("envoxy")
    group.addoption(
        "--envoxy",
        action="store_true",
        default=False,
        help="check the project against rules.yaml: one item per model file and per table "
        "(the Alembic history at head, and the envoxy_engine database when one is given)",
    )
    parser.addini("envoxy", type="bool", default=False, help="run envoxy's checks as if --envoxy were given")


def enabled(config: pytest.Config) -> bool:
    """Whether ``--envoxy`` or the ini option ``envoxy = true`` turned the plugin on."""
    return bool(config.getoption("envoxy") or config.getini("envoxy"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER)
    if not enabled(config):
        return
    if pytest.version_tuple < (8, 1):
        raise pytest.UsageError(
            f"envoxy's pytest plugin needs pytest 8.1 or later (this is {pytest.__version__})"
        )
    from envoxy.pytest_plugin.collect import Collection

    config.pluginmanager.register(Collection(config), "envoxy-collection")


def _state(config: pytest.Config) -> State:
    from envoxy.pytest_plugin.state import state

    return state(config)


@pytest.fixture(scope="session")
def envoxy_rules(pytestconfig: pytest.Config) -> RuleSet:
    """The rules in force, as ``envoxy`` run in pytest's rootdir finds them. Override to
    choose others (load them with ``envoxy.rules.load_rules``); their relative paths are taken
    from the rootdir."""
    return _state(pytestconfig).default_rules()


@pytest.fixture(scope="session")
def envoxy_alembic_config(pytestconfig: pytest.Config) -> Config | None:
    """The rootdir's Alembic config (``alembic.ini``, else ``alembic/versions``), ``None`` when
    there is none. Override to return another ``alembic.config.Config``."""
    return _state(pytestconfig).default_alembic_config()


@pytest.fixture
def envoxy_engine(request: pytest.FixtureRequest) -> Engine | None:
    """The database envoxy upgrades to head and checks: the project's ``alembic_engine`` when
    pytest-alembic is active and the project overrides that fixture, else ``None`` (no live
    check). Override to return an SQLAlchemy ``Engine``."""
    from envoxy.pytest_plugin.collect import alembic_engine_given

    if alembic_engine_given(request.session, request.node):
        engine: Engine | None = request.getfixturevalue("alembic_engine")
        return engine
    return None


@pytest.fixture
def _envoxy_static(
    pytestconfig: pytest.Config, envoxy_rules: RuleSet, envoxy_alembic_config: Config | None
) -> Static:
    """The model files and the history at head, checked once per rules and config."""
    return _state(pytestconfig).static(envoxy_rules, envoxy_alembic_config)


@pytest.fixture
def _envoxy_live(
    pytestconfig: pytest.Config,
    envoxy_rules: RuleSet,
    envoxy_alembic_config: Config | None,
    envoxy_engine: Engine | None,
) -> Outcome:
    """The database after ``alembic upgrade heads``, checked once per engine URL."""
    return _state(pytestconfig).live(envoxy_rules, envoxy_alembic_config, envoxy_engine)
