"""The validator from paths to a :class:`Report`: discover, load, check, locate, and judge the
exemptions of ``rules.yaml`` against the datums seen.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass

from envoxy.findings import Finding, Report
from envoxy.rules.catalog import RuleId
from envoxy.rules.model import RuleSet
from envoxy.tables import exemption_findings, make_finding
from envoxy.validate.checker import Checker
from envoxy.validate.discovery import Target, discover
from envoxy.validate.loader import Unparsable, load
from envoxy.validate.positions import format_pointer, locate

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
    """Every finding of one file (a parse error is one finding)."""
    rules = checker.rules
    loaded = load(target.fs, known_regular=target.known_regular)
    if isinstance(loaded, Unparsable):
        f = _finding(
            rules, "parse-error", loaded.message, path=target.shown, line=loaded.line, column=loaded.column
        )
        return FileResult((f,) if f else (), frozenset())
    checked = checker.check(loaded)
    where = locate(loaded.text(), (i.pointer for i in checked.issues)) if checked.issues else {}
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
    return FileResult(tuple(found), frozenset(checked.names))


# -- running over many files -------------------------------------------------------------------

_worker_checker: Checker | None = None


def _check_chunk(chunk: Sequence[Target]) -> list[FileResult]:
    assert _worker_checker is not None
    return [check_file(_worker_checker, t) for t in chunk]


def _auto_jobs(n_files: int) -> int:
    if n_files < _PARALLEL_MIN_FILES:
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


def _run_parallel(checker: Checker, targets: Sequence[Target], jobs: int) -> list[FileResult]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _worker_checker
    # fork: workers inherit the compiled rules and the checker instead of unpickling them.
    context = multiprocessing.get_context("fork")
    _worker_checker = checker
    size = max(16, len(targets) // (jobs * 8))
    chunks = [targets[i : i + size] for i in range(0, len(targets), size)]
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            return [r for rs in pool.map(_check_chunk, chunks) for r in rs]
    finally:
        _worker_checker = None


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


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
    if jobs > 1 and n > 1 and _can_fork():
        results = _run_parallel(checker, found.targets, min(jobs, n))
    else:
        results = [check_file(checker, t) for t in found.targets]
    findings: list[Finding] = [f for r in results for f in r.findings]
    for issue in found.issues:
        f = _finding(rules, "parse-error", issue.message, path=issue.shown)
        if f is not None:
            findings.append(f)
    names = set().union(*(r.names for r in results)) if results else set()
    # Only a run over whole directories sees every datum; a list of files (pre-commit's staged
    # files) would report every other file's exemptions as unused.
    whole_trees = any(os.path.isdir(p) for p in paths)
    findings.extend(exemption_findings(rules, names, today=today, unused=whole_trees))
    return Report.build(findings, files=n + len(found.issues))
