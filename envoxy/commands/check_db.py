"""``envoxy check-db URL [--schema NAME]``: reflect a live database and check its tables."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

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


def run(args: argparse.Namespace, ctx: Context) -> int:
    from envoxy.live.check import check_database

    rules = ctx.rules()
    return ctx.emit(check_database(args.url, rules, schema=args.schema), args)
