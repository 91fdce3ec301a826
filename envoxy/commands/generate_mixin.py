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

    from envoxy._io import atomic_write, read_existing
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
    try:
        current = read_existing(target)
    except OSError as e:
        raise UsageError(f"cannot read {args.output}: {e.strerror}") from e
    if args.check:
        if current == text.encode("utf-8"):
            ctx.stdout.write(f"{args.output} is up to date with {ctx.rules().source}\n")
            return 0
        what = "is missing" if current is None else "is out of date"
        ctx.stdout.write(f"{args.output} {what}; run 'envoxy generate-mixin -o {args.output}'\n")
        return 1
    if current == text.encode("utf-8"):
        ctx.stdout.write(f"{args.output} is up to date with {ctx.rules().source}\n")
        return 0
    try:
        atomic_write(target, text)
    except OSError as e:
        raise UsageError(f"cannot write {args.output}: {e.strerror}") from e
    ctx.stdout.write(f"wrote {args.output}\n")
    return 0
