"""Findings are data, not prose: reporters render them."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from envoxy.checks.model import Check

__all__ = ["Finding", "Report", "Severity", "sort_key"]

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One violation, located as precisely as the input allows.

    ``line``/``column`` are 1-based (columns count code points) and point at the node that
    ``pointer`` (RFC 6901) names; for revision scripts ``line`` is the first line of the ``op.``
    call and ``pointer`` is ``None``; for ``check-db`` ``path`` is ``None``.
    """

    rule: str
    severity: Severity
    message: str
    path: str | None = None
    line: int | None = None
    column: int | None = None
    pointer: str | None = None
    table: str | None = None
    field: str | None = None
    # (``dataclasses.field``: the attribute ``field`` above shadows the name in this body)
    key: str | None = dataclasses.field(default=None, compare=False, repr=False)
    """The finding's logical identity (rule, table, field and file, revision or schema; never a
    line), as :mod:`envoxy.baseline` computes it; ``None`` where no baseline key applies. Not part
    of the JSON output; SARIF fingerprints hash it."""

    def to_json(self) -> dict[str, Any]:
        """The contract's JSON shape, keys in the documented order."""
        return {
            "rule": self.rule,
            "severity": self.severity,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "pointer": self.pointer,
            "table": self.table,
            "field": self.field,
            "message": self.message,
        }


def sort_key(f: Finding) -> tuple[Any, ...]:
    """Deterministic order: by path, then position, then rule and field."""
    return (
        f.path or "",
        f.line if f.line is not None else -1,
        f.column if f.column is not None else -1,
        f.rule,
        f.table or "",
        f.field or "",
        f.message,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    """What one run found: the findings and how many inputs were examined.

    ``findings`` are the ones that count; ``baselined`` those a baseline entry accepts (they do
    not count toward the exit status; only ``json`` shows them). ``run_id`` names the command
    for SARIF's ``automationDetails.id``; ``anchor`` is the file that formats needing a file for
    every finding (SARIF on GitHub) use for findings without a path (``check-db``'s).
    """

    findings: tuple[Finding, ...]
    files: int
    unit: str = "file"  # what ``files`` counts, for people: "file", "table"
    tool: str = "envoxy"
    baselined: tuple[Finding, ...] = ()
    run_id: str | None = None
    anchor: str | None = None
    checks: tuple[Check, ...] = ()
    """The ``checks:`` of the rules in force (SARIF describes them as it describes the rules)."""

    @classmethod
    def build(
        cls, findings: Iterable[Finding], *, files: int, unit: str = "file", tool: str = "envoxy"
    ) -> Report:
        return cls(findings=tuple(sorted(findings, key=sort_key)), files=files, unit=unit, tool=tool)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning")

    @property
    def exit_code(self) -> int:
        return 1 if self.errors else 0

    def summary(self) -> dict[str, int]:
        """Counts of the findings that count; ``baselined`` is always present (0 without a
        baseline), so consumers see one shape."""
        return {
            "files": self.files,
            "findings": len(self.findings),
            "errors": self.errors,
            "warnings": self.warnings,
            "baselined": len(self.baselined),
        }
