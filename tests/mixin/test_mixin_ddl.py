"""The runtime mixin and the generated module declare the same table, in both profiles."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped

from envoxy.mixin import build_mixin
from envoxy.rules import load_rules
from tests.conftest import dialect
from tests.mixin.support import SHIPPED_RULES, generate_module

DIALECTS = {"postgresql": dialect("postgresql"), "sqlite": dialect("sqlite")}

EXPECTED = {
    ("legacy", "postgresql"): (
        "id VARCHAR(36) NOT NULL",
        "created TIMESTAMP WITHOUT TIME ZONE NOT NULL",
        "updated TIMESTAMP WITHOUT TIME ZONE NOT NULL",
    ),
    ("legacy", "sqlite"): (
        "id VARCHAR(36) NOT NULL",
        "created DATETIME NOT NULL",
        "updated DATETIME NOT NULL",
    ),
    ("native", "postgresql"): (
        "id UUID NOT NULL",
        "created TIMESTAMP WITH TIME ZONE NOT NULL",
        "updated TIMESTAMP WITH TIME ZONE NOT NULL",
    ),
    ("native", "sqlite"): ("id CHAR(32) NOT NULL", "created DATETIME NOT NULL", "updated DATETIME NOT NULL"),
}


def expected_ddl(profile: str, dialect: str) -> str:
    id_, created, updated = EXPECTED[profile, dialect]
    return (
        f"\nCREATE TABLE things (\n\tname VARCHAR NOT NULL, \n\t{id_}, \n\t{created}, "
        f"\n\t{updated}, \n\thref TEXT NOT NULL, \n\tPRIMARY KEY (id)\n)\n\n"
    )


@pytest.fixture
def rules_path(request: pytest.FixtureRequest, profile: str) -> Path:
    return SHIPPED_RULES if profile == "legacy" else request.getfixturevalue("native_rules")


def import_file(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # SQLAlchemy resolves the mixin's annotations through it
    spec.loader.exec_module(module)
    return module


def things(mixin: type) -> Any:
    class Base(DeclarativeBase):
        pass

    class Thing(mixin, Base):  # type: ignore[misc]
        __tablename__ = "things"
        name: Mapped[str]

    return Thing


def python_side(table: sa.Table) -> dict[str, tuple[bool, bool]]:
    """Per column: has an insert default, has an update default."""
    return {c.name: (c.default is not None, c.onupdate is not None) for c in table.columns}


@pytest.mark.parametrize("profile", ["legacy", "native"])
@pytest.mark.parametrize("dialect", sorted(DIALECTS))
def test_runtime_and_generated_mixins_create_the_same_table(
    rules_path: Path, tmp_path: Path, profile: str, dialect: str
) -> None:
    runtime = things(build_mixin(load_rules(rules_path)))
    path = generate_module(rules_path, tmp_path, f"generated_{profile}_{dialect}")
    generated = things(import_file(path, path.stem).EnvoxyMixin)

    ddl = [
        str(sa.schema.CreateTable(m.__table__).compile(dialect=DIALECTS[dialect]))
        for m in (runtime, generated)
    ]
    assert ddl == [expected_ddl(profile, dialect)] * 2
    assert (
        python_side(runtime.__table__)
        == python_side(generated.__table__)
        == {
            "name": (False, False),
            "id": (True, False),
            "created": (True, False),
            "updated": (True, True),
            "href": (True, False),
        }
    )
