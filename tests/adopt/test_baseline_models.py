"""``validate`` with a baseline: what is accepted, what moving code does, counts, staleness, and
``--write-baseline``, through the real CLI."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.adopt.support import cli, datum, findings, report, rules_yaml, write_json

BASELINE = "envoxy-baseline.json"
SHOP = {"datums": [datum("products", "href"), datum("shops")]}
USERS = datum("users", "created", wrong="id")

ENTRIES = [
    '{"rule": "missing-field", "file": "models/shop.json", "table": "products", "field": "href", "count": 1}',
    '{"rule": "missing-field", "file": "models/team/users.json", "table": "users", "field": "created", '
    '"count": 1}',
    '{"rule": "wrong-type", "file": "models/team/users.json", "table": "users", "field": "id", "count": 1}',
]
EXPECTED_FILE = (
    '{\n  "version": 1,\n  "models": [\n'
    + ",\n".join("    " + e for e in ENTRIES)
    + '\n  ],\n  "migrations": [],\n  "head_state": [],\n  "db": []\n}\n'
)


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVOXY_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "rules.yaml").write_text(rules_yaml(extra=f"baseline: {BASELINE}\n"), encoding="utf-8")
    write_json(root / "models" / "shop.json", SHOP)
    write_json(root / "models" / "team" / "users.json", USERS)
    return root


def written(project: Path) -> Path:
    result = cli(project, "validate", "--write-baseline")
    assert (result.code, result.err) == (0, "")
    return project / BASELINE


def test_write_baseline_then_every_run_passes(project: Path) -> None:
    result = cli(project, "validate", "--write-baseline")
    assert (result.code, result.err) == (0, "")
    assert result.out == (
        "recorded 3 findings of 'envoxy validate' as 3 entries in envoxy-baseline.json (section 'models')\n"
    )
    assert (project / BASELINE).read_text(encoding="utf-8") == EXPECTED_FILE

    text = cli(project, "validate")
    assert (text.code, text.out, text.err) == (0, "No findings in 2 files (3 baselined).\n", "")
    as_json = cli(project, "validate", "--format", "json")
    assert as_json.code == 0
    assert findings(as_json) == [
        ("missing-field", "products", "href", True),
        ("missing-field", "users", "created", True),
        ("wrong-type", "users", "id", True),
    ]
    assert report(as_json)["summary"] == {
        "files": 2,
        "findings": 0,
        "errors": 0,
        "warnings": 0,
        "baselined": 3,
    }
    assert cli(project, "validate", "--format", "github").out == ""
    assert json.loads(cli(project, "validate", "--format", "sarif").out)["runs"][0]["results"] == []


def test_a_new_violation_fails_alone(project: Path) -> None:
    written(project)
    write_json(project / "models" / "team" / "teams.json", datum("teams", "href"))
    result = cli(project, "validate")
    assert result.code == 1
    assert result.out == (
        "models/team/teams.json:3:13: missing-field datum 'teams' lacks required field 'href'\n"
        "1 finding in 3 files: 1 error, 0 warnings (3 baselined).\n"
        "Run 'envoxy explain missing-field' for why and how to fix.\n"
    )


def _insert_lines_above(data: Any) -> str:
    if "datums" in data:
        data = {"description": "moved", "datums": [datum("first"), *data["datums"]]}
    else:
        data = {"description": "a description\nthat is long", **data}
    return "\n\n\n" + json.dumps(data, indent=2) + "\n"


def _reorder_keys(data: Any) -> str:
    def flip(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: flip(v) for k, v in reversed(list(node.items()))}
        if isinstance(node, list):
            return [flip(v) for v in node]
        return node

    return json.dumps(flip(data), indent=2)


def _reformat(data: Any) -> str:
    return "\ufeff" + json.dumps(data, indent=8).replace("\n", "\r\n")


def _one_line(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"))


@pytest.mark.parametrize("move", [_insert_lines_above, _reorder_keys, _reformat, _one_line])
def test_moving_code_never_unbaselines(project: Path, move: Callable[[Any], str]) -> None:
    written(project)
    before = report(cli(project, "validate", "--no-baseline", "--format", "json"))["findings"]
    for name, data in (("models/shop.json", SHOP), ("models/team/users.json", USERS)):
        (project / name).write_text(move(data), encoding="utf-8")
    after = cli(project, "validate", "--format", "json")
    assert after.code == 0
    assert {f["rule"] + f["field"]: f["baselined"] for f in report(after)["findings"]} == {
        "missing-fieldhref": True,
        "missing-fieldcreated": True,
        "wrong-typeid": True,
    }
    # the findings really moved: the baseline never looked at lines
    moved = {(f["line"], f["column"]) for f in report(after)["findings"]}
    assert moved != {(f["line"], f["column"]) for f in before}


def test_count_semantics(project: Path) -> None:
    shop = project / "models" / "shop.json"
    write_json(shop, {"datums": [datum("products", "href"), datum("products", "href")]})
    written(project)
    assert '"table": "products", "field": "href", "count": 2}' in (project / BASELINE).read_text()
    assert cli(project, "validate").out == "No findings in 2 files (4 baselined).\n"

    # one more than recorded: none of that key is baselined
    write_json(shop, {"datums": [datum("products", "href")] * 3})
    three = cli(project, "validate", "--format", "json")
    assert three.code == 1
    assert findings(three) == [
        ("missing-field", "products", "href", False),
        ("missing-field", "products", "href", False),
        ("missing-field", "products", "href", False),
        ("missing-field", "users", "created", True),
        ("wrong-type", "users", "id", True),
    ]
    assert report(three)["summary"]["baselined"] == 2

    # fewer than recorded: accepted, and the entry is not stale (it still matches)
    write_json(shop, {"datums": [datum("products", "href")]})
    one = cli(project, "validate", "--format", "json")
    assert one.code == 0
    assert [f for f in findings(one) if not f[3]] == []


def test_a_fixed_violation_is_stale_only_on_whole_directory_runs(project: Path) -> None:
    written(project)
    write_json(project / "models" / "team" / "users.json", datum("users", "created"))  # id fixed
    whole = cli(project, "validate")
    assert whole.code == 1
    assert whole.out == (
        "envoxy-baseline.json:6:5: stale-baseline baseline entry 'wrong-type' for 'users.id' in "
        "models/team/users.json matches no finding any more; run 'envoxy validate --write-baseline' "
        "to drop it\n"
        "1 finding in 2 files: 1 error, 0 warnings (2 baselined).\n"
        "Run 'envoxy explain stale-baseline' for why and how to fix.\n"
    )
    stale = report(cli(project, "validate", "--format", "json"))["findings"][0]
    assert stale == {
        "rule": "stale-baseline",
        "severity": "error",
        "path": "envoxy-baseline.json",
        "line": 6,
        "column": 5,
        "pointer": "/models/2",
        "table": "users",
        "field": "id",
        "message": stale["message"],
    }
    assert cli(project, "validate", "models").code == 1  # a directory named: judged
    assert cli(project, "validate", "models/team").code == 1
    # pre-commit passes the staged files: staleness is not judged
    files = cli(project, "validate", "models/team/users.json", "models/shop.json")
    assert (files.code, files.out) == (0, "No findings in 2 files (2 baselined).\n")
    # a directory that does not hold the entry's file does not judge it
    write_json(project / "elsewhere" / "x.json", datum("x"))
    assert cli(project, "validate", "elsewhere").out == "No findings in 1 file.\n"

    after = cli(project, "validate", "--write-baseline")
    assert after.out == (
        "recorded 2 findings of 'envoxy validate' as 2 entries in envoxy-baseline.json "
        "(section 'models'; 1 dropped)\n"
    )
    assert "wrong-type" not in (project / BASELINE).read_text()
    assert cli(project, "validate").out == "No findings in 2 files (2 baselined).\n"


@pytest.mark.parametrize(("severity", "code", "shown"), [("warning", 0, True), ("off", 0, False)])
def test_stale_baseline_severity_is_configurable(
    project: Path, severity: str, code: int, shown: bool
) -> None:
    written(project)
    text = (
        (project / "rules.yaml")
        .read_text()
        .replace("severity: {}", f"severity: {{stale-baseline: {severity}}}")
    )
    (project / "rules.yaml").write_text(text)
    write_json(project / "models" / "team" / "users.json", datum("users", "created"))
    result = cli(project, "validate", "--format", "json")
    assert result.code == code
    stale = [f for f in report(result)["findings"] if f["rule"] == "stale-baseline"]
    assert [f["severity"] for f in stale] == (["warning"] if shown else [])


def test_write_baseline_replaces_only_what_the_run_checked(project: Path) -> None:
    other = (
        '{"version": 1, "models": [], "migrations": [{"rule": "missing-field", "revision": "abc", '
        '"table": "t", "field": "href", "count": 1}], "head_state": [], "db": []}'
    )
    (project / BASELINE).write_text(other)
    written(project)
    text = (project / BASELINE).read_text()
    assert '{"rule": "missing-field", "revision": "abc", "table": "t", "field": "href", "count": 1}' in text
    assert text.count('"rule"') == 4

    write_json(project / "models" / "shop.json", {"datums": [datum("products"), datum("shops")]})
    write_json(project / "models" / "team" / "users.json", datum("users"))  # fixed too, not named
    result = cli(project, "validate", "models/shop.json", "--write-baseline")
    assert result.code == 0
    text = (project / BASELINE).read_text()
    assert "products" not in text  # the file named was checked in whole: its entry dropped
    assert text.count('"table": "users"') == 2  # another file's entries stay
    assert '"revision": "abc"' in text  # another section stays


def test_parse_errors_are_never_baselined(project: Path) -> None:
    (project / "models" / "broken.json").write_text('{"table": "x", "fields": {', encoding="utf-8")
    result = cli(project, "validate", "--write-baseline")
    assert result.code == 0
    assert result.out.splitlines()[1] == (
        "not recorded, fix them: 1 parse-error (docs/ADOPTING.md says why they cannot be baselined)"
    )
    after = cli(project, "validate", "--format", "json")
    assert after.code == 1
    assert [f[0] for f in findings(after) if not f[3]] == ["parse-error"]


def test_choosing_the_baseline_file(project: Path) -> None:
    written(project)
    ignored = cli(project, "validate", "--no-baseline", "--format", "json")
    assert (ignored.code, report(ignored)["summary"]["baselined"]) == (1, 0)

    shutil.copy(project / BASELINE, project / "other.json")
    (project / BASELINE).unlink()
    missing = cli(project, "validate")
    assert (missing.code, missing.out) == (2, "")
    assert missing.err == (
        "envoxy: the baseline file envoxy-baseline.json (baseline: of rules.yaml) does not exist; "
        "make it with 'envoxy validate --write-baseline', or run with --no-baseline\n"
    )
    chosen = cli(project, "validate", "--baseline", "other.json")
    assert (chosen.code, chosen.out) == (0, "No findings in 2 files (3 baselined).\n")
    absent = cli(project, "validate", "--baseline", "nope.json")
    assert (absent.code, absent.err) == (
        2,
        "envoxy: the baseline file nope.json (--baseline) does not exist; make it with "
        "'envoxy validate --write-baseline', or run with --no-baseline\n",
    )
    both = cli(project, "validate", "--write-baseline", "--no-baseline")
    assert (both.code, both.err) == (
        2,
        "envoxy: --write-baseline and --no-baseline contradict each other; drop one\n",
    )
    assert cli(project, "validate", "--baseline", "x.json", "--no-baseline").code == 2


def test_the_default_file_is_beside_the_rules_file(project: Path) -> None:
    (project / "rules.yaml").write_text(rules_yaml(), encoding="utf-8")  # names no baseline
    (project / "sub").mkdir()
    result = cli(project / "sub", "validate", "--rules", "../rules.yaml", "--write-baseline")
    assert result.code == 0
    assert result.out == (
        "recorded 3 findings of 'envoxy validate' as 3 entries in ../envoxy-baseline.json "
        "(section 'models')\n"
        "use it in every run: add 'baseline: envoxy-baseline.json' to ../rules.yaml\n"
    )
    assert (project / BASELINE).read_text() == EXPECTED_FILE
    # written from elsewhere, with absolute paths, in a copy at another place: the same bytes
    again = cli(
        project / "models",
        "validate",
        "--rules",
        str(project / "rules.yaml"),
        str(project / "models"),
        "--write-baseline",
    )
    assert again.code == 0
    assert (project / BASELINE).read_text() == EXPECTED_FILE
    copy = project.parent / "elsewhere" / "deeper"
    shutil.copytree(project, copy)
    (copy / BASELINE).unlink()
    assert cli(copy, "validate", "--write-baseline").code == 0
    assert (copy / BASELINE).read_bytes() == (project / BASELINE).read_bytes()


def test_a_baseline_with_no_rules_file(tmp_path: Path) -> None:
    write_json(tmp_path / "models" / "users.json", USERS)
    result = cli(tmp_path, "validate", "models", "--write-baseline")
    assert result.code == 0
    assert result.out.splitlines()[1] == (
        "no rules.yaml names it: run 'envoxy init' and add 'baseline: envoxy-baseline.json' to the "
        "rules.yaml it writes, or pass --baseline envoxy-baseline.json"
    )
    passed = cli(tmp_path, "validate", "models", "--baseline", BASELINE)
    assert (passed.code, passed.out) == (0, "No findings in 1 file (2 baselined).\n")


def test_the_pre_commit_entry_point_stays_light_with_a_baseline(project: Path, tmp_path: Path) -> None:
    """``python -m envoxy.validate`` with a baseline in force imports neither SQLAlchemy nor
    Alembic (pre-commit runs it on every commit)."""
    import os
    import subprocess
    import sys

    written(project)
    env = {**os.environ, "ENVOXY_CACHE_DIR": str(tmp_path / "cache")}
    argv = [sys.executable, "-X", "importtime", "-m", "envoxy.validate", "models/team/users.json"]
    for extra in ([], ["--write-baseline"], ["--format", "sarif"]):
        done = subprocess.run(
            [*argv, *extra], cwd=project, capture_output=True, text=True, env=env, timeout=60
        )
        assert done.returncode == 0, done.stderr
        imported = {
            line.rsplit("|", 1)[1].strip().split(".")[0]
            for line in done.stderr.splitlines()
            if line.startswith("import time:") and "|" in line
        }
        assert "envoxy" in imported
        assert not imported & {"sqlalchemy", "alembic"}
