"""``envoxy compile [--check]``: write ``schemas/`` from ``rules.yaml``."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from envoxy.cli import Context

HELP = "compile rules.yaml into schemas/ (model.schema.json, columns.json)"


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

    from envoxy._io import atomic_write, read_existing
    from envoxy.errors import UsageError
    from envoxy.rules.artifacts import compiled_artifacts
    from envoxy.rules.loader import default_rules_path, find_rules

    rules = ctx.rules()
    rules_file, _ = find_rules(ctx.rules_path, cwd=ctx.cwd)
    if args.out_dir:
        out_dir = Path(args.out_dir)
    elif rules_file == default_rules_path():
        out_dir = ctx.cwd / "schemas"
    else:
        out_dir = rules_file.parent / "schemas"
    shown = Path(args.out_dir) if args.out_dir else Path(os.path.relpath(out_dir, ctx.cwd))
    artifacts = compiled_artifacts(rules)

    stale = []
    for name, text in artifacts.items():
        target = out_dir / name
        try:
            current = read_existing(target)
        except OSError as e:
            raise UsageError(f"cannot read {shown / name}: {e.strerror}") from e
        if current != text.encode("utf-8"):
            stale.append((name, target, text, current is None))

    if args.check:
        for name, _, _, missing in stale:
            what = "is missing" if missing else "is out of date"
            ctx.stdout.write(f"{shown / name} {what}; run 'envoxy compile'\n")
        if not stale:
            ctx.stdout.write(f"{shown} is up to date with {rules.source}\n")
        return 1 if stale else 0

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for _name, target, text, _ in stale:
            atomic_write(target, text)
    except OSError as e:
        raise UsageError(f"cannot write {shown}: {e.strerror}") from e
    for name, *_ in stale:
        ctx.stdout.write(f"wrote {shown / name}\n")
    if not stale:
        ctx.stdout.write(f"{shown} is up to date with {rules.source}\n")
    return 0
