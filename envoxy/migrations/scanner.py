"""The revision-history scanner behind ``envoxy check-migrations``.

The revision graph is read from the scripts' text (:func:`~envoxy.migrations.loader.load_history`);
the revisions are then imported and run base first against a recording ``op``, in a process of
their own (:mod:`envoxy.migrations.isolation`), and every recorded op is judged and replayed into
one symbolic schema (:class:`envoxy.migrations.replay.Replay`): per op, what the op newly breaks;
with ``--head-state``, the tables as that same schema stands at head. Nothing here opens a
database connection, prints or exits, and nothing a revision script does reaches this process.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace

from envoxy.checks.verdicts import verdict_finding
from envoxy.errors import UsageError
from envoxy.findings import Finding
from envoxy.migrations.analyst import Analyst
from envoxy.migrations.checked import migration_checks
from envoxy.migrations.isolation import follow
from envoxy.migrations.loader import History, Location, load_history
from envoxy.migrations.reading import Examined
from envoxy.migrations.runner import no_process_exit
from envoxy.migrations.schema import Origin, SymbolicSchema
from envoxy.migrations.shims import legacy_idioms
from envoxy.rules.catalog import RuleId
from envoxy.rules.model import RuleSet
from envoxy.tables import TableState, exemption_findings, judge_table, make_finding

__all__ = ["ScanResult", "scan"]


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

    def judged_tables(self) -> list[str]:
        """The tables at head that a checked revision last shaped, named as findings name them
        (``schema.name`` outside the default schema): what a ``--since`` head-state run judged."""
        ids = dict(self.revisions)
        return [state.qualified for state, origin in self.head if ids.get(origin.path) in self.judged]


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


def _resolve_since(history: History, since: str) -> set[str]:
    ids = [r.id for r in history.revisions]
    matches = [i for i in ids if i == since] or [i for i in ids if i.startswith(since)]
    if len(matches) != 1:
        problem = "is ambiguous" if matches else "names no revision"
        raise UsageError(f"--since {since} {problem} in the scanned history")
    return history.after(matches[0])


def _judged_at_head(
    rules: RuleSet, schema: SymbolicSchema, dialect: str, judged_paths: set[str]
) -> Iterator[Finding]:
    """The tables at head judged by the rules and the checks, each finding at the op that last
    shaped its table (only tables a judged revision last shaped)."""
    tables = schema.tables()
    for state, origin in tables:
        if origin.path in judged_paths:
            for f in judge_table(rules, state, dialect):
                yield replace(f, path=origin.path, line=origin.line)
    checks = migration_checks(rules, dialect)
    if checks is None:
        return
    origins = {(state.schema, state.name): origin for state, origin in tables}
    judged = [key for key, origin in origins.items() if origin.path in judged_paths]
    for v in checks.at_head([state for state, _ in tables], judged):
        origin = origins[v.schema, v.table]
        yield verdict_finding(v, path=origin.path, line=origin.line)


def scan(
    locations: Sequence[Location],
    rules: RuleSet,
    *,
    since: str | None = None,
    head_state: bool = False,
    dialect: str = "postgresql",
    seconds: float = 5.0,
    sys_path: Sequence[str] = (),
    isolated: bool | None = None,
    read: Mapping[str, Examined] | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> ScanResult:
    """Check every revision under ``locations`` (only those after ``since``, if given).

    With ``head_state`` the tables are judged as the whole history leaves them, each finding at
    the op that created or last reshaped the table; ``unanalysed-sql``, ``parse-error`` and
    ``unanalysable-revision`` are reported either way. ``seconds`` bounds the import of each
    revision file and each run of its ``upgrade()``; ``sys_path`` is put before ``sys.path``
    while the revisions are imported and run (see :func:`envoxy.migrations.loader.project_sys_path`). Raises
    :class:`UsageError` for a ``since`` that names no revision. ``isolated``: run the revisions
    in a worker process (the default where ``os.fork`` exists), else in this one. ``read``:
    revision files already read, by real path (:func:`envoxy.migrations.reading.prefetch`).
    ``meanwhile``: what this process may do while a worker runs the revisions.
    """
    schema = SymbolicSchema(dialect)
    analyst = Analyst(rules, schema, head_state=head_state, seconds=seconds)
    history = load_history(locations, read)
    in_range = _resolve_since(history, since) if since else None
    judged = [in_range is None or r.id in in_range for r in history.revisions]

    @contextmanager
    def setup() -> Iterator[None]:
        with ExitStack() as stack:
            stack.enter_context(legacy_idioms())
            stack.enter_context(analyst.runner.installed())
            stack.enter_context(_prepended(sys_path))
            stack.enter_context(no_process_exit())
            yield

    followed = follow(
        history.revisions, judged, analyst, setup, seconds=seconds, isolated=isolated, meanwhile=meanwhile
    )
    findings = [f for report in followed.reports for f in report.findings]

    def add(rule: RuleId, message: str, path: str, line: int | None) -> None:
        found = make_finding(rules, rule, message, table=None, field=None, path=path, line=line)
        if found is not None:
            findings.append(found)

    for path, error in (*history.orphans, *history.duplicates):
        add("parse-error", error.message, path, error.line)
    if history.unordered is not None:
        add(
            "parse-error",
            f"the revisions cannot be put in order ({history.unordered}); they were checked in file order",
            locations[0].shown,
            None,
        )
    judged_paths = {r.path for r, j in zip(history.revisions, judged, strict=True) if j}
    if head_state:
        findings.extend(_judged_at_head(rules, schema, dialect, judged_paths))
    # The exemptions as every command judges them: unused only when the whole history was judged.
    seen = (state.name for state, _ in schema.tables())
    findings.extend(exemption_findings(rules, seen, unused=in_range is None))
    files = len(history.revisions) + len(history.orphans) + len(history.duplicates)
    return ScanResult(
        tuple(findings),
        files,
        tuple(schema.tables()),
        followed.output,
        revisions=tuple((r.path, r.id) for r in history.revisions),
        judged=frozenset(r.id for r, j in zip(history.revisions, judged, strict=True) if j),
    )
