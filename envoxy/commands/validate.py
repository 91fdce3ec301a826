"""``envoxy validate`` / ``python -m envoxy.validate``: check JSON model files.

Kept import-light: the rules come from the compiled-rules cache, and jsonschema is imported only
when a file has something to explain.
"""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

from envoxy.commands import _baseline

if TYPE_CHECKING:
    from envoxy.cli import Context
    from envoxy.rules.model import RuleSet

HELP = "check JSON model files (directories are walked for *.json) against rules.yaml"


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 0 <= value <= 64:
        raise argparse.ArgumentTypeError(f"{value} is out of range, expected 0 (automatic) to 64")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from envoxy.cli import add_report_options

    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="model files or directories (default: models.paths of rules.yaml, relative to the rules file)",
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=_jobs,
        default=0,
        metavar="N",
        help="worker processes (default 0: one per CPU for large trees)",
    )
    add_report_options(parser)
    _baseline.add_arguments(parser)


def model_paths(rules: RuleSet, cwd: str) -> list[str]:
    """``models.paths`` of ``rules.yaml``, relative to the rules file, as shown from ``cwd``."""
    from envoxy.errors import UsageError, clip, excerpt

    if not rules.model_paths:
        raise UsageError(
            "no paths given and the rules file names no models.paths; name model "
            "files or directories on the command line"
        )
    source = rules.source or ""
    base = "" if source.startswith("<") else os.path.dirname(source)
    out = []
    for path in rules.model_paths:
        shown = os.path.normpath(os.path.join(base, path))
        if not os.path.lexists(os.path.join(cwd, shown)):
            raise UsageError(
                f"models.paths entry {excerpt(path)} of {source} does not exist (looked for "
                f"{clip(shown)}); fix rules.yaml or name paths on the command line"
            )
        out.append(shown)
    return out


def discovered_model_paths(cwd: str) -> list[str]:
    """With no rules file and no paths: the directories below ``cwd`` holding model files."""
    from pathlib import Path

    from envoxy.adopt.discover import find_model_directories
    from envoxy.errors import UsageError

    found = [d.path for d in find_model_directories(Path(cwd))]
    if not found:
        raise UsageError(
            "no paths given, no rules.yaml naming models.paths, and no directory here holds JSON "
            "model files (objects declaring 'fields'); name model files or directories"
        )
    return found


def run(args: argparse.Namespace, ctx: Context) -> int:
    from envoxy.baseline.keys import Coverage, model_keyer, relative_path
    from envoxy.validate.runner import validate

    rules = ctx.rules()
    if args.paths:
        paths = args.paths
    elif not rules.model_paths and _baseline.shipped(rules):
        paths = discovered_model_paths(str(ctx.cwd))
        ctx.stderr.write(f"envoxy: checking the model directories found here: {', '.join(paths)}\n")
    else:
        paths = model_paths(rules, str(ctx.cwd))
    report = validate(rules, paths, jobs=args.jobs)
    base, cwd = _baseline.key_base(rules, ctx.cwd), str(ctx.cwd)
    # Directories walked were checked in whole; files named (pre-commit's staged ones) were not.
    walked = [p for p in paths if os.path.isdir(p)]
    named = [p for p in paths if not os.path.isdir(p)]
    coverage = Coverage.model_paths(
        [relative_path(p, base, cwd) for p in walked], [relative_path(p, base, cwd) for p in named]
    )
    return _baseline.finish(
        ctx,
        args,
        report,
        surface="models",
        keyer=model_keyer(base, cwd),
        coverage=coverage,
        command="validate",
    )
