"""The four output formats render the same findings; SARIF validates against the 2.1.0 schema."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from jsonschema import Draft7Validator

from envoxy.findings import Finding, Report
from envoxy.report import REPORTERS, render, use_color
from envoxy.rules.catalog import RULES
from tests.conftest import DATA

FINDINGS = [
    Finding(
        rule="wrong-type",
        severity="error",
        path="models/b.json",
        line=3,
        column=9,
        pointer="/fields/id",
        table="b",
        field="id",
        message="field 'id' of datum 'b' is declared as integer, expected string",
    ),
    Finding(
        rule="missing-field",
        severity="error",
        path="models/a,weird:name.json",
        line=12,
        column=17,
        pointer="/datums/3/fields",
        table="products",
        field="href",
        message="datum 'products' lacks required field 'href'",
    ),
    Finding(
        rule="unused-exemption",
        severity="warning",
        path="rules.yaml",
        line=None,
        column=None,
        table="ghost",
        message="exemption for table 'ghost' matches nothing\nsecond line 100%",
    ),
    Finding(
        rule="missing-field",
        severity="error",
        table="users",
        field="href",
        message="table 'users' lacks required column 'href' (TEXT NOT NULL)",
    ),
]
REPORT = Report.build(FINDINGS, files=40)


def _render(fmt: str) -> str:
    out = io.StringIO()
    render(REPORT, fmt, out)
    return out.getvalue()


def test_findings_are_sorted_by_path_then_position() -> None:
    assert [f.path for f in REPORT.findings] == [
        None,
        "models/a,weird:name.json",
        "models/b.json",
        "rules.yaml",
    ]


def test_text() -> None:
    assert _render("text") == (
        "table users: missing-field table 'users' lacks required column 'href' (TEXT NOT NULL)\n"
        "models/a,weird:name.json:12:17: missing-field datum 'products' lacks required field 'href'\n"
        "models/b.json:3:9: wrong-type field 'id' of datum 'b' is declared as integer, expected string\n"
        "rules.yaml: unused-exemption exemption for table 'ghost' matches nothing\\n"
        "second line 100% [warning]\n"
        "4 findings in 40 files: 3 errors, 1 warning.\n"
        "Run 'envoxy explain missing-field' (or unused-exemption, wrong-type) for why and how to fix.\n"
    )


def test_text_colour_only_when_asked() -> None:
    out = io.StringIO()
    REPORTERS["text"](Report.build(FINDINGS[:1], files=1), out, True)
    assert out.getvalue().startswith("\033[1mmodels/b.json:3:9:\033[0m \033[31mwrong-type\033[0m ")


def test_no_color_and_non_terminals(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_color(Tty()) and not use_color(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_color(Tty())


def test_json_matches_the_contract() -> None:
    data = json.loads(_render("json"))
    assert data["summary"] == {"files": 40, "findings": 4, "errors": 3, "warnings": 1, "baselined": 0}
    assert data["findings"][1] == {
        "rule": "missing-field",
        "severity": "error",
        "path": "models/a,weird:name.json",
        "line": 12,
        "column": 17,
        "pointer": "/datums/3/fields",
        "table": "products",
        "field": "href",
        "message": "datum 'products' lacks required field 'href'",
    }
    assert list(data["findings"][0]) == [
        "rule",
        "severity",
        "path",
        "line",
        "column",
        "pointer",
        "table",
        "field",
        "message",
    ]


def test_github_workflow_commands() -> None:
    assert _render("github").splitlines() == [
        "::error title=missing-field::"
        "table users: table 'users' lacks required column 'href' (TEXT NOT NULL)",
        "::error file=models/a%2Cweird%3Aname.json,line=12,col=17,title=missing-field::"
        "datum 'products' lacks required field 'href'",
        "::error file=models/b.json,line=3,col=9,title=wrong-type::"
        "field 'id' of datum 'b' is declared as integer, expected string",
        "::warning file=rules.yaml,title=unused-exemption::"
        "exemption for table 'ghost' matches nothing\\nsecond line 100%25",
    ]


def test_sarif_is_valid_and_carries_the_rules() -> None:
    sarif = json.loads(_render("sarif"))
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text())
    errors = sorted(Draft7Validator(schema).iter_errors(sarif), key=str)
    assert errors == []
    run = sarif["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(RULES)
    by_id = {r["id"]: r for r in rules}
    assert by_id["missing-field"]["shortDescription"]["text"] == RULES["missing-field"].short
    assert by_id["missing-field"]["fullDescription"]["text"] == RULES["missing-field"].help
    assert by_id["missing-field"]["help"]["text"].startswith(
        "missing-field (error by default): A required field or column is missing.\n"
    )
    assert "```json\n" in by_id["missing-field"]["help"]["markdown"]
    result = run["results"][1]
    assert result["ruleId"] == "missing-field"
    assert rules[result["ruleIndex"]]["id"] == "missing-field"
    assert result["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "models/a%2Cweird:name.json"},
        "region": {"startLine": 12, "startColumn": 17},
    }
    assert run["results"][0]["locations"] == [
        {"logicalLocations": [{"name": "users.href", "kind": "member"}]}
    ]


def test_sarif_absolute_paths_are_file_uris() -> None:
    report = Report.build(
        [
            Finding(
                rule="parse-error",
                severity="error",
                path="/srv/m odels/a.json",
                line=1,
                column=1,
                message="x",
            )
        ],
        files=1,
    )
    out = io.StringIO()
    render(report, "sarif", out)
    location = json.loads(out.getvalue())["runs"][0]["results"][0]["locations"][0]
    assert location["physicalLocation"]["artifactLocation"] == {"uri": "file:///srv/m%20odels/a.json"}


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        ("c:3.json", "./c:3.json"),  # not the scheme "c"
        ("models/c:3.json", "models/c:3.json"),
        ("d\\udcff.json", "d%5Cudcff.json"),  # an escaped undecodable name: no directory "d/"
    ],
)
def test_sarif_relative_uris_stay_relative_and_in_place(path: str, uri: str) -> None:
    report = Report.build([Finding(rule="parse-error", severity="error", path=path, message="x")], files=1)
    out = io.StringIO()
    render(report, "sarif", out)
    location = json.loads(out.getvalue())["runs"][0]["results"][0]["locations"][0]
    assert location["physicalLocation"]["artifactLocation"] == {"uri": uri}


def test_format_choices_are_the_reporter_table() -> None:
    from envoxy.cli import build_parser

    for only in ("validate", "check-migrations", "check-db"):
        (action,) = [a for a in build_parser(only)._actions if "--format" in a.option_strings]
        formats = ("text", "json", "sarif", "github", "gitlab")
        assert tuple(action.choices or ()) == tuple(REPORTERS) == formats


def test_building_the_command_line_imports_no_renderer() -> None:
    """The table names modules: ``--help`` (and every parse) imports none of them."""
    code = (
        "import sys; from envoxy.cli import build_parser; build_parser('validate'); build_parser(); "
        "print(sorted(m for m in sys.modules if m.startswith('envoxy.report.') or m == 'envoxy.findings'))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_every_reporter_renders() -> None:
    for name in REPORTERS:
        out = io.StringIO()
        render(REPORT, name, out)
        assert out.getvalue().endswith("\n")
