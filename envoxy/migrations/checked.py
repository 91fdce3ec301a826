"""Checks (``checks:`` in ``rules.yaml``) judged on the tables a migration history builds: per
op, on what the op created or reshaped, and at head.

Per op, a table the op created (``create_table``, or raw DDL read as one) is judged whole. An
``add_column`` or ``alter_column`` judges the column it adds or changes, every time, since that is
the line the user wrote; everything else about the tables the op touched (their other columns,
their table checks, a name that now collides, folded, with another table's) is reported only where
the op newly breaks it, so a table already reported where it was made is not reported again at
every later op on it. An op on a table whose creation the history does not show (the
autogenerate gate judging ``add_column`` on a table the database already has) judges its column
alone, from what the op states.

Per op, table checks are judged on the table and column checks only on the columns the op
changed. What an op breaks is held until :meth:`MigrationChecks.settle` (the end of its
revision, or of the gate's ops), and reported only if it still holds then: a revision that
creates a table and then the index or key it lacked breaks nothing.

At head (``--head-state``), every table is judged whole, each finding at the op that created or
last reshaped its table.

With no check targeting migrations, nothing here runs (:func:`migration_checks` gives None).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from alembic.operations import ops

from envoxy.checks.documents import Documents, partial_column_document
from envoxy.checks.verdicts import checks_for, compares_tables, verdict_finding
from envoxy.findings import Finding
from envoxy.migrations.elements import column_state, sql_type_of
from envoxy.tables import ColumnState, TableState

if TYPE_CHECKING:
    from envoxy.checks.engine import Verdict
    from envoxy.migrations.schema import Change, Origin
    from envoxy.rules.model import RuleSet

__all__ = ["MigrationChecks", "migration_checks"]

Key = tuple[str | None, str]


@dataclass(frozen=True, slots=True)
class _Pending:
    """A finding an op made, waiting for the end of its revision: ``key`` is its table's
    (schema, name) as it stands now (a rename carries it along)."""

    key: Key
    check: str
    column: str | None
    finding: Finding


@dataclass(frozen=True, slots=True)
class _Touched:
    """The column an ``add_column``/``alter_column`` writes (as it is named after the op), and
    its old name where the op renames it."""

    name: str
    old: str | None = None


def _touched(op: Any) -> _Touched | None:
    if isinstance(op, ops.AddColumnOp):
        return _Touched(op.column.name)
    if isinstance(op, ops.AlterColumnOp):
        new = op.modify_name
        return _Touched(new, op.column_name) if new and new != op.column_name else _Touched(op.column_name)
    return None


# Ops after which a table is judged whole: it is new (a ``create_table`` over a table of the same
# name too). A renamed table is judged on what the rename newly breaks (its name), not whole again.
_WHOLE = (ops.CreateTableOp,)


def migration_checks(rules: RuleSet, dialect: str) -> MigrationChecks | None:
    """The checks for migrations, or None when no check targets them (nothing to do, no cost)."""
    return MigrationChecks(rules, dialect) if checks_for(rules, "migrations") else None


class MigrationChecks:
    """Judge the checks on migration tables (see the module docstring)."""

    def __init__(self, rules: RuleSet, dialect: str) -> None:
        self.rules = rules
        self.dialect = dialect
        self.documents = Documents(rules, dialect)
        self.compares = compares_tables(rules, "migrations")
        """Whether a check compares tables (see :func:`_peers`)."""
        # The table checks and the column checks apart: an op that changes one column has its
        # column checks judged on that column alone, not on every column of its table again.
        self._table_rules = replace(rules, checks=tuple(c for c in rules.checks if c.scope == "table"))
        self._column_rules = replace(rules, checks=tuple(c for c in rules.checks if c.scope == "column"))
        self._table_doc = self.documents.of if _reads_columns(self._table_rules) else self.documents.bare
        self._said: dict[int, tuple[TableState, list[Verdict]]] = {}
        # The table checks' verdicts by what a document without columns holds (most ops change
        # a column and leave that alone), when no table check reads the columns.
        self._shape = _shape_facts(self._table_rules) if self._table_doc == self.documents.bare else None
        """The table facts the table checks read (None: the verdicts are not remembered by them)."""
        self._by_shape: dict[Any, list[Verdict]] | None = {} if self._shape is not None else None
        # The column states that pass every column check, whatever their table (a table in
        # scope and exempt from none): judged once, however many tables have them. Only when
        # no column check reads the table's name or the document whole.
        self._clean: set[ColumnState] | None = set() if _table_blind(self._column_rules) else None
        self._whole: dict[str, bool] = {}
        self._pending: list[_Pending] = []
        self._folds: _Folded | None = None

    def forget(self) -> None:
        """Forget the tables followed and the findings held (see :meth:`Replay.forget`)."""
        self._folds = None
        self._pending = []

    def track(self, changes: Sequence[Change], tables: Callable[[], list[TableState]]) -> None:
        """Follow what every op (judged or not) did to the tables, for the checks that compare
        tables: the tables by folded name, kept up to date instead of rebuilt at every op."""
        if not self.compares or not changes:
            return
        if self._folds is None:
            self._folds = _folded(tables())
            return
        for c in changes:
            if c.before is not None:
                self._folds.get(c.before.name.casefold(), {}).pop((c.before.schema, c.before.name), None)
        for c in changes:
            if c.after is not None:
                self._folds.setdefault(c.after.name.casefold(), {})[(c.after.schema, c.after.name)] = c.after

    # -- judging -----------------------------------------------------------------------------
    def _judge(
        self, docs: Sequence[dict[str, Any]], only: Collection[Key] | None, rules: RuleSet | None = None
    ) -> list[Verdict]:
        from envoxy.checks.engine import judge_tables

        return judge_tables(rules or self.rules, "migrations", docs, only=only)

    def _table_verdicts(self, state: TableState, peers: Sequence[TableState] = ()) -> list[Verdict]:
        """The table checks' verdicts on ``state``, judged with ``peers`` in view: the tables a
        check that compares tables compares it with (see :func:`_peers`). Without peers,
        remembered."""
        if not peers:
            known = self._said.get(id(state))
            if known is not None and known[0] is state:
                return known[1]
        key = (state.schema, state.name)
        shape = None
        if not peers and self._by_shape is not None:
            shape = self._shaped(state)
            found = self._by_shape.get(shape)
            if found is not None:
                self._remember(state, found)
                return found
        docs = [self._table_doc(state), *(self._table_doc(t) for t in peers)]
        found = self._judge(docs, [key] if peers else None, self._table_rules)
        if not peers:
            self._remember(state, found)
            if self._by_shape is not None:
                if len(self._by_shape) > 4096:
                    self._by_shape.clear()
                self._by_shape[shape] = found
        return found

    def _shaped(self, state: TableState) -> tuple[Any, ...]:
        """What the table checks' verdicts on ``state`` depend on (see :func:`_shape_facts`)."""
        return (state.schema, state.name, *[getattr(state, f) for f in self._shape or ()])

    def _remember(self, state: TableState, found: list[Verdict]) -> None:
        if len(self._said) > 4096:
            self._said.clear()
        self._said[id(state)] = (state, found)

    def _column_verdicts(self, state: TableState, names: Collection[str] | None = None) -> list[Verdict]:
        """The column checks' verdicts on the columns ``names`` of ``state`` (None: all)."""
        if not self._column_rules.checks:
            return []
        clean = self._clean if self._applies_whole(state.name) else None
        pairs = [
            (c, self.documents.column(c, state.name))
            for c in state.columns
            if (names is None or c.name in names) and (clean is None or c not in clean)
        ]
        if not pairs:
            return []
        table = {"name": state.name, "schema": state.schema, "columns": [doc for _, doc in pairs]}
        if clean is None:
            return self._judge([table], None, self._column_rules)
        # In scope and exempt from none (and no built-in among them): no lookups of either, and
        # the columns that pass every check are remembered as passing them anywhere.
        from envoxy.checks.engine import compiled_checks, verdicts_in_scope

        found = verdicts_in_scope(compiled_checks(self._column_rules, "migrations"), table)
        failed = {v.column for v in found}
        if len(clean) > 8 * 4096:
            clean.clear()
        clean.update(column for column, doc in pairs if doc["name"] not in failed)
        return found

    def _applies_whole(self, table: str) -> bool:
        """Whether every column check applies to the columns of ``table`` (in scope, exempt from
        none): only there does a column that passes them all pass them in any table."""
        if self._clean is None:
            return False
        known = self._whole.get(table)
        if known is None:
            from envoxy.checks.engine import applies, compiled_checks

            checks = compiled_checks(self._column_rules, "migrations")
            if len(self._whole) > 4096:
                self._whole.clear()
            known = self._whole[table] = all(applies(self.rules, c, table) for c in checks)
        return known

    # -- per op ------------------------------------------------------------------------------
    def after_op(
        self,
        op: Any,
        changes: Sequence[Change],
        tables: Callable[[], list[TableState]],
        where: Origin | None = None,
    ) -> None:
        """Note what ``op`` breaks, given the ``changes`` it made, located at ``where`` (None:
        unlocated, as the gate's findings are). ``tables`` gives every table of the schema after
        the op, for checks that compare tables. The findings wait for :meth:`settle`."""
        touched = _touched(op)
        if not changes:
            if touched is not None:
                key = (_schema(op, self.dialect), str(op.table_name))
                self._hold(key, self._op_alone(op, touched), where)
            return
        # An op that changes tables in place (no table made, dropped or renamed): what compares
        # names (the built-ins compare nothing else across tables) sees nothing new.
        in_place = not isinstance(op, _WHOLE) and all(
            c.before is not None
            and c.after is not None
            and (c.before.schema, c.before.name) == (c.after.schema, c.after.name)
            for c in changes
        )
        now_tables: _Folded = {}
        then: list[_Folded] = []  # the tables as they were, made when first needed

        def then_tables() -> _Folded:
            if not then:
                then.append(_before(now_tables, changes) if self.compares else {})
            return then[0]

        if self.compares:
            now_tables = self._folds if self._folds is not None else _folded(tables())
            if not in_place:
                self._compared(now_tables, then_tables(), changes, where)
        for change in changes:
            after, before = change.after, change.before
            if after is None:
                if before is not None:  # dropped: what the revision said about it is moot
                    self._pending = [p for p in self._pending if p.key != (before.schema, before.name)]
                continue
            key = (after.schema, after.name)
            if before is not None and (before.schema, before.name) != key:  # renamed
                self._pending = [
                    replace(p, key=key) if p.key == (before.schema, before.name) else p for p in self._pending
                ]
            if before is None or isinstance(op, _WHOLE):
                now = self._table_verdicts(after, _peers(after, now_tables))
                self._hold(key, [*now, *self._column_verdicts(after)], where)
                continue
            if in_place and self._shape is not None and self._shaped(before) == self._shaped(after):
                # The facts the table checks read are as they were: their verdicts too.
                now, was = [], set()
            else:
                now = self._table_verdicts(after, _peers(after, now_tables))
                was = {
                    (v.check, v.column) for v in self._table_verdicts(before, _peers(before, then_tables()))
                }
            # The columns the op changed (all of them when the table's name changed: a column's
            # document names its table), judged before and after.
            changed = _changed_columns(before, after)
            if changed:
                renamed = (
                    {touched.old: touched.name} if touched is not None and touched.old is not None else {}
                )
                back = {new: old for old, new in renamed.items()}
                old_names = {back.get(n, n) for n in changed}
                was |= {
                    (v.check, renamed.get(v.column or "", v.column))
                    for v in self._column_verdicts(before, old_names)
                }
                now = [*now, *self._column_verdicts(after, changed)]
            mine = touched is not None and after.name == getattr(op, "table_name", None)
            self._hold(
                key,
                [
                    v
                    for v in now
                    if (mine and touched is not None and v.column == touched.name)
                    or (v.check, v.column) not in was
                ],
                where,
            )

    def _compared(self, now: _Folded, then: _Folded, changes: Sequence[Change], where: Origin | None) -> None:
        """What the op newly breaks in the tables it did not change but that checks compare with
        those it did: a table whose name, folded, is the name of a table the op created, renamed
        or dropped (the only comparison the built-ins make)."""
        changed = {(t.schema, t.name) for c in changes for t in (c.before, c.after) if t is not None}
        for folded in {name.casefold() for _, name in changed}:
            for state in list(now.get(folded, {}).values()):
                key = (state.schema, state.name)
                if key in changed:
                    continue
                was = {(v.check, v.column) for v in self._table_verdicts(state, _peers(state, then))}
                now_said = self._table_verdicts(state, _peers(state, now))
                self._hold(key, [v for v in now_said if (v.check, v.column) not in was], where)

    def _hold(self, key: Key, verdicts: Sequence[Verdict], where: Origin | None) -> None:
        at = {} if where is None or not where.path else {"path": where.path, "line": where.line}
        self._pending.extend(_Pending(key, v.check, v.column, verdict_finding(v, **at)) for v in verdicts)

    def settle(
        self, lookup: Callable[[str, str | None], TableState | None], tables: Callable[[], list[TableState]]
    ) -> list[Finding]:
        """The findings noted since the last call that still hold on the tables as they stand
        now: a revision that creates a table and then its index, key or column breaks nothing
        that its later ops mend. A table the history does not know (an op judged alone) keeps
        what was said of it."""
        pending, self._pending = self._pending, []
        if not pending:
            return []
        everything = _folded(tables()) if self.compares else {}
        columns: dict[Key, set[str]] = {}
        for p in pending:
            if p.column is not None:
                columns.setdefault(p.key, set()).add(p.column)
        found: list[Finding] = []
        holding: dict[Key, set[tuple[str, str | None]] | None] = {}
        for p in pending:
            if p.key not in holding:
                state = lookup(p.key[1], p.key[0])
                holding[p.key] = (
                    None
                    if state is None
                    else {
                        (v.check, v.column)
                        for v in (
                            *self._table_verdicts(state, _peers(state, everything)),
                            *self._column_verdicts(state, columns.get(p.key, set())),
                        )
                    }
                )
            now = holding[p.key]
            if now is None or (p.check, p.column) in now:
                found.append(p.finding)
        return found

    def _op_alone(self, op: Any, touched: _Touched) -> list[Verdict]:
        """A column op on a table whose whole shape is unknown: its column's checks, from what
        the op states (``existing_type`` and ``existing_nullable``, which autogenerate writes,
        included)."""
        table = str(op.table_name)
        if isinstance(op, ops.AddColumnOp):
            in_key = bool(getattr(op, "inline_primary_key", None)) and bool(op.column.primary_key)
            state = column_state(op.column, self.dialect, primary_key=in_key)
            column = partial_column_document(
                self.rules, state.name, table, state.type, state.nullable, self.dialect
            )
            column["primary_key"] = state.primary_key
        else:
            type_ = op.modify_type if op.modify_type is not None else op.existing_type
            nullable = op.modify_nullable if op.modify_nullable is not None else op.existing_nullable
            column = partial_column_document(
                self.rules,
                touched.name,
                table,
                sql_type_of(type_, self.dialect),
                None if nullable is None else bool(nullable),
                self.dialect,
            )
        # Only the column's own checks: the table's other columns, key, indexes are unknown.
        doc = {"name": table, "schema": _schema(op, self.dialect), "columns": [column]}
        return [v for v in self._judge([doc], None) if v.column == touched.name]

    # -- at head -----------------------------------------------------------------------------
    def at_head(self, tables: Sequence[TableState], judged: Collection[Key]) -> list[Verdict]:
        """Every verdict about the tables keyed in ``judged``, the whole schema ``tables`` in view."""
        if not judged:
            return []
        return self._judge(self.documents.all(tables), judged)


def _reads_columns(rules: RuleSet) -> bool:
    """Whether a check of ``rules`` may read a table's columns (or, reading the document whole,
    anything): if none does, table documents leave them out, and are made in no time."""
    from envoxy.checks.engine import compiled_checks

    for c in compiled_checks(rules, "migrations"):
        if c.check.builtin is not None:
            if "columns" in c.check.needs:
                return True
        elif c.reads is None or "columns" in c.reads or c.column_needs:
            return True
    return False


# The facts of a table document without columns, by the TableState attribute that holds each.
_TABLE_FACTS = {"primary_key": "primary_key", "indexes": "indexes", "foreign_keys": "foreign_keys"}


def _shape_facts(rules: RuleSet) -> tuple[str, ...] | None:
    """The attributes of a table state (besides its schema and name) that decide the verdicts
    of ``rules``' table checks on its document without columns: those of the facts they read
    (a built-in: the facts it needs); ``None`` when a check reads the document whole or a fact
    that is not one of them."""
    from envoxy.checks.engine import compiled_checks

    facts: set[str] = set()
    for c in compiled_checks(rules, "migrations"):
        if c.reads is None:  # its where/require sees the whole document
            return None
        facts.update(c.reads)
        if c.check.builtin is not None:
            facts.update(c.check.needs | c.check.column_needs)
    facts -= {"name", "schema"}
    if not facts <= _TABLE_FACTS.keys():
        return None
    return tuple(_TABLE_FACTS[f] for f in sorted(facts))


def _table_blind(rules: RuleSet) -> bool:
    """Whether the verdicts of ``rules``' column checks on a column depend on nothing but the
    column's own facts (no built-in, no check reading the table's name or the whole document)."""
    from envoxy.checks.engine import compiled_checks

    return all(
        c.check.builtin is None and c.reads is not None and "table" not in c.reads
        for c in compiled_checks(rules, "migrations")
    )


def _changed_columns(before: TableState, after: TableState) -> set[str]:
    """The names of the columns of ``after`` that ``before`` does not have as they are (all of
    them when the table was renamed)."""
    if before.name != after.name:
        return {c.name for c in after.columns}
    same = {id(c) for c in before.columns}
    fresh = [c for c in after.columns if id(c) not in same]  # most ops leave most columns be
    if not fresh:
        return set()
    old = {c.name: c for c in before.columns}
    return {c.name for c in fresh if old.get(c.name) != c}


_Folded = dict[str, dict[Key, TableState]]
"""Tables by their folded name, then by (schema, name)."""


def _folded(tables: Sequence[TableState]) -> _Folded:
    by: _Folded = {}
    for t in tables:
        by.setdefault(t.name.casefold(), {})[(t.schema, t.name)] = t
    return by


def _peers(state: TableState, tables: _Folded) -> list[TableState]:
    """The tables a check comparing tables compares ``state`` with: the built-ins compare names,
    folded (``accounts`` and ``Accounts``), so those whose folded name is ``state``'s."""
    if not tables:
        return []
    group = tables.get(state.name.casefold())
    if not group or (len(group) == 1 and (state.schema, state.name) in group):
        return []
    key = (state.schema, state.name)
    return [t for k, t in group.items() if k != key]


def _before(now: _Folded, changes: Sequence[Change]) -> _Folded:
    """The tables of the folded names the op changed, as they stood before it (those of other
    names are never compared with what it changed)."""
    after = {(c.after.schema, c.after.name) for c in changes if c.after is not None}
    names = {t.name.casefold() for c in changes for t in (c.before, c.after) if t is not None}
    then: _Folded = {n: {k: t for k, t in now.get(n, {}).items() if k not in after} for n in names}
    for c in changes:
        if c.before is not None:
            then[c.before.name.casefold()][(c.before.schema, c.before.name)] = c.before
    return then


def _schema(op: Any, dialect: str) -> str | None:
    from envoxy.migrations.naming import names_of

    schema = getattr(op, "schema", None)
    return None if schema is None or schema == names_of(dialect).default_schema else str(schema)
