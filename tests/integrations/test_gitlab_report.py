"""``--format gitlab``: GitLab's code quality report, valid against the shape GitLab reads
(tests/data/gitlab-codequality.schema.json), with fingerprints that survive line moves."""

from __future__ import annotations

import dataclasses
import io
import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from envoxy.findings import Finding, Report
from envoxy.report import render
from tests.conftest import DATA, REPO, run_cli
from tests.test_reporters import REPORT


@cache
def validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads((DATA / "gitlab-codequality.schema.json").read_text("utf-8")))


def gitlab(report: Report) -> list[dict[str, Any]]:
    out = io.StringIO()
    render(report, "gitlab", out)
    issues: list[dict[str, Any]] = json.loads(out.getvalue())
    assert sorted(validator().iter_errors(issues), key=str) == []
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    return issues


def issue(
    description: str, rule: str, fingerprint: str, severity: str, path: str, line: int
) -> dict[str, Any]:
    return {
        "description": description,
        "check_name": rule,
        "fingerprint": fingerprint,
        "severity": severity,
        "location": {"path": path, "lines": {"begin": line}},
    }


def test_golden() -> None:
    """Fingerprints are pinned: a change reopens every issue in every merge request."""
    assert gitlab(REPORT) == [
        issue(
            "table users: table 'users' lacks required column 'href' (TEXT NOT NULL)",
            "missing-field",
            "cf6606b895b55dd49ae4bb617bcae779",
            "major",
            "rules.yaml",  # check-db judges tables, not files: the rules they break
            1,
        ),
        issue(
            "datum 'products' lacks required field 'href'",
            "missing-field",
            "cc3827066cf076aac2c0345b1972def2",
            "major",
            "models/a,weird:name.json",
            12,
        ),
        issue(
            "field 'id' of datum 'b' is declared as integer, expected string",
            "wrong-type",
            "1cb3408e955550303f23c48452a3e4d2",
            "major",
            "models/b.json",
            3,
        ),
        issue(
            "exemption for table 'ghost' matches nothing\\nsecond line 100%",
            "unused-exemption",
            "7dbbd19f069b9f043db8f37d83444b7c",
            "minor",
            "rules.yaml",
            1,  # no position known
        ),
    ]


def test_fingerprints_ignore_lines_and_columns_and_number_repeats() -> None:
    (f,) = [f for f in REPORT.findings if f.rule == "wrong-type"]
    moved = dataclasses.replace(f, line=f.line + 40 if f.line else 1, column=1)
    (before,), (after,) = gitlab(Report.build([f], files=1)), gitlab(Report.build([moved], files=1))
    assert before["fingerprint"] == after["fingerprint"]
    assert before["location"] != after["location"]
    # Two ops of one revision dropping the same column: two issues, each kept by GitLab.
    drop = Finding(
        rule="dropped-field", severity="error", message="m", path="v/a.py", line=3, table="t", field="href"
    )
    twice = gitlab(Report.build([drop, dataclasses.replace(drop, line=9)], files=1))
    assert [i["location"]["lines"]["begin"] for i in twice] == [3, 9]
    assert twice[0]["fingerprint"] != twice[1]["fingerprint"]
    other = gitlab(Report.build([dataclasses.replace(drop, field="id")], files=1))
    assert other[0]["fingerprint"] not in {i["fingerprint"] for i in twice}


def test_paths_are_relative_to_the_repository_without_dot_slash(tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    (models / "a.json").write_text('{"table": "a",\n "fields": {"id": {}, "created": {}, "updated": {}}}\n')
    result = run_cli(
        "validate", "--rules", str(REPO / "rules.yaml"), "--format", "gitlab", "./models", cwd=tmp_path
    )
    assert (result.code, result.err) == (1, "")
    issues = json.loads(result.out)
    assert sorted(validator().iter_errors(issues), key=str) == []
    assert [(i["check_name"], i["location"]) for i in issues] == [
        ("missing-field", {"path": "models/a.json", "lines": {"begin": 2}})
    ]


def test_no_findings_is_an_empty_array() -> None:
    result = run_cli("validate", "--format", "gitlab", str(REPO / "examples" / "models"), cwd=REPO)
    assert (result.code, result.out, result.err) == (0, "[]\n", "")
