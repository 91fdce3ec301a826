"""Analyse one revision where revision scripts run: import it, run its ``upgrade()`` against the
recording ``op``, judge and replay what it did into the symbolic schema.

Everything the revision raises, ``SystemExit``, ``KeyboardInterrupt`` and any ``BaseException``
included, at import, in ``upgrade()`` or later inside envoxy (a type of its own whose methods
misbehave while an op is read) is the revision's own finding, never the end of the scan. What
cannot be followed leaves the schema as the revision found it, so later revisions are judged as
if it were absent.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from envoxy.findings import Finding
from envoxy.migrations.guard import interrupted
from envoxy.migrations.loader import LoadError, Revision, describe_error, import_revision, load_error
from envoxy.migrations.replay import Replay
from envoxy.migrations.runner import Outcome, RevisionRunner
from envoxy.migrations.schema import Checkpoint, Delta, Origin, SymbolicSchema
from envoxy.rules.catalog import RuleId
from envoxy.rules.model import RuleSet
from envoxy.tables import make_finding

__all__ = ["Analyst", "RevisionReport", "unanalysable"]

# Per-op findings that still matter when ``--head-state`` judges the tables at head instead:
# raw DDL may have changed the schema in ways the head state cannot show.
_KEPT_WITH_HEAD_STATE = frozenset({"unanalysed-sql"})


@dataclass(frozen=True, slots=True)
class RevisionReport:
    """What one revision amounts to: its findings and how it changed the schema."""

    findings: tuple[Finding, ...] = ()
    delta: Delta = field(default_factory=Delta)


def _finding(rules: RuleSet, rule: RuleId, message: str, path: str, line: int | None) -> list[Finding]:
    found = make_finding(rules, rule, message, table=None, field=None, path=path, line=line)
    return [found] if found is not None else []


def unanalysable(rules: RuleSet, revision: Revision, why: str) -> RevisionReport:
    """The report of a revision envoxy could not follow at all (``why``: what it did)."""
    message = (
        f"revision '{revision.id}' could not be analysed: {why}; none of its ops were checked and "
        "the revisions after it were judged without them"
    )
    return RevisionReport(tuple(_finding(rules, "unanalysable-revision", message, revision.path, None)))


class Analyst:
    """Analyses revisions one after another into one schema."""

    def __init__(
        self, rules: RuleSet, schema: SymbolicSchema, *, head_state: bool = False, seconds: float = 5.0
    ) -> None:
        self.rules = rules
        self.schema = schema
        self.head_state = head_state
        self.seconds = seconds
        # With --head-state the checks are judged at head only.
        self.replay = Replay(rules, schema.dialect, schema, checks=not head_state)
        self.runner = RevisionRunner(schema.dialect, seconds=seconds, catalog=schema)

    def analyse(self, revision: Revision, *, judged: bool) -> RevisionReport:
        """Import and follow ``revision``; its findings only if ``judged``."""
        before = self.schema.checkpoint()
        try:
            return self._analyse(revision, judged, before)
        finally:
            self.schema.release(before)

    def _analyse(self, revision: Revision, judged: bool, before: Checkpoint) -> RevisionReport:
        found: list[Finding] = []
        try:
            try:
                module = import_revision(revision, self.seconds)
            except BaseException as e:
                if isinstance(e, KeyboardInterrupt) and interrupted():
                    raise  # the user pressed Ctrl-C
                if judged:
                    found.extend(self._parse_error(revision.path, load_error(e, revision.filename)))
                return RevisionReport(tuple(found))
            outcome = self.runner.run(revision, module)
            self._replay(revision, outcome, judged, found)
        except BaseException as e:
            if isinstance(e, KeyboardInterrupt) and interrupted():
                raise
            self.schema.rollback(before)
            self.replay.forget()
            why = f"its code raised {describe_error(e)} while envoxy read what it did"
            return unanalysable(self.rules, revision, why) if judged else RevisionReport()
        return RevisionReport(tuple(found), self.schema.delta(before))

    def _parse_error(self, path: str, error: LoadError) -> list[Finding]:
        message = f"revision file cannot be imported: {error.message}"
        return _finding(self.rules, "parse-error", message, path, error.line)

    def _replay(self, revision: Revision, outcome: Outcome, judged: bool, found: list[Finding]) -> None:
        for recorded in outcome.ops:
            origin = Origin(revision.path, recorded.line)
            stepped = self.replay.step(recorded.op, origin, judged=judged)
            for f in stepped.findings:
                if not self.head_state or f.rule in _KEPT_WITH_HEAD_STATE:
                    found.append(replace(f, path=origin.path, line=origin.line))
            problem = stepped.problem
            if judged and problem is not None:
                message = (
                    f"envoxy could not analyse the {type(recorded.op).__name__} of "
                    f"revision '{revision.id}' ({describe_error(problem)})"
                )
                found.extend(_finding(self.rules, "unanalysable-revision", message, origin.path, origin.line))
        found.extend(self.replay.settle())
        if judged and outcome.failure is not None:
            message = (
                f"upgrade() of revision '{revision.id}' could not be followed to its end "
                f"({outcome.failure.reason}); only the ops before it were checked"
            )
            found.extend(
                _finding(self.rules, "unanalysable-revision", message, revision.path, outcome.failure.line)
            )
