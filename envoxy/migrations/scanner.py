"""The revision-history scanner behind ``envoxy check-migrations``.

Revisions are loaded through Alembic's ``ScriptDirectory`` and run base first against a recording
``op``; every recorded op is judged and replayed into one symbolic schema
(:class:`envoxy.migrations.replay.Replay`): per op, what the op newly breaks; with
``--head-state``, the tables as that same schema stands at head. Nothing here opens a database
connection, prints or exits.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace

from envoxy.checks.verdicts import verdict_finding
from envoxy.errors import UsageError
from envoxy.findings import Finding
from envoxy.migrations.capture import captured
from envoxy.migrations.checked import migration_checks
from envoxy.migrations.loader import (
    History,
    LoadError,
    Location,
    Revision,
    describe_error,
    load_history,
)
from envoxy.migrations.replay import Replay
from envoxy.migrations.runner import Outcome, RevisionRunner, no_process_exit
from envoxy.migrations.schema import Origin, SymbolicSchema
from envoxy.migrations.shims import legacy_idioms
from envoxy.rules.catalog import RuleId
from envoxy.rules.model import RuleSet
from envoxy.tables import TableState, exemption_findings, judge_table, make_finding

__all__ = ["ScanResult", "scan"]

# Per-op findings that still matter when ``--head-state`` judges the tables at head instead:
# raw DDL may have changed the schema in ways the head state cannot show.
_KEPT_WITH_HEAD_STATE = frozenset({"unanalysed-sql"})


@dataclass(frozen=True, slots=True)
class ScanResult:
    findings: tuple[Finding, ...]
    files: int
    head: tuple[tuple[TableState, Origin], ...]
    """Every table at head, with the op that created or last reshaped it."""
    output: str
    """What the revision scripts printed, logged or warned."""
    revisions: tuple[tuple[str, str], ...] = ()
    """Every revision file (as findings show it) with its revision id: baseline keys name the id."""
    judged: frozenset[str] = frozenset()
    """The ids of the revisions checked (all of them without ``since``)."""


@contextmanager
def _prepended(paths: Sequence[str]) -> Iterator[None]:
    """``paths`` first on ``sys.path`` inside the block; afterwards ``sys.path`` and the current
    directory are as they were, whatever the scripts did to them (``--output`` is relative to
    the directory the user ran envoxy in)."""
    saved_path, saved_cwd = list(sys.path), os.getcwd()
    sys.path[:0] = [p for p in paths if p not in sys.path]
    try:
        yield
    finally:
        sys.path[:] = saved_path
        os.chdir(saved_cwd)


@contextmanager
def _threads_joined(seconds: float) -> Iterator[None]:
    """Wait (up to ``seconds`` in all) for the threads the scripts started, so that what they
    print is captured too rather than landing in envoxy's report."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + seconds
    for thread in set(threading.enumerate()) - before:
        if not thread.daemon:
            thread.join(max(0.0, deadline - time.monotonic()))


def _resolve_since(history: History, since: str) -> set[str]:
    ids = [r.id for r in history.revisions]
    matches = [i for i in ids if i == since] or [i for i in ids if i.startswith(since)]
    if len(matches) != 1:
        problem = "is ambiguous" if matches else "names no revision"
        raise UsageError(f"--since {since} {problem} in the scanned history")
    return history.after(matches[0])


class _Scan:
    def __init__(self, rules: RuleSet, dialect: str, head_state: bool) -> None:
        self.rules = rules
        self.dialect = dialect
        self.head_state = head_state
        self.schema = SymbolicSchema(dialect)
        # With --head-state the checks are judged at head only.
        self.replay_ops = Replay(rules, dialect, self.schema, checks=not head_state)
        self.findings: list[Finding] = []

    def add(self, rule: RuleId, message: str, path: str, line: int | None) -> None:
        found = make_finding(self.rules, rule, message, table=None, field=None, path=path, line=line)
        if found is not None:
            self.findings.append(found)

    def parse_error(self, path: str, error: LoadError) -> None:
        self.add("parse-error", f"revision file cannot be imported: {error.message}", path, error.line)

    def replay(self, revision: Revision, outcome: Outcome, *, judged: bool) -> None:
        for recorded in outcome.ops:
            origin = Origin(revision.path, recorded.line)
            stepped = self.replay_ops.step(recorded.op, origin, judged=judged)
            for f in stepped.findings:
                if not self.head_state or f.rule in _KEPT_WITH_HEAD_STATE:
                    self.findings.append(replace(f, path=origin.path, line=origin.line))
            problem = stepped.problem
            if judged and problem is not None:
                self.add(
                    "unanalysable-revision",
                    f"envoxy could not analyse the {type(recorded.op).__name__} of "
                    f"revision '{revision.id}' ({describe_error(problem)})",
                    origin.path,
                    origin.line,
                )
        self.findings.extend(self.replay_ops.settle())
        if judged and outcome.failure is not None:
            self.add(
                "unanalysable-revision",
                f"upgrade() of revision '{revision.id}' could not be followed to its end "
                f"({outcome.failure.reason}); only the ops before it were checked",
                revision.path,
                outcome.failure.line,
            )

    def judge_head(self, judged_paths: set[str]) -> None:
        tables = self.schema.tables()
        for state, origin in tables:
            if origin.path in judged_paths:
                self.findings.extend(
                    replace(f, path=origin.path, line=origin.line)
                    for f in judge_table(self.rules, state, self.dialect)
                )
        checks = migration_checks(self.rules, self.dialect)
        if checks is None:
            return
        origins = {(state.schema, state.name): origin for state, origin in tables}
        judged = [key for key, origin in origins.items() if origin.path in judged_paths]
        for v in checks.at_head([state for state, _ in tables], judged):
            origin = origins[v.schema, v.table]
            self.findings.append(verdict_finding(v, path=origin.path, line=origin.line))


def scan(
    locations: Sequence[Location],
    rules: RuleSet,
    *,
    since: str | None = None,
    head_state: bool = False,
    dialect: str = "postgresql",
    seconds: float = 5.0,
    sys_path: Sequence[str] = (),
) -> ScanResult:
    """Check every revision under ``locations`` (only those after ``since``, if given).

    With ``head_state`` the tables are judged as the whole history leaves them, each finding at
    the op that created or last reshaped the table; ``unanalysed-sql``, ``parse-error`` and
    ``unanalysable-revision`` are reported either way. ``seconds`` bounds the import of each
    revision file and each run of its ``upgrade()``; ``sys_path`` is put before ``sys.path``
    while the revisions are imported and run (see :func:`envoxy.migrations.loader.project_sys_path`). Raises
    :class:`UsageError` for a ``since`` that names no revision.
    """
    work = _Scan(rules, dialect, head_state)
    runner = RevisionRunner(dialect, seconds=seconds, catalog=work.schema)
    with (
        captured() as output,
        _threads_joined(seconds),
        legacy_idioms(),
        runner.installed(),
        _prepended(sys_path),
        no_process_exit(),
    ):
        history = load_history(locations, seconds=seconds)
        in_range = _resolve_since(history, since) if since else None
        judged_paths: set[str] = set()
        for revision in history.revisions:
            judged = in_range is None or revision.id in in_range
            if judged:
                judged_paths.add(revision.path)
            if revision.error is not None:
                if judged:
                    work.parse_error(revision.path, revision.error)
                continue
            work.replay(revision, runner.run(revision), judged=judged)
    for path, error in history.orphans:
        work.parse_error(path, error)
    for path, error in history.duplicates:
        work.add("parse-error", error.message, path, error.line)
    if history.unordered is not None:
        work.add(
            "parse-error",
            f"the revisions cannot be put in order ({history.unordered}); they were checked in file order",
            locations[0].shown,
            None,
        )
    if head_state:
        work.judge_head(judged_paths)
    # The exemptions as every command judges them: unused only when the whole history was judged.
    seen = (state.name for state, _ in work.schema.tables())
    work.findings.extend(exemption_findings(rules, seen, unused=in_range is None))
    files = len(history.revisions) + len(history.orphans) + len(history.duplicates)
    return ScanResult(
        tuple(work.findings),
        files,
        tuple(work.schema.tables()),
        output.getvalue(),
        revisions=tuple((r.path, r.id) for r in history.revisions),
        judged=frozenset(r.id for r in history.revisions if in_range is None or r.id in in_range),
    )
