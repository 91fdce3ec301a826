"""A real :class:`alembic.operations.Operations` that records op objects instead of running them.

``op.create_table(...)``, ``batch_op.add_column(...)`` and every other ``op.`` call build Alembic's
own op object and hand it to :meth:`invoke`; here ``invoke`` keeps the object together with the
line of the revision file that made the call, and nothing reaches a database.
"""

from __future__ import annotations

import dis
import io
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import CodeType, FrameType
from typing import Any

from alembic.operations import BatchOperations, Operations, ops
from alembic.operations.batch import BatchOperationsImpl
from alembic.runtime.migration import MigrationContext

from envoxy.migrations.standin import StandinConnection

__all__ = ["RecordedOp", "Recorder", "RecordingOperations", "offline_context"]


@dataclass(frozen=True, slots=True)
class RecordedOp:
    """One op a revision made, with the first line of the ``op.`` call that made it."""

    op: ops.MigrateOperation
    line: int | None


def offline_context(dialect: str) -> MigrationContext:
    """A migration context for ``dialect`` in offline mode: it has no connection to open."""
    return MigrationContext.configure(
        dialect_name=dialect, opts={"as_sql": True, "output_buffer": io.StringIO()}
    )


def _start_lines(code: CodeType) -> list[int | None]:
    """The first line of every instruction's source range (Python 3.11+), by instruction."""
    return [start for start, *_ in code.co_positions()]


def _call_line(frame: FrameType, cache: dict[CodeType, list[int | None]]) -> int | None:
    """First line of the call the frame is executing (a multi-line call: where it starts)."""
    if frame.f_trace is None and sys.version_info >= (3, 11):
        # Untraced, Python 3.11+ reads the line from the same location table as co_positions():
        # the start of the instruction's range. (A traced frame shows the last line traced.)
        return frame.f_lineno
    code = frame.f_code
    if hasattr(code, "co_positions") and frame.f_lasti >= 0:
        starts = cache.get(code)
        if starts is None:
            starts = cache[code] = _start_lines(code)
        index = frame.f_lasti // 2
        if index < len(starts) and starts[index] is not None:
            return starts[index]
    return frame.f_lineno


class Recorder:
    """Collects :class:`RecordedOp` for the revision file named ``filename``."""

    def __init__(self, charge: Callable[[], None]) -> None:
        self.filename: str | None = None
        self.ops: list[RecordedOp] = []
        self._charge = charge
        self._starts: dict[CodeType, list[int | None]] = {}

    def start(self, filename: str) -> None:
        self.filename = filename
        self.ops = []
        self._starts.clear()

    def record(self, op: ops.MigrateOperation) -> None:
        self._charge()
        self.ops.append(RecordedOp(op, self._line()))

    def _line(self) -> int | None:
        frame: FrameType | None = sys._getframe(2)
        while frame is not None:
            if frame.f_code.co_filename == self.filename:
                return _call_line(frame, self._starts)
            frame = frame.f_back
        return None


def _create_table_result(operations: Any, op: ops.CreateTableOp) -> Any:
    # ``op.create_table`` returns the Table; revisions pass it on to ``op.bulk_insert``. Making
    # it costs as much as the rest of the op, so it is made only when the revision keeps it.
    if _discarded_by_revision(sys._getframe(2), operations.recorder.filename):
        return None
    return op.to_table(operations.migration_context)


# The frames between ``invoke`` and the revision's own call, in Alembic: the op class's
# classmethod and the proxies of ``Operations`` and of the ``alembic.op`` module.
_ALEMBIC_CALLERS = frozenset({"alembic.operations.ops", "alembic.operations.base", "alembic.op"})
_POP_TOP = dis.opmap["POP_TOP"]
_CACHE = dis.opmap.get("CACHE")  # Python 3.11+: inline cache entries after a call


def _discarded_by_revision(frame: FrameType | None, filename: str | None) -> bool:
    """Whether ``frame`` (the caller of ``invoke``) was called, through Alembic's own frames
    only, by a statement of the revision file ``filename`` that throws the result away
    (``op.create_table(...)`` alone on its line: the call's next instruction is ``POP_TOP``).
    Anything else (a result assigned, returned, passed on, a helper in between): kept."""
    while frame is not None and frame.f_globals.get("__name__") in _ALEMBIC_CALLERS:
        frame = frame.f_back
    if frame is None or filename is None or frame.f_code.co_filename != filename or frame.f_lasti < 0:
        return False
    code = frame.f_code.co_code
    at = frame.f_lasti + 2
    while at < len(code) and code[at] == _CACHE:
        at += 2
    return at < len(code) and code[at] == _POP_TOP


# What ``invoke`` returns for an op class (everything else returns None, as Alembic does).
_RESULTS: dict[type[Any], Callable[[Any, Any], Any]] = {
    ops.CreateTableOp: _create_table_result,
}


class _Recording:
    """``invoke`` for both the plain and the batch operations object."""

    recorder: Recorder

    def invoke(self, operation: ops.MigrateOperation) -> Any:
        if type(operation).__module__ != ops.__name__:
            # A project's own op (``Operations.register_operation``): run its implementation,
            # whose ``op.execute``/``op.create_table`` calls come back here and are recorded.
            return super().invoke(operation)  # type: ignore[misc]
        self.recorder.record(operation)
        result = _RESULTS.get(type(operation))
        return result(self, operation) if result is not None else None


class RecordingBatchOperations(_Recording, BatchOperations):
    def __init__(self, context: MigrationContext, impl: BatchOperationsImpl, recorder: Recorder) -> None:
        super().__init__(context, impl=impl)
        self.recorder = recorder


class RecordingOperations(_Recording, Operations):
    """``op`` during a scan: records ops, and ``get_bind()`` is the offline stand-in."""

    def __init__(self, context: MigrationContext, recorder: Recorder, bind: StandinConnection) -> None:
        super().__init__(context)
        self.recorder = recorder
        self.bind = bind

    def get_bind(self) -> Any:
        return self.bind

    @contextmanager
    def batch_alter_table(
        self,
        table_name: str,
        schema: str | None = None,
        recreate: str = "auto",
        partial_reordering: Any = None,
        copy_from: Any = None,
        table_args: Any = (),
        table_kwargs: Any = None,
        reflect_args: Any = (),
        reflect_kwargs: Any = None,
        naming_convention: Any = None,
    ) -> Iterator[BatchOperations]:
        """Yield a batch whose ops are recorded one by one; nothing is flushed or reflected."""
        impl = BatchOperationsImpl(  # type: ignore[no-untyped-call]
            self,
            table_name,
            schema,
            recreate,
            copy_from,
            table_args,
            table_kwargs or {},
            reflect_args,
            reflect_kwargs or {},
            naming_convention,
            partial_reordering or (),
        )
        yield RecordingBatchOperations(self.migration_context, impl, self.recorder)
