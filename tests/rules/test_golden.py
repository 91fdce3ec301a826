"""Golden rules files: every broken one gives its exact messages and exit 2; valid ones compile
to the column specs beside them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from envoxy.rules import load_rules
from envoxy.rules.artifacts import column_specs
from tests.conftest import DATA, run_cli

INVALID = sorted(p for p in (DATA / "rules" / "invalid").iterdir() if p.is_dir())
VALID = sorted(p for p in (DATA / "rules" / "valid").iterdir() if p.is_dir())


def test_there_are_at_least_25_broken_cases() -> None:
    assert len(INVALID) >= 25


@pytest.mark.parametrize("case", INVALID, ids=lambda p: p.name)
def test_broken_rules_file(case: Path) -> None:
    expected = (case / "expected.txt").read_text(encoding="utf-8")
    result = run_cli("compile", "--check", "--rules", "rules.yaml", cwd=case)
    assert result.code == 2
    assert result.out == ""
    assert result.err == expected
    assert "Traceback" not in result.err


@pytest.mark.parametrize("case", VALID, ids=lambda p: p.name)
def test_valid_rules_file(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(case)
    rules = load_rules("rules.yaml")
    compiled = column_specs(rules)
    compiled["severities"] = dict(rules.severities)
    compiled["model_paths"] = list(rules.model_paths)
    compiled["name_keys"] = list(rules.name_keys)
    assert compiled == json.loads((case / "expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "case",
    [
        "python-object-tag",
        "cyclic-extends",
        "non-utf8",
        "many-problems",
        "lone-surrogate",
        "nul-byte",
        "every-kind-at-once",
    ],
)
def test_broken_rules_in_a_real_process(case: str) -> None:
    """The installed entry point, not just main(): exit 2, the same message, no traceback."""
    proc = subprocess.run(
        [sys.executable, "-m", "envoxy", "compile", "--check", "--rules", "rules.yaml"],
        cwd=DATA / "rules" / "invalid" / case,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr == (DATA / "rules" / "invalid" / case / "expected.txt").read_text()
    assert "Traceback" not in proc.stderr
