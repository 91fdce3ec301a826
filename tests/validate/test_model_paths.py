"""Without PATH arguments the validator checks the ``models.paths`` of rules.yaml, relative to the
directory of the rules file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import REPO, CliResult, run_cli

SHIPPED = (REPO / "tests" / "data" / "validate" / "rules.yaml").read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVOXY_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("ENVOXY_RULES", raising=False)


def project(tmp_path: Path, paths: str) -> Path:
    root = tmp_path / "project"
    (root / "models" / "shop").mkdir(parents=True)
    (root / "legacy").mkdir()
    (root / "rules.yaml").write_text(SHIPPED.replace('paths: ["models"]', f"paths: {paths}"))
    (root / "models" / "shop" / "a.json").write_text(json.dumps({"table": "a", "fields": {}}))
    (root / "legacy" / "b.json").write_text("[")
    return root


def paths_found(result: CliResult) -> list[tuple[str, str]]:
    return [(f["path"], f["rule"]) for f in json.loads(result.out)["findings"]]


def test_model_paths_relative_to_the_rules_file(tmp_path: Path) -> None:
    root = project(tmp_path, '["models", "legacy/b.json"]')
    here = run_cli("--format", "json", only="validate", cwd=root)
    assert here.code == 1, here.err
    assert paths_found(here) == [
        ("legacy/b.json", "parse-error"),
        *[("models/shop/a.json", "missing-field")] * 4,
    ]
    below = run_cli("--format", "json", only="validate", cwd=root / "models" / "shop")
    assert below.code == 1, below.err
    assert paths_found(below) == [
        ("../../legacy/b.json", "parse-error"),
        *[("../../models/shop/a.json", "missing-field")] * 4,
    ]


def test_missing_model_path_is_a_usage_error(tmp_path: Path) -> None:
    root = project(tmp_path, '["models", "gone"]')
    result = run_cli(only="validate", cwd=root)
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "envoxy: models.paths entry 'gone' of rules.yaml does not exist (looked for "
        "gone); fix rules.yaml or name paths on the command line\n"
    )


def test_no_model_paths_is_a_usage_error(tmp_path: Path) -> None:
    root = project(tmp_path, "[]")
    result = run_cli(only="validate", cwd=root)
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "envoxy: no paths given and the rules file names no models.paths; name model "
        "files or directories on the command line\n"
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1000", "argument -j/--jobs: 1000 is out of range, expected 0 (automatic) to 64"),
        ("two", "argument -j/--jobs: 'two' is not a whole number"),
    ],
)
def test_jobs_out_of_range_is_a_usage_error(
    value: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli("--jobs", value, "models", only="validate")
    assert result.code == 2
    assert capsys.readouterr().err.rstrip().endswith(message)
