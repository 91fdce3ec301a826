"""Findings are data, not prose: reporters render them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

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
    """What one run found: the findings and how many inputs were examined."""

    findings: tuple[Finding, ...]
    files: int
    unit: str = "file"  # what ``files`` counts, for people: "file", "table"
    tool: str = "envoxy"

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
        return {
            "files": self.files,
            "findings": len(self.findings),
            "errors": self.errors,
            "warnings": self.warnings,
        }
