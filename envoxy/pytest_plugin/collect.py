"""Collecting envoxy's items, and running them.

The items come from what collection can know without a fixture: the model files and the tables
at the head of the history, with the rules and the Alembic config envoxy finds in the rootdir.
Each runs through the fixtures, so an override applies; a surface whose rules or config are
overridden is one item (``envoxy::models``, ``envoxy::migrations``), since collection cannot know
its files or tables.

Where they live: a fixture override in a ``conftest.py`` applies only below that file's
directory, so the ``envoxy`` collector is placed in the deepest directory whose ``conftest.py``
overrides one of envoxy's fixtures (or pytest-alembic's ``alembic_engine``), else at the top of the
session. Its node id is ``envoxy`` wherever it is.
"""

from __future__ import annotations

import warnings
from collections.abc import Generator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from envoxy.pytest_plugin.route import Key, item_name, verdict

if TYPE_CHECKING:
    from envoxy.pytest_plugin.state import Outcome, Static
    from envoxy.rules.model import RuleSet

__all__ = ["Collection", "EnvoxyCollector", "EnvoxyItem", "EnvoxyWarning", "alembic_engine_given"]

OVERRIDABLE = ("envoxy_rules", "envoxy_alembic_config", "envoxy_engine")
_OURS = "envoxy.pytest_plugin"


class EnvoxyWarning(pytest.PytestWarning):
    """A finding of severity warning (envoxy's text format): it does not fail its item."""


class _Failed(Exception):
    """An item's findings (or why it could not be checked), as envoxy prints them."""


def _skipped(reason: str) -> BaseException:
    """A skip reported at the item (``-rs`` names the item's file, not this module)."""
    try:
        return pytest.skip.Exception(reason, _use_item_location=True)
    except TypeError:  # a pytest without the keyword: reported where it was raised
        return pytest.skip.Exception(reason)


class Collection:
    """The collection hooks, registered only when the plugin is enabled."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.directories: list[pytest.Directory] = []

    def pytest_collectstart(self, collector: pytest.Collector) -> None:
        if isinstance(collector, pytest.Directory):
            self.directories.append(collector)

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_collection_modifyitems(
        self, session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
    ) -> Generator[None, None, None]:
        # Before any other plugin's: -k, -m, --deselect and --lf then see envoxy's items too.
        items[:0] = list(session.genitems(_collector(session, self.directories)))
        return (yield)


def _last_module(session: pytest.Session, name: str, node: pytest.Collector | pytest.Item) -> str | None:
    """The module defining the ``name`` fixture that ``node`` sees (the most specific one)."""
    defs = session._fixturemanager.getfixturedefs(name, node)
    return getattr(defs[-1].func, "__module__", None) if defs else None


def alembic_engine_given(session: pytest.Session, node: pytest.Collector | pytest.Item) -> bool:
    """Whether pytest-alembic is active and ``node`` sees an ``alembic_engine`` of the project's
    (its own default, an in-memory SQLite database, is not the project's database)."""
    if not session.config.pluginmanager.hasplugin("pytest_alembic"):
        return False
    module = _last_module(session, "alembic_engine", node)
    return module is not None and not module.startswith("pytest_alembic")


def _watched(config: pytest.Config) -> tuple[str, ...]:
    alembic = ("alembic_engine",) if config.pluginmanager.hasplugin("pytest_alembic") else ()
    return OVERRIDABLE + alembic


def _anchor(session: pytest.Session, directories: Sequence[pytest.Directory]) -> pytest.Collector | str:
    """The node the ``envoxy`` collector goes below, or why there is no one place for it."""
    names = _watched(session.config)

    def seen(node: pytest.Collector) -> tuple[int | None, ...]:
        out = []
        for name in names:
            defs = session._fixturemanager.getfixturedefs(name, node)
            out.append(id(defs[-1]) if defs else None)
        return tuple(out)

    changing = [d for d in directories if d.parent is not None and seen(d) != seen(d.parent)]
    if not changing:
        return session
    deepest = max(changing, key=lambda d: len(d.path.parts))
    apart = [d for d in changing if not deepest.path.is_relative_to(d.path)]
    if apart:
        where = ", ".join(sorted(str(d.path / "conftest.py") for d in (deepest, *apart)))
        return (
            f"envoxy's fixtures ({', '.join(names)}) are overridden in conftest.py files of directories "
            f"that are not one inside the other ({where}); envoxy's items live in one place, so keep "
            "the overrides in one conftest.py (or in conftest.py files one inside the other)"
        )
    return deepest


def _collector(session: pytest.Session, directories: Sequence[pytest.Directory]) -> EnvoxyCollector:
    anchor = _anchor(session, directories)
    if isinstance(anchor, str):
        return EnvoxyCollector.from_parent(session, name="envoxy", nodeid="envoxy", problem=anchor)
    overridden = {name for name in OVERRIDABLE if _last_module(session, name, anchor) != _OURS}
    engine = "envoxy_engine" in overridden or alembic_engine_given(session, anchor)
    return EnvoxyCollector.from_parent(
        anchor, name="envoxy", nodeid="envoxy", overridden=frozenset(overridden), engine=engine
    )


# The items' functions: never called (EnvoxyItem.runtest reads the fixtures), but their
# parameters are the fixtures each kind of item asks for.
def _static_item(_envoxy_static: Any, envoxy_rules: Any) -> None:
    raise AssertionError("not called")


def _live_item(_envoxy_static: Any, _envoxy_live: Any, envoxy_rules: Any) -> None:
    raise AssertionError("not called")


class EnvoxyCollector(pytest.Collector):
    """``envoxy``: the items of one run."""

    def __init__(
        self,
        *,
        problem: str | None = None,
        overridden: frozenset[str] = frozenset(),
        engine: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.problem = problem
        self.overridden = overridden
        self.engine = engine
        self.keys: frozenset[Key] = frozenset()
        self.add_marker("envoxy")

    def collect(self) -> list[pytest.Item]:
        from envoxy.errors import EnvoxyError, ProblemsError
        from envoxy.pytest_plugin.state import state

        if self.problem is not None:
            raise self.CollectError(self.problem)
        known = state(self.config)
        try:
            rules = None if "envoxy_rules" in self.overridden else known.default_rules()
        except EnvoxyError as e:
            raise self.CollectError(f"envoxy: {e.describe() if isinstance(e, ProblemsError) else e}") from e
        config_overridden = "envoxy_alembic_config" in self.overridden
        config = None if config_overridden else known.default_alembic_config()
        keys: list[Key] = []
        tables: tuple[str, ...] = ()
        if rules is None:
            keys.append(("models", None))
        else:
            models = known.models(rules)
            keys.extend(_surface("models", models))
        if rules is not None and not config_overridden:
            head = known.head(rules, config)
            keys.extend(_surface("migrations", head))
            if head.checked is not None:  # check-db sees the default schema only
                tables = tuple(t for t in head.checked.subjects if t not in head.checked.elsewhere)
        elif config_overridden or config is not None:
            keys.append(("migrations", None))
        if self.engine:
            keys.append(("db", None))
            keys.extend(("db", table) for table in tables)
        if rules is None or rules.exemptions:
            keys.append(("exemptions", None))
        if rules is None or rules.baseline is not None:
            keys.append(("baseline", None))
        self.keys = frozenset(keys)
        return [self._item(key, rules) for key in keys]

    def _item(self, key: Key, rules: RuleSet | None) -> EnvoxyItem:
        live = key[0] == "db" or (self.engine and key[0] in ("exemptions", "baseline"))
        return EnvoxyItem.from_parent(
            self,
            name=item_name(key),
            callobj=_live_item if live else _static_item,
            key=key,
            file=_file(self.config.rootpath, key, rules),
        )


def _surface(surface: str, outcome: Outcome) -> list[Key]:
    """The surface as a whole (unless there is nothing to check), then one item per subject."""
    if outcome.absent is not None:
        return []
    subjects = outcome.checked.subjects if outcome.checked is not None else ()
    return [(surface, None), *((surface, s) for s in subjects)]


def _file(root: Path, key: Key, rules: RuleSet | None) -> Path:
    """Where an item points (warnings name it): its model file, else the rules file."""
    surface, subject = key
    if surface == "models" and subject is not None:
        return root / subject
    if rules is not None and not (rules.source or "<").startswith("<"):
        return root / (rules.source or "")
    return root


_DOMAINS = {
    "models": "model file {}",
    "migrations": "table {} at the head of the history",
    "db": "table {} in the database",
}
_WHOLE = {
    "models": "envoxy: the model files",
    "migrations": "envoxy: the revision history",
    "db": "envoxy: the database",
    "exemptions": "envoxy: the exemptions of the rules",
    "baseline": "envoxy: the baseline file",
}


class EnvoxyItem(pytest.Function):
    """One model file, one table, or a surface as a whole; fails with envoxy's findings."""

    def __init__(self, *, key: Key, file: Path, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.key = key
        self.file = file

    def runtest(self) -> None:
        static: Static = self.funcargs["_envoxy_static"]  # type: ignore[assignment]
        live: Outcome | None = self.funcargs.get("_envoxy_live")  # type: ignore[assignment]
        rules: RuleSet = self.funcargs["envoxy_rules"]  # type: ignore[assignment]
        parent = self.parent
        assert isinstance(parent, EnvoxyCollector)
        found = verdict(self.key, parent.keys, static=static, live=live, baseline=rules.baseline is not None)
        if found.skip is not None:
            raise _skipped(found.skip)
        if found.error is not None:
            raise _Failed(found.error)
        from envoxy.testing import format_findings

        if any(f.severity == "error" for f in found.findings):
            raise _Failed(format_findings(found.findings))
        for f in found.findings:
            # At the finding's own file and line: pytest's summary then shows that source line.
            where = f.path or str(self.file)
            warnings.warn_explicit(EnvoxyWarning(format_findings([f])), None, where, f.line or 1)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException]) -> Any:  # type: ignore[override]
        if isinstance(excinfo.value, _Failed):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int, str]:
        surface, subject = self.key
        if subject is None:
            return self.file, 0, _WHOLE[surface]
        from envoxy.report.escape import escape

        return self.file, 0, "envoxy: " + _DOMAINS[surface].format(escape(subject))
