"""``envoxy check-db URL [--schema NAME]``: reflect a live database and check its tables."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from envoxy.commands import _baseline

if TYPE_CHECKING:
    from envoxy.cli import Context

HELP = "reflect a live database and check every in-scope table against rules.yaml"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from envoxy.cli import add_report_options

    parser.add_argument(
        "url",
        metavar="URL",
        help="SQLAlchemy database URL, e.g. postgresql+psycopg://user@host/db or sqlite:///app.db",
    )
    parser.add_argument(
        "--schema", metavar="NAME", help="the schema to check (default: the connection's default schema)"
    )
    add_report_options(parser)
    _baseline.add_arguments(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from envoxy.baseline.keys import Coverage, db_keyer
    from envoxy.live.check import check_database

    rules = ctx.rules()
    report = check_database(args.url, rules, schema=args.schema)
    return _baseline.finish(
        ctx,
        args,
        report,
        surface="db",
        keyer=db_keyer(args.schema),
        coverage=Coverage.places([args.schema]),  # a run checks its whole schema
        command="check-db URL" + (f" --schema {args.schema}" if args.schema else ""),
        # SARIF on GitHub needs a file for every result: the rules the tables are judged by
        anchor="rules.yaml" if _baseline.shipped(rules) else rules.source,
        run_id=f"envoxy/check-db/{args.schema}/" if args.schema else "envoxy/check-db/",
    )
