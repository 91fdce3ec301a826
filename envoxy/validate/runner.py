"""The validator from paths to a :class:`Report`: discover, load, check, locate, and judge the
exemptions of ``rules.yaml`` against the datums seen.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from envoxy.checks.engine import Verdict
from envoxy.findings import Finding, Report
from envoxy.rules.catalog import RuleId
from envoxy.rules.model import RuleSet
from envoxy.tables import exemption_findings, make_finding
from envoxy.validate.checker import Checker
from envoxy.validate.checks import Site, SiteTable, cross_file_verdicts
from envoxy.validate.discovery import Target, discover
from envoxy.validate.loader import Unparsable, load
from envoxy.validate.positions import Pointer, format_pointer, locate

__all__ = ["FileResult", "check_file", "validate"]

# Below this many files one process is faster than starting workers.
_PARALLEL_MIN_FILES = 400


def _finding(
    rules: RuleSet,
    rule: RuleId,
    message: str,
    *,
    path: str,
    table: str | None = None,
    field: str | None = None,
    line: int | None = None,
    column: int | None = None,
    pointer: str | None = None,
) -> Finding | None:
    return make_finding(
        rules,
        rule,
        message,
        table=table,
        field=field,
        path=path,
        line=line,
        column=column,
        pointer=pointer,
    )


@dataclass(frozen=True, slots=True)
class FileResult:
    findings: tuple[Finding, ...]
    names: frozenset[str]


def check_file(checker: Checker, target: Target) -> FileResult:
    """Every finding of one file (a parse error is one finding), and the names of its datums.
    (The checks that compare datums across files need the whole run: :func:`validate`.)"""
    findings, names, _ = _check_target(checker, target)
    return FileResult(tuple(findings), frozenset(names))


def _check_target(checker: Checker, target: Target) -> tuple[list[Finding], set[str], list[Site]]:
    rules = checker.rules
    loaded = load(target.fs, known_regular=target.known_regular)
    if isinstance(loaded, Unparsable):
        f = _finding(
            rules, "parse-error", loaded.message, path=target.shown, line=loaded.line, column=loaded.column
        )
        return ([f] if f else []), set(), []
    checked = checker.check(loaded)
    judged: list[tuple[Pointer, Verdict]] = []
    sites: list[Site] = []
    if checker.model_checks is not None:
        judged, sites = checker.model_checks.judge(loaded.root)
    if not checked.issues and not judged:
        return [], checked.names, sites
    pointers = [i.pointer for i in checked.issues] + [p for p, _ in judged]
    where = locate(loaded.text(), pointers, unique_keys=not loaded.repeats)
    found = []
    for issue in checked.issues:
        line, column = where.get(issue.pointer, (None, None))
        f = _finding(
            rules,
            issue.rule,
            issue.message,
            path=target.shown,
            table=issue.table,
            field=issue.field,
            line=line,
            column=column,
            pointer=format_pointer(issue.pointer),
        )
        if f is not None:
            found.append(f)
    for pointer, verdict in judged:
        line, column = where.get(pointer, (None, None))
        found.append(_check_finding(verdict, target.shown, pointer, line, column))
    return found, checked.names, sites


def _check_finding(
    verdict: Verdict, path: str, pointer: Pointer, line: int | None, column: int | None
) -> Finding:
    return Finding(
        rule=verdict.check,
        severity=verdict.severity,
        message=verdict.message,
        path=path,
        line=line,
        column=column,
        pointer=format_pointer(pointer),
        table=verdict.table,
        field=verdict.column,
    )


Part = tuple[list[Finding], set[str], SiteTable]


def _check_files(checker: Checker, targets: Sequence[Target], first: int = 0) -> Part:
    """The findings of ``targets``, which of their datums' names ``rules.yaml`` exempts (all
    that the exemption findings need: a large tree holds millions of names), and their named
    datums when a check compares datums across files."""
    exempted = checker.exempted
    findings: list[Finding] = []
    seen: set[str] = set()
    sited = SiteTable()
    for number, target in enumerate(targets, first):
        found, names, sites = _check_target(checker, target)
        if found:
            findings.extend(found)
        if exempted and names:
            seen.update(exempted.intersection(names))
        if sites:
            sited.add(number, sites)
    return findings, seen, sited


def _cross_file_findings(rules: RuleSet, targets: Sequence[Target], sited: SiteTable) -> list[Finding]:
    """The findings of the checks that compare datums across files, located in the (few) files
    they are about, which are read again for it."""
    verdicts = cross_file_verdicts(rules, sited)
    by_file: dict[Target, list[tuple[Pointer, Verdict]]] = {}
    for number, pointer, verdict in verdicts:
        by_file.setdefault(targets[number], []).append((pointer, verdict))
    found = []
    for target, judged in by_file.items():
        loaded = load(target.fs, known_regular=target.known_regular)
        where = (
            {}
            if isinstance(loaded, Unparsable)
            else locate(loaded.text(), [p for p, _ in judged], unique_keys=not loaded.repeats)
        )
        for pointer, verdict in judged:
            line, column = where.get(pointer, (None, None))
            found.append(_check_finding(verdict, target.shown, pointer, line, column))
    return found


# -- running over many files -------------------------------------------------------------------


def _auto_jobs(n_files: int) -> int:
    if n_files < _PARALLEL_MIN_FILES:
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


def _chunk_size(n_files: int, jobs: int) -> int:
    """Chunks small enough that the workers finish together (a busy CPU takes fewer), large
    enough that a chunk's result is worth a message."""
    from envoxy.validate.pool import MAX_TASKS

    return max(16, min(256, -(-n_files // (jobs * 16))), -(-n_files // MAX_TASKS))


def _can_fork() -> bool:
    """A forked child has one thread: with others running, a lock one of them held (the import
    lock, a logging handler's) would stay held in the child forever."""
    threading = sys.modules.get("threading")
    return hasattr(os, "fork") and (threading is None or threading.active_count() == 1)


def _check_parallel(checker: Checker, targets: Sequence[Target], jobs: int) -> list[Part]:
    size = _chunk_size(len(targets), jobs) if jobs > 1 else len(targets)
    chunks = -(-len(targets) // size) if size else 0
    if chunks < 2 or not _can_fork():
        return [_check_files(checker, targets)]
    from envoxy.validate.pool import run_forked

    def work(chunk: int) -> Part:  # inherited by the forked workers
        return _check_files(checker, targets[chunk * size : (chunk + 1) * size], chunk * size)

    return run_forked(work, chunks, min(jobs, chunks))


def validate(
    rules: RuleSet, paths: Sequence[str], *, jobs: int | None = None, today: dt.date | None = None
) -> Report:
    """Check the model files under ``paths`` (files or directories) against ``rules``.

    ``jobs``: worker processes (``None``: one per CPU for large trees, else one).
    Raises :class:`envoxy.errors.UsageError` when a path does not exist.
    """
    found = discover(paths)
    checker = Checker(rules)
    n = len(found.targets)
    jobs = _auto_jobs(n) if jobs is None or jobs <= 0 else jobs
    parts = _check_parallel(checker, found.targets, jobs)
    findings: list[Finding] = [f for part, _, _ in parts for f in part]
    sited = SiteTable()
    for _, _, part in parts:
        sited.extend(part)
    if sited.names:
        findings.extend(_cross_file_findings(rules, found.targets, sited))
    for issue in found.issues:
        f = _finding(rules, "parse-error", issue.message, path=issue.shown)
        if f is not None:
            findings.append(f)
    names = set().union(*(seen for _, seen, _ in parts))
    # Only a run over whole directories sees every datum; a list of files (pre-commit's staged
    # files) would report every other file's exemptions as unused.
    whole_trees = any(os.path.isdir(p) for p in paths)
    findings.extend(exemption_findings(rules, names, today=today, unused=whole_trees))
    return Report.build(findings, files=n + len(found.issues))
