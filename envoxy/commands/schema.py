"""``envoxy schema --from-migrations [DIR] [--dialect NAME]`` / ``envoxy schema --from-db URL
[--schema NAME ...]``: print the schema a revision history builds (no database) or a live
database has, in one shape (``--format json``, the default, or ``sql``), so the two can be
diffed.

Exit status: 0; 1 when a revision file cannot be read (the schema is printed all the same);
2 for a usage error or a database that cannot be reached. Where the history could not be
followed whole (a revision that cannot be imported or run to its end, raw SQL envoxy cannot
read), each place is said on standard error.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from envoxy.cli import Context
    from envoxy.schema_export import SchemaExport

HELP = "print the schema a migration history builds (no database) or a live database has"

FORMATS = ("json", "sql")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--from-migrations",
        nargs="?",
        const="",
        metavar="DIR",
        help="the revisions directory (default: from ./alembic.ini, else alembic/versions)",
    )
    source.add_argument("--from-db", metavar="URL", help="SQLAlchemy database URL to reflect")
    parser.add_argument(
        "--dialect",
        metavar="NAME",
        help="with --from-migrations: the database the history is for (default: the dialect of "
        "sqlalchemy.url in ./alembic.ini, else postgresql)",
    )
    parser.add_argument(
        "--schema",
        metavar="NAME",
        action="append",
        default=[],
        help="with --from-db: a schema to reflect, repeatable (default: the connection's default schema)",
    )
    parser.add_argument("--format", choices=FORMATS, default="json", help="json (default) or sql (DDL)")
    parser.add_argument(
        "--output", metavar="FILE", help="write to FILE (atomically) instead of standard output"
    )


def run(args: argparse.Namespace, ctx: Context) -> int:
    import json

    from envoxy.errors import EnvoxyError, UsageError
    from envoxy.schema_export import export_json, export_sql

    export: SchemaExport
    if args.from_db is not None:
        if args.dialect:
            raise UsageError("--dialect goes with --from-migrations; a database names its own")
        from envoxy.schema_export import from_database

        export = from_database(args.from_db, args.schema)
    else:
        if args.schema:
            raise UsageError("--schema goes with --from-db; a history's tables name their own schema")
        export = _from_migrations(args, ctx)
    if args.format == "json":
        text = json.dumps(export_json(export), indent=2, ensure_ascii=False) + "\n"
    else:
        text = export_sql(export)
    if args.output:
        from envoxy._io import atomic_write

        try:
            atomic_write(ctx.cwd / args.output, text)
        except OSError as e:
            raise EnvoxyError(f"cannot write --output {args.output}: {e.strerror}") from e
    else:
        ctx.stdout.write(text)
    _said(export, ctx)
    return 1 if any(f.severity == "error" for f in export.problems) else 0


def _from_migrations(args: argparse.Namespace, ctx: Context) -> SchemaExport:
    from envoxy.migrations.loader import project_sys_path, resolve_locations
    from envoxy.schema_export import from_migrations, ini_dialect

    locations = resolve_locations(args.from_migrations or None, ctx.cwd)
    dialect = args.dialect or ini_dialect(ctx.cwd) or "postgresql"
    return from_migrations(locations, dialect=dialect, sys_path=project_sys_path(ctx.cwd))


def _said(export: SchemaExport, ctx: Context) -> None:
    """Where the history was not followed whole: the schema printed may differ there."""
    from envoxy.report.escape import escape

    for f in export.problems:
        where = f"{f.path}:{f.line}" if f.line is not None else str(f.path)
        ctx.stderr.write(f"envoxy: {escape(where)}: {f.severity}: {escape(f.message)} [{f.rule}]\n")
