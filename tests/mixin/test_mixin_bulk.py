"""Bulk inserts: the batch value makers, the bulk-insert hook, and the column defaults' batches.

The write-path scenarios (test_mixin_write_paths) cover every bulk path on both databases and
profiles; these tests pin down the pieces: the makers' values, what the hook leaves alone, and
rules other than the shipped ones.
"""

from __future__ import annotations

import itertools
import pickle
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from envoxy.mixin import build_mixin_module
from envoxy.rules import load_rules
from tests.mixin.support import SHIPPED_RULES
from tests.mixin.test_mixin_listeners import CUSTOM, fresh_module

HEX = set("0123456789abcdef")
# Positions of a UUID4's text that are random in full (not a dash, the version or the variant).
RANDOM_POSITIONS = [i for i in range(36) if i not in (8, 13, 14, 18, 19, 23)]


def table_of(model: type[DeclarativeBase]) -> sa.Table:
    """A declarative class's table (annotated as any ``FromClause``)."""
    table = model.__table__
    assert isinstance(table, sa.Table)
    return table


def check_uuid4_texts(texts: list[str]) -> None:
    assert len(set(texts)) == len(texts)
    parsed = [uuid.UUID(t) for t in texts]
    assert [str(u) for u in parsed] == texts
    assert all((u.version, u.variant) == (4, uuid.RFC_4122) for u in parsed)


@pytest.mark.parametrize("count", [0, 1, 7, 8, 9, 1000])
def test_text_batch_makes_canonical_uuid4s(count: int) -> None:
    module = build_mixin_module(load_rules(SHIPPED_RULES))
    values, texts = module._new_uuid_text_batch(count)
    assert values is texts and len(values) == count
    check_uuid4_texts(values)


def test_text_batch_is_random_in_every_random_digit() -> None:
    values, _ = build_mixin_module(load_rules(SHIPPED_RULES))._new_uuid_text_batch(4000)
    assert {t[19] for t in values} == set("89ab")
    # 4000 draws of 16 values show all 16 (the odds of one missing are below 1e-100).
    assert all({t[i] for t in values} == HEX for i in RANDOM_POSITIONS)


@pytest.mark.parametrize("count", [0, 1, 7, 8, 1000])
def test_native_batch_makes_real_uuid_objects(native_rules: Path, count: int) -> None:
    module = build_mixin_module(load_rules(native_rules))
    values, texts = module._new_uuid_batch(count)
    assert len(values) == len(texts) == count
    assert texts == [str(u) for u in values]
    check_uuid4_texts(texts)
    for made in values[:50]:
        same = uuid.UUID(str(made))
        assert type(made) is uuid.UUID
        assert (made == same, hash(made) == hash(same), made.int == same.int) == (True,) * 3
        assert made.is_safe is uuid.SafeUUID.unknown
        assert pickle.loads(pickle.dumps(made)) == made
        assert repr(made) == f"UUID('{same}')"


def test_hex_batch_makes_32_digit_uuid4s(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(CUSTOM, encoding="utf-8")
    module = build_mixin_module(load_rules(path))
    for count in (3, 500):
        values, texts = module._new_uuid_hex_batch(count)
        assert values is texts and len(values) == count == len(set(values))
        assert all(len(v) == 32 and uuid.UUID(hex=v).hex == v for v in values)
        assert {uuid.UUID(hex=v).version for v in values} == {4}


def model_from_rules(tmp_path: Path, rules_text: str, table: str) -> tuple[Any, sa.Engine]:
    """A model on the mixin built from ``rules_text`` (listeners registered), and a SQLite engine
    with its table created."""
    path = tmp_path / "rules.yaml"
    path.write_text(rules_text, encoding="utf-8")
    module = build_mixin_module(load_rules(path))
    module.register_envoxy_listeners()

    class Base(DeclarativeBase):
        pass

    model = type(
        "Model",
        (module.EnvoxyMixin, Base),
        {"__tablename__": table, "__annotations__": {"name": Mapped[str]}},
    )
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    Base.metadata.create_all(engine)
    return model, engine


@pytest.mark.parametrize("how", ["executemany", "returning", "multi_values"])
def test_other_rules_in_bulk(tmp_path: Path, how: str) -> None:
    """Hex ids, a template on another field with a prefix to strip, a caller-only field."""
    device, engine = model_from_rules(tmp_path, CUSTOM, "aux_devices")
    table = device.__table__
    rows = [{"name": f"d{i:03}"} for i in range(40)]
    with engine.begin() as conn:
        if how == "executemany":
            conn.execute(table.insert(), rows)
        elif how == "returning":
            returned = conn.execute(
                table.insert().returning(table.c.key, table.c.path, sort_by_parameter_order=True), rows
            )
            pairs = [tuple(r) for r in returned]
        else:
            conn.execute(table.insert().values(rows))
        stored = conn.execute(sa.select(table).order_by(table.c.name)).all()
    assert [r.name for r in stored] == [r["name"] for r in rows]
    assert len({r.key for r in stored}) == 40
    for r in stored:
        assert len(r.key) == 32 and uuid.UUID(hex=r.key).version == 4
        assert r.path == f"/api/devices/{r.key}"
        assert r.note is None
    assert len({r.born for r in stored}) == 1
    if how == "returning":
        assert pairs == [(r.key, r.path) for r in stored]


def test_bulk_hook_leaves_other_tables_and_statements_alone(tmp_path: Path) -> None:
    module = fresh_module(tmp_path)
    module.register_envoxy_listeners()

    class Base(DeclarativeBase):
        pass

    class Other(Base):  # the mixin's column names, none of its defaults
        __tablename__ = "other"
        id: Mapped[str] = mapped_column(primary_key=True)
        created: Mapped[Any] = mapped_column(sa.DateTime(), nullable=True)
        href: Mapped[str | None]

    counter = itertools.count()

    class OwnId(module.EnvoxyMixin, Base):  # type: ignore[misc, name-defined]
        """Overrides the mixin's id with its own default: the hook must leave its rows alone."""

        __tablename__ = "own_id"
        id: Mapped[str] = mapped_column(
            sa.String(36), primary_key=True, default=lambda: f"own-{next(counter):03}"
        )
        name: Mapped[str]

    engine = sa.create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(table_of(Other).insert(), [{"id": f"o{i}"} for i in range(20)])
        conn.execute(table_of(OwnId).insert(), [{"name": f"n{i:02}"} for i in range(20)])
        others = conn.execute(sa.select(Other.__table__)).all()
        own = conn.execute(sa.select(OwnId.__table__).order_by(OwnId.name)).all()
    assert {(r.created, r.href) for r in others} == {(None, None)}
    assert [r.id for r in own] == [f"own-{i:03}" for i in range(20)]
    assert [r.href for r in own] == [f"/{module.marker}/own_id/own-{i:03}" for i in range(20)]


def test_registering_adds_one_engine_hook(tmp_path: Path) -> None:
    module = fresh_module(tmp_path)
    for _ in range(3):
        module.register_envoxy_listeners()
    hooks = list(sa.create_engine("sqlite://").dispatch.before_execute)
    assert hooks.count(module._fill_bulk_insert) == 1


def test_bulk_inserts_false_registers_no_hook_or_removes_it(tmp_path: Path) -> None:
    module = fresh_module(tmp_path)

    def hooks() -> int:
        return list(sa.create_engine("sqlite://").dispatch.before_execute).count(module._fill_bulk_insert)

    module.register_envoxy_listeners(bulk_inserts=False)
    assert hooks() == 0
    module.register_envoxy_listeners()
    assert hooks() == 1
    module.register_envoxy_listeners(bulk_inserts=False)
    module.register_envoxy_listeners(bulk_inserts=False)
    assert hooks() == 0

    class Base(DeclarativeBase):
        pass

    class Thing(module.EnvoxyMixin, Base):  # type: ignore[misc, name-defined]
        __tablename__ = "things"
        name: Mapped[str]

    assert len(Thing.__mapper__.dispatch.before_insert) == 1  # the mapper listener stays
    engine = sa.create_engine("sqlite://")
    Base.metadata.create_all(engine)
    rows = [{"name": "a"}, *({"name": f"n{i:02}"} for i in range(9)), {"name": "x", "id": "given"}]
    with engine.begin() as conn:
        conn.execute(table_of(Thing).insert(), rows)
        stored = {r.name: r for r in conn.execute(sa.select(Thing.__table__))}
    # The column defaults filled them; SQLAlchemy's rule holds: the first row decides the columns,
    # so the last row's id, a column the first row leaves out, is the default's (the hook would
    # have kept it).
    assert len({r.id for r in stored.values()}) == 11 and stored["x"].id != "given"
    assert all(r.href == f"/{module.marker}/things/{r.id}" for r in stored.values())


def test_without_listeners_bulk_inserts_take_the_column_defaults(tmp_path: Path) -> None:
    module = fresh_module(tmp_path)  # never registered

    class Base(DeclarativeBase):
        pass

    class Thing(module.EnvoxyMixin, Base):  # type: ignore[misc, name-defined]
        __tablename__ = "things"
        name: Mapped[str]

    engine = sa.create_engine("sqlite://")
    Base.metadata.create_all(engine)
    assert module._fill_bulk_insert not in list(engine.dispatch.before_execute)
    with Session(engine) as session:
        session.execute(sa.insert(Thing), [{"name": f"n{i:02}"} for i in range(30)])
        session.commit()
        rows = session.execute(sa.select(Thing.__table__)).all()
    assert len({r.id for r in rows}) == 30
    check_uuid4_texts([r.id for r in rows])
    assert all(r.href == f"/{module.marker}/things/{r.id}" for r in rows)
    assert len({(r.created, r.updated) for r in rows}) == 1


TWO_TEMPLATES = """\
version: 1
profile: legacy
fields:
  id: {type: uuid, primary_key: true, value: uuid4}
  created: {type: timestamp, value: now}
  touched: {type: timestamp, value: now, on_update: now}
  href: {type: text, value: {template: "/x/{table}/{id}@{created}", strip_prefix: [t_]}}
  tag: {type: text, value: {template: "<{table}>"}}
  note: {type: text, nullable: true}
"""


@pytest.mark.parametrize("how", ["executemany", "returning", "multi_values", "orm"])
def test_templates_reading_a_timestamp_or_no_field(tmp_path: Path, how: str) -> None:
    item, engine = model_from_rules(tmp_path, TWO_TEMPLATES, "t_items")
    table = item.__table__
    rows = [{"name": f"i{i:02}"} for i in range(20)]
    with Session(engine) as session:
        if how == "executemany":
            session.connection().execute(table.insert(), rows)
        elif how == "returning":
            session.connection().execute(table.insert().returning(table.c.id), rows).all()
        elif how == "multi_values":
            session.connection().execute(table.insert().values(rows))
        else:
            session.add_all([item(**r) for r in rows])
        session.commit()
        stored = session.execute(sa.select(table).order_by(table.c.name)).all()
    assert len(stored) == 20 and len({r.id for r in stored}) == 20
    for r in stored:
        assert r.href == f"/x/items/{r.id}@{r.created}"
        assert (r.tag, r.touched, r.note) == ("<t_items>", r.created, None)
