"""What ``op.get_bind()`` returns during a scan: a connection that never touches a database.

Every query (a Core statement or a raw string) returns no rows, so data migrations that loop over
``conn.execute(...)`` run through without a server, but for the rows SQL guarantees on an empty
database (:mod:`envoxy.migrations.shapes`: ``count(*)`` is one row with 0). A revision that needs
a row (``.one()``, ``fetchone()[0]``) is retried with placeholder rows (see
:mod:`envoxy.migrations.placeholders`);
the :class:`Budget` bounds how many rows and how much time one revision may take, so a
``while fetchone() is not None`` loop ends.
"""

from __future__ import annotations

import importlib
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy import inspection
from sqlalchemy.exc import MultipleResultsFound, NoResultFound, NoSuchTableError

from envoxy.migrations.placeholders import PlaceholderRow
from envoxy.migrations.shapes import guaranteed_row
from envoxy.sqltypes import to_sqlalchemy
from envoxy.tables import TableState

__all__ = [
    "Budget",
    "BudgetExceeded",
    "Catalog",
    "StandinConnection",
    "StandinInspector",
    "StandinResult",
    "time_limit",
]


class BudgetExceeded(Exception):
    """A revision used up its queries or its time (raised inside the revision's own code)."""


@dataclass(slots=True)
class Budget:
    """Bounds on one run of one revision: rows each query may return, queries, seconds."""

    rows_per_query: int = 0
    max_queries: int = 1000
    seconds: float = 2.0
    queries: int = 0
    _deadline: float = field(default=0.0, repr=False)

    def start(self) -> None:
        self.queries = 0
        self._deadline = time.monotonic() + self.seconds

    def charge(self) -> None:
        """Count one query; give up past the limits."""
        self.queries += 1
        if self.queries > self.max_queries:
            raise BudgetExceeded(f"gave up after {self.max_queries} queries")
        self.check_time()

    def check_time(self) -> None:
        if time.monotonic() > self._deadline:
            raise BudgetExceeded(f"gave up after {self.seconds:g} s")


class StandinResult:
    """The part of :class:`sqlalchemy.engine.Result` revision code reads, over made-up rows."""

    def __init__(self, rows: Sequence[Any]) -> None:
        self._rows = list(rows)

    def __iter__(self) -> Iterator[Any]:
        rows, self._rows = self._rows, []
        return iter(rows)

    def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    def fetchmany(self, size: int | None = None) -> list[Any]:
        n = len(self._rows) if size is None else size
        taken, self._rows = self._rows[:n], self._rows[n:]
        return taken

    def fetchall(self) -> list[Any]:
        return self.fetchmany()

    all = fetchall
    next = fetchone

    def first(self) -> Any:
        return self.fetchone()

    def one(self) -> Any:
        if not self._rows:
            raise NoResultFound("No row was found when one was required")
        if len(self._rows) > 1:
            raise MultipleResultsFound("Multiple rows were found when exactly one was required")
        return self._rows.pop()

    def one_or_none(self) -> Any:
        return self.one() if self._rows else None

    def scalar(self) -> Any:
        row = self.fetchone()
        return None if row is None else row[0]

    def scalar_one(self) -> Any:
        return self.one()[0]

    def scalar_one_or_none(self) -> Any:
        row = self.one_or_none()
        return None if row is None else row[0]

    def scalars(self, index: int = 0) -> StandinResult:
        return StandinResult([row[index] for row in self._rows])

    def mappings(self) -> StandinResult:
        return StandinResult([row._mapping for row in self._rows])

    def keys(self) -> list[str]:
        return []

    def close(self) -> None:
        self._rows = []

    @property
    def rowcount(self) -> int:
        return len(self._rows)

    @property
    def returns_rows(self) -> bool:
        return True

    def __enter__(self) -> StandinResult:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _names(statement: Any) -> list[str]:
    """The columns a row of ``statement`` has: known for Core selects, unknown for raw SQL."""
    columns = getattr(statement, "selected_columns", None)
    return [str(c.key) for c in columns] if columns is not None else []


class _Transaction:
    def __enter__(self) -> _Transaction:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def commit(self) -> None: ...

    def rollback(self) -> None: ...

    def close(self) -> None: ...

    @property
    def is_active(self) -> bool:
        return True


class Catalog(Protocol):
    """The tables as the revisions so far left them (the scanner's symbolic schema)."""

    def lookup(self, name: str, schema: str | None = None) -> TableState | None: ...

    def names(self, schema: str | None = None) -> list[str]: ...


class _NoTables:
    def lookup(self, name: str, schema: str | None = None) -> TableState | None:
        return None

    def names(self, schema: str | None = None) -> list[str]:
        return []


class StandinInspector:
    """What ``sa.inspect(op.get_bind())`` returns: the catalog, in the shape of SQLAlchemy's
    ``Inspector``, so ``if "t" not in inspector.get_table_names()`` follows the history."""

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog

    def get_table_names(self, schema: str | None = None, **kw: Any) -> list[str]:
        return self._catalog.names(schema)

    def has_table(self, table_name: str, schema: str | None = None, **kw: Any) -> bool:
        return self._catalog.lookup(table_name, schema) is not None

    def get_columns(self, table_name: str, schema: str | None = None, **kw: Any) -> list[dict[str, Any]]:
        table = self._table(table_name, schema)
        return [
            {
                "name": c.name,
                "nullable": c.nullable,
                "default": None,
                "autoincrement": False,
                "type": to_sqlalchemy(c.type) if c.type is not None else sa.types.NullType(),
            }
            for c in table.columns
        ]

    def get_pk_constraint(self, table_name: str, schema: str | None = None, **kw: Any) -> dict[str, Any]:
        table = self._table(table_name, schema)
        return {"name": table.primary_key_name, "constrained_columns": list(table.primary_key)}

    def get_indexes(self, table_name: str, schema: str | None = None, **kw: Any) -> list[dict[str, Any]]:
        table = self._table(table_name, schema)
        return [
            {"name": i.name, "column_names": list(i.columns), "unique": i.unique}
            for i in table.indexes
            if not i.constraint
        ]

    def get_unique_constraints(
        self, table_name: str, schema: str | None = None, **kw: Any
    ) -> list[dict[str, Any]]:
        table = self._table(table_name, schema)
        return [{"name": i.name, "column_names": list(i.columns)} for i in table.indexes if i.constraint]

    def get_foreign_keys(self, table_name: str, schema: str | None = None, **kw: Any) -> list[dict[str, Any]]:
        table = self._table(table_name, schema)
        return [
            {
                "name": f.name,
                "constrained_columns": list(f.columns),
                "referred_schema": f.referred_schema,
                "referred_table": f.referred_table,
                "referred_columns": list(f.referred_columns),
                "options": {},
            }
            for f in table.foreign_keys
        ]

    def _table(self, name: str, schema: str | None = None) -> TableState:
        table = self._catalog.lookup(name, schema)
        if table is None:
            raise NoSuchTableError(name)
        return table

    @contextmanager
    def _inspection_context(self) -> Iterator[StandinInspector]:
        yield self

    def reflect_table(
        self,
        table: sa.Table,
        include_columns: Any = None,
        exclude_columns: Any = (),
        resolve_fks: bool = True,
        **kw: Any,
    ) -> None:
        """``sa.Table(name, metadata, autoload_with=op.get_bind())``: the catalog's columns."""
        for c in self._table(table.name, table.schema).columns:
            if (include_columns and c.name not in include_columns) or c.name in exclude_columns:
                continue
            column_type = to_sqlalchemy(c.type) if c.type is not None else sa.types.NullType()
            table.append_column(
                sa.Column(c.name, column_type, nullable=c.nullable, primary_key=c.primary_key),
                replace_existing=True,
            )

    def _nothing(self, *args: Any, **kw: Any) -> list[Any]:
        return []

    get_view_names = get_sequence_names = get_schema_names = get_check_constraints = _nothing


class StandinConnection:
    """An offline stand-in for a :class:`sqlalchemy.engine.Connection`.

    ``execute`` accepts whatever a revision passes (Core statements, ``text()``, raw strings) and
    returns :class:`StandinResult` with ``budget.rows_per_query`` placeholder rows (none at first).
    ``sa.inspect()`` of it is a :class:`StandinInspector` over ``catalog``.
    """

    def __init__(
        self,
        dialect: sa.engine.Dialect,
        budget: Budget,
        catalog: Catalog | None = None,
        on_ddl: Callable[[bool, sa.Table], None] | None = None,
        on_sql: Callable[[Any], None] | None = None,
    ) -> None:
        self.dialect = dialect
        self.budget = budget
        self.catalog: Catalog = catalog or _NoTables()
        self.on_ddl = on_ddl
        self.on_sql = on_sql
        self.info: dict[str, Any] = {}
        self.closed = False

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(f"op.get_bind() is an offline stand-in during the scan and has no {name!r}")

    @property
    def engine(self) -> StandinConnection:
        return self

    @property
    def name(self) -> str:
        return str(self.dialect.name)

    def connect(self) -> StandinConnection:
        return self

    def execute(self, statement: Any, *args: Any, **kw: Any) -> StandinResult:
        self.budget.charge()
        # Raw SQL and DDL constructs may change the schema: ``on_sql`` (the runner) records them
        # as the ``op.execute`` they amount to. Core DML and selects cannot.
        if self.on_sql is not None and isinstance(
            statement, (str, sa.TextClause, sa.schema.ExecutableDDLElement)
        ):
            self.on_sql(statement)
        if self.budget.rows_per_query == 0:
            # An empty database still answers some queries with a row (count(*) is 0).
            row = guaranteed_row(statement)
            if row is not None:
                return StandinResult([row])
        names = _names(statement)
        return StandinResult([PlaceholderRow(names) for _ in range(self.budget.rows_per_query)])

    exec_driver_sql = execute

    def _run_ddl_visitor(self, visitor: type[Any], element: Any, **kw: Any) -> None:
        """``Table.create(bind)``, ``metadata.create_all(bind)``, ``sa.Enum(...).create(bind)``
        and their drops: a table created or dropped goes to ``on_ddl(create, table)`` (the
        runner records it as an op); types, sequences and indexes need nothing."""
        from sqlalchemy.sql import ddl

        create = issubclass(visitor, ddl.SchemaGenerator)
        if self.on_ddl is None or not (create or issubclass(visitor, ddl.SchemaDropper)):
            return
        if isinstance(element, sa.MetaData):
            chosen = kw.get("tables")
            tables = [t for t in element.sorted_tables if chosen is None or t in chosen]
            if not create:
                tables.reverse()
        elif isinstance(element, sa.Table):
            tables = [element]
        else:
            return
        for table in tables:
            if kw.get("checkfirst") and (self.catalog.lookup(table.name, table.schema) is not None) == create:
                continue
            self.on_ddl(create, table)

    def scalar(self, statement: Any, *args: Any, **kw: Any) -> Any:
        return self.execute(statement).scalar()

    def scalars(self, statement: Any, *args: Any, **kw: Any) -> StandinResult:
        return self.execute(statement).scalars()

    def begin(self) -> _Transaction:
        return _Transaction()

    begin_nested = begin

    def in_transaction(self) -> bool:
        return True

    def commit(self) -> None: ...

    def rollback(self) -> None: ...

    def close(self) -> None: ...

    def execution_options(self, **kw: Any) -> StandinConnection:
        return self

    def __enter__(self) -> StandinConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


@inspection._inspects(StandinConnection)
def _inspect_standin(connection: StandinConnection) -> StandinInspector:
    return StandinInspector(connection.catalog)


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt code that neither queries nor records ops (a busy loop, a sleep) after
    ``seconds``; only where a timer signal can be had (POSIX, main thread, no timer already
    armed). Elsewhere the query and op checks of :class:`Budget` still apply."""
    # ``_signal`` is the C module behind ``signal``: the same calls without the conversions to
    # and from enums, which cost more than the calls themselves (twice per revision).
    if (
        _setitimer is None
        or threading.current_thread() is not threading.main_thread()
        or _signal.getitimer(_signal.ITIMER_REAL)[0] > 0
    ):  # the host process has its own timer
        yield
        return

    def expired(signum: int, frame: Any) -> None:
        raise BudgetExceeded(f"gave up after {seconds:g} s")

    previous = _signal.signal(_signal.SIGALRM, expired)
    _setitimer(_signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        _setitimer(_signal.ITIMER_REAL, 0)
        _signal.signal(_signal.SIGALRM, previous)


_signal: Any = importlib.import_module("_signal")
_setitimer = getattr(_signal, "setitimer", None)
