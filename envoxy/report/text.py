"""``path:line:col: rule message``, one finding a line, then a summary line and, when something
was found, a hint naming ``envoxy explain`` for the rules that fired.

Names and messages arrive escaped (:mod:`envoxy.report.escape`), so each finding is one line.
"""

from __future__ import annotations

from collections import Counter
from typing import TextIO

from envoxy.findings import Finding, Report
from envoxy.rules.catalog import RULES

__all__ = ["explain_hint", "format_finding", "render"]

_RED, _YELLOW, _BOLD, _RESET = "\033[31m", "\033[33m", "\033[1m", "\033[0m"


def _line_safe(path: str) -> str:
    """``path`` such that a line starting with it is no GitHub Actions command (``::error…``,
    read after leading spaces; the location is followed by ``:``, so a path starting with one
    colon would make two): ``./`` in front names the same file."""
    return "./" + path if path.lstrip(" ").startswith(":") else path


def _location(f: Finding) -> str:
    if f.path is None:
        return f"table {f.table}" if f.table else "<database>"
    parts = [_line_safe(f.path)]
    if f.line is not None:
        parts.append(str(f.line))
        if f.column is not None:
            parts.append(str(f.column))
    return ":".join(parts)


def format_finding(f: Finding, *, color: bool = False) -> str:
    suffix = " [warning]" if f.severity == "warning" else ""
    if not color:
        return f"{_location(f)}: {f.rule} {f.message}{suffix}"
    tint = _RED if f.severity == "error" else _YELLOW
    return f"{_BOLD}{_location(f)}:{_RESET} {tint}{f.rule}{_RESET} {f.message}{suffix}"


def _summary(report: Report) -> str:
    files = f"{report.files} {report.unit}{'s' if report.files != 1 else ''}"
    baselined = f" ({len(report.baselined)} baselined)" if report.baselined else ""
    if not report.findings:
        return f"No findings in {files}{baselined}."
    e, w = report.errors, report.warnings
    return (
        f"{len(report.findings)} finding{'s' if len(report.findings) != 1 else ''} in {files}: "
        f"{e} error{'s' if e != 1 else ''}, {w} warning{'s' if w != 1 else ''}{baselined}."
    )


def explain_hint(report: Report) -> str | None:
    """``Run 'envoxy explain missing-field' (or wrong-type) for why and how to fix.``: the rules
    (and checks of rules.yaml) that fired, the most frequent first; ``None`` when none did."""
    known = RULES.keys() | {c.id for c in report.checks}
    counts = Counter(f.rule for f in report.findings if f.rule in known)
    if not counts:
        return None
    first, *others = sorted(counts, key=lambda rule: (-counts[rule], rule))
    also = f" (or {', '.join(others)})" if others else ""
    return f"Run 'envoxy explain {first}'{also} for why and how to fix."


def render(report: Report, stream: TextIO, color: bool) -> None:
    for f in report.findings:
        stream.write(format_finding(f, color=color) + "\n")
    stream.write(_summary(report) + "\n")
    hint = explain_hint(report)
    if hint is not None:
        stream.write(hint + "\n")
