"""Every way SQLAlchemy writes rows, run against one Envoxy mixin module; returns what got stored.

Standalone on purpose (standard library + SQLAlchemy): the tests run these scenarios in-process
against the runtime mixin, and as a script in a fresh interpreter, where envoxy is not importable,
against the module ``envoxy generate-mixin`` wrote. The same assertions then judge both results,
which are plain JSON (see :func:`encode`).

    python mixin_scenarios.py MIXIN_DIR MIXIN_MODULE URL SCENARIO [SCENARIO ...]

prints ``{"envoxy_importable": bool, "results": {scenario: result}}``.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import json
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, insert, update
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

UTC = dt.timezone.utc
SESSION_TIME_ZONE = "Asia/Kathmandu"  # +05:45: a value shifted by it cannot pass for UTC
# How each server's sessions are put in it, and asked for it. MariaDB may have no named zones
# loaded (mysql.time_zone_name is empty unless mysql_tzinfo_to_sql ran): the same offset.
SET_TIME_ZONE = {
    "postgresql": f"SET TIME ZONE '{SESSION_TIME_ZONE}'",
    "mysql": "SET time_zone = '+05:45'",
    "mariadb": "SET time_zone = '+05:45'",
}
# InnoDB's default, REPEATABLE READ, takes gap locks: the threads' UPDATE ... WHERE n = ? and
# their neighbours' INSERTs then deadlock on each other (the server's doing, not the mixin's).
# READ COMMITTED, PostgreSQL's default and what most MySQL applications run, takes none.
READ_COMMITTED = frozenset({"mysql", "mariadb"})
SHOW_TIME_ZONE = {
    "postgresql": "SHOW TIME ZONE",
    "mysql": "SELECT @@session.time_zone",
    "mariadb": "SELECT @@session.time_zone",
}
THREADS = 8
ROWS_PER_THREAD = 500

GIVEN_ID = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
GIVEN_ID_ONLY = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
GIVEN_CREATED = dt.datetime(2001, 2, 3, 4, 5, 6, 7000, tzinfo=UTC)
GIVEN_UPDATED = dt.datetime(2002, 3, 4, 5, 6, 7, 8000, tzinfo=UTC)
GIVEN_HREF = "/given/href"


# -- plumbing --------------------------------------------------------------------------------------


def encode(value: Any) -> list[Any]:
    """A JSON form that keeps the Python type: what the tests assert on."""
    if value is None:
        return ["none"]
    if isinstance(value, uuid.UUID):
        return ["uuid", str(value)]
    if isinstance(value, dt.datetime):
        return ["datetime", value.isoformat()]
    if isinstance(value, (str, int)):
        return [type(value).__name__, value]
    raise TypeError(f"cannot encode {value!r}")


def make_engine(url: str) -> sa.Engine:
    """An engine whose PostgreSQL sessions run in Asia/Kathmandu and MariaDB ones at +05:45;
    SQLite waits for its lock."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(
            url, connect_args={"timeout": 60, "check_same_thread": False}, pool_size=THREADS + 2
        )

        # pysqlite's own BEGIN is deferred: two threads that read and then write would deadlock
        # on the lock upgrade. BEGIN IMMEDIATE takes the write lock up front, waiting for it.
        @event.listens_for(engine, "connect")
        def _autocommit_driver(dbapi_connection: Any, record: Any) -> None:
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin_immediate(connection: sa.Connection) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    options: dict[str, Any] = {}
    backend = sa.engine.make_url(url).get_backend_name()
    if backend in READ_COMMITTED:
        options["isolation_level"] = "READ COMMITTED"
    engine = sa.create_engine(url, pool_size=THREADS + 2, **options)
    set_time_zone = SET_TIME_ZONE[engine.dialect.name]

    @event.listens_for(engine, "connect")
    def _time_zone(dbapi_connection: Any, record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(set_time_zone)
        dbapi_connection.commit()

    return engine


def given_values(model: Any) -> dict[str, Any]:
    """Caller-set values for all four fields, in the Python types the model's columns take."""
    table = model.__table__
    native_id = isinstance(table.c.id.type, sa.Uuid)
    aware = bool(table.c.created.type.timezone)

    def stamp(value: dt.datetime) -> dt.datetime:
        return value if aware else value.replace(tzinfo=None)

    return {
        "id": uuid.UUID(GIVEN_ID) if native_id else GIVEN_ID,
        "created": stamp(GIVEN_CREATED),
        "updated": stamp(GIVEN_UPDATED),
        "href": GIVEN_HREF,
    }


def given_id_only(model: Any) -> dict[str, Any]:
    native_id = isinstance(model.__table__.c.id.type, sa.Uuid)
    return {"id": uuid.UUID(GIVEN_ID_ONLY) if native_id else GIVEN_ID_ONLY}


def insert_batches(model: Any) -> list[list[dict[str, Any]]]:
    """Rows to insert: two with nothing set, one with every field set, one with only its id.

    Separate batches, because Core's executemany takes its columns from the first row.
    """
    return [
        [{"name": "a"}, {"name": "b"}],
        [{"name": "given", **given_values(model)}],
        [{"name": "id_only", **given_id_only(model)}],
    ]


def stored(connection: sa.Connection, model: Any) -> list[dict[str, list[Any]]]:
    table = model.__table__
    result = connection.execute(sa.select(table).order_by(table.c.name))
    return [{k: encode(v) for k, v in row._mapping.items()} for row in result]


def object_values(obj: Any) -> dict[str, list[Any]]:
    return {k: encode(getattr(obj, k)) for k in ("name", "id", "created", "updated", "href")}


def now() -> str:
    return dt.datetime.now(UTC).isoformat()


def _pause() -> None:
    # Timestamps have microsecond resolution; make "later" unmistakable.
    time.sleep(0.002)


# -- insert paths ----------------------------------------------------------------------------------


def add_flush(engine: sa.Engine, model: Any) -> dict[str, Any]:
    t0 = now()
    with Session(engine) as session:
        objects = [model(**row) for batch in insert_batches(model) for row in batch]
        session.add_all(objects)
        session.flush()
        seen = [object_values(o) for o in objects]
        session.commit()
    t1 = now()
    with engine.connect() as conn:
        return {"t0": t0, "t1": t1, "rows": stored(conn, model), "objects": seen}


def merge_new(engine: sa.Engine, model: Any) -> dict[str, Any]:
    t0 = now()
    with Session(engine) as session:
        merged = [session.merge(model(**row)) for batch in insert_batches(model) for row in batch]
        session.flush()
        seen = [object_values(o) for o in merged]
        session.commit()
    t1 = now()
    with engine.connect() as conn:
        return {"t0": t0, "t1": t1, "rows": stored(conn, model), "objects": seen}


def _session_insert(write: SessionWrite) -> Callable[..., Any]:
    def scenario(engine: sa.Engine, model: Any) -> dict[str, Any]:
        t0 = now()
        with Session(engine) as session:
            for batch in insert_batches(model):
                write(session, model, batch)
            session.commit()
        t1 = now()
        with engine.connect() as conn:
            return {"t0": t0, "t1": t1, "rows": stored(conn, model)}

    return scenario


CoreWrite = Callable[[sa.Connection, sa.Table, list[dict[str, Any]]], object]
SessionWrite = Callable[[Session, Any, list[dict[str, Any]]], object]


def _core_insert(write: CoreWrite) -> Callable[..., Any]:
    def scenario(engine: sa.Engine, model: Any) -> dict[str, Any]:
        t0 = now()
        with engine.begin() as conn:
            for batch in insert_batches(model):
                write(conn, model.__table__, batch)
        t1 = now()
        with engine.connect() as conn:
            return {"t0": t0, "t1": t1, "rows": stored(conn, model)}

    return scenario


orm_bulk_insert = _session_insert(lambda s, m, batch: s.execute(insert(m), batch))
bulk_save_objects = _session_insert(lambda s, m, batch: s.bulk_save_objects([m(**r) for r in batch]))
bulk_insert_mappings = _session_insert(lambda s, m, batch: s.bulk_insert_mappings(m, batch))
core_executemany = _core_insert(lambda c, t, batch: c.execute(t.insert(), batch))
core_multi_values = _core_insert(lambda c, t, batch: c.execute(t.insert().values(batch)))
core_insert_one = _core_insert(lambda c, t, batch: [c.execute(t.insert().values(**r)) for r in batch])


# -- bulk inserts: enough rows for the bulk-insert hook and the defaults' batches ------------------

BULK_PLAIN = 16  # rows with nothing set; the hook fills a statement of 8 rows or more


def bulk_rows(model: Any) -> list[list[dict[str, Any]]]:
    """One executemany whose rows differ in what they set: the hook fills each row apart."""
    given = given_values(model)
    plain = [{"name": f"p{i:02}"} for i in range(BULK_PLAIN)]
    return [
        [
            *plain[:8],
            {"name": "given", **given},
            *plain[8:],
            {"name": "id_only", **given_id_only(model)},
            {"name": "created_only", "created": given["created"]},
            {"name": "href_only", "href": GIVEN_HREF},
        ]
    ]


def uniform_rows(model: Any) -> list[list[dict[str, Any]]]:
    """Rows that set nothing, for the statements the hook leaves to the column defaults."""
    return [[{"name": f"p{i:02}"} for i in range(BULK_PLAIN)]]


BulkWrite = Callable[[sa.Connection, Session, Any, list[dict[str, Any]]], "list[Any] | None"]


def _bulk(write: BulkWrite, rows: Callable[[Any], list[list[dict[str, Any]]]]) -> Callable[..., Any]:
    def scenario(engine: sa.Engine, model: Any) -> dict[str, Any]:
        batches = rows(model)
        sent = json.dumps(batches, default=str)
        t0 = now()
        with Session(engine) as session:
            returned = [write(session.connection(), session, model, batch) for batch in batches]
            session.commit()
        t1 = now()
        with engine.connect() as conn:
            out = {
                "t0": t0,
                "t1": t1,
                "rows": stored(conn, model),
                "caller_rows_unchanged": json.dumps(batches, default=str) == sent,
            }
        if returned[0] is not None:
            out["returned"] = [[encode(v) for v in r] for batch in returned for r in batch or ()]
        return out

    return scenario


def _core_many(connection: sa.Connection, session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    connection.execute(model.__table__.insert(), rows)


def _orm_many(connection: sa.Connection, session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    session.execute(insert(model), rows)


def _mappings(connection: sa.Connection, session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    session.bulk_insert_mappings(model, rows)


def _objects(connection: sa.Connection, session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    session.bulk_save_objects([model(**r) for r in rows])


def _returning(
    connection: sa.Connection, session: Session, model: Any, rows: list[dict[str, Any]]
) -> list[Any]:
    table = model.__table__
    statement = table.insert().returning(table.c.id, table.c.href, sort_by_parameter_order=True)
    return [tuple(r) for r in connection.execute(statement, rows)]


def _multi_values(
    connection: sa.Connection, session: Session, model: Any, rows: list[dict[str, Any]]
) -> None:
    connection.execute(model.__table__.insert().values(rows))


def _pg_do_nothing(table: sa.Table) -> sa.Insert:
    from sqlalchemy.dialects.postgresql import insert as pg_insert

    return pg_insert(table).on_conflict_do_nothing()


def _sqlite_do_nothing(table: sa.Table) -> sa.Insert:
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table).on_conflict_do_nothing()


def _insert_ignore(table: sa.Table) -> sa.Insert:
    return sa.insert(table).prefix_with("IGNORE")


# Each server's INSERT that skips a row whose key exists.
DO_NOTHING: dict[str, Callable[[sa.Table], sa.Insert]] = {
    "postgresql": _pg_do_nothing,
    "sqlite": _sqlite_do_nothing,
    "mysql": _insert_ignore,
    "mariadb": _insert_ignore,
}


def _on_conflict_do_nothing(
    connection: sa.Connection, session: Session, model: Any, rows: list[dict[str, Any]]
) -> None:
    connection.execute(DO_NOTHING[connection.dialect.name](model.__table__), rows)


bulk_core_executemany = _bulk(_core_many, bulk_rows)
bulk_orm_insert = _bulk(_orm_many, bulk_rows)
bulk_insert_mappings_many = _bulk(_mappings, bulk_rows)
bulk_save_objects_many = _bulk(_objects, bulk_rows)
bulk_returning = _bulk(_returning, uniform_rows)
bulk_multi_values = _bulk(_multi_values, uniform_rows)
bulk_on_conflict_do_nothing = _bulk(_on_conflict_do_nothing, uniform_rows)


# -- update paths: rows a and b exist; the scenario renames a (and only a) ------------------------


def _update(write: Callable[[sa.Engine, Any, Any], None]) -> Callable[..., Any]:
    def scenario(engine: sa.Engine, model: Any) -> dict[str, Any]:
        with Session(engine) as session:
            session.add_all([model(name="a"), model(name="b")])
            session.commit()
        with engine.connect() as conn:
            before = stored(conn, model)
            a_id = conn.execute(sa.select(model.__table__.c.id).where(model.name == "a")).scalar()
        _pause()
        t0 = now()
        write(engine, model, a_id)
        t1 = now()
        with engine.connect() as conn:
            return {"t0": t0, "t1": t1, "before": before, "rows": stored(conn, model)}

    return scenario


def _flush(engine: sa.Engine, model: Any, a_id: Any) -> None:
    with Session(engine) as session:
        row = session.get(model, a_id)
        assert row is not None
        row.name = "a2"
        session.commit()


def _orm_statement(engine: sa.Engine, model: Any, a_id: Any) -> None:
    with Session(engine) as session:
        session.execute(update(model).where(model.name == "a").values(name="a2"))
        session.commit()


def _orm_bulk_by_pk(engine: sa.Engine, model: Any, a_id: Any) -> None:
    with Session(engine) as session:
        session.execute(update(model), [{"id": a_id, "name": "a2"}])
        session.commit()


def _core(engine: sa.Engine, model: Any, a_id: Any) -> None:
    table = model.__table__
    with engine.begin() as conn:
        conn.execute(table.update().where(table.c.name == "a").values(name="a2"))


def _core_executemany(engine: sa.Engine, model: Any, a_id: Any) -> None:
    table = model.__table__
    statement = table.update().where(table.c.id == sa.bindparam("a_id")).values(name=sa.bindparam("new_name"))
    with engine.begin() as conn:
        conn.execute(
            statement,
            [{"a_id": a_id, "new_name": "a2"}, {"a_id": given_id_only(model)["id"], "new_name": "x"}],
        )


def _merge(engine: sa.Engine, model: Any, a_id: Any) -> None:
    with Session(engine) as session:
        session.merge(model(id=a_id, name="a2"))
        session.commit()


def _caller_sets_updated(engine: sa.Engine, model: Any, a_id: Any) -> None:
    with Session(engine) as session:
        updated = given_values(model)["updated"]
        session.execute(update(model).where(model.name == "a").values(name="a2", updated=updated))
        session.commit()


orm_flush_update = _update(_flush)
orm_update_statement = _update(_orm_statement)
orm_bulk_update_by_pk = _update(_orm_bulk_by_pk)
core_update = _update(_core)
core_update_executemany = _update(_core_executemany)
merge_existing = _update(_merge)
update_caller_sets_updated = _update(_caller_sets_updated)


# -- 8 threads, each inserting and then updating 500 rows ----------------------------------------


def _threaded(
    engine: sa.Engine, model: Any, insert_rows: Callable[[int], None], update_rows: Callable[[int], None]
) -> dict[str, Any]:
    """THREADS workers, each inserting its rows, reading them back, then updating them."""
    snapshots: dict[int, list[dict[str, list[Any]]]] = {}
    errors: list[str] = []
    table = model.__table__

    def work(worker: int) -> None:
        try:
            insert_rows(worker)
            with engine.connect() as conn:
                rows = conn.execute(sa.select(table).where(table.c.n == worker))
                snapshots[worker] = [{k: encode(v) for k, v in r._mapping.items()} for r in rows]
            _pause()
            update_rows(worker)
        except Exception as e:  # reported to the test, which fails on it
            errors.append(f"worker {worker}: {e!r}")

    workers = [threading.Thread(target=work, args=(w,)) for w in range(THREADS)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    with engine.connect() as conn:
        final = stored(conn, model)
    return {"errors": errors, "inserted": [r for w in sorted(snapshots) for r in snapshots[w]], "rows": final}


def threads(engine: sa.Engine, model: Any) -> dict[str, Any]:
    """Per thread: 500 new objects through the ORM, then each renamed and flushed."""

    def insert_rows(worker: int) -> None:
        with Session(engine) as session:
            session.add_all([model(name=f"w{worker}-{i}", n=worker) for i in range(ROWS_PER_THREAD)])
            session.commit()

    def update_rows(worker: int) -> None:
        with Session(engine) as session:
            for obj in session.scalars(sa.select(model).where(model.n == worker)):
                obj.name += "!"
            session.commit()

    return _threaded(engine, model, insert_rows, update_rows)


def threads_core(engine: sa.Engine, model: Any) -> dict[str, Any]:
    """As ``threads``, through Core: one executemany of 500 rows, then one UPDATE, per thread."""
    table = model.__table__

    def insert_rows(worker: int) -> None:
        with engine.begin() as conn:
            conn.execute(
                table.insert(), [{"name": f"w{worker}-{i}", "n": worker} for i in range(ROWS_PER_THREAD)]
            )

    def update_rows(worker: int) -> None:
        with engine.begin() as conn:
            conn.execute(table.update().where(table.c.n == worker).values(name=table.c.name + "!"))

    return _threaded(engine, model, insert_rows, update_rows)


def time_zones(engine: sa.Engine, model: Any) -> dict[str, Any]:
    """The zones the other scenarios ran in: proof that a shifted timestamp would have shown."""
    session = None
    if engine.dialect.name in SHOW_TIME_ZONE:
        with engine.connect() as conn:
            session = conn.execute(sa.text(SHOW_TIME_ZONE[engine.dialect.name])).scalar()
    offset = dt.datetime.now().astimezone().utcoffset()
    return {"session": session, "local_offset_minutes": offset.total_seconds() / 60 if offset else 0}


INSERTS = (
    "add_flush",
    "merge_new",
    "orm_bulk_insert",
    "bulk_save_objects",
    "bulk_insert_mappings",
    "core_executemany",
    "core_multi_values",
    "core_insert_one",
)
UPDATES = (
    "orm_flush_update",
    "orm_update_statement",
    "orm_bulk_update_by_pk",
    "core_update",
    "core_update_executemany",
    "merge_existing",
    "update_caller_sets_updated",
)
BULK_INSERTS = (
    "bulk_core_executemany",
    "bulk_orm_insert",
    "bulk_insert_mappings_many",
    "bulk_save_objects_many",
    "bulk_returning",
    "bulk_multi_values",
    "bulk_on_conflict_do_nothing",
)
MIXED_BULK = frozenset(BULK_INSERTS[:4])  # their rows differ in what they set (see bulk_rows)
SCENARIOS: dict[str, Callable[[sa.Engine, Any], dict[str, Any]]] = {
    name: globals()[name]
    for name in (*INSERTS, *BULK_INSERTS, *UPDATES, "threads", "threads_core", "time_zones")
}


def table_name(scenario: str) -> str:
    return f"things_{scenario}"


def run(mixin_module: Any, url: str, names: list[str]) -> dict[str, Any]:
    """Declare a model per scenario on ``mixin_module.EnvoxyMixin``, run each, return results."""

    class Base(DeclarativeBase):
        pass

    mixin = mixin_module.EnvoxyMixin
    models = {}
    for name in names:
        models[name] = type(
            f"Thing_{name}",
            (mixin, Base),
            {
                "__tablename__": table_name(name),
                "__annotations__": {"name": Mapped[str], "n": Mapped[int]},
                "name": mapped_column(sa.String(200)),  # MySQL's VARCHAR needs a length
                "n": mapped_column(default=0),
            },
        )
    mixin_module.register_envoxy_listeners()
    engine = make_engine(url)
    try:
        Base.metadata.create_all(engine)
        return {name: _isolated(SCENARIOS[name], engine, models[name]) for name in names}
    finally:
        engine.dispose()


def _isolated(
    scenario: Callable[[sa.Engine, Any], dict[str, Any]], engine: sa.Engine, model: Any
) -> dict[str, Any]:
    """The scenario's result, or the error it raised: one broken path must not hide the others."""
    try:
        return scenario(engine, model)
    except Exception:
        return {"error": traceback.format_exc()}


def main(argv: list[str]) -> int:
    mixin_dir, module_name, url, *names = argv
    envoxy_importable = importlib.util.find_spec("envoxy") is not None
    sys.path.insert(0, mixin_dir)
    module = importlib.import_module(module_name)
    out = {
        "envoxy_importable": envoxy_importable,
        "module_file": module.__file__,
        "results": run(module, url, names),
    }
    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
