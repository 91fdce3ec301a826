"""``envoxy compile [--check]``: write ``schemas/`` from ``rules.yaml``."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from envoxy.cli import Context

HELP = "compile rules.yaml into schemas/ (model.schema.json, columns.json, checks-documents.schema.json)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 naming every file that is out of date"
    )
    parser.add_argument(
        "--out-dir", metavar="DIR", help="where to write (default: schemas/ beside the rules file)"
    )


def run(args: argparse.Namespace, ctx: Context) -> int:
    import os
    from pathlib import Path

    from envoxy.commands._write import Output, sync
    from envoxy.rules.artifacts import compiled_artifacts
    from envoxy.rules.loader import default_rules_path, find_rules

    rules = ctx.rules()
    rules_file, _ = find_rules(ctx.rules_path, cwd=ctx.cwd)
    if args.out_dir:
        out_dir = Path(args.out_dir)
    elif rules_file == default_rules_path() or not rules_file.is_file():
        # the shipped default, or rules read from a pipe (``--rules <(gen-rules)``): no directory
        # of their own to write beside, so the current one
        out_dir = ctx.cwd / "schemas"
    else:
        out_dir = rules_file.parent / "schemas"
    shown = Path(args.out_dir) if args.out_dir else Path(os.path.relpath(out_dir, ctx.cwd))
    outputs = [
        Output(path=out_dir / name, shown=str(shown / name), text=text)
        for name, text in compiled_artifacts(rules).items()
    ]
    return sync(
        outputs,
        check=args.check,
        name=str(shown),
        source=rules.source,
        command="envoxy compile",
        stdout=ctx.stdout,
        make_dirs=True,
    )
