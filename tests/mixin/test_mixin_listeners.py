"""register_envoxy_listeners, the rules the runtime mixin follows, and mixins from other rules."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event, insert
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from envoxy.errors import RulesError
from envoxy.mixin import MixinError, build_mixin, build_mixin_module, register_listeners
from envoxy.rules import load_rules
from envoxy.rules.sqltypes import from_sqlalchemy
from tests.conftest import REPO, run_cli
from tests.mixin.support import SHIPPED_RULES


def fresh_module(tmp_path: Path) -> ModuleType:
    """A mixin module no other test has registered listeners for (its template is unique)."""
    text = SHIPPED_RULES.read_text(encoding="utf-8")
    marker = uuid.uuid4().hex
    path = tmp_path / "rules.yaml"
    path.write_text(
        text.replace('"/v3/data-layer/{table}/{id}"', f'"/{marker}/{{table}}/{{id}}"'), encoding="utf-8"
    )
    module = build_mixin_module(load_rules(path))
    module.marker = marker  # type: ignore[attr-defined]
    return module


class Spy:
    """A ``before_insert`` listener added after envoxy's: what it sees is what envoxy left."""

    def __init__(self) -> None:
        self.ids: list[Any] = []

    def __call__(self, mapper: Any, connection: Any, target: Any) -> None:
        self.ids.append(target.__dict__.get("id"))


def declare(mixin: type, base: type, name: str) -> Any:
    return type(
        name, (mixin, base), {"__tablename__": name.lower(), "__annotations__": {"name": Mapped[str]}}
    )


def test_listeners_are_idempotent_thread_safe_and_cover_models_before_and_after(tmp_path: Path) -> None:
    module = fresh_module(tmp_path)

    class Base(DeclarativeBase):
        pass

    class Other(Base):  # same column names, no mixin: must be left alone
        __tablename__ = "other"
        id: Mapped[int] = mapped_column(primary_key=True)
        href: Mapped[str | None]

    before = declare(module.EnvoxyMixin, Base, "Before")
    workers = [threading.Thread(target=module.register_envoxy_listeners) for _ in range(8)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    module.register_envoxy_listeners()
    after = declare(module.EnvoxyMixin, Base, "After")

    assert [len(m.__mapper__.dispatch.before_insert) for m in (before, after, Other)] == [1, 1, 0]
    spies = {m: Spy() for m in (before, after)}
    for model, spy in spies.items():
        event.listen(model, "before_insert", spy)

    engine = sa.create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        objects = [before(name="x"), after(name="y")]
        session.add_all([*objects, Other(id=1)])
        session.flush()
        assert spies[before].ids == [objects[0].id]  # filled before the INSERT, by the listener
        assert spies[after].ids == [objects[1].id]
        assert objects[0].href == f"/{module.marker}/before/{objects[0].id}"
        assert session.execute(sa.select(Other.href)).scalar_one() is None


def test_without_listeners_the_column_defaults_fill_every_field(tmp_path: Path) -> None:
    module = fresh_module(tmp_path)

    class Base(DeclarativeBase):
        pass

    model = declare(module.EnvoxyMixin, Base, "Plain")
    spy = Spy()
    event.listen(model, "before_insert", spy)
    engine = sa.create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        obj = model(name="x")
        session.add(obj)
        session.flush()
        row = session.execute(sa.select(model.__table__)).one()
    assert spy.ids == [None]
    assert row.id == obj.id and str(uuid.UUID(row.id)) == row.id
    assert row.href == f"/{module.marker}/plain/{row.id}"
    assert row.created == row.updated and row.created.tzinfo is None


def test_register_listeners_finds_the_module_of_a_built_mixin(tmp_path: Path) -> None:
    module = fresh_module(tmp_path)

    class Base(DeclarativeBase):
        pass

    model = declare(module.EnvoxyMixin, Base, "Found")
    register_listeners(module.EnvoxyMixin)
    register_listeners(module.EnvoxyMixin)
    assert len(model.__mapper__.dispatch.before_insert) == 1


def test_same_rules_build_the_same_mixin(native_rules: Path) -> None:
    assert build_mixin(load_rules(native_rules)) is build_mixin(load_rules(native_rules))
    assert build_mixin(load_rules(native_rules)) is not build_mixin(load_rules(SHIPPED_RULES))


# -- the rules in force ----------------------------------------------------------------------------

PROBE = (
    "from envoxy.db.envoxy_mixin import EnvoxyMixin; "
    "print(type(EnvoxyMixin.__dict__['id'].column.type).__name__)"
)


def probe(cwd: Path, rules: Path | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "ENVOXY_RULES"}
    if rules is not None:
        env["ENVOXY_RULES"] = str(rules)
    proc = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


@pytest.mark.slow
def test_envoxy_mixin_follows_the_rules_in_force(
    tmp_path_factory: pytest.TempPathFactory, native_rules: Path
) -> None:
    nowhere = tmp_path_factory.mktemp("nowhere")  # beside native_rules' directory, not below
    project = native_rules.parent / "project" / "app"
    project.mkdir(parents=True)
    assert probe(nowhere, None) == "String"  # the shipped default: legacy
    assert probe(project, None) == "Uuid"  # the nearest rules.yaml upward
    assert probe(nowhere, native_rules) == "Uuid"  # $ENVOXY_RULES
    assert probe(REPO, None) == "String"


def test_importing_envoxy_mixin_package_does_not_import_sqlalchemy() -> None:
    code = "import sys, envoxy.mixin; print('sqlalchemy' in sys.modules)"
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert (proc.returncode, proc.stdout.strip()) == (0, "False"), proc.stderr


# -- other rules -----------------------------------------------------------------------------------

CUSTOM = """\
version: 1
profile: acme
profiles:
  acme:
    base: native
    types:
      uuid: {sql: "CHAR(32)", json: {type: string, format: uuid}}
      text: {sql: "VARCHAR(512)", json: {type: string}}
      money: {sql: "NUMERIC", json: {type: number}}
fields:
  path:
    type: text
    value: {template: "/api/{table}/{key}", strip_prefix: [aux_]}
  key: {type: uuid, primary_key: true, value: uuid4}
  born: {type: timestamp, value: now}
  note: {type: text, nullable: true}
  price: {type: money, nullable: true}
"""


def test_a_mixin_from_other_rules(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(CUSTOM, encoding="utf-8")
    module = build_mixin_module(load_rules(path))
    module.register_envoxy_listeners()

    class Base(DeclarativeBase):
        pass

    class Device(module.EnvoxyMixin, Base):  # type: ignore[misc, name-defined]
        __tablename__ = "aux_devices"
        name: Mapped[str]

    # The field a template reads comes first, whatever the order in rules.yaml.
    assert [c.name for c in Device.__table__.columns] == ["name", "key", "path", "born", "note", "price"]
    rules = load_rules(path)
    assert {
        c.name: (from_sqlalchemy(c.type), c.nullable, c.primary_key)
        for c in Device.__table__.columns
        if c.name != "name"
    } == {s.name: (s.sql_type, s.nullable, s.primary_key) for s in rules.columns}
    assert rules.column("path").sql_type.ddl() == "VARCHAR(512)"
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add(Device(name="orm"))
        session.flush()
        session.execute(
            insert(Device), [{"name": "bulk"}, {"name": "given", "key": "f" * 32, "price": Decimal("1.50")}]
        )
        session.commit()
        rows = {r.name: r for r in session.execute(sa.select(Device.__table__))}
    for name in ("orm", "bulk"):
        row = rows[name]
        assert len(row.key) == 32 and uuid.UUID(hex=row.key).version == 4
        assert row.path == f"/api/devices/{row.key}"
        assert (row.note, row.price) == (None, None)
    assert rows["given"].path == "/api/devices/" + "f" * 32
    assert rows["given"].price == Decimal("1.50")
    assert rows["orm"].key != rows["bulk"].key


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            "  from: {type: timestamp, value: now}\n",
            "rules.yaml:9:3: field 'from' is a Python keyword, so the mixin cannot declare it as an "
            "attribute, expected another name",
        ),
        (
            "  metadata: {type: timestamp, value: now}\n",
            "rules.yaml:9:3: field 'metadata' is reserved by SQLAlchemy's declarative mapping, expected "
            "another name",
        ),
        (
            "  a: {type: text, value: {template: '{b}'}}\n  b: {type: text, value: {template: '{a}'}}\n",
            "rules.yaml:9:37: the templates of 'a', 'b' read each other in a cycle (a -> b -> a), "
            "expected templates that each can be rendered after the fields they read",
        ),
        (
            "  id: {type: short, primary_key: true, value: uuid4}\n",
            "rules.yaml:9:47: value 'uuid4' cannot fill field 'id' of type VARCHAR(16): a UUID4 needs "
            "UUID, or text of at least 32 characters, expected a type that holds it",
        ),
    ],
)
def test_rules_the_mixin_cannot_follow_do_not_compile(tmp_path: Path, fields: str, message: str) -> None:
    """Refused by the compiler, at their place in rules.yaml, so no command gets as far as the
    mixin (see tests/data/rules/invalid/ for every kind)."""
    path = tmp_path / "rules.yaml"
    path.write_text(
        "version: 1\nprofile: p\nprofiles:\n  p:\n    base: legacy\n    types:\n"
        "      short: {sql: 'VARCHAR(16)', json: {type: string}}\n"
        f"fields:\n{fields}",
        encoding="utf-8",
    )
    with pytest.raises(RulesError) as caught:
        load_rules(path)
    assert [str(p).replace(str(tmp_path) + "/", "") for p in caught.value.problems] == [message]
    result = run_cli("generate-mixin", "--rules", "rules.yaml", cwd=tmp_path)
    assert (result.code, result.out) == (2, "")
    assert result.err == f"envoxy: the rules file has 1 problem:\n{message}\n"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("from", "now", "field 'from' is a Python keyword, so the mixin cannot declare it as an attribute"),
        ("id", "uuid7", "field 'id' of type TIMESTAMP WITHOUT TIME ZONE cannot hold a UUIDv7"),
    ],
)
def test_a_rule_set_made_by_hand_is_checked_too(name: str, value: str, message: str) -> None:
    """A RuleSet built in code skips the compiler; the mixin still refuses what it cannot declare."""
    rules = load_rules(SHIPPED_RULES)
    created = rules.column("created")
    spec = replace(created, name=name, value=replace(created.value, kind=value))
    with pytest.raises(MixinError) as caught:
        build_mixin(replace(rules, columns=(spec,)))
    assert str(caught.value).startswith(message)
