"""Golden cases: ``tests/data/validate/<case>/`` holds ``models/`` (the input), optionally its own
``rules.yaml`` (else the shared ``tests/data/validate/rules.yaml``), and ``expected.json``: the
exact ``--format json`` output of ``python -m envoxy.validate models`` run in the case directory.

``ENVOXY_REGENERATE_GOLDEN=1 pytest tests/validate/test_golden.py`` rewrites the expected files;
review the diff before committing it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from envoxy.validate import loader
from tests.conftest import DATA, run_cli

CASES = DATA / "validate"
CASE_NAMES = sorted(p.name for p in CASES.iterdir() if (p / "models").is_dir())


def run_case(case: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    rules = "rules.yaml" if (case / "rules.yaml").exists() else "../rules.yaml"
    result = run_cli("--rules", rules, "--format", "json", *args, only="validate", cwd=case)
    return result.code, json.loads(result.out) if result.out else {}, result.err


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVOXY_CACHE_DIR", str(tmp_path / "cache"))


def test_every_case_has_expected_findings() -> None:
    assert CASE_NAMES, "no golden cases found"
    missing = [name for name in CASE_NAMES if not (CASES / name / "expected.json").exists()]
    assert not missing or os.environ.get("ENVOXY_REGENERATE_GOLDEN")


@pytest.mark.parametrize("parser", ["default", "json-only"])
@pytest.mark.parametrize("name", CASE_NAMES)
def test_golden(name: str, parser: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if parser == "json-only":  # without orjson: the same findings
        monkeypatch.setattr(loader, "_orjson", None)
    case = CASES / name
    code, report, err = run_case(case, "models")
    expected_file = case / "expected.json"
    if os.environ.get("ENVOXY_REGENERATE_GOLDEN"):
        expected_file.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    expected = json.loads(expected_file.read_text(encoding="utf-8"))
    assert err == ""
    assert report == expected
    assert code == (1 if expected["summary"]["errors"] else 0)


@pytest.mark.parametrize("name", CASE_NAMES)
def test_golden_findings_are_stable_across_runs(name: str) -> None:
    first = run_case(CASES / name, "models")
    second = run_case(CASES / name, "models")
    assert first == second


def test_naming_files_only_does_not_report_unused_exemptions() -> None:
    """pre-commit passes the staged files: exemptions of other files are not 'unused'."""
    case = CASES / "exemptions"
    _, whole, _ = run_case(case, "models")
    code, some, err = run_case(case, "models/events.json", "models/dupes.json")
    assert err == ""
    unused = [f for f in whole["findings"] if f["rule"] == "unused-exemption"]
    assert [f["table"] for f in unused] == ["removed_table"]
    assert some["findings"] == [f for f in whole["findings"] if f["rule"] != "unused-exemption"]
    assert code == 1
