"""Golden revision histories, run through the real CLI: exact findings for every run.

Each ``tests/data/migrations/<case>/`` holds ``versions/``, ``case.json`` (the runs: name ->
extra arguments, given after ``--rules`` of the shipped rules.yaml) and ``expected.json`` (run
name -> the exact ``--format json`` output and exit status). ``ENVOXY_REGEN_GOLDEN=1`` rewrites
``expected.json`` from the current output; review the diff before committing it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import DATA, REPO, run_cli

CASES_DIR = DATA / "migrations"
CASES = sorted(p.name for p in CASES_DIR.iterdir() if (p / "case.json").is_file())


def _case(name: str) -> dict[str, Any]:
    case: dict[str, Any] = json.loads((CASES_DIR / name / "case.json").read_text(encoding="utf-8"))
    return case


def run_case(case: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    result = run_cli(
        "check-migrations",
        "versions",
        "--rules",
        str(REPO / "rules.yaml"),
        "--format",
        "json",
        *extra,
        cwd=case,
    )
    assert result.err == ""
    return result.code, json.loads(result.out)


@pytest.mark.parametrize("name", CASES)
def test_golden_history(name: str, native_rules: Path) -> None:
    """``{native}`` in a run's arguments is the shipped rules.yaml with ``profile: native``."""
    case = CASES_DIR / name
    actual = {}
    for run, extra in _case(name)["runs"].items():
        code, report = run_case(case, *(a.replace("{native}", str(native_rules)) for a in extra))
        actual[run] = {"exit": code, "report": report}
    expected_path = case / "expected.json"
    if os.environ.get("ENVOXY_REGEN_GOLDEN") == "1":
        expected_path.write_text(json.dumps(actual, indent=2) + "\n", encoding="utf-8")
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    assert actual == expected


def test_every_op_kind_and_the_issue_case_are_covered() -> None:
    """The cases the issue asks for exist and say what they must."""
    href = json.loads((CASES_DIR / "href_later" / "expected.json").read_text(encoding="utf-8"))
    plain = [
        (f["rule"], f["table"], f["field"], f["path"], f["line"]) for f in href["plain"]["report"]["findings"]
    ]
    assert plain == [("missing-field", "orders", "href", "versions/r1_orders.py", 10)]
    assert href["head-state"] == {
        "exit": 0,
        "report": {
            "findings": [],
            "summary": {"files": 3, "findings": 0, "errors": 0, "warnings": 0, "baselined": 0},
        },
    }
