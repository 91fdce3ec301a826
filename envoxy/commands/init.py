"""``envoxy init``: write a ``rules.yaml`` inferred from what the project already has.

``envoxy init [--from-migrations DIR] [--from-db URL] [--models PATH ...] [--baseline] [--force]``
reads the tables at the head of the Alembic history (``./alembic.ini`` or ``alembic/versions``
when no source is named) and of a live database, infers the profile the most of them already
follow, lists the model directories, and writes the shipped default's text with those filled in.
``--baseline`` also records today's findings of every check it has a source for, so every check
passes at once and only new violations fail. The file goes to ``./rules.yaml`` (or ``--rules
PATH``); an existing one is left alone (exit 2) unless ``--force``.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from envoxy.adopt.infer import Inference
    from envoxy.adopt.project import Survey
    from envoxy.cli import Context

HELP = "write a rules.yaml inferred from the project's revisions, database and model files"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--from-migrations",
        metavar="DIR",
        help="the Alembic versions directory to infer from (default: the one of ./alembic.ini, else "
        "alembic/versions, when no --from-db is given)",
    )
    parser.add_argument("--from-db", metavar="URL", help="a database to infer from (SQLAlchemy URL)")
    parser.add_argument(
        "--models",
        nargs="+",
        action="extend",
        metavar="PATH",
        help="the model directories or files to list in models.paths (default: the directories "
        "below here holding JSON model files)",
    )
    parser.add_argument(
        "--baseline",
        action="store_true",
        help="also record today's findings in envoxy-baseline.json, so every check passes at once",
    )
    parser.add_argument("--force", action="store_true", help="overwrite an existing rules file")


def _describe_inference(inference: Inference, survey: Survey) -> list[str]:
    if not survey.sources:
        return ["no revisions and no database to infer from: profile legacy (the shipped default)"]
    what = inference.profile
    if inference.profile_spec is not None:
        overrides = ", ".join(f"{lt} {t['sql']}" for lt, t in inference.profile_spec["types"].items())
        base = inference.profile_spec["base"]
        what = f"'{inference.profile}' ({base} with {overrides}, written out under profiles:)"
    sources = "; ".join(s.label for s in survey.sources)
    n = inference.tables
    lines = [f"profile {what}, inferred from {n} table{'s' if n != 1 else ''}: {sources}"]
    width = max((len(t.name) for t in inference.tallies), default=0)
    for tally in inference.tallies:
        seen = ", ".join(f"{ddl} on {n}" for ddl, n in tally.types) or "no column"
        missing = f"; missing on {tally.missing}" if tally.missing else ""
        lines.append(f"  {tally.name:<{width}}  {seen}{missing}")
    lines.extend(f"  note: {note}" for note in inference.notes)
    return lines


def run(args: argparse.Namespace, ctx: Context) -> int:
    import os
    import tempfile
    from pathlib import Path

    from envoxy._io import atomic_write
    from envoxy.adopt.infer import infer_profile
    from envoxy.adopt.project import survey
    from envoxy.adopt.render import rules_text
    from envoxy.commands import _baseline
    from envoxy.errors import UsageError
    from envoxy.report.escape import escape
    from envoxy.rules import load_rules
    from envoxy.rules.loader import default_rules_path

    shown = args.rules or "rules.yaml"
    target = ctx.cwd / shown
    if target.is_dir():
        raise UsageError(f"{shown} is a directory, expected where to write the rules file")
    if os.path.lexists(target) and not args.force:
        raise UsageError(f"{shown} exists; envoxy init leaves it alone (--force overwrites it)")
    shipped = load_rules(default_rules_path())
    found = survey(
        ctx.cwd, shipped, from_migrations=args.from_migrations, from_db=args.from_db, models=args.models
    )
    inference = infer_profile(shipped, found.sources)
    rules_dir = os.path.dirname(os.path.abspath(target))
    model_paths = [
        os.path.relpath(os.path.join(ctx.cwd, d.path), rules_dir).replace(os.sep, "/")
        for d in found.model_directories
    ]
    text = rules_text(
        profile=inference.profile,
        profile_spec=inference.profile_spec,
        model_paths=model_paths,
        baseline=_baseline.FILENAME if args.baseline else None,
        inferred_from=[
            *(loc.shown for loc in found.locations),
            *([found.database_shown] if found.database_shown else []),
            *(d.path for d in found.model_directories),
        ],
    )
    # Compile it before writing: a rules file init writes always loads.
    with tempfile.TemporaryDirectory() as scratch:
        trial = Path(scratch) / "rules.yaml"
        trial.write_text(text, encoding="utf-8")
        load_rules(trial)
    # A link (to an organisation's shared rules file, say) is replaced, never written through:
    # init writes this project's rules, and another project's file stays as it was.
    link = os.readlink(target) if target.is_symlink() else None
    try:
        atomic_write(target, text, follow=False)
    except OSError as e:
        raise UsageError(f"cannot write {shown}: {e.strerror}") from e

    # Names come from the file system, revisions and the database: escaped as reports escape them.
    out = ctx.stdout
    for line in _describe_inference(inference, found):
        out.write(escape(line) + "\n")
    if found.model_directories:
        listed = ", ".join(
            d.path if d.files < 0 else f"{d.path} ({d.files} model file{'s' if d.files != 1 else ''})"
            for d in found.model_directories
        )
        out.write(f"models.paths: {escape(listed)}\n")
    else:
        out.write("models.paths: none found (list model directories there, or pass --models)\n")
    replaced = f" (replacing the symbolic link to {link}, left as it was)" if link is not None else ""
    out.write(f"wrote {escape(shown + replaced)}\n")
    files = [shown]
    if args.baseline:
        files.append(_record(ctx, shown, found))
    # Only ./rules.yaml (or one above) is found without --rules.
    option = "" if shown == "rules.yaml" else f" --rules {shown}"
    commands = f"envoxy validate{option}, envoxy check-migrations{option} and envoxy check-db URL{option}"
    out.write(escape(f"next: run {commands}; commit {' and '.join(files)}") + "\n")
    return 0


def _record(ctx: Context, shown: str, found: Survey) -> str:
    """Record today's findings in the baseline the new rules name; returns its path as shown."""
    from envoxy.adopt.project import record_findings
    from envoxy.baseline import Baseline, Key, update_baseline
    from envoxy.commands.validate import model_paths
    from envoxy.errors import UsageError
    from envoxy.report.escape import escape
    from envoxy.rules import load_rules

    rules = load_rules(shown, cwd=ctx.cwd)
    assert rules.baseline is not None  # init wrote it
    paths = model_paths(rules, str(ctx.cwd)) if rules.model_paths else []
    recorded = record_findings(rules, ctx.cwd, found, paths)

    def keep_the_rest(old: Baseline | None) -> dict[Key, int]:
        """--force over an earlier adoption: the surfaces recorded now are replaced."""
        kept = (e for e in (old.entries if old else ()) if e.key.surface not in recorded.per_surface)
        return {**{e.key: e.count for e in kept}, **recorded.counts}

    try:
        update_baseline(ctx.cwd / rules.baseline, rules.baseline, keep_the_rest)
    except OSError as e:
        raise UsageError(f"cannot write the baseline file {rules.baseline}: {e.strerror}") from e
    parts = ", ".join(f"{n} of {surface}" for surface, n in recorded.per_surface.items())
    ctx.stdout.write(f"recorded today's findings in {rules.baseline}: {parts or 'none'}\n")
    if recorded.unrecorded:
        n = len(recorded.unrecorded)
        ctx.stdout.write(f"not recorded, and failing until fixed ({n} finding{'s' if n != 1 else ''}):\n")
        for f in recorded.unrecorded:
            where = f"{f.path}:{f.line}" if f.path and f.line else (f.path or f.table or "")
            ctx.stdout.write(f"  {escape(where)}: {f.rule} {escape(f.message)}\n")
    return rules.baseline
