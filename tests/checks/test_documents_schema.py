"""schemas/checks-documents.schema.json: written by ``envoxy compile`` when rules.yaml has checks,
checked by ``compile --check``, and true of the documents every example builds."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from envoxy.checks.documents_schema import documents_schema
from envoxy.rules import load_rules
from tests.checks.test_examples import EXAMPLES, full_documents, model_documents
from tests.conftest import REPO, run_cli

EXAMPLE_RULES = REPO / "examples" / "checks" / "rules.yaml"


def test_compile_writes_and_checks_it(tmp_path: Path) -> None:
    shutil.copy(EXAMPLE_RULES, tmp_path / "rules.yaml")
    assert run_cli("compile", cwd=tmp_path).code == 0
    written = json.loads((tmp_path / "schemas" / "checks-documents.schema.json").read_text(encoding="utf-8"))
    assert written == documents_schema(["uuid", "timestamp", "text"])
    Draft202012Validator.check_schema(written)
    assert run_cli("compile", "--check", cwd=tmp_path).code == 0
    (tmp_path / "schemas" / "checks-documents.schema.json").write_text("{}\n", encoding="utf-8")
    drift = run_cli("compile", "--check", cwd=tmp_path)
    assert drift.code == 1
    assert drift.out == "schemas/checks-documents.schema.json is out of date; run 'envoxy compile'\n"


def test_not_written_without_checks(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text("version: 1\n", encoding="utf-8")
    assert run_cli("compile", cwd=tmp_path).code == 0
    assert sorted(p.name for p in (tmp_path / "schemas").iterdir()) == ["columns.json", "model.schema.json"]


@pytest.mark.parametrize("check_id", sorted(EXAMPLES))
def test_every_example_document_is_valid(check_id: str) -> None:
    rules = load_rules(REPO / "examples" / "checks" / EXAMPLES[check_id]["file"])
    validator = Draft202012Validator(documents_schema([t.name for t in rules.logical_types]))
    for tables in (EXAMPLES[check_id]["bad"], EXAMPLES[check_id]["good"]):
        for doc in [*full_documents(rules, tables), *model_documents(tables)]:
            validator.validate(doc)
            for column in doc["columns"]:
                validator.validate(column)
