"""The ``envoxy-check-migrations`` hook, through the real ``pre-commit try-repo`` (slow).

As in tests/validate/test_precommit.py, try-repo builds this repository into a fresh virtualenv
from the package index, with its own PRE_COMMIT_HOME. The project is a git repository with an
Alembic history: the hook runs on the changed revision files only, judges them with the whole
history as context, and leaves files outside ``(alembic|migrations)/versions/`` alone.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.integrations.revisions import NO_HREF, write_revision

pytestmark = pytest.mark.skipif(
    shutil.which("pre-commit") is None or shutil.which("git") is None,
    reason="needs the pre-commit and git commands",
)

HOOK = "envoxy check-migrations (Alembic revision scripts)"


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
        ["pre-commit", "try-repo", str(REPO), "envoxy-check-migrations", "--verbose", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


@pytest.mark.slow
def test_pre_commit_try_repo_check_migrations(tmp_path: Path) -> None:
    repo = tmp_path / "service"
    versions = repo / "migrations" / "versions"
    repo.mkdir()
    shutil.copy(REPO / "rules.yaml", repo / "rules.yaml")
    (repo / "alembic.ini").write_text("[alembic]\nscript_location = migrations\n", encoding="utf-8")
    # An old violation, committed before envoxy: the hook must not hold new commits to it.
    write_revision(versions, "a1", None, NO_HREF.format(table="legacy"))
    write_revision(versions, "b2", "a1", NO_HREF.format(table="alembic_version_tmp"))
    (repo / "tools").mkdir()
    (repo / "tools" / "drop.py").write_text('op.drop_column("legacy", "id")\n')  # not a revision
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "history", "--no-verify")
    home = tmp_path / "pre-commit-home"

    # A new revision renames the out-of-scope table into scope: only the history tells what it
    # lacks. The staged files are the new revision and a file outside the versions directory.
    write_revision(versions, "c3", "b2", 'op.rename_table("alembic_version_tmp", "orders")\n')
    (repo / "tools" / "drop.py").write_text('op.drop_column("legacy", "href")\n')
    git(repo, "add", ".")
    failed = try_repo(repo, home)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert HOOK in failed.stdout and "Failed" in failed.stdout
    assert (
        "migrations/versions/c3_rev.py:9: missing-field rename_table 'alembic_version_tmp' -> "
        "'orders': table 'orders' lacks required column 'href' (TEXT NOT NULL)\n"
        "1 finding in 1 file: 1 error, 0 warnings.\n"
    ) in failed.stdout
    assert "legacy" not in failed.stdout  # a1's own violation is not the new commit's

    # Fixed: the new revision adds what the table lacks before it comes into scope.
    write_revision(
        versions,
        "c3",
        "b2",
        'op.add_column("alembic_version_tmp", sa.Column("href", sa.Text(), nullable=False))\n'
        'op.rename_table("alembic_version_tmp", "orders")\n',
    )
    git(repo, "add", ".")
    passed = try_repo(repo, home)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout
    assert "No findings in 1 file.\n" in passed.stdout

    # --all-files: every revision, each in its history; a1's old violation shows.
    everything = try_repo(repo, home, "--all-files")
    assert everything.returncode == 1, everything.stdout + everything.stderr
    assert (
        "migrations/versions/a1_rev.py:9: missing-field table 'legacy' lacks required column "
        "'href' (TEXT NOT NULL)\n"
        "1 finding in 3 files: 1 error, 0 warnings.\n"
    ) in everything.stdout
