"""The schema a migration history builds, or a live database has, in one shape.

``envoxy schema --from-migrations`` builds it symbolically (the scanner's head state, no database)
and ``envoxy schema --from-db`` reflects it; both print the same JSON (``../shared/CONTRACT.md``,
"Schema export") or the DDL that makes it, so that ``diff`` of the two shows where a history and a
database part::

    {"dialect": "postgresql",
     "tables": [{"schema": null, "name": "orders", "primary_key": ["id"],
                 "columns": [{"name": "id", "type": "VARCHAR(36)", "nullable": false,
                              "primary_key": true}]}]}

Tables are sorted by (schema, name), the default schema (``null``) first; columns are in table
order; ``type`` is the column type as the dialect's DDL writes it (``null`` where unknown).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from envoxy.findings import Finding
from envoxy.tables import TableState

__all__ = [
    "HISTORY_PROBLEMS",
    "SchemaExport",
    "export_json",
    "export_sql",
    "from_database",
    "from_migrations",
    "ini_dialect",
]

VERSION_TABLE = "alembic_version"
"""Alembic's own bookkeeping table: in a database, never built by the history."""

HISTORY_PROBLEMS = frozenset({"parse-error", "unanalysable-revision", "unanalysed-sql"})
"""The findings that say the history was not followed whole (the rules' verdicts are
``check-migrations``' business, not this one's)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SchemaExport:
    dialect: str
    tables: tuple[TableState, ...]
    problems: tuple[Finding, ...] = ()
    """Where the history could not be followed (``--from-migrations``)."""


def _order(table: TableState) -> tuple[bool, str, str]:
    return (table.schema is not None, table.schema or "", table.name)


def from_migrations(locations: Sequence[Any], *, dialect: str, sys_path: Sequence[str] = ()) -> SchemaExport:
    """The tables the whole history under ``locations`` builds, as the scanner replays it."""
    from envoxy.migrations.scanner import scan
    from envoxy.rules import load_rules
    from envoxy.rules.loader import default_rules_path

    rules = load_rules(default_rules_path())  # only for the severities of reading problems
    result = scan(locations, rules, head_state=True, dialect=dialect, sys_path=sys_path)
    return SchemaExport(
        dialect=dialect,
        tables=tuple(sorted((state for state, _ in result.head), key=_order)),
        problems=tuple(f for f in result.findings if f.rule in HISTORY_PROBLEMS),
    )


def from_database(url: str, schemas: Sequence[str] = ()) -> SchemaExport:
    """The tables of ``schemas`` (none: the connection's default schema), Alembic's version
    table left out."""
    from envoxy.live.reflect import reflect_schemas

    reflection = reflect_schemas(url, schemas)
    tables = (t for t in reflection.tables if t.name != VERSION_TABLE)
    return SchemaExport(dialect=reflection.dialect, tables=tuple(sorted(tables, key=_order)))


def ini_dialect(cwd: Path) -> str | None:
    """The dialect of ``sqlalchemy.url`` in ``./alembic.ini``, where it names one SQLAlchemy knows
    (``alembic init`` leaves the placeholder ``driver://user:pass@localhost/dbname``)."""
    ini = cwd / "alembic.ini"
    if not ini.is_file():
        return None
    try:
        import sqlalchemy as sa
        from alembic.config import Config

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            url = Config(str(ini)).get_main_option("sqlalchemy.url")
        if not url:
            return None
        name = sa.engine.make_url(url).get_backend_name()
        sa.dialects.registry.load(name)
    except Exception:  # no URL, a placeholder, an interpolation that fails: not a dialect
        return None
    return str(name)


# -- rendering -----------------------------------------------------------------------------------


def export_json(export: SchemaExport) -> dict[str, Any]:
    """The CONTRACT's JSON shape."""
    return {
        "dialect": export.dialect,
        "tables": [
            {
                "schema": t.schema,
                "name": t.name,
                "primary_key": list(t.primary_key),
                "columns": [
                    {
                        "name": c.name,
                        "type": c.type.ddl(export.dialect) if c.type is not None else None,
                        "nullable": c.nullable,
                        "primary_key": c.primary_key,
                    }
                    for c in t.columns
                ],
            }
            for t in export.tables
        ],
    }


def export_sql(export: SchemaExport) -> str:
    """``CREATE TABLE`` per table (columns, primary key, unique constraints, foreign keys), then
    ``CREATE INDEX`` per index, as the dialect writes them."""
    quote = _quoter(export.dialect)
    statements = [_create_table(t, export.dialect, quote) for t in export.tables]
    statements.extend(
        _create_index(t, i, quote) for t in export.tables for i in t.indexes if not i.constraint
    )
    return "".join(s + ";\n" for s in statements)


def _quoter(dialect: str) -> Any:
    from envoxy.sqltypes.alchemy import sqlalchemy_dialect

    made = sqlalchemy_dialect(dialect)
    if made is None:
        return lambda name: '"' + name.replace('"', '""') + '"'
    return made.identifier_preparer.quote


def _qualified(table: TableState, quote: Any) -> str:
    return f"{quote(table.schema)}.{quote(table.name)}" if table.schema else str(quote(table.name))


def _names(columns: Iterable[str], quote: Any) -> str:
    return ", ".join(quote(c) for c in columns)


def _create_table(table: TableState, dialect: str, quote: Any) -> str:
    lines = [
        f"    {quote(c.name)} {c.type.ddl(dialect) if c.type is not None else 'NULL'}"
        + ("" if c.nullable else " NOT NULL")
        for c in table.columns
    ]
    if table.primary_key:
        named = f"CONSTRAINT {quote(table.primary_key_name)} " if table.primary_key_name else ""
        lines.append(f"    {named}PRIMARY KEY ({_names(table.primary_key, quote)})")
    for i in table.indexes:
        if i.constraint:
            named = f"CONSTRAINT {quote(i.name)} " if i.name else ""
            lines.append(f"    {named}UNIQUE ({_names(i.columns, quote)})")
    for f in table.foreign_keys:
        named = f"CONSTRAINT {quote(f.name)} " if f.name else ""
        target = (
            f"{quote(f.referred_schema)}.{quote(f.referred_table)}"
            if f.referred_schema
            else quote(f.referred_table)
        )
        lines.append(
            f"    {named}FOREIGN KEY ({_names(f.columns, quote)}) "
            f"REFERENCES {target} ({_names(f.referred_columns, quote)})"
        )
    return f"CREATE TABLE {_qualified(table, quote)} (\n" + ",\n".join(lines) + "\n)"


def _create_index(table: TableState, index: Any, quote: Any) -> str:
    unique = "UNIQUE " if index.unique else ""
    name = f"{quote(index.name)} " if index.name else ""
    columns = ", ".join(c if "(" in c else quote(c) for c in index.columns)
    return f"CREATE {unique}INDEX {name}ON {_qualified(table, quote)} ({columns})"
