"""envoxy's checks as plain functions, for projects that prefer explicit tests to the pytest plugin.

::

    from envoxy.testing import check_database, check_migrations, check_models

    def test_models():
        check_models()  # raises FindingsError (an AssertionError) listing the findings

Each ``check_*`` judges its surface as the matching command would when run in ``root`` (default:
the current directory): the rules are found from ``root`` upward unless given, relative paths in
them are taken from ``root``, and the baseline that ``rules.yaml`` names applies (stale entries
included). It returns the :class:`~envoxy.findings.Report` (what counts, and ``baselined``), and
raises :class:`FindingsError` with the findings in envoxy's text format when one is an error.

The ``run_*`` functions underneath return the same judgement as data, with what was checked,
without raising on findings: the pytest plugin (:mod:`envoxy.pytest_plugin`) is built on them.
Configuration problems (a bad ``rules.yaml`` or baseline file, a models path or versions
directory that does not exist, a database that cannot be reached or upgraded) raise
:class:`~envoxy.errors.EnvoxyError` subclasses with a message a person can act on.
"""

from __future__ import annotations

import io
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Union

from envoxy.errors import EnvoxyError, UsageError
from envoxy.findings import Finding, Report

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Engine

    from envoxy.baseline import Baseline, Coverage, Keyer, Surface
    from envoxy.rules.model import RuleSet

__all__ = [
    "Checked",
    "FindingsError",
    "UpgradeError",
    "check_database",
    "check_migrations",
    "check_models",
    "default_alembic_config",
    "format_findings",
    "model_paths",
    "run_database",
    "run_head_state",
    "run_models",
    "upgrade_heads",
]

RulesArg = Union["RuleSet", str, "os.PathLike[str]", None]
ConfigArg = Union["Config", str, "os.PathLike[str]", None]


@dataclass(frozen=True, slots=True, kw_only=True)
class Checked:
    """One surface checked and judged against the baseline."""

    report: Report
    """What counts (``stale-baseline`` findings of this surface included) and, apart, what the
    baseline accepts (``report.baselined``)."""
    subjects: tuple[str, ...]
    """What was checked: the model files as findings show them, or the in-scope tables."""
    output: str = ""
    """What the revision scripts (or ``alembic upgrade``) printed, logged or warned."""
    elsewhere: frozenset[str] = frozenset()
    """The subjects outside the default schema (``schema.name``), which ``check-db`` of the
    default schema does not see."""


class FindingsError(AssertionError):
    """A check found errors; ``str()`` is envoxy's text report, ``report`` the findings."""

    def __init__(self, report: Report) -> None:
        self.report = report
        super().__init__(_text(report))


class UpgradeError(EnvoxyError):
    """``alembic upgrade heads`` failed; the message names why, without the URL's password."""


def format_findings(findings: Sequence[Finding]) -> str:
    """``findings`` in envoxy's text format, one a line, escaped as every format escapes them."""
    from envoxy.report.escape import escape_finding
    from envoxy.report.text import format_finding

    return "\n".join(format_finding(escape_finding(f)) for f in findings)


def _text(report: Report) -> str:
    from envoxy.report import render

    out = io.StringIO()
    render(report, "text", out)
    return out.getvalue().rstrip("\n")


def _root(root: str | os.PathLike[str] | None) -> Path:
    return Path(root) if root is not None else Path.cwd()


def _rules(rules: RulesArg, root: Path) -> RuleSet:
    from envoxy.rules import load_rules
    from envoxy.rules.model import RuleSet

    if isinstance(rules, RuleSet):
        return rules
    return load_rules(None if rules is None else root / rules, cwd=root)


def _raise_on_errors(checked: Checked) -> Report:
    if checked.report.errors:
        raise FindingsError(checked.report)
    return checked.report


# -- the baseline ------------------------------------------------------------------------------


def _judged(
    report: Report,
    rules: RuleSet,
    root: Path,
    *,
    use_baseline: bool,
    surface: Surface,
    keyer: Keyer,
    coverage: Coverage,
    command: str,
) -> Report:
    """``report`` judged against the baseline ``rules.yaml`` names, as the command would."""
    from envoxy.baseline import judge
    from envoxy.findings import sort_key

    baseline = _read_baseline(rules, root) if use_baseline else None
    judged = judge(
        report.findings,
        keyer,
        surface=surface,
        baseline=baseline,
        coverage=coverage,
        rules=rules,
        command=command,
    )
    # A rules file named by an absolute path makes its paths absolute: show them from ``root``.
    shown = tuple(replace(f, path=_below(root, f.path)) if f.path else f for f in judged.findings)
    return replace(
        report,
        findings=tuple(sorted(shown, key=sort_key)),
        baselined=tuple(replace(f, path=_below(root, f.path)) if f.path else f for f in judged.baselined),
    )


def _read_baseline(rules: RuleSet, root: Path) -> Baseline | None:
    from envoxy.baseline import read_baseline

    if rules.baseline is None:
        return None
    found = read_baseline(root / rules.baseline, rules.baseline)
    if found is None:
        raise UsageError(
            f"the baseline file {rules.baseline} (baseline: of {rules.source}) does not exist; make it "
            "with 'envoxy init --baseline' or a command's --write-baseline (docs/ADOPTING.md)"
        )
    return found


# -- model files -------------------------------------------------------------------------------


def model_paths(rules: RuleSet, root: Path) -> list[str]:
    """``models.paths`` of the rules (relative to ``root``); with envoxy's shipped default
    rules and none named, the directories below ``root`` holding model files, as ``validate``
    finds them."""
    from envoxy.adopt.discover import find_model_directories
    from envoxy.commands._baseline import shipped
    from envoxy.commands.validate import model_paths as named_paths

    if not rules.model_paths and shipped(rules):
        return [d.path for d in find_model_directories(root)]
    return named_paths(rules, str(root)) if rules.model_paths else []


def _below(root: Path, path: str) -> str:
    """``path`` (absolute, joined below ``root``) as shown from ``root``, ``/``-separated."""
    return os.path.relpath(path, root).replace(os.sep, "/") if os.path.isabs(path) else path


def run_models(
    rules: RuleSet, *, root: Path, paths: Sequence[str] | None = None, baseline: bool = True
) -> Checked:
    """``envoxy validate`` over ``paths`` (relative to ``root``; default: the rules' model
    paths), judged against the baseline. ``subjects`` lists the model files checked."""
    from envoxy.baseline.keys import Coverage, model_keyer, relative_path
    from envoxy.commands._baseline import key_base
    from envoxy.validate.discovery import discover
    from envoxy.validate.runner import validate

    shown = list(paths) if paths is not None else model_paths(rules, root)
    if not shown:
        return Checked(report=Report.build((), files=0), subjects=())
    full = [str(root / p) for p in shown]
    files = tuple(_below(root, t.shown) for t in discover(full).targets)
    raw = validate(rules, full)
    findings = [replace(f, path=_below(root, f.path)) if f.path else f for f in raw.findings]
    report = Report.build(findings, files=raw.files)
    base, cwd = key_base(rules, root), str(root)
    walked = [p for p in shown if (root / p).is_dir()]
    named = [p for p in shown if not (root / p).is_dir()]
    coverage = Coverage.model_paths(
        [relative_path(p, base, cwd) for p in walked], [relative_path(p, base, cwd) for p in named]
    )
    judged = _judged(
        report,
        rules,
        root,
        use_baseline=baseline,
        surface="models",
        keyer=model_keyer(base, cwd),
        coverage=coverage,
        command="validate",
    )
    return Checked(report=judged, subjects=files)


def check_models(
    rules: RulesArg = None,
    *,
    root: str | os.PathLike[str] | None = None,
    paths: Sequence[str] | None = None,
    baseline: bool = True,
) -> Report:
    """``envoxy validate`` run in ``root``: the model files of ``paths`` (default: ``models.paths``
    of the rules). Raises :class:`FindingsError` when one finding is an error."""
    where = _root(root)
    return _raise_on_errors(run_models(_rules(rules, where), root=where, paths=paths, baseline=baseline))


# -- the revision history ----------------------------------------------------------------------


def default_alembic_config(root: Path) -> Config | None:
    """The Alembic config ``alembic`` run in ``root`` would use: ``root/alembic.ini`` (with the
    ``[tool.alembic]`` table of ``root/pyproject.toml`` when there is one), else a config whose
    ``script_location`` is ``root/alembic`` when ``alembic/versions`` exists; ``None`` when
    ``root`` has no Alembic project."""
    from alembic.config import Config

    ini, toml = root / "alembic.ini", root / "pyproject.toml"
    if ini.is_file():
        try:
            in_toml = "[tool.alembic" in toml.read_text(encoding="utf-8", errors="replace")
        except OSError:  # no pyproject.toml: alembic.ini alone
            in_toml = False
        return Config(str(ini), toml_file=str(toml) if in_toml else None)
    if (root / "alembic" / "versions").is_dir():
        config = Config()
        config.set_main_option("script_location", str(root / "alembic"))
        return config
    return None


def _config(alembic_config: ConfigArg, root: Path) -> Config:
    from alembic.config import Config

    if isinstance(alembic_config, Config):
        return alembic_config
    if alembic_config is not None:
        path = root / alembic_config
        if not path.is_file():
            raise UsageError(f"no Alembic config file {os.fspath(alembic_config)}")
        return Config(str(path))
    found = default_alembic_config(root)
    if found is None:
        raise UsageError(f"no alembic.ini and no alembic/versions in {root}; name the Alembic config")
    return found


def _config_name(config: Config) -> str:
    return os.path.basename(config.config_file_name) if config.config_file_name else "the Alembic config"


def run_head_state(rules: RuleSet, alembic_config: Config, *, root: Path, baseline: bool = True) -> Checked:
    """``envoxy check-migrations --head-state`` over the history ``alembic_config`` names (no
    database needed; branches and merges as Alembic orders them), judged against the
    baseline. ``subjects`` lists the in-scope tables at head."""
    from envoxy.baseline.keys import Coverage, head_state_keyer
    from envoxy.migrations.loader import config_locations, config_sys_path
    from envoxy.migrations.scanner import scan

    locations = config_locations(alembic_config, root, _config_name(alembic_config))
    since = rules.migrations_since
    try:
        result = scan(
            locations,
            rules,
            since=since,
            head_state=True,
            sys_path=config_sys_path(alembic_config, root),
        )
    except UsageError as e:
        if since is None:
            raise
        raise UsageError(f"{e} (migrations.since of {rules.source})") from e
    # with ``since``, only the tables last shaped after it were judged
    coverage = Coverage.everything() if since is None else Coverage.tables(result.judged_tables())
    report = _judged(
        Report.build(result.findings, files=result.files),
        rules,
        root,
        use_baseline=baseline,
        surface="head_state",
        keyer=head_state_keyer,
        coverage=coverage,
        command="check-migrations --head-state",
    )
    in_scope = [state for state, _ in result.head if rules.in_scope(state.name)]
    return Checked(
        report=report,
        subjects=tuple(sorted({state.qualified for state in in_scope})),
        output=result.output,
        elsewhere=frozenset(state.qualified for state in in_scope if state.schema is not None),
    )


def check_migrations(
    rules: RulesArg = None,
    alembic_config: ConfigArg = None,
    *,
    root: str | os.PathLike[str] | None = None,
    baseline: bool = True,
) -> Report:
    """``envoxy check-migrations --head-state`` run in ``root``: the tables as the whole history
    of ``alembic_config`` (an ``alembic.config.Config`` or the path of an ini file; default:
    ``root/alembic.ini``) leaves them. Raises :class:`FindingsError` when one finding is an
    error."""
    where = _root(root)
    ruleset, config = _rules(rules, where), _config(alembic_config, where)
    return _raise_on_errors(run_head_state(ruleset, config, root=where, baseline=baseline))


# -- a live database ---------------------------------------------------------------------------


@contextmanager
def _process_state_kept(root: Path) -> Iterator[None]:
    """Run ``env.py`` in ``root`` (Alembic takes relative paths from the current directory), and
    afterwards put back what it changes for the whole process: the current directory,
    ``sys.path`` (``prepend_sys_path``) and logging (``fileConfig`` replaces every handler and
    disables every logger that exists, the test process's own included)."""
    cwd, path = os.getcwd(), list(sys.path)
    manager = logging.Logger.manager
    root_logger = logging.getLogger()
    handlers, level = list(root_logger.handlers), root_logger.level
    loggers = {
        name: (lg.disabled, lg.level, list(lg.handlers), lg.propagate)
        for name, lg in manager.loggerDict.items()
        if isinstance(lg, logging.Logger)
    }
    os.chdir(root)
    try:
        yield
    finally:
        os.chdir(cwd)
        sys.path[:] = path
        root_logger.handlers[:] = handlers
        root_logger.setLevel(level)
        for name, lg in list(manager.loggerDict.items()):
            if not isinstance(lg, logging.Logger):
                continue
            saved = loggers.get(name)
            if saved is None:  # made while env.py ran: keep it, without the handlers it was given
                lg.handlers[:] = []
                lg.propagate = True
                continue
            lg.disabled, lg.handlers[:], lg.propagate = saved[0], saved[2], saved[3]
            lg.setLevel(saved[1])


def upgrade_heads(engine: Engine, alembic_config: Config, *, root: Path) -> str:
    """``alembic upgrade heads`` on ``engine``'s database, through one connection handed to
    ``env.py`` as ``config.attributes["connection"]`` (Alembic's recipe for sharing a
    connection; envoxy's scaffold honours it) and committed at the end. Returns what Alembic
    printed. Raises :class:`UpgradeError` when the upgrade fails."""
    from alembic import command

    from envoxy.live.reflect import scrub_error

    out = io.StringIO()
    saved_stdout = alembic_config.stdout
    had = "connection" in alembic_config.attributes
    previous = alembic_config.attributes.get("connection")
    alembic_config.stdout = out
    try:
        with _process_state_kept(root), engine.begin() as connection:
            alembic_config.attributes["connection"] = connection
            command.upgrade(alembic_config, "heads")
    except (Exception, SystemExit) as e:  # a revision or env.py failing in any way: one message
        detail = scrub_error(str(e) or type(e).__name__, engine.url)
        raise UpgradeError(f"alembic upgrade heads failed: {type(e).__name__}: {detail}") from e
    finally:
        alembic_config.stdout = saved_stdout
        if had:
            alembic_config.attributes["connection"] = previous
        else:
            alembic_config.attributes.pop("connection", None)
    return out.getvalue()


def run_database(
    engine: Engine,
    rules: RuleSet,
    *,
    root: Path,
    alembic_config: Config | None = None,
    schema: str | None = None,
    baseline: bool = True,
) -> Checked:
    """``envoxy check-db`` through ``engine`` (after ``alembic upgrade heads`` when
    ``alembic_config`` is given), judged against the baseline. ``subjects`` lists the in-scope
    tables of ``schema`` (default: the connection's default one)."""
    from envoxy.baseline.keys import Coverage, db_keyer
    from envoxy.live.check import judge_reflection
    from envoxy.live.reflect import reflect_engine

    output = upgrade_heads(engine, alembic_config, root=root) if alembic_config is not None else ""
    reflection = reflect_engine(engine, schema)
    report = _judged(
        judge_reflection(reflection, rules),
        rules,
        root,
        use_baseline=baseline,
        surface="db",
        keyer=db_keyer(schema),
        coverage=Coverage.places([schema]),  # a run checks its whole schema
        command="check-db URL" + (f" --schema {schema}" if schema else ""),
    )
    tables = tuple(sorted(t.name for t in reflection.tables if rules.in_scope(t.name)))
    return Checked(report=report, subjects=tables, output=output)


def check_database(
    engine: Engine | str,
    rules: RulesArg = None,
    *,
    alembic_config: ConfigArg = None,
    schema: str | None = None,
    root: str | os.PathLike[str] | None = None,
    baseline: bool = True,
) -> Report:
    """``envoxy check-db`` on ``engine`` (an SQLAlchemy engine, or a URL), after ``alembic
    upgrade heads`` when ``alembic_config`` is given. Raises :class:`FindingsError` when one
    finding is an error."""
    import sqlalchemy as sa

    where = _root(root)
    ruleset = _rules(rules, where)
    config = None if alembic_config is None else _config(alembic_config, where)
    if not isinstance(engine, str):
        checked = run_database(
            engine, ruleset, root=where, alembic_config=config, schema=schema, baseline=baseline
        )
        return _raise_on_errors(checked)
    from envoxy.live.reflect import parse_url

    made = sa.create_engine(parse_url(engine), poolclass=sa.pool.NullPool)
    try:
        checked = run_database(
            made, ruleset, root=where, alembic_config=config, schema=schema, baseline=baseline
        )
    finally:
        made.dispose()
    return _raise_on_errors(checked)
