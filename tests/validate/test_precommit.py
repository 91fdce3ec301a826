"""The pre-commit hook, through the real ``pre-commit try-repo`` (slow: about 20 s).

try-repo builds this repository into a fresh virtualenv with pip, which fetches the build
backend and envoxy's dependencies from the package index: the test needs that index (PyPI or a
configured mirror). It uses its own PRE_COMMIT_HOME, so nothing from an earlier run is reused.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.skipif(
    shutil.which("pre-commit") is None or shutil.which("git") is None,
    reason="needs the pre-commit and git commands",
)

GOOD = {"id": {"type": "string", "format": "uuid"}, "created": {}, "updated": {}, "href": {}}


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def try_repo(repo: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1", "PRE_COMMIT_COLOR": "never"}
    return subprocess.run(
        ["pre-commit", "try-repo", str(REPO), "envoxy-validate", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


@pytest.mark.slow
def test_pre_commit_try_repo(tmp_path: Path) -> None:
    repo = tmp_path / "models-repo"
    (repo / "models").mkdir(parents=True)
    shutil.copy(REPO / "rules.yaml", repo / "rules.yaml")
    (repo / "models" / "good.json").write_text(json.dumps({"table": "good", "fields": GOOD}))
    fields: dict[str, object] = {**GOOD, "id": {"type": "integer"}}
    del fields["href"]
    bad = {"table": "bad", "fields": fields}
    (repo / "models" / "bad.json").write_text(json.dumps(bad, indent=2))
    (repo / "models" / "notes.txt").write_text("{ not JSON, and not a JSON file: never passed")
    git(repo, "init", "-q")
    git(repo, "add", ".")

    failed = try_repo(repo, tmp_path / "pre-commit-home", "--all-files")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "envoxy validate (JSON model files)" in failed.stdout
    assert "Failed" in failed.stdout
    assert (
        "models/bad.json:3:13: missing-field datum 'bad' lacks required field 'href'\n"
        "models/bad.json:4:11: wrong-type datum 'bad' declares field 'id' as "
        '{"type": "integer"}, expected {"type": "string"}\n'
        "2 findings in 2 files: 2 errors, 0 warnings.\n"
        "Run 'envoxy explain missing-field' (or wrong-type) for why and how to fix.\n"
    ) in failed.stdout

    (repo / "models" / "bad.json").write_text(json.dumps({"table": "bad", "fields": GOOD}))
    git(repo, "add", ".")
    passed = try_repo(repo, tmp_path / "pre-commit-home")  # the staged files only
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "envoxy validate (JSON model files)" in passed.stdout
    assert "Passed" in passed.stdout
