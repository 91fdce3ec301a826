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
    parser.add_argument(
        "--fix",
        action="store_true",
        help="add the missing required field declarations and rewrite wrong-type ones in place "
        "(every other byte of each file stays as it was), then report what remains",
    )
    parser.add_argument(
        "--diff",
        action="store_true",
        help="with --fix: print what it would change as a unified diff, write nothing, and exit 1 "
        "when there is something to change",
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


def _fix(args: argparse.Namespace, ctx: Context, rules: RuleSet, paths: list[str]) -> int | None:
    """``--fix``: write the fixes (``None``: go on to report what remains); ``--fix --diff``:
    print them instead and return the exit status."""
    from envoxy._io import atomic_write
    from envoxy.errors import EnvoxyError
    from envoxy.report.escape import escape
    from envoxy.validate.checker import Checker
    from envoxy.validate.discovery import discover
    from envoxy.validate.fix import fix_file, unchanged_since_read, unified_diff

    checker = Checker(rules)
    fixes = [fix_file(checker, target) for target in discover(paths).targets]
    for fix in fixes:
        if fix.skipped is not None:
            ctx.stderr.write(f"envoxy: --fix left {fix.shown} as it is: {fix.skipped}\n")
        for unfixed in fix.unfixed:
            ctx.stderr.write(f"envoxy: --fix did not change {fix.shown}, {escape(str(unfixed))}\n")
    changed = [fix for fix in fixes if fix.changed]
    if args.diff:
        diff = "".join(unified_diff(fix) for fix in changed)
        if args.output:
            try:
                atomic_write(args.output, diff)
            except OSError as e:
                raise EnvoxyError(f"cannot write --output {args.output}: {e.strerror}") from e
        else:
            ctx.stdout.write(diff)
        return 1 if changed else 0
    written = []
    for fix in changed:
        if not unchanged_since_read(fix):  # reported as it is now, below
            ctx.stderr.write(
                f"envoxy: --fix left {fix.shown} as it is: it changed while --fix ran (run --fix again)\n"
            )
            continue
        try:
            atomic_write(fix.target.fs, fix.after)
        except OSError as e:  # reported; its findings stay in the report below
            ctx.stderr.write(f"envoxy: --fix cannot write {fix.shown}: {e.strerror or e}\n")
        else:
            written.append(fix)
    n = sum(fix.fixed for fix in written)
    files = f"{len(written)} file{'s' if len(written) != 1 else ''}"
    done = f"fixed {n} declaration{'s' if n != 1 else ''} in {files}" if written else "found nothing to fix"
    ctx.stderr.write(f"envoxy: --fix {done}\n")
    return None


def run(args: argparse.Namespace, ctx: Context) -> int:
    from envoxy.baseline.keys import Coverage, model_keyer, relative_path
    from envoxy.validate.runner import validate

    if args.diff and (not args.fix or args.format != "text"):
        from envoxy.errors import UsageError

        raise UsageError(
            "--diff prints what --fix would change as a unified diff: use --fix --diff, without --format"
        )
    rules = ctx.rules()
    if args.paths:
        paths = args.paths
    elif not rules.model_paths and _baseline.shipped(rules):
        from envoxy.report.escape import escape

        paths = discovered_model_paths(str(ctx.cwd))
        ctx.stderr.write(f"envoxy: checking the model directories found here: {escape(', '.join(paths))}\n")
    else:
        paths = model_paths(rules, str(ctx.cwd))
    if args.fix:
        status = _fix(args, ctx, rules, paths)
        if status is not None:
            return status
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
