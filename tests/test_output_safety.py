"""Hostile paths and names cannot break, split or hijack any output format.

Names reach findings from file systems (undecodable bytes), model files, revision scripts and live
databases, so any of them may hold newlines, terminal escapes, bidi overrides, lone surrogates or
GitHub Actions command text. Whatever they hold: ``text`` is one line per finding, begins no
workflow command and prints no control character; ``github`` is one command per finding whose
properties read back as the (escaped) names; ``json`` parses and is valid UTF-8; ``sarif`` is
written and validates against the SARIF 2.1.0 schema.
"""

from __future__ import annotations

import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import textwrap
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator, Draft202012Validator

from envoxy.findings import Finding, Report, Severity
from envoxy.report import REPORTERS, render
from envoxy.report.escape import escape
from envoxy.rules.catalog import RULES
from tests.conftest import DATA, REPO, PgSchema, run_cli

HOSTILE = [
    "\n::error file=x.py,line=1::forged",
    "::warning::forged",
    "  ::error::forged after spaces",
    "##[error]forged v1 command",
    "a ##[stop-commands]token",
    "\r::error::carriage return",
    "\x1b[31mred\x1b[0m\x1b]0;title\x07",
    "\x9b31m C1 CSI",
    "\u202egnp.exe\u202c",
    "\u2066isolate\u2069\u200f",
    "line\u2028separator\u2029",
    "\ud800lone\udfff surrogates \udcff",
    "%0A::error::percent-encoded",
    "\x00nul\x7fdel\t tab",
    "\u3000::error::ideographic space",
    "a,b:c=d;e]f%g",
]
# Any code point, surrogates included, with the hostile pieces mixed in often.
ANY_CHAR = st.characters(codec=None, exclude_categories=())
TEXT = st.lists(st.sampled_from(HOSTILE) | st.text(ANY_CHAR, max_size=6), max_size=4).map("".join)
SEVERITIES: st.SearchStrategy[Severity] = st.sampled_from(["error", "warning"])
RULE_IDS = st.sampled_from(sorted(RULES)) | TEXT.filter(bool)


@st.composite
def findings(draw: st.DrawFn) -> Finding:
    path = draw(st.none() | TEXT)
    line = draw(st.none() | st.integers(1, 10_000)) if path is not None else None
    return Finding(
        rule=draw(RULE_IDS),
        severity=draw(SEVERITIES),
        message=draw(TEXT),
        path=path,
        line=line,
        column=draw(st.none() | st.integers(1, 500)) if line is not None else None,
        pointer=draw(st.none() | TEXT),
        table=draw(st.none() | TEXT),
        field=draw(st.none() | TEXT),
    )


REPORTS = st.builds(
    lambda fs, n: Report.build(fs, files=n), st.lists(findings(), max_size=5), st.integers(0, 50)
)


@cache
def sarif_validator() -> Draft7Validator:
    return Draft7Validator(json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")))


def _no_command_text(out: str) -> None:
    """No GitHub Actions command but our own: "##[" is read anywhere in a line, "::" at its start
    (after leading white space)."""
    assert "##[" not in out
    for line in out.splitlines():
        assert not re.match(r"\s*::", line) or re.match(r"::(error|warning) ", line), line


def check_text(report: Report, out: str) -> None:
    lines = out.split("\n")
    assert lines[-1] == ""
    from envoxy.report.text import explain_hint

    # one line a finding, then the summary, then the hint naming `envoxy explain` if any
    assert len(lines) - 1 == len(report.findings) + 1 + (explain_hint(report) is not None)
    assert all(line.isprintable() for line in lines), out
    _no_command_text(out)
    for f, line in zip(report.findings, lines, strict=False):
        assert line.endswith(
            f"{escape(f.rule)} {escape(f.message)}" + (" [warning]" if f.severity == "warning" else "")
        )


def _github_v2(line: str) -> tuple[str, dict[str, str], str]:
    """A workflow command parsed as the Actions runner does (ActionCommand.TryParseV2)."""
    line = line.lstrip()
    assert line.startswith("::")
    end = line.index("::", 2)
    info, data = line[2:end], line[end + 2 :]
    name, _, props_text = info.partition(" ")
    props = {}
    for pair in filter(None, props_text.split(",")):
        key, _, value = pair.partition("=")
        for token, code in (("\r", "%0D"), ("\n", "%0A"), (":", "%3A"), (",", "%2C"), ("%", "%25")):
            value = value.replace(code, token)
        props[key] = value
    for token, code in (("\r", "%0D"), ("\n", "%0A"), ("%", "%25")):
        data = data.replace(code, token)
    return name, props, data


def check_github(report: Report, out: str) -> None:
    lines = out.split("\n")
    assert lines[-1] == ""
    assert len(lines) - 1 == len(report.findings)
    assert all(line.isprintable() for line in lines), out
    _no_command_text(out)
    for f, line in zip(report.findings, lines, strict=False):
        name, props, data = _github_v2(line)
        assert name == f.severity
        assert props.get("file") == (None if f.path is None else escape(f.path))
        assert props["title"] == escape(f.rule)
        assert data.endswith(escape(f.message))


def check_json(report: Report, out: str) -> None:
    out.encode("utf-8")  # strict: no lone surrogate
    data = json.loads(out)
    assert [(g["path"], g["table"], g["message"]) for g in data["findings"]] == [
        (f.path and escape(f.path), f.table and escape(f.table), escape(f.message)) for f in report.findings
    ]
    assert "##[" not in out


def check_sarif(report: Report, out: str) -> None:
    out.encode("utf-8")
    sarif = json.loads(out)
    assert sorted(sarif_validator().iter_errors(sarif), key=str) == []
    results = sarif["runs"][0]["results"]
    assert [r["message"]["text"] for r in results] == [escape(f.message) for f in report.findings]
    assert "##[" not in out


@cache
def gitlab_validator() -> Draft202012Validator:
    schema = json.loads((DATA / "gitlab-codequality.schema.json").read_text(encoding="utf-8"))
    return Draft202012Validator(schema)


def check_gitlab(report: Report, out: str) -> None:
    out.encode("utf-8")
    issues = json.loads(out)
    assert sorted(gitlab_validator().iter_errors(issues), key=str) == []
    assert [i["description"] for i in issues] == [
        ("" if f.path is not None or not f.table else f"table {escape(f.table)}: ") + escape(f.message)
        for f in report.findings
    ]
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    assert "##[" not in out


CHECKS = {
    "text": check_text,
    "github": check_github,
    "json": check_json,
    "sarif": check_sarif,
    "gitlab": check_gitlab,
}


def test_every_format_is_checked() -> None:
    assert set(CHECKS) == set(REPORTERS)


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(report=REPORTS)
def test_any_names_in_every_format(report: Report) -> None:
    for fmt, check in CHECKS.items():
        out = io.StringIO()
        render(report, fmt, out)
        check(report, out.getvalue())


@pytest.mark.parametrize("path", [":", " :", "::x", ":3"])
def test_a_path_starting_with_a_colon_starts_no_command(path: str) -> None:
    # The location is followed by ':', so one leading colon in the path would make "::".
    report = Report.build([Finding(rule="altered-field", severity="error", message="m", path=path)], files=1)
    out = io.StringIO()
    render(report, "text", out)
    check_text(report, out.getvalue())
    assert out.getvalue().startswith("./")


@settings(max_examples=100, deadline=None)
@given(report=REPORTS)
def test_colour_adds_only_our_own_escapes(report: Report) -> None:
    out = io.StringIO()
    render(report, "text", out, color=True)
    plain = re.sub(r"\x1b\[(?:1|31|33|0)m", "", out.getvalue())
    assert all(line.isprintable() for line in plain.split("\n"))


@settings(max_examples=300, deadline=None)
@given(text=st.text(ANY_CHAR))
def test_escape_is_printable_and_idempotent(text: str) -> None:
    once = escape(text)
    assert once.isprintable()
    assert "##[" not in once
    assert escape(once) == once
    if text.isprintable() and "##[" not in text:
        assert once == text


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("a\nb\rc\td", "a\\nb\\rc\\td"),
        ("\x1b[31m", "\\x1b[31m"),
        ("\x9b\x7f\x00", "\\x9b\\x7f\\x00"),
        ("\u202egnp\u2028", "\\u202egnp\\u2028"),
        ("\udcff.json", "\\udcff.json"),
        ("\U000e0001tag", "\\U000e0001tag"),
        ("##[error]x", "##\\x5berror]x"),
        ("C:\\models\\a.json", "C:\\models\\a.json"),  # backslashes stay as written
        ("tëst ✓ 表", "tëst ✓ 表"),
    ],
)
def test_escapes(raw: str, shown: str) -> None:
    assert escape(raw) == shown


def test_text_path_starting_with_a_command_gets_dot_slash() -> None:
    report = Report.build(
        [Finding(rule="parse-error", severity="error", message="m", path="  ::error::x.json", line=1)],
        files=1,
    )
    out = io.StringIO()
    render(report, "text", out)
    assert out.getvalue().splitlines()[0] == "./  ::error::x.json:1: parse-error m"


# -- through the real command line ---------------------------------------------------------------

HOSTILE_FILES = [
    "\n::error file=x::forged.json",
    "::warning::forged.json",
    "\x1b[31mred\x1b[0m.json",
    "a\rb.json",
    "\u202enosj.json",
    "##[stop-commands]tok.json",
]


def _assert_safe(fmt: str, out: str, expected_findings: int) -> None:
    out.encode("utf-8")
    _no_command_text(out)
    if fmt in ("text", "github"):
        assert all(line.isprintable() for line in out.split("\n"))
        # text: then the summary line and (there being findings) the `envoxy explain` hint
        assert out.count("\n") == expected_findings + 2 * (fmt == "text")
    elif fmt == "json":
        assert len(json.loads(out)["findings"]) == expected_findings
    elif fmt == "gitlab":
        issues = json.loads(out)
        assert sorted(gitlab_validator().iter_errors(issues), key=str) == []
        assert len(issues) == expected_findings
    else:
        sarif = json.loads(out)
        assert sorted(sarif_validator().iter_errors(sarif), key=str) == []
        assert len(sarif["runs"][0]["results"]) == expected_findings


def test_hostile_file_and_datum_names_through_the_validator(tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    for name in HOSTILE_FILES:
        (models / name).write_text("[")  # a parse-error each
    table = "t\n::error::forged\x1b[2J\u202e"
    (models / "datum.json").write_text(json.dumps({"table": table, "fields": {"x\n##[error]": {}}}))
    undecodable = os.fsencode(models) + b"/\xff\n::error::.json"
    with open(undecodable, "w") as fh:
        fh.write("[")
    expected = len(HOSTILE_FILES) + 1 + 4  # parse errors, the undecodable one, 4 missing fields
    for fmt in REPORTERS:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "envoxy.validate",
                "--rules",
                str(REPO / "rules.yaml"),
                "--format",
                fmt,
                "models",
            ],
            cwd=tmp_path,
            capture_output=True,
            env={**os.environ, "PYTHONIOENCODING": "utf-8", "ENVOXY_NO_CACHE": "1"},
        )
        assert (done.returncode, done.stderr) == (1, b""), done.stderr
        _assert_safe(fmt, done.stdout.decode("utf-8"), expected)


HOSTILE_TABLE = "evil\n::error file=x::forged\x1b[31m\u202e"


def test_hostile_table_names_from_revisions(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "a1_rev.py").write_text(
        textwrap.dedent(
            f"""\
            import sqlalchemy as sa
            from alembic import op

            revision = "a1"
            down_revision = None


            def upgrade():
                op.create_table({HOSTILE_TABLE!r}, sa.Column("name", sa.Text()))
            """
        ),
        encoding="utf-8",
    )
    for fmt in REPORTERS:
        result = run_cli(
            "check-migrations", "versions", "--rules", str(REPO / "rules.yaml"), "--format", fmt, cwd=tmp_path
        )
        assert (result.code, result.err) == (1, "")
        _assert_safe(fmt, result.out, 4)


def _check_db_outputs(url: str) -> None:
    for fmt in REPORTERS:
        result = run_cli("check-db", url, "--rules", str(REPO / "rules.yaml"), "--format", fmt)
        assert (result.code, result.err) == (1, "")
        _assert_safe(fmt, result.out, 4)


def test_hostile_table_names_from_sqlite(tmp_path: Path) -> None:
    db = tmp_path / "hostile.db"
    with sqlite3.connect(db) as conn:
        conn.execute(f'CREATE TABLE "{HOSTILE_TABLE}" (name TEXT)')
    _check_db_outputs(f"sqlite:///{db}")


def test_hostile_table_names_from_postgres(pg_schema: PgSchema) -> None:
    import sqlalchemy as sa

    engine = pg_schema.engine()
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE TABLE "{HOSTILE_TABLE}" (name TEXT)'))
    engine.dispose()
    _check_db_outputs(pg_schema.url)


def test_hostile_table_names_in_the_autogenerate_gate() -> None:
    """The gate's refusal, which the ``alembic`` command prints, is escaped the same way."""
    import sqlalchemy as sa
    from alembic.operations import ops

    from envoxy.tools.alembic_hooks import EnvoxyRevisionError, check_autogenerate_revision

    table = ops.CreateTableOp(HOSTILE_TABLE, [sa.Column("name", sa.Text())])
    script = ops.MigrationScript(
        rev_id="a1", upgrade_ops=ops.UpgradeOps(ops=[table]), downgrade_ops=ops.DowngradeOps(ops=[])
    )
    with pytest.raises(EnvoxyRevisionError) as raised:
        check_autogenerate_revision([script], rules=str(REPO / "rules.yaml"))
    lines = str(raised.value).split("\n")
    assert len(lines) == 1 + 4 + 1  # the heading, one line a missing field, the advice
    assert all(line.isprintable() for line in lines)
    assert "evil\\n::error file=x::forged\\x1b[31m\\u202e" in lines[1]


# -- what adoption prints besides reports ----------------------------------------------------------

HOSTILE_DIRECTORY = "m\x1b]0;title\x07\x1b[2J\n::error::forged"


def _printable_lines(text: str) -> list[str]:
    assert all(line.isprintable() for line in text.split("\n")), text
    _no_command_text(text)
    return text.splitlines()


def test_hostile_directory_and_datum_names_in_what_init_and_fix_print(tmp_path: Path) -> None:
    """``envoxy init``, the first run's discovery note and ``validate --fix``'s notes name model
    directories, files and datums: escaped as the reporters escape them, one line each."""
    models = tmp_path / HOSTILE_DIRECTORY
    models.mkdir()
    (models / "broken.json").write_text("[")  # not a model file: neither listed nor fixed
    (models / "broken-datum.json").write_text('{"table": "t", "fields": {"id": {}}, "fields": {"id": {}}}')
    datum = {"table": HOSTILE_TABLE, "fields": {"id": {"type": "integer"}}}
    (models / "m.json").write_text(json.dumps(datum))
    shown = escape(HOSTILE_DIRECTORY)

    first = run_cli("validate", cwd=tmp_path)
    assert first.code == 1
    discovery = _printable_lines(first.err)[1]
    assert discovery == f"envoxy: checking the model directories found here: {shown}"

    init = run_cli("init", "--baseline", cwd=tmp_path)
    assert init.code == 0
    out = _printable_lines(init.out)
    assert f"models.paths: {shown} (2 model files)" in out
    assert f"  {shown}/broken.json:1: parse-error invalid JSON: expecting value" in out

    # A declaration envoxy cannot fix (rules.yaml demands a description) names its datum.
    rules = (tmp_path / "rules.yaml").read_text()
    demand = "    value: uuid4\n    declaration: {required: [description]}\n"
    (tmp_path / "rules.yaml").write_text(rules.replace("    value: uuid4\n", demand, 1))
    fixed = run_cli("validate", "--fix", cwd=tmp_path)
    notes = _printable_lines(fixed.err)
    assert f"envoxy: --fix left {shown}/broken.json as it is: it is not valid JSON" in notes
    unfixed = f"envoxy: --fix did not change {shown}/m.json, field 'id' of datum "
    assert any(n.startswith(unfixed) for n in notes)
    assert escape(HOSTILE_TABLE) in "".join(notes)
