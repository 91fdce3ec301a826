"""Editors validate model files with the schema ``envoxy compile`` writes (docs/VALIDATE.md,
*Editors*): the documented settings are valid and point at it, and a ``$schema`` key in a model
file, at the top or in a datum, is metadata to every judge of the file."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from tests.conftest import REPO, run_cli
from tests.integrations.ci_sample import SCHEMA_REF, sample_project
from tests.validate.test_fast_path import RULE_FILES, checker, documents, parsed

DOC = REPO / "docs" / "VALIDATE.md"


def doc_blocks(heading: str) -> list[str]:
    """The ```json blocks of the docs/VALIDATE.md section under ``heading`` (to the next heading)."""
    text = DOC.read_text("utf-8")
    start = text.index(f"\n{heading}\n")
    end = re.compile(r"\n#{2,3} ").search(text, start + len(heading) + 2)
    section = text[start : end.start() if end else len(text)]
    return re.findall(r"```json\n(.*?)```", section, re.S)


def vscode_glob(pattern: str) -> re.Pattern[str]:
    """A ``fileMatch`` pattern as VS Code's JSON language service reads it: globs (``**/`` any
    directories, ``*`` within one) matched against the end of the file's path."""
    out = ""
    for token in re.findall(r"\*\*/|\*|\?|[^*?]+", pattern.lstrip("/")):
        out += {"**/": "(?:[^/]*/)*", "*": "[^/]*", "?": "[^/]"}.get(token) or re.escape(token)
    return re.compile(f"(?:^|/){out}$")


def test_vscode_settings_are_valid_and_name_the_compiled_schema(tmp_path: Path) -> None:
    (block,) = doc_blocks("### VS Code")
    settings_json: dict[str, Any] = json.loads(block)
    project = sample_project(tmp_path)
    (project / ".vscode").mkdir()
    (project / ".vscode" / "settings.json").write_text(block, "utf-8")
    (mapping,) = settings_json["json.schemas"]
    assert set(mapping) == {"fileMatch", "url"}
    assert mapping["url"].startswith("./")  # relative to the workspace folder
    assert (project / mapping["url"]).resolve() == (project / "schemas" / "model.schema.json").resolve()
    patterns = [vscode_glob(p) for p in mapping["fileMatch"]]
    files = sorted(p.relative_to(tmp_path).as_posix() for p in project.rglob("*.json"))
    matched = [f for f in files if any(p.search(f) for p in patterns)]
    assert matched == ["service/models/shop.json", "service/models/users.json"]


def test_documented_schema_reference_validates_clean(tmp_path: Path) -> None:
    """The documented model file, with its ``$schema``, as envoxy and as an editor that follows
    ``$schema`` see it."""
    (block,) = doc_blocks("## Editors")
    document = json.loads(block)
    assert document["$schema"] == SCHEMA_REF
    project = sample_project(tmp_path)
    model = project / "models" / "documented.json"
    model.write_text(block, "utf-8")
    result = run_cli("validate", "--format", "json", cwd=project)
    assert (result.code, result.err) == (0, "")
    assert json.loads(result.out)["summary"] == {
        "files": 3,
        "findings": 0,
        "errors": 0,
        "warnings": 0,
        "baselined": 0,
    }
    for path in (model, project / "models" / "users.json"):
        instance = json.loads(path.read_text("utf-8"))
        schema = json.loads((path.parent / instance["$schema"]).read_text("utf-8"))
        assert list(Draft202012Validator(schema).iter_errors(instance)) == []


def test_schema_reference_does_not_hide_a_finding(tmp_path: Path) -> None:
    project = sample_project(tmp_path)
    model = {"$schema": SCHEMA_REF, "datums": [{"$schema": SCHEMA_REF, "table": "t", "fields": {"id": {}}}]}
    (project / "models" / "t.json").write_text(json.dumps(model, indent=2), "utf-8")
    result = run_cli("validate", "--format", "json", "models/t.json", cwd=project)
    assert result.code == 1
    assert [(f["rule"], f["pointer"], f["field"]) for f in json.loads(result.out)["findings"]] == [
        ("missing-field", "/datums/0/fields", name) for name in ("created", "href", "updated")
    ]


def with_schema_keys(document: object, value: object) -> object:
    """``document`` with ``$schema`` at its top and in each datum of ``datums`` (where objects)."""
    if not isinstance(document, dict):
        return document
    out: dict[str, Any] = {"$schema": value, **document}
    if isinstance(out.get("datums"), list):
        out["datums"] = [{"$schema": value, **d} if isinstance(d, dict) else d for d in out["datums"]]
    return out


@pytest.mark.parametrize("rules_name", sorted(RULE_FILES))
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=documents, value=st.sampled_from([SCHEMA_REF, "", 3, None, {"$ref": "#"}, ["x"]]))
def test_schema_keys_change_no_verdict(rules_name: str, document: object, value: object) -> None:
    """Fast path and jsonschema agree on files with ``$schema`` keys, and find what they find
    without them."""
    check = checker(rules_name)
    plain, marked = parsed(document), parsed(with_schema_keys(document, value))
    fast, reference = check.check(marked), check.check_reference(marked)
    assert sorted(fast.issues, key=repr) == sorted(reference.issues, key=repr)
    assert sorted(fast.issues, key=repr) == sorted(check.check(plain).issues, key=repr)
    assert fast.names == check.check(plain).names


def test_fix_keeps_schema_keys(tmp_path: Path) -> None:
    """``validate --fix`` (issue 9.4) adds declarations and leaves ``$schema`` as written."""
    pytest.importorskip("envoxy.validate.fix", reason="validate --fix is not on this branch yet")
    project = sample_project(tmp_path)
    model = project / "models" / "t.json"
    model.write_text(
        '{\n  "$schema": "../schemas/model.schema.json",\n  "datums": [\n'
        '    {"$schema": "../schemas/model.schema.json", "table": "t",'
        ' "fields": {"id": {"type": "integer"}}}\n'
        "  ]\n}\n",
        "utf-8",
    )
    before = model.read_text("utf-8")
    fixed = run_cli("validate", "--fix", "models/t.json", cwd=project)
    assert fixed.code == 0, fixed.out + fixed.err
    after = model.read_text("utf-8")
    assert after != before
    assert after.startswith('{\n  "$schema": "../schemas/model.schema.json",\n  "datums": [\n')
    assert '    {"$schema": "../schemas/model.schema.json", "table": "t", "fields": {' in after
    assert run_cli("validate", "models/t.json", cwd=project).code == 0
