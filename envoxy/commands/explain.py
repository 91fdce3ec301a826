"""``envoxy explain RULE`` / ``envoxy explain --list``: the rule catalog, for people.

Needs no rules file and imports neither SQLAlchemy nor jsonschema: it reads
:mod:`envoxy.rules.catalog` only.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from envoxy.cli import Context

HELP = "say what a rule checks, why, and how to fix, exempt or baseline it"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rule", nargs="?", metavar="RULE", help="a rule id, such as missing-field")
    parser.add_argument(
        "--list", action="store_true", help="print every rule id, one a line, with what it checks"
    )


def run(args: argparse.Namespace, ctx: Context) -> int:
    from envoxy.errors import UsageError, excerpt
    from envoxy.report import rule_help
    from envoxy.rules.catalog import RULES

    if args.list:
        if args.rule is not None:
            raise UsageError("give a rule id or --list, not both")
        ctx.stdout.write(rule_help.list_text())
        return 0
    if args.rule is None:
        raise UsageError("name a rule id (such as missing-field), or --list to see them all")
    info = RULES.get(args.rule)
    if info is None:
        close = rule_help.suggestions(args.rule)
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        raise UsageError(
            f"unknown rule {excerpt(args.rule)}{hint} ('envoxy explain --list' lists every rule)"
        )
    ctx.stdout.write(rule_help.text(info))
    return 0
