"""``envoxy explain``: the catalog's text for every rule, ``--list``, "did you mean", and no rules
file or SQLAlchemy needed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from envoxy.report import rule_help
from envoxy.rules.catalog import RULES
from tests.conftest import REPO, run_cli


@pytest.mark.parametrize("rid", list(RULES))
def test_explain_every_rule(rid: str) -> None:
    result = run_cli("explain", rid)
    assert (result.code, result.err) == (0, "")
    assert result.out == rule_help.text(RULES[rid])
    info = RULES[rid]
    lines = result.out.splitlines()
    assert lines[0].startswith(f"{rid} ({info.severity} by default): ")
    for heading in ("What it checks", "Why it matters", "How to fix it", "How to exempt or baseline it"):
        assert heading in lines
    for example in info.examples:
        for snippet in (example.bad, example.good):
            assert "\n".join("    " + line for line in snippet.splitlines()) in result.out


def test_explain_missing_field_text() -> None:
    out = run_cli("explain", "missing-field").out
    assert out.startswith(
        "missing-field (error by default): A required field or column is missing.\n"
        "Reported by envoxy validate, envoxy check-migrations and envoxy check-db.\n"
        "\n"
        "What it checks\n"
        "  Every in-scope model datum must declare, in its `fields`, each field rules.yaml requires (by\n"
    )
    assert (
        "How to fix it\n"
        "  In a model file: Add the declaration the profile asks for to the datum's `fields`, such as\n"
        '    `"href": {"type": "string"}` or `"id": {"type": "string", "format": "uuid"}`.\n'
    ) in out
    assert (
        "  - To change its severity everywhere: `severity: {missing-field: warning}` (or `off`) in\n"
        "    rules.yaml.\n"
    ) in out
    assert "Example in a model file\n  Reported:\n" in out


def test_code_spans_are_never_broken_and_prose_is_wrapped() -> None:
    for info in RULES.values():
        for line in rule_help.text(info).splitlines():
            assert line.count("`") % 2 == 0, line
            if not line.startswith("    ") and "`" not in line:
                assert len(line) <= rule_help.WIDTH, line


def test_list_one_id_per_line_first() -> None:
    result = run_cli("explain", "--list")
    assert (result.code, result.err) == (0, "")
    lines = result.out.splitlines()
    assert [line.split()[0] for line in lines] == sorted(RULES)
    assert "missing-field          A required field or column is missing." in lines
    for line in lines:
        rid, short = line.split(maxsplit=1)
        assert short == RULES[rid].short


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["missing-feld"],
            "envoxy: unknown rule 'missing-feld'; did you mean 'missing-field'? "
            "('envoxy explain --list' lists every rule)\n",
        ),
        (
            ["Wrong_Type"],
            "envoxy: unknown rule 'Wrong_Type'; did you mean 'wrong-type'? "
            "('envoxy explain --list' lists every rule)\n",
        ),
        (
            ["nullable"],
            "envoxy: unknown rule 'nullable'; did you mean 'nullable-field'? "
            "('envoxy explain --list' lists every rule)\n",
        ),
        (["zzz"], "envoxy: unknown rule 'zzz' ('envoxy explain --list' lists every rule)\n"),
        (
            ["\x1b[31mred"],
            "envoxy: unknown rule '\\x1b[31mred' ('envoxy explain --list' lists every rule)\n",
        ),
        (
            ["wrong-type" * 10_000],  # pasted by mistake: named in part, not echoed whole
            "envoxy: unknown rule 'wrong-typewrong-typewrong-typewrong-type'… (100000 characters) "
            "('envoxy explain --list' lists every rule)\n",
        ),
        ([], "envoxy: name a rule id (such as missing-field), or --list to see them all\n"),
        (["missing-field", "--list"], "envoxy: give a rule id or --list, not both\n"),
    ],
)
def test_usage_errors_exit_2(argv: list[str], message: str) -> None:
    result = run_cli("explain", *argv)
    assert (result.code, result.out, result.err) == (2, "", message)


def test_needs_no_rules_file_and_no_sqlalchemy(tmp_path: Path) -> None:
    # A broken rules.yaml where it would be found, and $ENVOXY_RULES naming nothing: neither is read.
    (tmp_path / "rules.yaml").write_text("version: [\n", encoding="utf-8")
    code = (
        "import sys\n"
        "from envoxy.cli import main\n"
        "status = main(['explain', 'wrong-type'])\n"
        "heavy = sorted(m for m in ('sqlalchemy', 'alembic', 'jsonschema', 'yaml') if m in sys.modules)\n"
        "print('HEAVY', heavy)\n"
        "sys.exit(status)\n"
    )
    env = {**os.environ, "ENVOXY_RULES": str(tmp_path / "missing.yaml"), "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith("wrong-type (error by default): ")
    assert done.stdout.splitlines()[-1] == "HEAVY []"


def test_listed_in_envoxy_help() -> None:
    from envoxy.cli import build_parser

    assert "    explain         say what a rule checks, why" in build_parser().format_help()
