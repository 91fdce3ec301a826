"""``envoxy check-migrations``: check Alembic revision scripts against the rules."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from envoxy.cli import Context
    from envoxy.migrations.loader import Location
    from envoxy.migrations.scanner import ScanResult

HELP = "check Alembic revision scripts (default: the versions of ./alembic.ini, else alembic/versions)"

_MIXED = "give one versions directory, or revision files, not both"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from envoxy.cli import add_report_options

    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="the versions directory (default: from ./alembic.ini, else alembic/versions); or revision "
        "files, each checked with its whole history as context (pre-commit passes the changed ones)",
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
    from envoxy.errors import UsageError
    from envoxy.findings import Report
    from envoxy.migrations.loader import project_sys_path, resolve_locations
    from envoxy.migrations.named import group_revision_files, is_file_target
    from envoxy.migrations.scanner import scan
    from envoxy.tables import exemption_findings

    rules = ctx.rules()
    files = [p for p in args.paths if is_file_target(p, ctx.cwd)]
    directories = [p for p in args.paths if p not in files]
    if len(directories) > 1 or (directories and files):
        raise UsageError(_MIXED)
    sys_path = project_sys_path(ctx.cwd)

    def check(locations: Sequence[Location]) -> ScanResult:
        return scan(locations, rules, since=args.since, head_state=args.head_state, sys_path=sys_path)

    if not files:
        result = check(resolve_locations(directories[0] if directories else None, ctx.cwd))
        return ctx.emit(Report.build(result.findings, files=result.files), args)
    # Each named file is judged in its whole history; only the findings in named files are kept,
    # and exemptions are judged as on any partial run: expired ones, not unused ones.
    findings = exemption_findings(rules, (), unused=False)
    groups = group_revision_files(files, ctx.cwd)
    for group in groups:
        findings.extend(group.about(check(group.locations).findings, ctx.cwd))
    return ctx.emit(Report.build(findings, files=sum(len(g.named) for g in groups)), args)
