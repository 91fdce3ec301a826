"""``envoxy check-migrations``: check Alembic revision scripts against the rules."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from envoxy.cli import Context

HELP = "check Alembic revision scripts (default: the versions of ./alembic.ini, else alembic/versions)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from envoxy.cli import add_report_options

    parser.add_argument(
        "versions_dir",
        nargs="?",
        metavar="VERSIONS_DIR",
        help="the revisions directory (default: from ./alembic.ini, else alembic/versions)",
    )
    parser.add_argument(
        "--since",
        metavar="REV",
        help="check only the revisions after REV (adopting envoxy in an existing history)",
    )
    parser.add_argument(
        "--head-state",
        action="store_true",
        help="judge the tables as the whole history leaves them, instead of each op",
    )
    add_report_options(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from envoxy.findings import Report
    from envoxy.migrations.loader import project_sys_path, resolve_locations
    from envoxy.migrations.scanner import scan

    rules = ctx.rules()
    locations = resolve_locations(args.versions_dir, ctx.cwd)
    result = scan(
        locations, rules, since=args.since, head_state=args.head_state, sys_path=project_sys_path(ctx.cwd)
    )
    return ctx.emit(Report.build(result.findings, files=result.files), args)
