"""``envoxy check-migrations``: check Alembic revision scripts against the rules."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from envoxy.commands import _baseline

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
        help="check only the revisions after REV (adopting envoxy in an existing history; "
        "default: migrations.since of rules.yaml)",
    )
    parser.add_argument(
        "--head-state",
        action="store_true",
        help="judge the tables as the whole history leaves them, instead of each op",
    )
    add_report_options(parser)
    _baseline.add_arguments(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from envoxy.baseline.keys import Coverage, head_state_keyer, revision_keyer
    from envoxy.errors import UsageError
    from envoxy.findings import Report
    from envoxy.migrations.loader import project_sys_path, resolve_locations
    from envoxy.migrations.scanner import scan

    rules = ctx.rules()
    locations = resolve_locations(args.versions_dir, ctx.cwd)
    since = args.since or rules.migrations_since
    try:
        result = scan(
            locations, rules, since=since, head_state=args.head_state, sys_path=project_sys_path(ctx.cwd)
        )
    except UsageError as e:
        if args.since or since is None:
            raise
        raise UsageError(f"{e} (migrations.since of {rules.source})") from e
    report = Report.build(result.findings, files=result.files)
    revisions = dict(result.revisions)
    if args.head_state:
        if since is None:
            coverage = Coverage.everything()
        else:  # only the tables last shaped after ``since`` were judged
            coverage = Coverage.tables(
                [state.name for state, origin in result.head if revisions.get(origin.path) in result.judged]
            )
        return _baseline.finish(
            ctx,
            args,
            report,
            surface="head_state",
            keyer=head_state_keyer,
            coverage=coverage,
            command="check-migrations --head-state",
            run_id="envoxy/check-migrations/head-state/",
        )
    return _baseline.finish(
        ctx,
        args,
        report,
        surface="migrations",
        keyer=revision_keyer(revisions),
        coverage=Coverage.revisions(result.judged, revisions.values()),
        command="check-migrations",
    )
