"""The tables of ``examples/checks/examples.yaml`` (those of docs/CHECKS.md) written four ways,
for the tests that judge checks in every place: SQLAlchemy ``Table`` source for ``alembic
revision --autogenerate``, an ``op.create_table`` revision, a model file (datums), and (through
``alembic upgrade head``) a live database.

An example table is ``{name, columns: [{name, type, nullable, primary_key}], required,
primary_key, indexes, foreign_keys}``, types as PostgreSQL's DDL writes them; unless
``required: false`` the shipped rules' four columns come first.
"""

from __future__ import annotations

import json
import shutil
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import REPO

__all__ = [
    "EXAMPLES",
    "EXAMPLES_DIR",
    "REQUIRED",
    "alembic_project",
    "check_findings",
    "columns_of",
    "json_findings",
    "model_file",
    "models_source",
    "native_rules_text",
    "prefixed",
    "revision_source",
]

EXAMPLES_DIR = REPO / "examples" / "checks"
EXAMPLES: dict[str, Any] = yaml.safe_load((EXAMPLES_DIR / "examples.yaml").read_text(encoding="utf-8"))

REQUIRED = (
    {"name": "id", "type": "VARCHAR(36)", "nullable": False, "primary_key": True},
    {"name": "created", "type": "TIMESTAMP WITHOUT TIME ZONE", "nullable": False},
    {"name": "updated", "type": "TIMESTAMP WITHOUT TIME ZONE", "nullable": False},
    {"name": "href", "type": "TEXT", "nullable": False},
)

Table = dict[str, Any]


def prefixed(tables: Sequence[Table], prefix: str) -> list[Table]:
    """``tables`` renamed ``prefix + name`` (their foreign keys following), so that the examples
    of one file can share a schema."""
    out = []
    for t in tables:
        t = {**t, "name": prefix + t["name"]}
        if "foreign_keys" in t:
            t["foreign_keys"] = [
                {**f, "referred_table": prefix + f["referred_table"]} for f in t["foreign_keys"]
            ]
        out.append(t)
    return out


def columns_of(table: Table) -> list[dict[str, Any]]:
    return [*(REQUIRED if table.get("required", True) else ()), *table["columns"]]


def _type_source(sql: str) -> str:
    from envoxy.sqltypes import parse_sql_type

    if sql == "JSONB":  # the generic source is sa.JSON(), which PostgreSQL stores as JSON
        return "postgresql.JSONB()"
    return parse_sql_type(sql).sqlalchemy_source()


def _items(table: Table) -> list[str]:
    items = []
    for c in columns_of(table):
        args = [repr(c["name"]), _type_source(c["type"])]
        if c.get("primary_key"):
            args.append("primary_key=True")
        args.append(f"nullable={c.get('nullable', True) and not c.get('primary_key', False)}")
        items.append(f"sa.Column({', '.join(args)})")
    items.extend(
        f"sa.ForeignKeyConstraint({f['columns']!r}, "
        f"[{', '.join(repr(f['referred_table'] + '.' + c) for c in f['referred_columns'])}])"
        for f in table.get("foreign_keys", ())
    )
    return items


def _ordered(tables: Sequence[Table]) -> list[Table]:
    """Referred tables before the tables referring to them."""
    names = {t["name"] for t in tables}
    first = [t for t in tables if not any(f["referred_table"] in names for f in t.get("foreign_keys", ()))]
    return first + [t for t in tables if t not in first]


def models_source(tables: Sequence[Table]) -> str:
    """A ``models.py`` whose ``metadata`` holds ``tables`` (autogenerate's target)."""
    lines = [
        "import sqlalchemy as sa",
        "from sqlalchemy.dialects import postgresql",
        "",
        "metadata = sa.MetaData()",
        "",
    ]
    for t in _ordered(tables):
        body = "".join(f"    {item},\n" for item in _items(t))
        lines.append(f"sa.Table(\n    {t['name']!r},\n    metadata,\n{body})")
        lines.extend(
            f"sa.Index({i['name']!r}, "
            + ", ".join(f"metadata.tables[{t['name']!r}].c[{c!r}]" for c in i["columns"])
            + f", unique={i.get('unique', False)})"
            for i in t.get("indexes", ())
        )
    return "\n".join(lines) + "\n"


def revision_source(rev: str, down: str | None, tables: Sequence[Table]) -> str:
    """A hand-written revision creating ``tables`` (and their indexes)."""
    body = []
    for t in _ordered(tables):
        items = "".join(f"    {item},\n" for item in _items(t))
        body.append(f"op.create_table(\n    {t['name']!r},\n{items})")
        body.extend(
            f"op.create_index({i['name']!r}, {t['name']!r}, {i['columns']!r}, "
            f"unique={i.get('unique', False)})"
            for i in t.get("indexes", ())
        )
    return (
        "import sqlalchemy as sa\nfrom alembic import op\nfrom sqlalchemy.dialects import postgresql\n\n"
        f"revision = {rev!r}\ndown_revision = {down!r}\nbranch_labels = None\ndepends_on = None\n\n\n"
        "def upgrade():\n"
        + textwrap.indent("\n".join(body) + "\n", "    ")
        + "\n\ndef downgrade():\n    pass\n"
    )


_JSON_TYPES = [
    (("BIGINT", "INTEGER", "SMALLINT"), {"type": "integer"}),
    (("DOUBLE", "NUMERIC", "REAL"), {"type": "number"}),
    (("JSON",), {"type": "object"}),
    (("DATE",), {"type": "string", "format": "date"}),
    (("TIMESTAMP",), {"type": "string", "format": "date-time"}),
    (("TEXT", "VARCHAR", "CHAR"), {"type": "string"}),
]


def _declaration(sql: str, profile: dict[str, dict[str, Any]], logical: str | None) -> dict[str, Any]:
    """How a model file declares a column of type ``sql``: as the profile declares its logical
    type where one matches, else by the JSON type that holds its values."""
    if logical is not None:
        return dict(profile[logical])
    for prefixes, declaration in _JSON_TYPES:
        if sql.startswith(prefixes):
            return dict(declaration)
    raise ValueError(f"no model declaration for {sql}")


def model_file(path: Path, tables: Sequence[Table], rules: Any) -> Path:
    """A model file declaring ``tables`` as datums."""
    from envoxy.checks.engine import logical_type_of

    profile = {
        t.name: {
            "type": t.declaration.json_type,
            **({"format": t.declaration.formats[0]} if t.declaration.formats else {}),
        }
        for t in rules.logical_types
    }
    datums = [
        {
            "table": t["name"],
            "fields": {
                c["name"]: _declaration(c["type"], profile, logical_type_of(rules, c["type"]))
                for c in columns_of(t)
            },
        }
        for t in tables
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
