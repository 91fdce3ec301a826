"""One symbolic schema behind every migration verdict: each op is judged against the tables as
the ops before it left them, then replayed into them.

An op's findings are what the op itself says it breaks (the op inspector: a required column
dropped, retyped, made nullable; a key dropped) and what it newly breaks in the tables it
touched, judged before and after it (:func:`envoxy.tables.judge_table`): a primary key dropped
by a constraint's name, a key column added without a key, a table reshaped by raw DDL. The
history scanner reports them per op and judges the same tables at head with ``--head-state``;
the autogenerate gate judges its ``UpgradeOps`` the same way, over the tables its own ops
create.

``op.execute`` is first read into the ops it amounts to (:mod:`envoxy.migrations.sqlops`), so raw
DDL is judged and replayed like the ``op.`` calls it stands for.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from alembic.operations import ops

from envoxy.findings import Finding
from envoxy.migrations.checked import migration_checks
from envoxy.migrations.inspector import inspect_op
from envoxy.migrations.schema import Change, Origin, SymbolicSchema
from envoxy.migrations.sqlops import read_execute
from envoxy.rules.model import RuleSet
from envoxy.tables import TableState, judge_table

__all__ = ["OP_NAMES", "Replay", "Stepped"]

_NOWHERE = Origin("", None)

OP_NAMES: dict[type[Any], str] = {
    ops.CreateTableOp: "create_table",
    ops.DropTableOp: "drop_table",
    ops.RenameTableOp: "rename_table",
    ops.AddColumnOp: "add_column",
    ops.DropColumnOp: "drop_column",
    ops.AlterColumnOp: "alter_column",
    ops.CreatePrimaryKeyOp: "create_primary_key",
    ops.DropConstraintOp: "drop_constraint",
    ops.CreateUniqueConstraintOp: "create_unique_constraint",
    ops.CreateForeignKeyOp: "create_foreign_key",
    ops.CreateIndexOp: "create_index",
    ops.DropIndexOp: "drop_index",
}
"""How findings name the op that broke a table (Alembic's own ``op.`` method names)."""


@dataclass(frozen=True, slots=True)
class Stepped:
    """What one op broke (unlocated), and the exception if envoxy could not read the op."""

    findings: tuple[Finding, ...]
    problem: Exception | None = None


class Replay:
    """Judge and replay ops, one after another, into one :class:`SymbolicSchema`."""

    def __init__(
        self,
        rules: RuleSet,
        dialect: str = "postgresql",
        schema: SymbolicSchema | None = None,
        *,
        checks: bool = True,
    ) -> None:
        self.rules = rules
        self.dialect = dialect
        self.schema = schema if schema is not None else SymbolicSchema(dialect)
        # The checks of rules.yaml, per op (None: none target migrations, or not wanted per op,
        # as with --head-state, which judges them at head instead).
        self.checks = migration_checks(rules, dialect) if checks else None
        self._verdicts: dict[int, tuple[TableState, set[tuple[str, str | None]]]] = {}
        self._required: dict[str, set[str]] = {}

    def _verdict(self, state: TableState) -> set[tuple[str, str | None]]:
        """(rule, field) of every finding about ``state``; a table's state after one op is its
        state before the next, so each is judged once."""
        known = self._verdicts.get(id(state))
        if known is not None and known[0] is state:
            return known[1]
        verdict = {(f.rule, f.field) for f in judge_table(self.rules, state, self.dialect)}
        if len(self._verdicts) > 4096:
            self._verdicts.clear()
        self._verdicts[id(state)] = (state, verdict)
        return verdict

    def _judged_alike(self, before: TableState, after: TableState) -> bool:
        """Whether the rules cannot tell the two apart: same name and key, and no column they
        require changed (only an index, a foreign key or another column did)."""
        if (before.name, before.schema, before.primary_key) != (after.name, after.schema, after.primary_key):
            return False
        if before.columns == after.columns:
            return True
        required = self._required.get(after.name)
        if required is None:
            required = self._required[after.name] = {s.name for s in self.rules.required_columns(after.name)}
        old = {c.name: c for c in before.columns if c.name in required}
        return old == {c.name: c for c in after.columns if c.name in required}

    def step(self, op: Any, origin: Origin = _NOWHERE, *, judged: bool = True) -> Stepped:
        """Judge ``op`` (unless not ``judged``), then apply it. An op envoxy cannot read comes
        back as ``problem``, with whatever could be judged and applied of it."""
        found: list[Finding] = []
        problem = self._step(op, origin, judged, found, raw=False)
        return Stepped(tuple(found), problem)

    def _step(
        self, op: Any, origin: Origin, judged: bool, found: list[Finding], *, raw: bool
    ) -> Exception | None:
        if isinstance(op, ops.OpContainer):
            problem: Exception | None = None
            for child in op.ops:
                problem = self._step(child, origin, judged, found, raw=raw) or problem
            return problem
        if isinstance(op, ops.ExecuteSQLOp):
            return self._execute(op, origin, judged, found)
        said: list[Finding] = []
        problem = None
        if judged:
            try:
                said = inspect_op(op, self.rules, dialect=self.dialect, lookup=self.schema.lookup)
            except Exception as e:  # an op shape envoxy cannot read: reported by the caller
                problem = e
        try:
            changes = self.schema.apply(op, origin)
        except Exception as e:
            return problem or e
        if self.checks is not None:
            self.checks.track(changes, self._all_tables)
        if judged:
            label = "op.execute" if raw else OP_NAMES.get(type(op), type(op).__name__)
            if raw:
                said = [replace(f, message=f"op.execute: {f.message}") for f in said]
            found.extend(said)
            found.extend(self._newly_broken(changes, said, label))
            if self.checks is not None:
                self.checks.after_op(op, changes, self._all_tables, origin)
        return problem

    def forget(self) -> None:
        """Drop what the checks follow op by op (the schema was rolled back under them): the
        tables they compare are read afresh, and what they held for the revision is moot."""
        if self.checks is not None:
            self.checks.forget()

    def _all_tables(self) -> list[TableState]:
        return self.schema.states()

    def settle(self) -> list[Finding]:
        """What the checks found in the ops stepped since the last call (one revision, say) and
        still hold after the last of them, each located at its op (see
        :mod:`envoxy.migrations.checked`)."""
        if self.checks is None:
            return []
        return self.checks.settle(self.schema.lookup, self._all_tables)

    def _execute(
        self, op: ops.ExecuteSQLOp, origin: Origin, judged: bool, found: list[Finding]
    ) -> Exception | None:
        try:
            reading = read_execute(op, self.dialect, self.schema)
        except Exception as e:
            return e
        problem: Exception | None = None
        if reading.unread and judged:  # what could not be read is said to be so, as before
            found.extend(inspect_op(op, self.rules, dialect=self.dialect, lookup=self.schema.lookup))
        for child in reading.ops:
            problem = self._step(child, origin, judged, found, raw=reading.raw) or problem
        return problem

    def _newly_broken(self, changes: list[Change], said: list[Finding], label: str) -> list[Finding]:
        """What each changed table breaks after the op and did not before, unless the op's own
        findings already say it about the same column."""
        told = {(f.table, f.field) for f in said}
        found: list[Finding] = []
        for change in changes:
            after, before = change.after, change.before
            if after is None or (before is not None and self._judged_alike(before, after)):
                continue
            was = self._verdict(before) if before is not None else set()
            now = self._verdict(after)
            if now <= was:
                continue
            for f in judge_table(self.rules, after, self.dialect):
                if (f.rule, f.field) not in was and (f.table, f.field) not in told:
                    found.append(replace(f, message=f"{label}: {f.message}"))
        return found
