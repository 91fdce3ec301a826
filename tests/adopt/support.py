"""Helpers for the adoption tests: small projects, and the CLI's JSON report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import REPO, CliResult, run_cli

SHIPPED = (REPO / "envoxy" / "rules" / "default.yaml").read_text(encoding="utf-8")


def rules_yaml(*, paths: str = '["models"]', extra: str = "") -> str:
    """The shipped default with ``models.paths`` set, plus ``extra`` lines at the end."""
    assert "  paths: []\n" in SHIPPED
    return SHIPPED.replace("  paths: []\n", f"  paths: {paths}\n", 1) + extra


def write_json(path: Path, data: Any, *, indent: int | None = 2) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=indent) + "\n", encoding="utf-8")


def report(result: CliResult) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(result.out)
    return data


def findings(result: CliResult) -> list[tuple[str, str | None, str | None, bool]]:
    """(rule, table, field, baselined) of each finding of a ``--format json`` run."""
    return [(f["rule"], f["table"], f["field"], bool(f.get("baselined"))) for f in report(result)["findings"]]


def cli(cwd: Path, *argv: str) -> CliResult:
    return run_cli(*argv, cwd=cwd)


def datum(table: str, *missing: str, wrong: str | None = None) -> dict[str, Any]:
    """A datum declaring the four required fields except ``missing``; ``wrong`` as an integer."""
    fields: dict[str, Any] = {
        "id": {"type": "string", "format": "uuid"},
        "created": {"type": "string", "format": "date-time"},
        "updated": {"type": "string", "format": "date-time"},
        "href": {"type": "string"},
        "name": {"type": "string"},
    }
    for name in missing:
        del fields[name]
    if wrong is not None:
        fields[wrong] = {"type": "integer"}
    return {"table": table, "fields": fields}
