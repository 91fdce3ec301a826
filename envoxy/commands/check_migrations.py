"""``envoxy check-migrations``: check Alembic revision scripts against the rules."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from envoxy.commands import _baseline

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from envoxy.baseline.keys import Coverage
    from envoxy.cli import Context
    from envoxy.findings import Report
    from envoxy.migrations.loader import Location
    from envoxy.migrations.reading import Prefetch
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
    # The revision files are read and compiled in a helper process while SQLAlchemy and
    # Alembic are imported (below), where the versions directory can be told without them.
    from envoxy.migrations.reading import prefetch, versions_directory

    guessed = versions_directory(list(args.paths), ctx.cwd)
    ahead = prefetch(guessed) if guessed is not None else None
    try:
        return _run(args, ctx, ahead)
    finally:
        if ahead is not None:
            ahead.close()


def _run(args: argparse.Namespace, ctx: Context, ahead: Prefetch | None) -> int:
    from envoxy.errors import UsageError
    from envoxy.migrations.loader import project_sys_path, resolve_locations
    from envoxy.migrations.named import is_file_target
    from envoxy.migrations.scanner import scan

    rules = ctx.rules()
    files = [p for p in args.paths if is_file_target(p, ctx.cwd)]
    directories = [p for p in args.paths if p not in files]
    if len(directories) > 1 or (directories and files):
        raise UsageError(_MIXED)
    since = args.since or rules.migrations_since
    sys_path = project_sys_path(ctx.cwd)

    def check(locations: Sequence[Location]) -> ScanResult:
        try:
            read = ahead.results() if ahead is not None else None
            return scan(
                locations,
                rules,
                since=since,
                head_state=args.head_state,
                sys_path=sys_path,
                read=read,
                meanwhile=_after_the_scan,
            )
        except UsageError as e:
            if args.since or since is None:
                raise
            raise UsageError(f"{e} (migrations.since of {rules.source})") from e

    if files:
        return _run_files(args, ctx, files, check)
    return _run_history(
        args, ctx, check(resolve_locations(directories[0] if directories else None, ctx.cwd)), since
    )


def _after_the_scan() -> None:
    """Import what the command needs once the scan is done, while a worker runs the revisions."""
    import envoxy.baseline
    import envoxy.baseline.keys
    import envoxy.report  # noqa: F401


def _run_history(args: argparse.Namespace, ctx: Context, result: ScanResult, since: str | None) -> int:
    from envoxy.baseline.keys import Coverage, revision_keyer
    from envoxy.findings import Report

    report = Report.build(result.findings, files=result.files)
    revisions = dict(result.revisions)
    if args.head_state:
        # with ``since``, only the tables last shaped after it were judged
        coverage = Coverage.everything() if since is None else Coverage.tables(result.judged_tables())
        return _finish_head_state(ctx, args, report, coverage)
    return _baseline.finish(
        ctx,
        args,
        report,
        surface="migrations",
        keyer=revision_keyer(revisions),
        coverage=Coverage.revisions(result.judged, revisions.values()),
        command="check-migrations",
    )


def _run_files(
    args: argparse.Namespace,
    ctx: Context,
    files: list[str],
    check: Callable[[Sequence[Location]], ScanResult],
) -> int:
    """Each named file judged in its whole history; only the findings in named files are kept,
    exemptions are judged as on any partial run (expired ones, not unused ones), and the baseline
    judges no entry stale: the run owns the entries of its files (or of the tables they last
    shaped, with ``--head-state``)."""
    from envoxy.baseline.keys import Coverage, revision_keyer
    from envoxy.findings import Report
    from envoxy.migrations.named import group_revision_files
    from envoxy.tables import exemption_findings

    rules = ctx.rules()
    findings = exemption_findings(rules, (), unused=False)
    revisions: dict[str, str] = {}  # named file -> its revision id
    shaped: list[str] = []  # tables a named file last shaped
    groups = group_revision_files(files, ctx.cwd)
    for group in groups:
        result = check(group.locations)
        findings.extend(group.about(result.findings, ctx.cwd))
        for path, rev in result.revisions:
            shown = group.shown(path, ctx.cwd)
            if shown is not None:
                revisions[shown] = rev
        shaped.extend(state.qualified for state, origin in result.head if group.shown(origin.path, ctx.cwd))
    report = Report.build(findings, files=sum(len(g.named) for g in groups))
    if args.head_state:
        return _finish_head_state(ctx, args, report, Coverage.tables(shaped))
    return _baseline.finish(
        ctx,
        args,
        report,
        surface="migrations",
        keyer=revision_keyer(revisions),
        coverage=Coverage.named(revisions.values()),
        command="check-migrations",
    )


def _finish_head_state(ctx: Context, args: argparse.Namespace, report: Report, coverage: Coverage) -> int:
    from envoxy.baseline.keys import head_state_keyer

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
