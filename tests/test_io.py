"""``envoxy._io.atomic_write``: whole files only, permission bits kept or left to the umask,
and the process umask never touched (other threads may be creating files meanwhile)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from envoxy._io import atomic_write, read_existing


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def no_umask_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(mask: int) -> int:
        raise AssertionError(f"os.umask({mask:#o}) called")

    monkeypatch.setattr(os, "umask", forbidden)


@pytest.mark.usefixtures("no_umask_calls")
@pytest.mark.parametrize("old_mode", [0o600, 0o640, 0o755, 0o444])
def test_replacing_keeps_the_old_files_mode(tmp_path: Path, old_mode: int) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")
    target.chmod(old_mode)
    atomic_write(target, "new")
    assert (target.read_text(), _mode(target)) == ("new", old_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_a_new_file_gets_what_the_umask_allows(tmp_path: Path, umask: int) -> None:
    """In a child process, so that this test's umask cannot leak into others."""
    code = (
        "import os, sys\n"
        f"os.umask({umask})\n"
        "from envoxy._io import atomic_write\n"
        "os.umask = None  # atomic_write must not read it by setting it\n"
        "atomic_write(sys.argv[1], 'x')\n"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "new.txt")], check=True)
    assert _mode(tmp_path / "new.txt") == 0o666 & ~umask


@pytest.mark.usefixtures("no_umask_calls")
def test_a_link_is_followed_and_stays(tmp_path: Path) -> None:
    real = tmp_path / "real.txt"
    real.write_text("old")
    real.chmod(0o640)
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    atomic_write(link, b"new")
    assert link.is_symlink() and real.read_text() == "new" and _mode(real) == 0o640


@pytest.mark.usefixtures("no_umask_calls")
def test_follow_false_replaces_the_link_itself(tmp_path: Path) -> None:
    real = tmp_path / "real.txt"
    real.write_text("keep")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    atomic_write(link, "new", follow=False)
    assert not link.is_symlink() and link.read_text() == "new" and real.read_text() == "keep"


def test_a_failed_replace_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")

    def fail(src: str, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="No space left"):
        atomic_write(target, "new")
    assert [(p.name, p.read_text()) for p in tmp_path.iterdir()] == [("out.json", "old")]


def test_a_fifo_is_written_to_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    atomic_write(fifo, "through the pipe")
    assert reader.communicate(timeout=10)[0] == b"through the pipe"
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert read_existing(fifo) is None
