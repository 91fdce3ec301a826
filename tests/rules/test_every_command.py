"""A broken rules file stops every command that reads rules, the same way: exit 2, the golden
message on stderr, nothing on stdout."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DATA, run_cli

INVALID = sorted(p for p in (DATA / "rules" / "invalid").iterdir() if p.is_dir())
COMMANDS = {
    "validate": ["validate", "models"],
    "check-migrations": ["check-migrations", "versions"],
    "check-db": ["check-db", "sqlite://"],
    "compile": ["compile", "--check"],
    "generate-mixin": ["generate-mixin"],
}


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "a.json").write_text('{"table": "a", "fields": {}}')
    (tmp_path / "versions").mkdir()
    return tmp_path


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", INVALID, ids=lambda p: p.name)
def test_every_command_refuses_a_broken_rules_file(case: Path, command: str, workdir: Path) -> None:
    for source in case.iterdir():
        if source.name != "expected.txt":
            shutil.copy(source, workdir / source.name)
    result = run_cli(*COMMANDS[command], "--rules", "rules.yaml", cwd=workdir)
    assert (result.code, result.out) == (2, "")
    assert result.err == (case / "expected.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("module", ["envoxy.validate", "envoxy.check_migrations"])
def test_module_entry_points_refuse_it_too(module: str, workdir: Path) -> None:
    case = DATA / "rules" / "invalid" / "many-problems"
    shutil.copy(case / "rules.yaml", workdir / "rules.yaml")
    proc = subprocess.run(
        [sys.executable, "-m", module, "--rules", "rules.yaml"],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == (case / "expected.txt").read_text(encoding="utf-8")
