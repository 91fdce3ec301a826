"""Cost of the Envoxy mixin: rows whose values the mixin fills vs rows whose values the caller supplies.

    python benchmarks/mixin.py [--repeat N] [--profile legacy|native] [--orm-rows N] [--core-rows N]

On SQLite (a file in a temporary directory) and on PostgreSQL (``$ENVOXY_TEST_DATABASE_URL``,
default the CI server; skipped with a note when unreachable):

- ORM: ``session.add_all`` + commit of 20,000 new objects of a model on ``EnvoxyMixin`` (listeners
  registered) against an identical model with no defaults and no listeners, whose four values the
  caller computes as it builds each object (goal: at most 10% slower);
- Core: one ``connection.execute(table.insert(), rows)`` of 100,000 rows whose values the mixin
  generates, against the same with the values in the rows (goal: at most 20% slower). The rows
  (their ``name``) are made before the clock starts for every case.

Every baseline is measured in the same run, alternating with the mixin, ``--repeat`` times, each
run on fresh tables after a ``gc.collect()``; the ratio is of the best times (the median of the
per-round ratios is printed too). "supplied" computes the values as it builds the rows, inside the
clock; "pre-made" has them in the rows before the clock starts, so it measures only the database
work, while the mixin's time still includes making the values: the strict reading of the goal.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

REPO = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SCHEMA = "envoxy_bench_mixin"


def build_models(profile: str) -> tuple[type[DeclarativeBase], Any, Any]:
    """(Base, Mixed, Plain): Mixed uses the mixin; Plain has the same columns and nothing else."""
    from envoxy.mixin import build_mixin_module
    from envoxy.rules import load_rules

    text = (REPO / "rules.yaml").read_text(encoding="utf-8")
    rules_file = Path(tempfile.mkdtemp()) / "rules.yaml"
    rules_file.write_text(text.replace("profile: legacy", f"profile: {profile}"), encoding="utf-8")
    module = build_mixin_module(load_rules(rules_file))
    module.register_envoxy_listeners()
    native = profile == "native"

    class Base(DeclarativeBase):
        pass

    class Mixed(module.EnvoxyMixin, Base):  # type: ignore[misc, name-defined]
        __tablename__ = "bench_mixed"
        name: Mapped[str]

    id_type: Any = sa.Uuid() if native else sa.String(36)

    class Plain(Base):
        __tablename__ = "bench_plain"
        name: Mapped[str]
        id: Mapped[Any] = mapped_column(id_type, primary_key=True)
        created: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=native))
        updated: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=native))
        href: Mapped[str] = mapped_column(sa.Text())

    assert str(sa.schema.CreateTable(Mixed.__table__)).replace("bench_mixed", "t") == str(
        sa.schema.CreateTable(Plain.__table__)
    ).replace("bench_plain", "t")
    return Base, Mixed, Plain


def supplied_values(profile: str, table: str) -> Callable[[], dict[str, Any]]:
    """The four values a caller without the mixin computes for each row."""
    native = profile == "native"

    def values() -> dict[str, Any]:
        now = dt.datetime.now(dt.timezone.utc)
        new_id: Any = uuid.uuid4() if native else str(uuid.uuid4())
        return {
            "id": new_id,
            "created": now if native else now.replace(tzinfo=None),
            "updated": now if native else now.replace(tzinfo=None),
            "href": f"/v3/data-layer/{table}/{new_id}",
        }

    return values


def reset(engine: sa.Engine, base: type[DeclarativeBase]) -> None:
    base.metadata.drop_all(engine)
    base.metadata.create_all(engine)


def timed(engine: sa.Engine, base: type[DeclarativeBase], work: Callable[[], None]) -> float:
    reset(engine, base)
    gc.collect()  # the previous case's garbage is not this one's to collect
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def orm_cases(
    engine: sa.Engine, mixed: Any, plain: Any, profile: str, n: int
) -> dict[str, Callable[[], None]]:
    values = supplied_values(profile, plain.__tablename__)

    def with_mixin() -> None:
        with Session(engine) as session:
            session.add_all([mixed(name=f"n{i}") for i in range(n)])
            session.commit()

    def supplied() -> None:
        with Session(engine) as session:
            session.add_all([plain(name=f"n{i}", **values()) for i in range(n)])
            session.commit()

    premade_values: list[dict[str, Any]] = []

    def premade() -> None:
        with Session(engine) as session:
            session.add_all([plain(name=f"n{i}", **v) for i, v in enumerate(premade_values)])
            session.commit()

    def prepare() -> None:
        premade_values[:] = [values() for _ in range(n)]

    premade.prepare = prepare  # type: ignore[attr-defined]
    return {"mixin": with_mixin, "supplied": supplied, "pre-made": premade}


def core_cases(
    engine: sa.Engine, mixed: Any, plain: Any, profile: str, n: int
) -> dict[str, Callable[[], None]]:
    values = supplied_values(profile, plain.__tablename__)
    # The caller's rows as they come, made before the clock starts for every case (executing
    # them leaves them as they were).
    rows = [{"name": f"n{i}"} for i in range(n)]

    def with_mixin() -> None:
        with engine.begin() as conn:
            conn.execute(mixed.__table__.insert(), rows)

    def supplied() -> None:
        with engine.begin() as conn:
            conn.execute(plain.__table__.insert(), [{**row, **values()} for row in rows])

    premade_rows: list[dict[str, Any]] = []

    def premade() -> None:
        with engine.begin() as conn:
            conn.execute(plain.__table__.insert(), premade_rows)

    def prepare() -> None:
        premade_rows[:] = [{**row, **values()} for row in rows]

    premade.prepare = prepare  # type: ignore[attr-defined]
    return {"mixin": with_mixin, "supplied": supplied, "pre-made": premade}


def measure(
    engine: sa.Engine, base: type[DeclarativeBase], cases: dict[str, Callable[[], None]], repeat: int
) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(repeat):
        for name, work in cases.items():  # interleaved, so drift hits every case alike
            prepare = getattr(work, "prepare", None)
            if prepare is not None:
                prepare()
            times[name].append(timed(engine, base, work))
    return times


def report(backend: str, label: str, goal: float, times: dict[str, list[float]]) -> str:
    best = {k: min(v) for k, v in times.items()}
    median_ratio = statistics.median(m / s for m, s in zip(times["mixin"], times["supplied"], strict=True))
    ratio = best["mixin"] / best["supplied"]
    strict = best["mixin"] / best["pre-made"]
    verdict = "ok" if ratio <= 1 + goal else "MISSED"
    return (
        f"{backend:<10} {label:<22} {best['mixin']:7.3f}s {best['supplied']:8.3f}s "
        f"{ratio:6.3f} {median_ratio:7.3f} {best['pre-made']:8.3f}s {strict:6.3f}  "
        f"goal <= {1 + goal:.2f}: {verdict}"
    )


def engines() -> list[tuple[str, sa.Engine]]:
    found = [("sqlite", sa.create_engine(f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite'}"))]
    url = os.environ.get("ENVOXY_TEST_DATABASE_URL", DEFAULT_URL)
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
            conn.execute(sa.text(f'CREATE SCHEMA "{SCHEMA}"'))
    except sa.exc.OperationalError as e:
        print(f"PostgreSQL at {url} unreachable, measuring SQLite only: {e.orig}", file=sys.stderr)
        return found
    finally:
        admin.dispose()
    pg = sa.create_engine(url, connect_args={"options": f"-csearch_path={SCHEMA}"})
    return [*found, ("postgresql", pg)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", choices=["legacy", "native"], default="legacy")
    parser.add_argument("--orm-rows", type=int, default=20_000)
    parser.add_argument("--core-rows", type=int, default=100_000)
    args = parser.parse_args(argv)

    base, mixed, plain = build_models(args.profile)
    print(
        f"profile {args.profile}, best of {args.repeat}; ratio = mixin / supplied "
        f"(median of per-round ratios beside it); strict = mixin / pre-made"
    )
    print(
        f"{'backend':<10} {'test':<22} {'mixin':>8} {'supplied':>9} {'ratio':>6} {'median':>7} "
        f"{'pre-made':>9} {'strict':>6}"
    )
    for backend, engine in engines():
        try:
            orm = measure(
                engine, base, orm_cases(engine, mixed, plain, args.profile, args.orm_rows), args.repeat
            )
            print(report(backend, f"ORM insert {args.orm_rows:,}", 0.10, orm), flush=True)
            core = measure(
                engine, base, core_cases(engine, mixed, plain, args.profile, args.core_rows), args.repeat
            )
            print(report(backend, f"Core executemany {args.core_rows:,}", 0.20, core), flush=True)
        finally:
            base.metadata.drop_all(engine)
            engine.dispose()
    _drop_schema()
    return 0


def _drop_schema() -> None:
    url = os.environ.get("ENVOXY_TEST_DATABASE_URL", DEFAULT_URL)
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
    except sa.exc.OperationalError:
        pass  # unreachable: engines() measured SQLite only and created nothing there
    finally:
        admin.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
