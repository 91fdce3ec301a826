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
import sqlalchemy as sa

from tests.conftest import DATA, REPO, run_cli

CASES_DIR = DATA / "migrations"
CASES = sorted(p.name for p in CASES_DIR.iterdir() if (p / "case.json").is_file())


def _case(name: str) -> dict[str, Any]:
    case: dict[str, Any] = json.loads((CASES_DIR / name / "case.json").read_text(encoding="utf-8"))
    return case


# An ORM Session bound to op.get_bind() asks the connection first for get_transaction on
# SQLAlchemy 2.1, for in_nested_transaction on 2.0, and the scan's message names what was asked.
# The goldens hold 2.1's words; .ci/run also runs the suite on SQLAlchemy's floor, a 2.0.
_SESSION_ASKS = (
    (
        "op.get_bind() is an offline stand-in during the scan and has no 'in_nested_transaction'",
        "op.get_bind() is an offline stand-in during the scan and has no 'get_transaction'",
    )
    if tuple(int(part) for part in sa.__version__.split(".")[:2]) < (2, 1)
    else None
)


def as_on_sqlalchemy_2_1(report: dict[str, Any]) -> dict[str, Any]:
    """``report`` as SQLAlchemy 2.1 makes it: the goldens' words on any SQLAlchemy envoxy takes."""
    if _SESSION_ASKS is None:
        return report
    said: dict[str, Any] = json.loads(json.dumps(report).replace(*_SESSION_ASKS))
    return said


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
    return result.code, as_on_sqlalchemy_2_1(json.loads(result.out))


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


def test_per_op_and_head_state_agree_on_a_dropped_primary_key() -> None:
    """A key dropped by its default name, by ``type_`` or by its own name is reported by the op
    that dropped it, per op and at head alike (same rule, table, field, file and line)."""
    expected = json.loads((CASES_DIR / "primary_keys" / "expected.json").read_text(encoding="utf-8"))

    def keys(run: str) -> set[tuple[str, str, str, str, int]]:
        return {
            (f["rule"], f["table"], f["field"], f["path"], f["line"])
            for f in expected[run]["report"]["findings"]
            if f["rule"] == "missing-primary-key"
        }

    dropped = {
        ("missing-primary-key", "invoices", "id", "versions/p2_keys.py", 12),  # type_="primary"
        ("missing-primary-key", "shipments", "id", "versions/p2_keys.py", 13),  # its own name
        ("missing-primary-key", "ledger", "id", "versions/p2_keys.py", 24),  # add_column made none
    }
    assert dropped <= keys("plain")
    assert dropped <= keys("head-state")
    # orders_pkey dropped without type_, by PostgreSQL's name for it, and put back later
    assert ("missing-primary-key", "orders", "id", "versions/p2_keys.py", 11) in keys("plain")
    assert not any(k[1] == "orders" for k in keys("head-state"))
