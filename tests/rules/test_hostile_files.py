"""Rules files that are not regular files, or far too big: devices, FIFOs, pipes, sparse and huge
files, as ``--rules``, as ``$ENVOXY_RULES``, found by the upward search or named by ``extends``.

The ones that could block or read without end run envoxy in a child process with a timeout and
an address-space limit, so a reader that waits or reads without bound fails the test instead of
hanging it or exhausting the machine.
"""

from __future__ import annotations

import errno
import os
import re
import resource
import shlex
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from envoxy.errors import RulesError
from envoxy.rules import load_rules
from envoxy.rules.loader import MAX_RULES_BYTES, SourceRefused, read_source
from tests.conftest import run_cli

MEMORY_LIMIT = 2 * 1024**3
FIFO_MESSAGE = "is a named pipe (FIFO), expected a regular file (only --rules may name a pipe)"
VALID = "version: 1\nprofile: native\n"


def refused(*problems: str) -> str:
    """The stderr of a command that stops on these rules problems."""
    n = len(problems)
    return f"envoxy: the rules file has {n} problem{'s' if n != 1 else ''}:\n" + "".join(
        p + "\n" for p in problems
    )


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def envoxy(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """``python -m envoxy ARGS`` in ``cwd``, bounded in time and memory, without a cache."""
    environ = {k: v for k, v in os.environ.items() if k != "ENVOXY_RULES"}
    environ.update({"ENVOXY_NO_CACHE": "1", **(env or {})})
    return subprocess.run(
        [sys.executable, "-m", "envoxy", *args],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=_limit_memory,
    )


def in_shell(command: str, *, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``command`` run by bash (for process substitution), envoxy as this interpreter runs it."""
    environ = {k: v for k, v in os.environ.items() if k != "ENVOXY_RULES"}
    environ.update({"ENVOXY_NO_CACHE": "1", "PY": sys.executable})
    return subprocess.run(
        ["bash", "-c", command],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=_limit_memory,
    )


# -- devices -------------------------------------------------------------------------------------


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_device_named_by_rules_is_refused_unread(tmp_path: Path, device: str) -> None:
    done = envoxy("compile", "--check", "--rules", device, cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == refused(f"{device}: is a character device, expected a regular file")


def test_extends_targets_that_are_devices_or_links_to_one(tmp_path: Path) -> None:
    (tmp_path / "random.yaml").symlink_to("/dev/urandom")
    (tmp_path / "rules.yaml").write_text("version: 1\nextends: [/dev/zero, random.yaml]\n")
    done = envoxy("compile", "--check", "--rules", "rules.yaml", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == refused(
        "/dev/zero: is a character device, expected a regular file",
        "random.yaml: is a character device, expected a regular file",
    )


# -- FIFOs and pipes ---------------------------------------------------------------------------


@pytest.fixture
def writer_held() -> Iterator[list[int]]:
    """File descriptors the test holds open on FIFOs (as a writer that never closes would)."""
    fds: list[int] = []
    yield fds
    for fd in fds:
        os.close(fd)


@pytest.mark.parametrize("writer", [False, True], ids=["no-writer", "a-writer-that-never-closes"])
def test_an_extends_target_that_is_a_fifo(tmp_path: Path, writer: bool, writer_held: list[int]) -> None:
    os.mkfifo(tmp_path / "base.yaml")
    if writer:
        fd = os.open(tmp_path / "base.yaml", os.O_RDWR)  # a writer: does not wait for a reader
        os.write(fd, b"version: 1\n")
        writer_held.append(fd)
    (tmp_path / "rules.yaml").write_text("version: 1\nextends: base.yaml\n")
    done = envoxy("compile", "--check", "--rules", "rules.yaml", cwd=tmp_path, timeout=30)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == refused(f"base.yaml: {FIFO_MESSAGE}")


def test_a_fifo_found_by_the_search_is_an_error_not_skipped(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text(VALID)  # must not take the FIFO's place
    project = tmp_path / "project"
    project.mkdir()
    os.mkfifo(project / "rules.yaml")
    done = envoxy("compile", "--check", cwd=project, timeout=30)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == refused(f"rules.yaml: {FIFO_MESSAGE}")


def test_a_fifo_named_by_the_environment_is_an_error(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    done = envoxy("compile", "--check", cwd=tmp_path, env={"ENVOXY_RULES": "pipe.yaml"}, timeout=30)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == refused(f"pipe.yaml: {FIFO_MESSAGE}")


def test_rules_from_process_substitution_still_work(tmp_path: Path) -> None:
    """``--rules <(gen-rules)``: the user named a pipe, and gets what it writes."""
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "a.json").write_text('{"table": "a", "fields": {"id": {}}}')
    rules = shlex.quote("version: 1\nfields: {id: {type: uuid, primary_key: true}}\n")
    done = in_shell(
        f'"$PY" -m envoxy validate --format json --rules <(printf %s {rules}) models', cwd=tmp_path
    )
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    assert '"findings": []' in done.stdout


def test_compile_from_a_pipe_writes_schemas_here(tmp_path: Path) -> None:
    """Rules read from a pipe have no directory of their own: ``schemas/`` goes to the current one
    (it went to ``/dev/fd/schemas``)."""
    rules = shlex.quote("version: 1\nfields: {id: {type: uuid, primary_key: true}}\n")
    done = in_shell(f'"$PY" -m envoxy compile --rules <(printf %s {rules})', cwd=tmp_path)
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    assert done.stdout == "wrote schemas/model.schema.json\nwrote schemas/columns.json\n"
    assert sorted(p.name for p in (tmp_path / "schemas").iterdir()) == ["columns.json", "model.schema.json"]


def test_a_pipe_that_writes_without_end_is_cut_at_the_limit(tmp_path: Path) -> None:
    done = in_shell('"$PY" -m envoxy compile --check --rules <(yes "# padding")', cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert re.fullmatch(
        r"envoxy: the rules file has 1 problem:\n/dev/fd/\d+: holds more than 1 MB, "
        r"expected a rules file of at most 1 MB\n",
        done.stderr,
    ), done.stderr


def test_never_reads_more_than_the_limit_plus_one_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    # A reader of our own keeps the writer's open and writes from failing until read_source has
    # opened the FIFO too; closing it afterwards ends the writer (EPIPE).
    keeper = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    out = os.open(fifo, os.O_WRONLY)

    def write_forever() -> None:
        try:
            while True:
                os.write(out, b"# padding\n" * 10_000)
        except BrokenPipeError:
            pass
        finally:
            os.close(out)

    writer = threading.Thread(target=write_forever, daemon=True)
    writer.start()
    real_read = os.read
    read: list[int] = []

    def counting_read(fd: int, n: int) -> bytes:
        data = real_read(fd, n)
        read.append(len(data))
        return data

    monkeypatch.setattr(os, "read", counting_read)
    try:
        with pytest.raises(SourceRefused, match="holds more than 1 MB"):
            read_source(fifo, pipe_allowed=True)
    finally:
        monkeypatch.undo()
        os.close(keeper)
    writer.join(10)
    assert sum(read) == MAX_RULES_BYTES + 1
    assert not writer.is_alive()


# -- huge files --------------------------------------------------------------------------------


def test_a_sparse_1_gb_file_as_rules_and_as_extends_target(tmp_path: Path) -> None:
    with open(tmp_path / "big.yaml", "wb") as fh:
        fh.truncate(1024**3)
    (tmp_path / "rules.yaml").write_text("version: 1\nextends: big.yaml\n")
    message = "big.yaml: is 1073.7 MB (1073741824 bytes), expected a rules file of at most 1 MB"
    for rules in ("big.yaml", "rules.yaml"):
        done = envoxy("compile", "--check", "--rules", rules, cwd=tmp_path)
        assert (done.returncode, done.stdout, done.stderr) == (2, "", refused(message))


def test_a_100_mb_yaml_extends_target(tmp_path: Path) -> None:
    line = b"# " + b"x" * 97 + b"\n"
    with open(tmp_path / "base.yaml", "wb") as fh:
        fh.write(b"version: 1\n")
        for _ in range(100):
            fh.write(line * 10_000)
    size = (tmp_path / "base.yaml").stat().st_size
    assert size > 100 * 10**6
    (tmp_path / "rules.yaml").write_text("version: 1\nextends: base.yaml\n")
    done = envoxy("compile", "--check", "--rules", "rules.yaml", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == refused(
        f"base.yaml: is {size / 1e6:.1f} MB ({size} bytes), expected a rules file of at most 1 MB"
    )


def test_the_limit_itself_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    head = VALID.encode() + b"# "
    path.write_bytes(head + b"x" * (MAX_RULES_BYTES - len(head) - 1) + b"\n")
    assert path.stat().st_size == MAX_RULES_BYTES
    assert load_rules(path).profile == "native"
    with open(path, "ab") as fh:
        fh.write(b"\n")
    with pytest.raises(RulesError) as caught:
        load_rules(path)
    assert [p.message for p in caught.value.problems] == [
        f"is 1.0 MB ({MAX_RULES_BYTES + 1} bytes), expected a rules file of at most 1 MB"
    ]


# -- a rules.yaml that is found but cannot be read -----------------------------------------------


@pytest.fixture
def nested(tmp_path: Path) -> Path:
    """A project directory below a directory whose valid rules.yaml must not be used instead."""
    (tmp_path / "rules.yaml").write_text(VALID)
    project = tmp_path / "project"
    project.mkdir()
    return project


def test_a_dangling_link_found_by_the_search_is_an_error(nested: Path) -> None:
    (nested / "rules.yaml").symlink_to("org/rules.yaml")
    result = run_cli("compile", "--check", cwd=nested)
    assert (result.code, result.out) == (2, "")
    assert result.err == refused(
        "rules.yaml: is a broken symbolic link (its target does not exist), expected a readable rules file"
    )


def test_a_directory_found_by_the_search_is_an_error(nested: Path) -> None:
    (nested / "rules.yaml").mkdir()
    result = run_cli("compile", "--check", cwd=nested)
    assert (result.code, result.out) == (2, "")
    assert result.err == refused("rules.yaml: is a directory, expected a rules.yaml file")


def test_a_dangling_link_named_by_the_environment_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "rules.yaml").write_text(VALID)
    (tmp_path / "env.yaml").symlink_to("gone.yaml")
    monkeypatch.setenv("ENVOXY_RULES", "env.yaml")
    result = run_cli("compile", "--check", cwd=tmp_path)
    assert (result.code, result.out) == (2, "")
    assert result.err == refused(
        "env.yaml: is a broken symbolic link (its target does not exist), expected a readable rules file"
    )


def test_an_unreadable_file_found_by_the_search_is_an_error(
    nested: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Simulated: the tests run as root, which reads any file whatever its mode, so ``open``
    raises the ``PermissionError`` the kernel would (see tests/validate/test_bad_inputs.py)."""
    (nested / "rules.yaml").write_text(VALID)
    real_open = os.open

    def guarded_open(path: str | os.PathLike[str], flags: int, *args: int, **kwargs: int | None) -> int:
        if Path(path) == nested / "rules.yaml":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", guarded_open)
    monkeypatch.setenv("ENVOXY_NO_CACHE", "1")
    result = run_cli("compile", "--check", cwd=nested)
    assert (result.code, result.out) == (2, "")
    assert result.err == refused(
        "rules.yaml: cannot read the rules file (Permission denied), expected a readable file"
    )
