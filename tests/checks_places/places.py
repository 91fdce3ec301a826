"""One table written four ways, for the tests that judge checks in every place: a model file
(datums), SQLAlchemy ``Table`` source for ``alembic revision --autogenerate``, an
``op.create_table`` for a hand-written revision, and (through ``alembic upgrade head``) a live
database.

A :class:`Table` lists its columns as SQLAlchemy type source; the profile's required columns
(``native``: UUID id, TIMESTAMPTZ created/updated, TEXT href) come first unless told otherwise.
"""

from __future__ import annotations

import json
import re
import shutil
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.conftest import REPO

__all__ = [
    "Col",
    "Table",
    "alembic_project",
    "check_findings",
    "declaration_of",
    "json_findings",
    "model_file",
    "models_source",
    "native_rules_text",
    "revision_source",
]


@dataclass(frozen=True)
class Col:
    name: str
    type: str  # SQLAlchemy source, e.g. "sa.Text()"
    nullable: bool = True
    primary_key: bool = False

    def source(self) -> str:
        args = [repr(self.name), self.type]
        if self.primary_key:
            args.append("primary_key=True")
        args.append(f"nullable={self.nullable}")
        return f"sa.Column({', '.join(args)})"


REQUIRED = (
    Col("id", "sa.Uuid()", nullable=False, primary_key=True),
    Col("created", "sa.DateTime(timezone=True)", nullable=False),
    Col("updated", "sa.DateTime(timezone=True)", nullable=False),
    Col("href", "sa.Text()", nullable=False),
)


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Col, ...] = ()
    required: bool = True  # the profile's required columns first
    indexes: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (name, columns)
    foreign_keys: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...] = ()  # (columns, table, referred)
    extra: tuple[str, ...] = field(default=())  # more Table(...) arguments, as source

    @property
    def all_columns(self) -> tuple[Col, ...]:
        return (*REQUIRED, *self.columns) if self.required else self.columns

    def items(self) -> list[str]:
        items = [c.source() for c in self.all_columns]
        items.extend(
            f"sa.ForeignKeyConstraint({list(cols)!r}, [{', '.join(repr(f'{t}.{c}') for c in ref)}])"
            for cols, t, ref in self.foreign_keys
        )
        items.extend(self.extra)
        return items


def models_source(tables: Sequence[Table]) -> str:
    """A ``models.py`` whose ``metadata`` holds ``tables`` (autogenerate's target)."""
    lines = [
        "import sqlalchemy as sa",
        "from sqlalchemy.dialects import postgresql",
        "",
        "metadata = sa.MetaData()",
        "",
    ]
    for t in tables:
        body = "".join(f"    {item},\n" for item in t.items())
        lines.append(f"sa.Table(\n    {t.name!r},\n    metadata,\n{body})")
        lines.extend(
            f"sa.Index({name!r}, metadata.tables[{t.name!r}].c[{cols[0]!r}])" for name, cols in t.indexes
        )
    return "\n".join(lines) + "\n"


def revision_source(rev: str, down: str | None, tables: Sequence[Table]) -> str:
    """A hand-written revision creating ``tables`` (and their indexes)."""
    body = []
    for t in tables:
        items = "".join(f"    {item},\n" for item in t.items())
        body.append(f"op.create_table(\n    {t.name!r},\n{items})")
        body.extend(f"op.create_index({name!r}, {t.name!r}, {list(cols)!r})" for name, cols in t.indexes)
    return (
        "import sqlalchemy as sa\nfrom alembic import op\nfrom sqlalchemy.dialects import postgresql\n\n"
        f"revision = {rev!r}\ndown_revision = {down!r}\nbranch_labels = None\ndepends_on = None\n\n\n"
        "def upgrade():\n"
        + textwrap.indent("\n".join(body) + "\n", "    ")
        + "\n\ndef downgrade():\n    pass\n"
    )


_DECLARATIONS = [
    (re.compile(r"sa\.Uuid\(\)"), {"type": "string", "format": "uuid"}),
    (re.compile(r"sa\.DateTime\(.*\)"), {"type": "string", "format": "date-time"}),
    (re.compile(r"sa\.(Text|String|CHAR|Unicode)\(.*\)"), {"type": "string"}),
    (re.compile(r"sa\.(Float|Numeric|REAL|Double)\(.*\)"), {"type": "number"}),
    (re.compile(r"sa\.(Integer|BigInteger|SmallInteger)\(.*\)"), {"type": "integer"}),
    (re.compile(r"(sa\.JSON|postgresql\.JSONB)\(.*\)"), {"type": "object"}),
]


def declaration_of(type_source: str) -> dict[str, Any]:
    for pattern, declaration in _DECLARATIONS:
        if pattern.fullmatch(type_source):
            return dict(declaration)
    raise ValueError(f"no model declaration for {type_source}")


def model_file(path: Path, tables: Sequence[Table]) -> Path:
    """A model file declaring ``tables`` as datums."""
    datums = [
        {"table": t.name, "fields": {c.name: declaration_of(c.type) for c in t.all_columns}} for t in tables
    ]
    path.write_text(json.dumps({"datums": datums}, indent=2) + "\n", encoding="utf-8")
    return path


def native_rules_text(checks: str = "", exemptions: str = "") -> str:
    """The shipped rules in the native profile, with no model paths, plus ``checks``."""
    text = (REPO / "rules.yaml").read_text(encoding="utf-8")
    text = text.replace("profile: legacy", "profile: native").replace(
        'paths: ["examples/models"]', "paths: []"
    )
    if exemptions:
        text = text.replace("exemptions: {}\n", "exemptions:\n" + textwrap.indent(exemptions, "  "))
    return text + checks


def json_findings(out: str) -> list[dict[str, Any]]:
    findings: list[dict[str, Any]] = json.loads(out)["findings"]
    return findings


def check_findings(out: str, ids: set[str]) -> set[tuple[str, str | None, str | None]]:
    """(rule, table, field) of the findings of the checks ``ids``."""
    return {(f["rule"], f["table"], f["field"]) for f in json_findings(out) if f["rule"] in ids}


def alembic_project(root: Path) -> None:
    """An Alembic project made by ``envoxy init-alembic`` (the gate the installed Alembic
    supports), its metadata ``models:metadata``."""
    from tests.conftest import run_cli

    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    made = run_cli("init-alembic", cwd=root)
    assert made.code == 0, made.err
    config = root / "alembic.ini"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "\nenvoxy.target_metadata =\n", "\nenvoxy.target_metadata = models:metadata\n"
        ),
        encoding="utf-8",
    )
