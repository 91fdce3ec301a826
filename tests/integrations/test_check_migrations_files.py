"""``envoxy check-migrations FILE ...``: the changed revisions, judged in their whole history.

pre-commit passes the changed revision files. Each is judged with the history it belongs to as
context (an earlier ``create_table``, a rename), and only findings located in a named file are
reported; findings about the history or the rules file as a whole belong to whole-history runs.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, CliResult, run_cli
from tests.integrations.revisions import FULL, NO_HREF, write_revision

RULES = str(REPO / "rules.yaml")


def check(cwd: Path, *argv: str) -> CliResult:
    return run_cli("check-migrations", "--rules", RULES, "--format", "json", *argv, cwd=cwd)


def report(result: CliResult) -> tuple[int, list[tuple[Any, ...]], dict[str, int]]:
    assert result.err == ""
    data = json.loads(result.out)
    found = [(f["rule"], f["path"], f["line"], f["message"]) for f in data["findings"]]
    return result.code, found, data["summary"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """alembic/versions: a1 makes an out-of-scope table without href, b2 renames it into scope
    (a fault only the history shows), c3 drops a required column, d4 adds an optional one."""
    versions = tmp_path / "alembic" / "versions"
    write_revision(versions, "a1", None, NO_HREF.format(table="alembic_version_tmp"))
    write_revision(versions, "b2", "a1", 'op.rename_table("alembic_version_tmp", "orders")\n')
    write_revision(versions, "c3", "b2", FULL.format(table="shops") + 'op.drop_column("shops", "href")\n')
    write_revision(versions, "d4", "c3", 'op.add_column("shops", sa.Column("name", sa.Text()))\n')
    return tmp_path


B2 = (
    "missing-field",
    "alembic/versions/b2_rev.py",
    9,
    "rename_table 'alembic_version_tmp' -> 'orders': "
    "table 'orders' lacks required column 'href' (TEXT NOT NULL)",
)
C3 = (
    "dropped-field",
    "alembic/versions/c3_rev.py",
    16,
    "drop_column removes required column 'shops.href'; rules.yaml requires it (TEXT NOT NULL)",
)


def test_the_whole_history_is_what_the_named_files_split(project: Path) -> None:
    code, found, _ = report(check(project))
    assert code == 1
    assert found == [B2, C3]


def test_a_named_revision_is_judged_with_its_history_as_context(project: Path) -> None:
    """b2 alone is a rename of an unknown table: only the history says what 'orders' lacks."""
    code, found, summary = report(check(project, "alembic/versions/b2_rev.py"))
    assert (code, found) == (1, [B2])
    assert summary == {"files": 1, "findings": 1, "errors": 1, "warnings": 0, "baselined": 0}


def test_only_the_named_files_are_reported(project: Path) -> None:
    assert report(check(project, "alembic/versions/d4_rev.py")) == (
        0,
        [],
        {"files": 1, "findings": 0, "errors": 0, "warnings": 0, "baselined": 0},
    )
    code, found, summary = report(check(project, "alembic/versions/c3_rev.py", "alembic/versions/d4_rev.py"))
    assert (code, found, summary["files"]) == (1, [C3], 2)


def test_paths_are_shown_as_named(project: Path) -> None:
    code, found, _ = report(check(project, "./alembic/versions/../versions/c3_rev.py"))
    assert (code, [f[1] for f in found]) == (1, ["./alembic/versions/../versions/c3_rev.py"])
    code, found, _ = report(check(project / "alembic", "versions/c3_rev.py"))
    assert (code, found) == (1, [(C3[0], "versions/c3_rev.py", *C3[2:])])


def test_head_state_reports_the_tables_last_shaped_by_a_named_file(project: Path) -> None:
    """At head 'shops' lacks href; d4 is the op that last reshaped it, so the finding is d4's."""
    shops = (
        "missing-field",
        "alembic/versions/d4_rev.py",
        9,
        "table 'shops' lacks required column 'href' (TEXT NOT NULL)",
    )
    code, found, _ = report(check(project, "--head-state", "alembic/versions/d4_rev.py"))
    assert (code, found) == (1, [shops])
    code, found, _ = report(check(project, "--head-state", "alembic/versions/c3_rev.py"))
    assert (code, found) == (0, [])


def test_the_versions_of_alembic_ini_are_the_history(tmp_path: Path) -> None:
    """Two version locations: a revision in one builds on a table the other created."""
    (tmp_path / "alembic.ini").write_text(
        "[alembic]\nscript_location = db\nversion_locations = db/core db/extra\npath_separator = space\n",
        encoding="utf-8",
    )
    write_revision(
        tmp_path / "db" / "core",
        "a1",
        None,
        NO_HREF.format(table="alembic_version_x"),
    )
    write_revision(tmp_path / "db" / "extra", "b2", "a1", 'op.rename_table("alembic_version_x", "orders")\n')
    code, found, _ = report(check(tmp_path, "db/extra/b2_rev.py"))
    assert (code, found) == (
        1,
        [(B2[0], "db/extra/b2_rev.py", 9, B2[3].replace("alembic_version_tmp", "alembic_version_x"))],
    )


def test_a_file_outside_the_configured_versions_is_judged_in_its_own_directory(project: Path) -> None:
    other = project / "service" / "migrations" / "versions"
    write_revision(other, "x1", None, FULL.format(table="users"))
    write_revision(other, "x2", "x1", 'op.alter_column("users", "href", nullable=True)\n')
    code, found, _ = report(
        check(project, "service/migrations/versions/x2_rev.py", "alembic/versions/c3_rev.py")
    )
    assert code == 1
    assert found == [
        C3,
        (
            "altered-field",
            "service/migrations/versions/x2_rev.py",
            9,
            "alter_column on required column 'users.href' makes it nullable; "
            "rules.yaml expects 'href' TEXT NOT NULL",
        ),
    ]


def test_a_broken_named_file_is_a_parse_error_and_a_broken_other_file_is_not_reported(project: Path) -> None:
    versions = project / "alembic" / "versions"
    (versions / "e5_rev.py").write_text("revision = 'e5'\ndown_revision = 'd4'\nimport nowhere_at_all\n")
    code, found, _ = report(check(project, "alembic/versions/e5_rev.py"))
    assert (code, [f[:3] for f in found]) == (1, [("parse-error", "alembic/versions/e5_rev.py", 3)])
    assert report(check(project, "alembic/versions/d4_rev.py"))[:2] == (0, [])


def test_exemptions_are_judged_as_on_any_partial_run(tmp_path: Path) -> None:
    """Expired exemptions on every run; unused ones only over the whole history."""
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        Path(RULES)
        .read_text(encoding="utf-8")
        .replace(
            "exemptions: {}",
            "exemptions:\n  ghost:\n    fields: [href]\n    reason: gone\n"
            "  old:\n    fields: [href]\n    reason: gone\n    until: 2020-01-01\n",
        ),
        encoding="utf-8",
    )
    write_revision(tmp_path / "alembic" / "versions", "a1", None, FULL.format(table="shops"))
    expired = (
        "expired-exemption",
        "rules.yaml",
        "exemption for table 'old' expired on 2020-01-01 (reason: gone)",
    )
    unused = [
        (
            "unused-exemption",
            "rules.yaml",
            f"exemption for table '{t}' matches no table or datum that was checked",
        )
        for t in ("ghost", "old")
    ]

    def found(result: CliResult) -> list[tuple[Any, ...]]:
        assert result.err == ""
        return [(f["rule"], f["path"], f["message"]) for f in json.loads(result.out)["findings"]]

    whole = run_cli("check-migrations", "--format", "json", cwd=tmp_path)
    assert sorted(found(whole)) == sorted([expired, *unused])
    named = run_cli("check-migrations", "--format", "json", "alembic/versions/a1_rev.py", cwd=tmp_path)
    assert (named.code, found(named)) == (1, [expired])


def test_a_directory_is_a_versions_directory_whatever_its_name(project: Path) -> None:
    (project / "alembic" / "versions").rename(project / "versions.py")
    code, found, summary = report(check(project, "versions.py"))
    assert (code, [f[1] for f in found], summary["files"]) == (
        1,
        ["versions.py/b2_rev.py", "versions.py/c3_rev.py"],
        4,
    )


def test_files_alembic_does_not_read_are_skipped(project: Path) -> None:
    (project / "alembic" / "versions" / "__init__.py").write_text("raise SystemExit('never imported')\n")
    assert report(check(project, "alembic/versions/__init__.py")) == (
        0,
        [],
        {"files": 0, "findings": 0, "errors": 0, "warnings": 0, "baselined": 0},
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["alembic/versions/zz_rev.py"], "no such file: alembic/versions/zz_rev.py"),
        (["notes.txt"], "not a revision file (a regular *.py file) or a versions directory: notes.txt"),
        (["fifo.py"], "not a revision file (a regular *.py file) or a versions directory: fifo.py"),
        (["loop.py"], "not a revision file (a regular *.py file) or a versions directory: loop.py"),
        (
            ["alembic/versions", "alembic/versions/c3_rev.py"],
            "give one versions directory, or revision files, not both",
        ),
        (["alembic", "alembic/versions"], "give one versions directory, or revision files, not both"),
        (["nowhere"], "no such directory: nowhere"),
    ],
)
def test_usage_errors(project: Path, argv: list[str], message: str) -> None:
    (project / "notes.txt").write_text("not a revision")
    os.mkfifo(project / "fifo.py")  # never opened: it would block
    (project / "loop.py").symlink_to("loop.py")
    result = check(project, *argv)
    assert (result.code, result.out, result.err) == (2, "", f"envoxy: {message}\n")


def test_a_run_over_named_files_judges_no_baseline_entry_stale_and_owns_its_files(project: Path) -> None:
    def counted(*argv: str) -> tuple[int, list[tuple[str, str]]]:
        """Exit status and the findings that count (``json`` lists baselined ones too)."""
        result = check(project, "--baseline", "baseline.json", *argv)
        assert result.err == ""
        findings = json.loads(result.out)["findings"]
        return result.code, [(f["rule"], f["path"]) for f in findings if not f.get("baselined")]

    assert check(project, "--baseline", "baseline.json", "--write-baseline").code == 0
    assert counted() == (0, [])
    # c3 fixed: its entry matches nothing. Only a whole-history run may call it stale.
    write_revision(project / "alembic" / "versions", "c3", "b2", FULL.format(table="shops"))
    assert counted("alembic/versions/b2_rev.py") == (0, [])
    assert counted("alembic/versions/c3_rev.py") == (0, [])
    assert counted() == (1, [("stale-baseline", "baseline.json")])
    # --write-baseline over c3 alone replaces c3's entries and keeps b2's.
    assert (
        check(project, "--baseline", "baseline.json", "--write-baseline", "alembic/versions/c3_rev.py").code
        == 0
    )
    assert counted() == (0, [])
    assert report(check(project, "--no-baseline"))[:2] == (1, [B2])
