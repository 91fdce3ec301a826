"""``envoxy generate-mixin [-o FILE] [--check]``: write the standalone SQLAlchemy mixin module.

Without ``-o`` the module goes to standard output. ``--check`` needs ``-o``: it writes nothing and
exits 1 when FILE is missing or differs from what the rules in force generate.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from envoxy.cli import Context

HELP = "write a standalone SQLAlchemy mixin module (EnvoxyMixin) from rules.yaml"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the module to FILE, atomically (default: standard output)",
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 when FILE (-o) is missing or out of date"
    )


def run(args: argparse.Namespace, ctx: Context) -> int:
    from pathlib import Path

    from envoxy.commands._write import Output, sync
    from envoxy.errors import UsageError
    from envoxy.mixin import MixinError, mixin_source

    if args.check and not args.output:
        raise UsageError("--check compares against a file: name it with -o FILE")
    rules = ctx.rules()
    try:
        text = mixin_source(rules)
    except MixinError as e:  # name the rules file: it may not be ./rules.yaml
        raise UsageError(f"{rules.source}: {e}") from e
    if not args.output:
        ctx.stdout.write(text)
        return 0
    target = Path(args.output)
    if not target.is_absolute():
        target = ctx.cwd / target
    return sync(
        [Output(path=target, shown=args.output, text=text)],
        check=args.check,
        name=args.output,
        source=rules.source,
        command=f"envoxy generate-mixin -o {args.output}",
        stdout=ctx.stdout,
    )
