"""What one pytest session knows: the default rules and Alembic config, and every surface it
checked, so that each check runs once however many items report it.

A surface's :class:`Outcome` is its judged findings, or why it could not be checked (``error``:
the surface's own item fails with it), or why there was nothing to check (``absent``: its items
are skipped saying so). Collection computes the outcomes it can with the defaults; the fixtures
hand the same objects back, so a run with no override checks everything exactly once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Engine

    from envoxy.rules.model import RuleSet
    from envoxy.testing import Checked

__all__ = ["Outcome", "State", "Static", "state"]

NO_MODELS = "the rules name no models.paths (and no model files were found for envoxy's shipped default)"
NO_HISTORY = (
    "no Alembic history: no alembic.ini and no alembic/versions in the rootdir "
    "(override the envoxy_alembic_config fixture to name one)"
)
NO_DATABASE = (
    "no database: override the envoxy_engine fixture to return an SQLAlchemy engine (docs/PYTEST.md)"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    """One surface of one run: checked, failed to check, or absent."""

    checked: Checked | None = None
    error: str | None = None
    absent: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Static:
    """The surfaces that need no database: the model files and the history at head."""

    models: Outcome
    head: Outcome


@dataclass(slots=True)
class State:
    """The session's defaults and caches (keyed by the very objects the fixtures returned)."""

    root: Path
    _rules: RuleSet | None = None
    _config: tuple[Config | None] | None = None
    _models: list[tuple[RuleSet, Outcome]] = field(default_factory=list)
    _heads: list[tuple[RuleSet, Config, Outcome]] = field(default_factory=list)
    _live: list[tuple[RuleSet, Config | None, str, Outcome]] = field(default_factory=list)

    def default_rules(self) -> RuleSet:
        """The rules ``envoxy`` run in the rootdir uses; raises ``RulesError`` for a bad file."""
        if self._rules is None:
            from envoxy.rules import load_rules

            self._rules = load_rules(cwd=self.root)
        return self._rules

    def default_alembic_config(self) -> Config | None:
        if self._config is None:
            from envoxy.testing import default_alembic_config

            self._config = (default_alembic_config(self.root),)
        return self._config[0]

    def models(self, rules: RuleSet) -> Outcome:
        for known, outcome in self._models:
            if known is rules:
                return outcome
        outcome = _models(rules, self.root)
        self._models.append((rules, outcome))
        return outcome

    def head(self, rules: RuleSet, config: Config | None) -> Outcome:
        if config is None:
            return Outcome(absent=NO_HISTORY)
        for known, known_config, outcome in self._heads:
            if known is rules and known_config is config:
                return outcome
        outcome = _guarded(lambda: _head(rules, config, self.root))
        self._heads.append((rules, config, outcome))
        return outcome

    def static(self, rules: RuleSet, config: Config | None) -> Static:
        return Static(models=self.models(rules), head=self.head(rules, config))

    def live(self, rules: RuleSet, config: Config | None, engine: Engine | None) -> Outcome:
        """The database after ``alembic upgrade heads``, once per rules, config and database
        (an engine fixture of function scope hands out a new engine to the same database)."""
        if engine is None:
            return Outcome(absent=NO_DATABASE)
        where = engine.url.render_as_string(hide_password=False)
        for known, known_config, known_where, outcome in self._live:
            if known is rules and known_config is config and known_where == where:
                return outcome
        outcome = _guarded(lambda: _live(rules, config, engine, self.root))
        self._live.append((rules, config, where, outcome))
        return outcome


def _guarded(check: Callable[[], Checked]) -> Outcome:
    """``check()``'s outcome; an envoxy error (a bad baseline file, a missing directory, a
    database that cannot be reached or upgraded) is the surface's ``error``."""
    from envoxy.errors import EnvoxyError

    try:
        checked = check()
    except EnvoxyError as e:
        return Outcome(error=str(e))
    return Outcome(checked=checked)


def _models(rules: RuleSet, root: Path) -> Outcome:
    from envoxy.errors import EnvoxyError
    from envoxy.testing import model_paths, run_models

    try:
        paths = model_paths(rules, root)
    except EnvoxyError as e:
        return Outcome(error=str(e))
    if not paths:
        return Outcome(absent=NO_MODELS)
    return _guarded(lambda: run_models(rules, root=root, paths=paths))


def _head(rules: RuleSet, config: Config, root: Path) -> Checked:
    from envoxy.testing import run_head_state

    return run_head_state(rules, config, root=root)


def _live(rules: RuleSet, config: Config | None, engine: Engine, root: Path) -> Checked:
    from envoxy.testing import run_database

    return run_database(engine, rules, root=root, alembic_config=config)


_KEY = pytest.StashKey[State]()


def state(config: pytest.Config) -> State:
    """The session's :class:`State`, made on first use."""
    found = config.stash.get(_KEY, None)
    if found is None:
        found = config.stash[_KEY] = State(root=config.rootpath)
    return found
