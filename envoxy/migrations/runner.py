"""Run one revision's ``upgrade()`` against the recording ``op`` and the offline stand-in.

The first run sees empty query results. If it fails after having queried, it is run again with
placeholder rows (the lookup that wanted a row gets one). Whatever still fails is a
:class:`Failure`; the ops recorded up to that point are kept.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NoReturn

from alembic.config import Config
from alembic.operations import Operations
from alembic.runtime.environment import EnvironmentContext
from alembic.script import ScriptDirectory
from sqlalchemy.schema import CreateTable

from envoxy.migrations.guard import interrupted
from envoxy.migrations.loader import Revision, describe_error
from envoxy.migrations.recorder import (
    RecordedOp,
    Recorder,
    RecordingOperations,
    offline_context,
)
from envoxy.migrations.standin import (
    Budget,
    BudgetExceeded,
    Catalog,
    StandinConnection,
    time_limit,
)

__all__ = ["Failure", "Outcome", "ProcessExit", "RevisionRunner", "no_process_exit"]


@dataclass(frozen=True, slots=True)
class Failure:
    """Why ``upgrade()`` stopped, and the line of the revision file it stopped at."""

    reason: str
    line: int | None
    spent: bool = False
    """The budget ran out (retrying would only spend another)."""


@dataclass(frozen=True, slots=True)
class Outcome:
    ops: tuple[RecordedOp, ...]
    failure: Failure | None


def _failure(error: BaseException, filename: str) -> Failure:
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == filename]
    line = frames[-1].lineno if frames else None
    if isinstance(error, BudgetExceeded):
        return Failure(str(error), line, spent=True)
    return Failure(describe_error(error), line)


@contextmanager
def _proxied(cls: type[Any], instance: Any) -> Iterator[None]:
    """Make ``instance`` what the module proxy of ``cls`` (``alembic.op``, ``alembic.context``)
    forwards to, and put back whatever was there before."""
    attr_names, modules = cls._setups[cls]
    saved = [(g, {k: g[k] for k in ("_proxy", *attr_names) if k in g}) for g, _ in modules]
    try:
        for g, _ in modules:
            g["_proxy"] = instance
            for name in attr_names:
                g[name] = getattr(instance, name)
        yield
    finally:
        for g, values in saved:
            for name in ("_proxy", *attr_names):
                g.pop(name, None)
            g.update(values)


class RevisionRunner:
    """Runs revisions one after another with one recorder, stand-in and ``op`` proxy."""

    def __init__(
        self,
        dialect: str = "postgresql",
        *,
        seconds: float = 5.0,
        max_queries: int = 1000,
        placeholder_rows: int = 1,
        catalog: Catalog | None = None,
    ) -> None:
        self.budget = Budget(seconds=seconds, max_queries=max_queries)
        self.placeholder_rows = placeholder_rows
        self._recorder = Recorder(self._charge_op)
        self._context = offline_context(dialect)
        self._bind = StandinConnection(
            self._context.dialect, self.budget, catalog, on_ddl=self._record_ddl, on_sql=self._record_sql
        )
        # ``op.get_context().bind`` and ``context.get_bind()`` are the stand-in too.
        self._context.connection = self._bind  # type: ignore[assignment]
        self.operations = RecordingOperations(self._context, self._recorder, self._bind)

    def _record_ddl(self, create: bool, table: Any) -> None:
        """``Table.create(op.get_bind())`` and the like: the op that does the same."""
        if create:
            self.operations.execute(CreateTable(table))
        else:
            self.operations.drop_table(table.name, schema=table.schema)

    def _record_sql(self, statement: Any) -> None:
        """``op.get_bind().execute(text("ALTER TABLE ..."))``: judged as ``op.execute`` is."""
        self.operations.execute(statement)

    def _charge_op(self) -> None:
        self.budget.check_time()

    @contextmanager
    def installed(self, directory: ScriptDirectory | None = None) -> Iterator[None]:
        """``from alembic import op, context`` resolve to this runner inside the block."""
        environment = EnvironmentContext(Config(), directory)  # type: ignore[arg-type]
        environment._migration_context = self._context
        with _proxied(Operations, self.operations), _proxied(EnvironmentContext, environment):
            yield

    def run(self, revision: Revision, module: Any) -> Outcome:
        """Follow ``upgrade()`` of ``module``, the imported file of ``revision``."""
        upgrade = getattr(module, "upgrade", None)
        if not callable(upgrade):
            return Outcome((), Failure("the revision has no upgrade() function", None))
        first = self._attempt(revision, upgrade, rows=0)
        if first.failure is None or first.failure.spent or self.budget.queries == 0:
            return first  # nothing failed, or nothing a placeholder row could change
        second = self._attempt(revision, upgrade, rows=self.placeholder_rows)
        if second.failure is None:
            return second
        return second if len(second.ops) > len(first.ops) else first

    def _attempt(self, revision: Revision, upgrade: Any, *, rows: int) -> Outcome:
        self.budget.rows_per_query = rows
        self.budget.start()
        self._recorder.start(revision.filename)
        failure = None
        try:
            with time_limit(self.budget.seconds):
                upgrade()
        except BaseException as e:  # the revision's own failure (SystemExit too): a finding
            if isinstance(e, KeyboardInterrupt) and interrupted():
                raise  # the user pressed Ctrl-C
            failure = _failure(e, revision.filename)
        return Outcome(tuple(self._recorder.ops), failure)


class ProcessExit(Exception):
    """A revision called ``os._exit``; during the scan that ends the revision, not envoxy."""


@contextmanager
def no_process_exit() -> Iterator[None]:
    """Inside the block ``os._exit`` raises :class:`ProcessExit` in this process: for real it
    would end envoxy silently with the status the revision chose (0 passing CI). A child that the
    revision forked still exits for real."""
    real, pid = os._exit, os.getpid()

    def guarded(status: int) -> NoReturn:
        if os.getpid() != pid:
            real(status)
        raise ProcessExit(f"the revision called os._exit({status})")

    os._exit = guarded
    try:
        yield
    finally:
        os._exit = real
