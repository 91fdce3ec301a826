"""What ``envoxy init`` looks at in a project, and the findings it records for ``--baseline``.

Nothing here prints: :mod:`envoxy.commands.init` tells the user.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from envoxy.adopt.discover import ModelDirectory, find_model_directories
from envoxy.adopt.infer import Source
from envoxy.baseline.keys import Key, Keyer, db_keyer, head_state_keyer, model_keyer, revision_keyer
from envoxy.baseline.match import error_counts
from envoxy.errors import UsageError
from envoxy.findings import Finding
from envoxy.rules.model import RuleSet
from envoxy.tables import judge_table

if TYPE_CHECKING:
    from envoxy.migrations.loader import Location

__all__ = ["Recorded", "Survey", "record_findings", "survey"]


@dataclass(frozen=True, slots=True)
class Survey:
    """The sources ``init`` infers from, and the model directories it lists."""

    sources: tuple[Source, ...]
    locations: tuple[Location, ...] = ()
    """The versions directories, when a history was read."""
    revisions: int = 0
    database: str | None = None
    """The database URL, as given (it may carry a password: never print it)."""
    database_shown: str | None = None
    model_directories: tuple[ModelDirectory, ...] = ()


def survey(
    cwd: Path,
    shipped: RuleSet,
    *,
    from_migrations: str | None,
    from_db: str | None,
    models: Sequence[str] | None,
) -> Survey:
    """Read the history (``from_migrations``, else ``./alembic.ini`` or ``alembic/versions`` when
    no source is named), reflect the database, find the model directories (``models``, else
    those below ``cwd``). Raises :class:`UsageError` for a source that does not exist."""
    from envoxy.migrations.loader import project_sys_path, resolve_locations

    sources: list[Source] = []
    revisions = 0
    locations: list[Location] = []
    if from_migrations is not None:
        locations = resolve_locations(from_migrations, cwd)
    elif from_db is None:
        try:
            locations = resolve_locations(None, cwd)
        except UsageError:
            locations = []  # no history here: nothing to infer from it
    if locations:
        from envoxy.migrations.scanner import scan

        result = scan(locations, shipped, head_state=True, sys_path=project_sys_path(cwd))
        revisions = len(result.revisions)
        plural = "s" if revisions != 1 else ""
        label = f"{', '.join(loc.shown for loc in locations)} (the head of {revisions} revision{plural})"
        sources.append(Source(label=label, tables=tuple(state for state, _ in result.head)))
    shown_db = None
    if from_db is not None:
        from envoxy.live.reflect import parse_url, reflect_tables, shown_url

        url = parse_url(from_db)
        shown_db = shown_url(url)
        reflection = reflect_tables(url)
        sources.append(Source(label=shown_db, tables=reflection.tables, dialect=reflection.dialect))
    if models is not None:
        missing = [m for m in models if not os.path.lexists(cwd / m)]
        if missing:
            raise UsageError(f"--models names no such file or directory: {', '.join(missing)}")
        directories = tuple(ModelDirectory(path=m, files=-1) for m in models)
    else:
        directories = tuple(find_model_directories(cwd))
    return Survey(
        sources=tuple(sources),
        locations=tuple(locations),
        revisions=revisions,
        database=from_db,
        database_shown=shown_db,
        model_directories=directories,
    )


@dataclass(frozen=True, slots=True)
class Recorded:
    """What ``init --baseline`` found with the new rules, per surface, and what it cannot record."""

    counts: dict[Key, int] = field(default_factory=dict)
    per_surface: dict[str, int] = field(default_factory=dict)
    """Findings recorded per surface (``models``, ``migrations``, ``head_state``, ``db``)."""
    unrecorded: tuple[Finding, ...] = ()


def record_findings(rules: RuleSet, cwd: Path, survey: Survey, model_paths: Sequence[str]) -> Recorded:
    """Run every check ``survey`` has a source for with ``rules`` and count its error findings
    by key: what ``init --baseline`` writes, so that every check passes at once."""
    from envoxy.baseline.keys import NOT_BASELINED

    base = os.path.realpath(cwd / os.path.dirname(rules.source or ""))
    runs: list[tuple[str, Sequence[Finding], Keyer]] = []
    if model_paths:
        from envoxy.validate.runner import validate

        report = validate(rules, list(model_paths))
        runs.append(("models", report.findings, model_keyer(base, str(cwd))))
    if survey.locations:
        from envoxy.migrations.loader import project_sys_path
        from envoxy.migrations.scanner import scan

        result = scan(survey.locations, rules, sys_path=project_sys_path(cwd))
        runs.append(("migrations", result.findings, revision_keyer(dict(result.revisions))))
        # and the tables as the history leaves them, for check-migrations --head-state
        at_head = [f for state, _ in result.head for f in judge_table(rules, state)]
        runs.append(("head_state", at_head, head_state_keyer))
    if survey.database is not None:
        from envoxy.live.check import check_database

        report = check_database(survey.database, rules)
        runs.append(("db", report.findings, db_keyer(None)))
    counts: dict[Key, int] = {}
    per_surface: dict[str, int] = {}
    unrecorded: list[Finding] = []
    for surface, findings, keyer in runs:
        found = error_counts(findings, keyer)
        counts.update(found)
        per_surface[surface] = sum(found.values())
        unrecorded.extend(f for f in findings if f.severity == "error" and f.rule in NOT_BASELINED)
    return Recorded(counts=counts, per_surface=per_surface, unrecorded=tuple(unrecorded))
