"""Revision files read ahead in a helper process (envoxy/migrations/reading.py): the same values
as reading them in the scan, nothing read that the scan would not read, and no helper left behind."""

from __future__ import annotations

import marshal
import os
from pathlib import Path
from typing import Any

import pytest

from envoxy.migrations import reading
from envoxy.migrations.reading import examine, prefetch, versions_directory
from tests.conftest import REPO, run_cli
from tests.migrations.test_scanner import write_revision

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="read ahead only where os.fork exists")


def comparable(examined: Any) -> tuple[Any, ...]:
    code, failed, declared, unreadable = examined
    return (None if code is None else marshal.dumps(code), failed, declared, unreadable)


def history(tmp_path: Path) -> Path:
    versions = tmp_path / "versions"
    write_revision(versions, "a1", None, "op.add_column('t', sa.Column('x', sa.Text()))\n")
    write_revision(versions, "a2", "a1", "op.add_column('t', sa.Column('y', sa.Text()))\n")
    (versions / "a3_broken.py").write_text("revision = 'a3'\ndown_revision = 'a2'\ndef upgrade(:\n")
    (versions / "notes.py").write_text('"""no revision here"""\n')
    (versions / "__init__.py").write_text("")
    (versions / "README").write_text("revision = 'r'\n")
    (versions / "linked.py").symlink_to(versions / "a1_rev.py")
    return versions


def test_the_helper_reads_what_the_scan_would(tmp_path: Path) -> None:
    versions = history(tmp_path)
    ahead = prefetch(versions)
    assert ahead is not None
    found = ahead.results()
    real = os.path.realpath(versions)
    # the .py files directly in the directory; a link is left for the scan to resolve
    assert sorted(found) == [
        os.path.join(real, n) for n in ("a1_rev.py", "a2_rev.py", "a3_broken.py", "notes.py")
    ]
    for path, examined in found.items():
        assert comparable(examined) == comparable(examine(path)), path
    assert found[os.path.join(real, "a3_broken.py")][1] == ("SyntaxError: invalid syntax", 3)
    assert found[os.path.join(real, "a2_rev.py")][2] == {
        "revision": "a2",
        "down_revision": "a1",
    }
    with pytest.raises(ChildProcessError):
        os.waitpid(ahead.helper.pid, os.WNOHANG)  # reaped


def test_a_helper_never_asked_is_ended_and_reaped(tmp_path: Path) -> None:
    ahead = prefetch(history(tmp_path))
    assert ahead is not None
    ahead.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(ahead.helper.pid, os.WNOHANG)
    with pytest.raises(OSError):
        os.fstat(ahead.helper.fd)  # closed


def test_a_helper_that_fails_gives_nothing_and_the_scan_reads_the_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(path: str) -> Any:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(reading, "examine", broken)  # the helper forked next inherits it
    ahead = prefetch(history(tmp_path))
    assert ahead is not None
    assert ahead.results() == {}


def test_the_command_judges_alike_with_and_without_reading_ahead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import envoxy.migrations.loader as loader
    from envoxy.migrations.halves import split_map

    read_in_scan: list[list[str]] = []

    def spy(fn: Any, items: list[str]) -> list[Any]:
        read_in_scan.append([os.path.basename(i) for i in items])
        return split_map(fn, items)

    monkeypatch.setattr(loader, "split_map", spy)
    versions = history(tmp_path)
    rules = str(REPO / "rules.yaml")
    ahead = run_cli("check-migrations", str(versions), "--rules", rules, "--format", "json", cwd=tmp_path)
    monkeypatch.setattr(reading, "prefetch", lambda directory: None)
    plain = run_cli("check-migrations", str(versions), "--rules", rules, "--format", "json", cwd=tmp_path)
    assert (ahead.code, ahead.out, ahead.err) == (plain.code, plain.out, plain.err)
    # read ahead, the scan read nothing itself; without, every file
    assert read_in_scan == [[], ["a1_rev.py", "a2_rev.py", "a3_broken.py", "notes.py"]]
    assert ahead.code == 1  # the broken and the id-less files are findings either way
    assert '"parse-error"' in ahead.out


def test_the_versions_directory_is_guessed_only_where_alembic_is_not_needed(tmp_path: Path) -> None:
    (tmp_path / "alembic" / "versions").mkdir(parents=True)
    (tmp_path / "mine").mkdir()
    (tmp_path / "one.py").write_text("")
    assert versions_directory(["mine"], tmp_path) == str(tmp_path / "mine")
    assert versions_directory(["one.py"], tmp_path) is None  # a revision file: the files mode
    assert versions_directory(["mine", "one.py"], tmp_path) is None
    assert versions_directory([], tmp_path) == str(tmp_path / "alembic" / "versions")
    (tmp_path / "alembic.ini").write_text("[alembic]\nscript_location = elsewhere\n")
    assert versions_directory([], tmp_path) is None  # alembic.ini decides: Alembic reads it
