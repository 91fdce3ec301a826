"""Bad inputs that cannot live in the golden directories: generated big or deep files, FIFOs,
unreadable files. Each becomes an exact finding, the other files are still checked, exit 1.

Unreadable files: the tests run as root, which reads any file whatever its mode, so the real
``chmod 000`` test skips under root; ``test_unreadable_file_simulated`` makes ``open`` raise the
``PermissionError`` the kernel would raise, which covers the handling but not the kernel's check.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from envoxy.validate import loader
from envoxy.validate.loader import MAX_DEPTH
from tests.conftest import REPO, run_cli

RULES = str(REPO / "tests" / "data" / "validate" / "rules.yaml")
GOOD = {
    "id": {"type": "string", "format": "uuid"},
    "created": {"type": "string", "format": "date-time"},
    "updated": {"type": "string", "format": "date-time"},
    "href": {"type": "string"},
}
FINE_FINDING = {
    "rule": "missing-field",
    "severity": "error",
    "path": "models/other.json",
    "line": 1,
    "column": 30,
    "pointer": "/fields",
    "table": "other",
    "field": "href",
    "message": "datum 'other' lacks required field 'href'",
}


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVOXY_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def models(tmp_path: Path) -> Path:
    """A models directory holding one other file with one known finding."""
    directory = tmp_path / "models"
    directory.mkdir()
    fields = {k: v for k, v in GOOD.items() if k != "href"}
    (directory / "other.json").write_text(json.dumps({"table": "other", "fields": fields}))
    return directory


def findings(tmp_path: Path, *args: str) -> tuple[int, list[dict[str, Any]]]:
    result = run_cli("--rules", RULES, "--format", "json", *args, only="validate", cwd=tmp_path)
    assert result.err == ""
    return result.code, json.loads(result.out)["findings"]


def parse_error(path: str, line: int | None, column: int | None, message: str) -> dict[str, Any]:
    return {
        "rule": "parse-error",
        "severity": "error",
        "path": path,
        "line": line,
        "column": column,
        "pointer": None,
        "table": None,
        "field": None,
        "message": message,
    }


DEPTH_MESSAGE = (
    f"nesting deeper than {MAX_DEPTH} levels, expected a shallower document "
    "(see the depth limit in docs/VALIDATE.md)"
)


def test_nesting_100000_levels(tmp_path: Path, models: Path) -> None:
    (models / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (models / "deep-objects.json").write_text('{"fields": ' + '{"a": ' * 100_000 + "1" + "}" * 100_001)
    code, found = findings(tmp_path, "models")
    assert code == 1
    # the bracket that opens level MAX_DEPTH + 1; in deep-objects.json each level is 6 characters
    # '{"a": ' after the 11 of '{"fields": ', whose own '{' is level 1
    assert found == [
        parse_error("models/deep-objects.json", 1, 11 + 6 * (MAX_DEPTH - 1) + 1, DEPTH_MESSAGE),
        parse_error("models/deep.json", 1, MAX_DEPTH + 1, DEPTH_MESSAGE),
        FINE_FINDING,
    ]


def test_nesting_at_the_limit_is_accepted(tmp_path: Path, models: Path) -> None:
    # root object (1) > "extra" (2 ... MAX_DEPTH): exactly MAX_DEPTH levels
    at_limit = {"table": "deep", "fields": GOOD, "extra": "@"}
    text = json.dumps(at_limit).replace('"@"', "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1))
    (models / "limit.json").write_text(text)
    # brackets inside strings do not nest
    (models / "strings.json").write_text(json.dumps({"table": "s", "fields": GOOD, "note": "[{" * 1000}))
    code, found = findings(tmp_path, "models")
    assert (code, found) == (1, [FINE_FINDING])
    (models / "limit.json").write_text(text.replace("[", "[[", 1).replace("]", "]]", 1))
    code, found = findings(tmp_path, "models")
    column = text.index("[") + MAX_DEPTH  # the (MAX_DEPTH - 1)th '[' of the run, now one deeper
    assert found == [parse_error("models/limit.json", 1, column, DEPTH_MESSAGE), FINE_FINDING]


@pytest.mark.slow
def test_100_mb_file(tmp_path: Path, models: Path) -> None:
    datum = json.dumps({"table": "t", "description": "x" * 1000, "fields": GOOD})
    count = 100 * 1024 * 1024 // len(datum) + 1
    bad = json.dumps({"table": "last", "fields": {k: v for k, v in GOOD.items() if k != "id"}})
    text = '{"datums": [\n' + ",\n".join([datum] * count) + ",\n" + bad + "\n]}\n"
    assert len(text) > 100 * 1024 * 1024
    (models / "huge.json").write_text(text)
    code, found = findings(tmp_path, "models")
    assert code == 1
    assert found == [
        {
            "rule": "missing-field",
            "severity": "error",
            "path": "models/huge.json",
            "line": count + 2,
            "column": bad.index('"fields"') + len('"fields": ') + 1,
            "pointer": f"/datums/{count}/fields",
            "table": "last",
            "field": "id",
            "message": "datum 'last' lacks required field 'id'",
        },
        FINE_FINDING,
    ]


def test_fifo_is_a_finding_and_never_read(tmp_path: Path, models: Path) -> None:
    os.mkfifo(models / "pipe.json")
    # a subprocess with a timeout: opening a FIFO for reading would block forever
    done = subprocess.run(
        [sys.executable, "-m", "envoxy.validate", "--rules", RULES, "--format", "json", "models"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "ENVOXY_NO_CACHE": "1"},
    )
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["findings"] == [
        FINE_FINDING,
        parse_error("models/pipe.json", None, None, "is a named pipe (FIFO), expected a JSON model file"),
    ]


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0,
    reason="root reads files whatever their mode; see test_unreadable_file_simulated",
)
def test_unreadable_file(tmp_path: Path, models: Path) -> None:
    secret = models / "secret.json"
    secret.write_text("{}")
    secret.chmod(0)
    code, found = findings(tmp_path, "models")
    assert code == 1
    assert found == [
        FINE_FINDING,
        parse_error("models/secret.json", None, None, "cannot be read: permission denied"),
    ]


def test_unreadable_file_simulated(tmp_path: Path, models: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = models / "secret.json"
    secret.write_text("{}")
    real_open = open

    def guarded_open(path: Any, *args: Any, **kwargs: Any) -> Any:
        if str(path).endswith("secret.json"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(loader, "open", guarded_open, raising=False)
    code, found = findings(tmp_path, "models")
    assert code == 1
    assert found == [
        FINE_FINDING,
        parse_error("models/secret.json", None, None, "cannot be read: permission denied"),
    ]


def test_named_paths_broken_symlink_and_missing(tmp_path: Path, models: Path) -> None:
    (tmp_path / "dangling.json").symlink_to("nowhere.json")
    code, found = findings(tmp_path, "dangling.json", "models/other.json")
    assert code == 1
    assert found == [
        parse_error("dangling.json", None, None, "is a broken symbolic link (its target does not exist)"),
        FINE_FINDING,
    ]
    result = run_cli("--rules", RULES, "missing.json", "models", only="validate", cwd=tmp_path)
    assert result.code == 2
    assert result.out == ""
    assert result.err == (
        "envoxy: no such file or directory: 'missing.json'; name existing model files or directories\n"
    )


def test_output_file_is_written_atomically(tmp_path: Path, models: Path) -> None:
    out = tmp_path / "report.json"
    out.write_text("old")
    result = run_cli(
        "--rules", RULES, "--format", "json", "--output", str(out), "models", only="validate", cwd=tmp_path
    )
    assert (result.code, result.out, result.err) == (1, "", "")
    assert json.loads(out.read_text())["findings"] == [FINE_FINDING]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".report")] == []


def test_symlink_loops_are_walked_once(tmp_path: Path, models: Path) -> None:
    # made here, not committed: a directory loop in the repository would trap setuptools' and
    # pip's own tree walks when the package is built (pre-commit try-repo does build it)
    (models / "sub").mkdir()
    (models / "sub" / "up").symlink_to("..")
    (models / "sub" / "self").symlink_to(".")
    (models / "again").symlink_to("sub")
    (models / "sub" / "bad.json").write_text("[")
    code, found = findings(tmp_path, "models")
    assert code == 1
    assert found == [FINE_FINDING, parse_error("models/sub/bad.json", 1, 2, "invalid JSON: expecting value")]
