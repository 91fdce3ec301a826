"""GitLab code quality: the subset of the Code Climate issue format GitLab reads.

A JSON array with one object per finding: ``description``, ``check_name`` (the rule id),
``fingerprint``, ``severity`` and ``location`` (``path`` relative to the repository,
``lines.begin``). GitLab drops an entry that lacks any of them, and shows only the first of
entries sharing a fingerprint, so every finding gets all of them:

- ``fingerprint`` hashes the identity SARIF's fingerprint hashes (the baseline key, else the
  rule and the finding's place by name), never its line, so the merge request widget still
  matches a finding after lines move; the n-th finding sharing it is hashed with n, so each is
  its own entry.
- a finding without a position is placed at line 1 of its file; one without a file (``check-db``
  judges tables) at line 1 of ``Report.anchor``, the rules file it breaks.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import Any, TextIO

from envoxy.findings import Finding, Report
from envoxy.report.sarif import identity

__all__ = ["SEVERITY", "fingerprints", "render", "to_gitlab"]

# GitLab's severities: info, minor, major, critical, blocker.
SEVERITY = {"error": "major", "warning": "minor"}
_NO_FILE = "rules.yaml"


def fingerprints(findings: tuple[Finding, ...]) -> list[str]:
    """One fingerprint per finding, in order: stable across line moves, unique in the report."""
    seen: Counter[str] = Counter()
    out = []
    for f in findings:
        who = identity(f)
        seen[who] += 1
        text = f"{who}\n{seen[who]}"
        out.append(hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32])
    return out


def _path(path: str | None, anchor: str | None) -> str:
    """Relative to the repository, as GitLab wants it: no leading ``./``."""
    path = path or anchor
    if not path:
        return _NO_FILE
    while path.startswith("./") and len(path) > 2:
        path = path[2:]
    return path


def _issue(f: Finding, fingerprint: str, anchor: str | None) -> dict[str, Any]:
    where = "" if f.path is not None or not f.table else f"table {f.table}: "
    return {
        "description": where + f.message,
        "check_name": f.rule,
        "fingerprint": fingerprint,
        "severity": SEVERITY[f.severity],
        "location": {"path": _path(f.path, anchor), "lines": {"begin": f.line or 1}},
    }


def to_gitlab(report: Report) -> list[dict[str, Any]]:
    marks = fingerprints(report.findings)
    return [_issue(f, mark, report.anchor) for f, mark in zip(report.findings, marks, strict=True)]


def render(report: Report, stream: TextIO, color: bool) -> None:
    json.dump(to_gitlab(report), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
