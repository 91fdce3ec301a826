"""``envoxy explain RULE`` / ``envoxy explain --list``: the rule catalog, for people, and the
checks of the rules file in force (``checks:`` of ``rules.yaml``).

Needs no rules file (the catalog's rules are explained without one) and imports neither
SQLAlchemy nor jsonschema for them.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from envoxy.checks.model import Check
    from envoxy.cli import Context

HELP = "say what a rule checks, why, and how to fix, exempt or baseline it"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rule", nargs="?", metavar="RULE", help="a rule id, such as missing-field")
    parser.add_argument(
        "--list", action="store_true", help="print every rule id, one a line, with what it checks"
    )


def _checks(ctx: Context) -> tuple[Check, ...]:
    """The checks of the rules file in force; none when no file is (the shipped rules have none,
    and loading them would only print the note that says they are in force)."""
    from envoxy.rules.loader import locate_rules

    if locate_rules(ctx.rules_path, cwd=ctx.cwd).origin == "default":
        return ()
    return ctx.rules().checks


def run(args: argparse.Namespace, ctx: Context) -> int:
    from envoxy.errors import UsageError, excerpt
    from envoxy.report import rule_help
    from envoxy.rules.catalog import RULES

    if args.list:
        if args.rule is not None:
            raise UsageError("give a rule id or --list, not both")
        ctx.stdout.write(rule_help.list_text(_checks(ctx)))
        return 0
    if args.rule is None:
        raise UsageError("name a rule id (such as missing-field), or --list to see them all")
    info = RULES.get(args.rule)
    if info is None:
        checks = {c.id: c for c in _checks(ctx)}
        if args.rule in checks:
            from envoxy.checks.help import check_text

            ctx.stdout.write(check_text(checks[args.rule]))
            return 0
        close = rule_help.suggestions(args.rule, checks)
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        raise UsageError(
            f"unknown rule {excerpt(args.rule)}{hint} ('envoxy explain --list' lists every rule)"
        )
    ctx.stdout.write(rule_help.text(info))
    return 0
