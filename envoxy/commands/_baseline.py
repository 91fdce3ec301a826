"""The baseline flags of ``validate``, ``check-migrations`` and ``check-db``, and what they do
with a run's report: judge it against the baseline in force, or record it (``--write-baseline``).

Which file: ``--baseline FILE``; else the one ``baseline:`` of ``rules.yaml`` names; ``--no-baseline``
ignores both. ``--write-baseline`` writes to that file, else to ``envoxy-baseline.json`` beside the
rules file (in the current directory when the rules in force are envoxy's shipped default).
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from envoxy.baseline import Coverage, Keyer, Surface
    from envoxy.cli import Context
    from envoxy.findings import Report
    from envoxy.rules.model import RuleSet

__all__ = ["FILENAME", "Choice", "add_arguments", "choose", "finish", "key_base", "rules_directory"]

FILENAME = "envoxy-baseline.json"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group()
    which.add_argument(
        "--baseline",
        metavar="FILE",
        help="the baseline file: findings it records are accepted (default: baseline: of rules.yaml)",
    )
    which.add_argument("--no-baseline", action="store_true", help="ignore the baseline file rules.yaml names")
    parser.add_argument(
        "--write-baseline",
        action="store_true",
        help=f"record this command's current error findings in the baseline file (default: {FILENAME} "
        "beside rules.yaml), replacing its own section, and exit 0",
    )


def shipped(rules: RuleSet) -> bool:
    """Whether the rules in force are envoxy's shipped default (no rules file of the project)."""
    return (rules.source or "").startswith("<")


def rules_directory(rules: RuleSet) -> str:
    """The rules file's directory as shown ('' for the current one, and for the shipped default)."""
    return "" if shipped(rules) else os.path.dirname(rules.source or "")


def key_base(rules: RuleSet, cwd: Path) -> str:
    """The real directory model files are keyed relative to: the rules file's, else ``cwd``."""
    return os.path.realpath(os.path.join(cwd, rules_directory(rules)))


@dataclass(frozen=True, slots=True)
class Choice:
    """The baseline file in force: ``shown`` in messages and findings, ``fs`` to open."""

    shown: str
    fs: Path
    origin: Literal["option", "rules", "default"]


def choose(args: argparse.Namespace, rules: RuleSet, cwd: Path) -> Choice | None:
    if args.no_baseline:
        return None
    if args.baseline:
        return Choice(args.baseline, cwd / args.baseline, "option")
    if rules.baseline:
        return Choice(rules.baseline, cwd / rules.baseline, "rules")
    if args.write_baseline:
        shown = os.path.join(rules_directory(rules), FILENAME)
        return Choice(shown, cwd / shown, "default")
    return None


def finish(
    ctx: Context,
    args: argparse.Namespace,
    report: Report,
    *,
    surface: Surface,
    keyer: Keyer,
    coverage: Coverage,
    command: str,
    anchor: str | None = None,
    run_id: str | None = None,
) -> int:
    """Judge ``report`` against the baseline in force and emit it, or (``--write-baseline``)
    record its error findings; returns the exit status."""
    from envoxy.baseline import judge, read_baseline
    from envoxy.errors import UsageError
    from envoxy.findings import sort_key

    rules = ctx.rules()
    choice = choose(args, rules, ctx.cwd)
    if args.write_baseline:
        if choice is None:
            raise UsageError("--write-baseline and --no-baseline contradict each other; drop one")
        return _write(ctx, report, choice, surface=surface, keyer=keyer, coverage=coverage, command=command)
    baseline = None
    if choice is not None:
        baseline = read_baseline(choice.fs, choice.shown)
        if baseline is None:
            named = "--baseline" if choice.origin == "option" else f"baseline: of {rules.source}"
            raise UsageError(
                f"the baseline file {choice.shown} ({named}) does not exist; make it with "
                f"'envoxy {command} --write-baseline', or run with --no-baseline"
            )
    judged = judge(
        report.findings,
        keyer,
        surface=surface,
        baseline=baseline,
        coverage=coverage,
        rules=rules,
        command=command,
    )
    final = replace(
        report,
        findings=tuple(sorted(judged.findings, key=sort_key)),
        baselined=judged.baselined,
        run_id=run_id or f"envoxy/{command}/",
        anchor=anchor,
    )
    return ctx.emit(final, args)


def _write(
    ctx: Context,
    report: Report,
    choice: Choice,
    *,
    surface: Surface,
    keyer: Keyer,
    coverage: Coverage,
    command: str,
) -> int:
    from collections import Counter

    from envoxy.baseline import NOT_BASELINED, error_counts, rewrite, update_baseline
    from envoxy.errors import UsageError

    rules = ctx.rules()
    found = error_counts(report.findings, keyer)
    try:
        old = update_baseline(
            choice.fs, choice.shown, lambda old: rewrite(old, surface, coverage.owns, found)
        )
    except OSError as e:
        raise UsageError(f"cannot write the baseline file {choice.shown}: {e.strerror}") from e
    before = {e.key for e in old.entries} if old is not None else set()
    dropped = sum(1 for k in before if k.surface == surface and coverage.owns(k) and k not in found)
    n = sum(found.values())
    out = ctx.stdout
    out.write(
        f"recorded {n} finding{'s' if n != 1 else ''} of 'envoxy {command}' as {len(found)} "
        f"entr{'ies' if len(found) != 1 else 'y'} in {choice.shown} (section {surface!r}"
        f"{f'; {dropped} dropped' if dropped else ''})\n"
    )
    left = Counter(f.rule for f in report.findings if f.severity == "error" and f.rule in NOT_BASELINED)
    if left:
        rules_left = ", ".join(f"{count} {rule}" for rule, count in sorted(left.items()))
        out.write(
            f"not recorded, fix them: {rules_left} (docs/ADOPTING.md says why they cannot be baselined)\n"
        )
    if choice.origin != "rules" and rules.baseline is None:
        out.write(_how_to_reference(ctx, rules, choice) + "\n")
    return 0


def _how_to_reference(ctx: Context, rules: RuleSet, choice: Choice) -> str:
    """How to make every run use the file just written, which no rules file names yet."""
    relative = os.path.relpath(choice.fs, ctx.cwd / rules_directory(rules)).replace(os.sep, "/")
    if shipped(rules):
        return (
            f"no rules.yaml names it: run 'envoxy init' and add 'baseline: {relative}' to the "
            f"rules.yaml it writes, or pass --baseline {choice.shown}"
        )
    return f"use it in every run: add 'baseline: {relative}' to {rules.source}"
