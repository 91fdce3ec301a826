"""The four output formats of the validator, end to end through the real CLI."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema.validators import validator_for

from envoxy.report import rule_help
from envoxy.rules.catalog import RULES
from tests.conftest import DATA, REPO, run_cli

CASE = DATA / "validate" / "exemptions"  # errors and warnings, a rules.yaml location, every kind
SARIF_SCHEMA = DATA / "sarif-schema-2.1.0.json"  # copy of ../shared/data/


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVOXY_CACHE_DIR", str(tmp_path / "cache"))


def run(fmt: str) -> tuple[int, str]:
    result = run_cli("--rules", "rules.yaml", "--format", fmt, "models", only="validate", cwd=CASE)
    assert result.err == ""
    return result.code, result.out


def expected_findings() -> list[dict[str, Any]]:
    findings: list[dict[str, Any]] = json.loads((CASE / "expected.json").read_text(encoding="utf-8"))[
        "findings"
    ]
    return findings


def test_text_format() -> None:
    code, out = run("text")
    lines = out.splitlines()
    assert code == 1
    assert lines[-2:] == [
        "6 findings in 2 files: 4 errors, 2 warnings.",
        "Run 'envoxy explain invalid-declaration' (or duplicate-key, expired-exemption, unused-exemption, "
        "wrong-type) for why and how to fix.",
    ]
    expected = []
    for f in expected_findings():
        suffix = " [warning]" if f["severity"] == "warning" else ""
        expected.append(f"{f['path']}:{f['line']}:{f['column']}: {f['rule']} {f['message']}{suffix}")
    assert lines[:-2] == expected
    assert lines[0] == (
        "models/dupes.json:1:47: duplicate-key datum 'dupes' declares field 'id' 2 "
        "times in 'fields'; the last declaration hides the others [warning]"
    )
    assert "\033[" not in out  # not a terminal: no colour


def test_text_summary_when_clean() -> None:
    result = run_cli("--rules", "../rules.yaml", "models", only="validate", cwd=DATA / "validate" / "valid")
    assert (result.code, result.out, result.err) == (0, "No findings in 6 files.\n", "")


def test_github_format() -> None:
    code, out = run("github")
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == len(expected_findings())
    assert lines[0] == (
        "::warning file=models/dupes.json,line=1,col=47,title=duplicate-key::datum "
        "'dupes' declares field 'id' 2 times in 'fields'; the last declaration hides "
        "the others"
    )
    assert lines[-2] == (
        "::error file=rules.yaml,line=48,col=3,title=expired-exemption::exemption for "
        "table 'old_audit' expired on 2020-01-31 (reason: Append-only audit log, "
        "never updated.)"
    )


def test_sarif_is_valid_and_complete() -> None:
    code, out = run("sarif")
    assert code == 1
    sarif = json.loads(out)
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator = validator_for(schema)(schema)
    assert list(validator.iter_errors(sarif)) == []
    run_ = sarif["runs"][0]
    assert run_["columnKind"] == "unicodeCodePoints"
    rules = {r["id"]: r for r in run_["tool"]["driver"]["rules"]}
    for rule_id, info in RULES.items():
        assert rules[rule_id]["shortDescription"]["text"] == info.short
        assert rules[rule_id]["fullDescription"]["text"] == info.help
        assert rules[rule_id]["help"] == {"text": rule_help.text(info), "markdown": rule_help.markdown(info)}
    got = [
        (
            r["ruleId"],
            r["level"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["locations"][0]["physicalLocation"]["region"]["startColumn"],
            r["message"]["text"],
        )
        for r in run_["results"]
    ]
    assert got == [
        (f["rule"], f["severity"], f["path"], f["line"], f["column"], f["message"])
        for f in expected_findings()
    ]
    for result in run_["results"]:
        assert run_["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_sarif_without_positions_is_valid(tmp_path: Path) -> None:
    (tmp_path / "broken.json").symlink_to("nowhere")
    result = run_cli(
        "--rules", str(REPO / "rules.yaml"), "--format", "sarif", "broken.json", only="validate", cwd=tmp_path
    )
    sarif = json.loads(result.out)
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    assert list(validator_for(schema)(schema).iter_errors(sarif)) == []
    location = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location == {"artifactLocation": {"uri": "broken.json"}}


def _run_on_terminal(env: dict[str, str]) -> str:
    """Run the validator with its stdout on a pseudo-terminal; returns what it printed."""
    leader, follower = pty.openpty()
    done = subprocess.run(
        [sys.executable, "-m", "envoxy.validate", "--rules", "rules.yaml", "models"],
        cwd=CASE,
        stdout=follower,
        stderr=subprocess.PIPE,
        env=env,
        timeout=60,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the terminal has no writer left
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert done.returncode == 1, done.stderr
    return b"".join(chunks).decode()


def test_colour_only_on_a_terminal_and_never_with_no_color(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env["ENVOXY_CACHE_DIR"] = str(tmp_path / "cache")
    coloured = _run_on_terminal(env)
    assert "\033[31mexpired-exemption\033[0m" in coloured
    plain = _run_on_terminal({**env, "NO_COLOR": "1"})
    assert "\033[" not in plain
    assert "rules.yaml:48:3: expired-exemption exemption for table 'old_audit'" in plain


def test_output_through_a_symlink_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "report.txt"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "latest.txt"
    link.symlink_to(real)
    result = run_cli("--rules", "rules.yaml", "--output", str(link), "models", only="validate", cwd=CASE)
    assert (result.code, result.out, result.err) == (1, "", "")
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == run("text")[1]


def test_output_to_a_fifo_writes_into_it(tmp_path: Path) -> None:
    """A FIFO (like /dev/stdout or /dev/null) cannot be replaced by a renamed file: it is
    written to, and stays a FIFO."""
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # so that opening it to write does not block
    try:
        result = run_cli("--rules", "rules.yaml", "--output", str(fifo), "models", only="validate", cwd=CASE)
        received = os.read(reader, 1 << 16).decode("utf-8")
    finally:
        os.close(reader)
    assert (result.code, result.out, result.err) == (1, "", "")
    assert fifo.is_fifo()
    assert received == run("text")[1]


def _closed_stdout() -> None:
    os.close(1)


@pytest.mark.parametrize(
    ("stdout", "preexec", "message"),
    [
        ("/dev/full", None, "envoxy: cannot write to standard output: No space left on device\n"),
        (
            None,
            _closed_stdout,
            "envoxy: standard output is closed, expected somewhere to write (or "
            "use --output FILE where the command has it)\n",
        ),
    ],
)
def test_an_unwritable_stdout_is_a_clear_error(
    stdout: str | None, preexec: Callable[[], object] | None, message: str
) -> None:
    with open(stdout, "w") if stdout else open(os.devnull, "w") as sink:
        proc = subprocess.run(
            [sys.executable, "-m", "envoxy.validate", "--rules", "rules.yaml", "models"],
            cwd=CASE,
            stdout=sink,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            preexec_fn=preexec,
        )
    assert (proc.returncode, proc.stderr) == (2, message)
