"""Run the revision scripts where nothing they do can reach the scan.

The scanner's process reads the revision graph from the scripts' text and never runs a script.
It forks one worker (after envoxy, SQLAlchemy and Alembic are imported, so nothing is imported
twice) that imports and follows the revisions in order, notes in a shared page of memory which
revision it is at, and with each verification (below) sends over a pipe the findings of the
revisions since the one before and the tables they changed (:mod:`envoxy.migrations.wire`),
which the scanner applies to its own copy of the symbolic schema. The worker's standard streams
are ``/dev/null`` and a capture file, it runs in a process group of its own under a memory
limit, and a :class:`~envoxy.migrations.guard.Guard` watches its interpreter.

The guard's full comparison (a verification) runs every :data:`CHECK_EVERY` seconds of work and
after the last revision; a report counts once a verification after it passed. When the worker
dies, hangs or writes what is not a report at revision R, or a verification finds the interpreter
changed, the unverified reports are thrown away and those revisions run again in a fresh worker
(forked from the scanner's clean process, with the schema as the verified reports left it),
verified one by one, until the revision at fault is known: it is reported as
``unanalysable-revision`` and the next fresh worker goes on after it, so that the revisions after
it are judged as if it were absent.

Where ``os.fork`` does not exist (Windows), the revisions run in the scanner's process with the
guard compared and restored after every revision: slower, and a revision that ends the process
for real (a signal, a crash) or hangs with the time bound disabled ends or hangs the scan.
"""

from __future__ import annotations

import contextlib
import gc
import mmap
import os
import select
import signal
import struct
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, NoReturn

from envoxy.findings import Finding
from envoxy.migrations.analyst import Analyst, RevisionReport, unanalysable
from envoxy.migrations.capture import captured
from envoxy.migrations.guard import Guard, watching_interrupts
from envoxy.migrations.loader import Revision, describe_error
from envoxy.migrations.schema import Delta, Key, Origin
from envoxy.migrations.wire import WireError, decode, encode, materialize
from envoxy.rules.model import RuleSet
from envoxy.tables import TableState

__all__ = ["CHECK_EVERY", "Followed", "follow"]

CHECK_EVERY = 1.0
"""Seconds of worker time between two full comparisons of the interpreter."""

_MEMORY = 4 << 30
"""Address space a worker may take beyond what it had when forked."""

_OUTPUT_LIMIT = 1 << 20
_PROGRESS = struct.Struct("<q")


@dataclass(frozen=True, slots=True)
class Followed:
    """A report per revision, in order, and what the revision scripts printed."""

    reports: tuple[RevisionReport, ...]
    output: str


@dataclass(slots=True)
class _Task:
    """What one run of revisions needs: the revisions, which are judged, how to set up the
    interpreter they run in, and how to analyse them."""

    revisions: Sequence[Revision]
    judged: Sequence[bool]
    rules: RuleSet
    analyst: Analyst
    setup: Callable[[], AbstractContextManager[None]]
    seconds: float


def follow(
    revisions: Sequence[Revision],
    judged: Sequence[bool],
    analyst: Analyst,
    setup: Callable[[], AbstractContextManager[None]],
    *,
    seconds: float,
    isolated: bool | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> Followed:
    """Analyse ``revisions`` in order with ``analyst`` (whose schema is advanced by every
    report), inside ``setup()``. ``isolated``: in a worker process (default: where
    ``os.fork`` exists). ``meanwhile``: what this process may do while the first worker runs
    (import what the caller needs next, say); its failures are ignored."""
    task = _Task(revisions, judged, analyst.rules, analyst, setup, seconds)
    if isolated is None:
        isolated = hasattr(os, "fork") and sys.platform != "emscripten"
    return _Supervisor(task, meanwhile).run() if isolated else _in_process(task)


# -- where os.fork exists ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Sent:
    """One revision's report as the worker sent it: the findings read, the tables it changed
    still as JSON values (read only when the scanner needs the schema: most are changed again
    before it does)."""

    findings: tuple[Finding, ...]
    changed: list[tuple[Key, Any, Any]]
    """(key, state, origin) of each table changed, state and origin as decoded JSON."""
    dropped: list[Key]
    enums: list[Key]


@dataclass(slots=True)
class _Run:
    """What the scanner learnt from one worker: reports whose revisions the guard verified,
    reports since the last verification, and where and why the worker failed."""

    verified: list[tuple[int, _Sent]] = field(default_factory=list)
    pending: list[tuple[int, _Sent]] = field(default_factory=list)
    failed_at: int | None = None
    why: str = ""
    changed: bool = False
    """The guard found the interpreter changed (else the worker died, hung or wrote nonsense)."""
    unsent_from: int | None = None
    """The first of the revisions before ``failed_at`` the worker ran but did not report."""
    output: str = ""


@dataclass(frozen=True, slots=True)
class _Mode:
    """Where a worker starts, up to which revision it verifies each one (``careful_until``,
    else every :data:`CHECK_EVERY` seconds) and before which it stops (``None``: the end)."""

    start: int
    careful_until: int = -1
    stop_before: int | None = None


class _Supervisor:
    def __init__(self, task: _Task, meanwhile: Callable[[], object] | None = None) -> None:
        self.task = task
        self.meanwhile = meanwhile
        self.reports: dict[int, RevisionReport] = {}
        self.output: list[str] = []
        self.unread: dict[Key, tuple[int, Any, Any]] = {}
        """Tables changed since the schema was last brought up to date: (by which revision,
        state, origin) as sent."""
        self.dropped: set[Key] = set()
        self.enums: set[Key] = set()

    def run(self) -> Followed:
        count = len(self.task.revisions)
        mode, suspect = _Mode(0), None
        while mode.start < count:
            self._bring_up_to_date()
            run = self._worker(mode)
            self.output.append(run.output)
            self._commit(run.verified)
            failed = run.failed_at
            if failed is None:
                self._commit(run.pending)  # the worker verified its last report: none left
                if suspect is None:
                    break
                # Every revision before the one its worker died at is clean: it is the culprit.
                self._unanalysable(*suspect)
                mode, suspect = _Mode(suspect[0] + 1), None
            elif not run.pending and run.unsent_from is None:  # all before it verified: the culprit
                self._unanalysable(failed, run.why)
                mode, suspect = _Mode(failed + 1), None
            elif run.changed:  # any unverified revision may have made the change: verify each
                mode, suspect = _Mode(run.pending[0][0], careful_until=failed), None
            else:  # it died at `failed`, unless an unverified revision before it set that up
                first = run.pending[0][0] if run.pending else run.unsent_from or 0
                mode, suspect = _Mode(first, careful_until=failed - 1, stop_before=failed), (failed, run.why)
        self._bring_up_to_date()
        return Followed(
            tuple(self.reports.get(i, RevisionReport()) for i in range(count)), "".join(self.output)
        )

    def _unanalysable(self, index: int, why: str) -> None:
        self.reports[index] = unanalysable(self.task.rules, self.task.revisions[index], why)

    def _commit(self, reports: list[tuple[int, _Sent]]) -> None:
        for index, sent in reports:
            self.reports[index] = RevisionReport(sent.findings)
            for key in sent.dropped:
                self.unread.pop(key, None)
                self.dropped.add(key)
            for key, state, origin in sent.changed:
                self.unread[key] = (index, state, origin)
                self.dropped.discard(key)
            self.enums.update(sent.enums)

    def _bring_up_to_date(self) -> None:
        """Apply the reports committed so far to the schema (the worker forked next starts
        from it; at the end it is the head)."""
        with _collector_paused():
            self._read_tables()

    def _read_tables(self) -> None:
        changed: list[tuple[TableState, Origin]] = []
        for index, state, origin in self.unread.values():
            try:
                table, where = materialize(state), materialize(origin)
                if not isinstance(table, TableState) or not isinstance(where, Origin):
                    raise WireError("not a table")
            except WireError:
                self._unanalysable(index, "what it reported about a table could not be read")
                continue
            changed.append((table, where))
        self.task.analyst.schema.advance(Delta(tuple(changed), tuple(self.dropped), tuple(self.enums)))
        self.unread.clear()
        self.dropped.clear()
        self.enums.clear()

    def _worker(self, mode: _Mode) -> _Run:
        read, write = os.pipe()
        # Which revision the worker is at, where the scanner can read it without the worker
        # writing to the pipe (and waking the scanner) for every revision.
        progress = mmap.mmap(-1, _PROGRESS.size)
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):  # a closed or odd stream: nothing to flush
                stream.flush()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the worker's coverage is not collected
            os.close(read)
            _worker_main(self.task, write, mode, progress)
        os.close(write)
        try:
            if self.meanwhile is not None:  # once, while the worker runs
                meanwhile, self.meanwhile = self.meanwhile, None
                with contextlib.suppress(Exception):
                    meanwhile()
            return _Listener(self.task, read, pid, mode, progress).listen()
        finally:
            os.close(read)
            _end(pid)


def _end(pid: int) -> None:
    """Kill the worker and whatever it started in its process group, and reap it."""
    for kill in (os.killpg, os.kill):
        with contextlib.suppress(OSError):
            kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


class _Listener:
    """Reads one worker's reports until it ends, fails or falls silent."""

    def __init__(self, task: _Task, fd: int, pid: int, mode: _Mode, progress: mmap.mmap) -> None:
        self.task = task
        self.progress = progress
        self.fd = fd
        self.pid = pid
        self.expected = mode.start
        self.count = len(task.revisions) if mode.stop_before is None else mode.stop_before
        self.run = _Run()
        self.buffer = b""
        self.status: int | None = None
        self.limit = 4 * task.seconds + 2

    def listen(self) -> _Run:
        os.set_blocking(self.fd, False)
        while True:
            try:
                line = self._line()
            except _Failed as failed:
                return self._failed(failed.why)
            if line is None:  # the worker ended after its last report
                return self.run
            try:
                if self._message(_decoded(line)):
                    return self.run
            except _Failed as failed:
                return self._failed(failed.why)
            except (WireError, KeyError, TypeError, ValueError):
                return self._failed("it wrote into the channel envoxy's reports travel through")

    def _failed(self, why: str) -> _Run:
        """The worker failed at the revision it was at (its reports from ``expected`` on, if
        any, were not sent: those revisions are unverified)."""
        if self.run.failed_at is None:
            at = self._at()
            at = at if self.expected <= at < self.count else self.expected
            self.run.failed_at, self.run.why = at, why
            if at > self.expected and not self.run.pending:
                self.run.unsent_from = self.expected
        return self.run

    def _line(self) -> bytes | None:
        """The next message; ``None`` when the worker is gone after its last report. Raises
        :class:`_Failed` when it is gone before, or stays at one revision past the limit."""
        at, deadline = self._at(), time.monotonic() + self.limit
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise _Failed(f"it was still running after {self.limit:g} s")
            ready, _, _ = select.select([self.fd], [], [], min(left, 0.5))
            if not ready and self._at() != at:  # on to another revision: its own time limit
                at, deadline = self._at(), time.monotonic() + self.limit
            if ready:
                chunk = os.read(self.fd, 1 << 16)
                self.buffer += chunk
                if chunk:
                    continue
            elif self._exited() is None:
                continue
            else:  # exited, but something it started holds the pipe open: what is there
                with contextlib.suppress(BlockingIOError):
                    while chunk := os.read(self.fd, 1 << 16):
                        self.buffer += chunk
            if b"\n" in self.buffer:
                break
            if self.expected >= self.count:
                return None
            raise _Failed(self._death())
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line

    def _at(self) -> int:
        """The revision the worker notes it is at."""
        (at,) = _PROGRESS.unpack(self.progress[: _PROGRESS.size])
        return int(at)

    def _exited(self) -> int | None:
        if self.status is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                return None
            if pid != 0:
                self.status = status
        return self.status

    def _death(self) -> str:
        deadline = time.monotonic() + 1.0
        while self._exited() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        status = self.status
        if status is None:
            return "it closed the channel envoxy's reports travel through"
        if os.WIFSIGNALED(status):
            number = os.WTERMSIG(status)
            try:
                name = signal.Signals(number).name
            except ValueError:
                name = str(number)
            return f"it ended the process that ran it ({name})"
        return f"it ended the process that ran it (exit status {os.waitstatus_to_exitcode(status)})"

    def _message(self, message: dict[str, Any]) -> bool:
        """Take one message; whether it was the worker's last."""
        if "end" in message:
            self.run.output = str(message["end"])
            return True
        if "crash" in message:
            raise _Failed(f"the process that ran it failed ({str(message['crash'])[:200]})")
        index = message["index"]
        if not isinstance(index, int) or index != self.expected:
            raise ValueError("a report out of order")
        problems = message["problems"]
        if problems:
            self.expected = index
            self._failed("; ".join(str(p) for p in problems))
            self.run.changed = True
            return False
        self.run.pending.append((index, _sent(message)))
        self.expected = index + 1
        if message["verified"] is True:
            self.run.verified.extend(self.run.pending)
            self.run.pending = []
        return False


class _Failed(Exception):
    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """A report with every table makes many objects at once (none of them cyclic garbage), and
    the full collections that would set off over the scanner's heap cost more than the work."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _decoded(line: bytes) -> dict[str, Any]:
    with _collector_paused():
        return decode(line)


def _key(value: Any) -> Key:
    if (
        isinstance(value, list)
        and len(value) == 2
        and (value[0] is None or isinstance(value[0], str))
        and isinstance(value[1], str)
    ):
        return (value[0], value[1])
    raise WireError("not a table's key")


def _sent(message: dict[str, Any]) -> _Sent:
    """A report as received; raises :class:`WireError` (or ``TypeError``) for what is not one."""
    findings = materialize(message["findings"])
    if not all(isinstance(f, Finding) for f in findings):
        raise WireError("not a finding")
    changed = []
    for state, origin in message["changed"]:
        if not isinstance(state, dict) or state.get("$") != "TableState":
            raise WireError("not a table")
        changed.append((_key([state.get("schema"), state.get("name")]), state, origin))
    return _Sent(
        findings, changed, [_key(k) for k in message["dropped"]], [_key(k) for k in message["enums"]]
    )


def _worker_main(task: _Task, fd: int, mode: _Mode, progress: mmap.mmap) -> NoReturn:
    """The worker: analyse revisions as ``mode`` says, report them; never return."""
    status = 0
    try:
        _detach()
        _follow_in_worker(task, fd, mode, progress)
    except BaseException as e:  # said to the scanner, which decides
        status = 70
        with contextlib.suppress(BaseException):  # the pipe may be what failed
            os.write(fd, encode({"crash": describe_error(e)}))
    finally:
        os._exit(status)


def _detach() -> None:
    """Nothing the worker writes reaches the scanner's streams; what it starts stays in its own
    process group; its memory is bounded."""
    # What was there at the fork stays out of the collector's way: full collections neither take
    # the time to walk it nor copy its pages by touching them.
    gc.freeze()
    with contextlib.suppress(OSError):
        os.setpgid(0, 0)
    null = os.open(os.devnull, os.O_RDWR)
    for target in (0, 1, 2):
        os.dup2(null, target)
    os.close(null)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        import resource

        used = os.sysconf("SC_PAGE_SIZE") * int(open("/proc/self/statm").read().split()[0])  # noqa: SIM115
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = used + _MEMORY
        if hard == resource.RLIM_INFINITY or limit < hard:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, OSError, ValueError):  # no /proc or no limits here: unbounded
        pass


def _follow_in_worker(task: _Task, fd: int, mode: _Mode, progress: mmap.mmap) -> None:
    waiting: list[bytes] = []

    def send(message: dict[str, Any], *, flush: bool) -> None:
        waiting.append(encode(message))
        if flush:
            data = b"".join(waiting)
            waiting.clear()
            while data:
                data = data[os.write(fd, data) :]

    count = len(task.revisions)
    schema = task.analyst.schema
    with captured() as output, task.setup():
        guard = Guard(seconds=task.seconds)
        checked = time.monotonic()
        batch = schema.checkpoint()
        stop = count if mode.stop_before is None else mode.stop_before
        for index in range(mode.start, stop):
            progress[: _PROGRESS.size] = _PROGRESS.pack(index)
            report = task.analyst.analyse(task.revisions[index], judged=task.judged[index])
            problems = guard.settle()
            verified = False
            if not problems and (
                index <= mode.careful_until or index == stop - 1 or time.monotonic() - checked > CHECK_EVERY
            ):
                problems = guard.verify()
                verified, checked = not problems, time.monotonic()
            # The tables travel with a verification only: what they were at the last one is all
            # a fresh worker ever starts from (and most change again before the next).
            delta = schema.delta(batch) if verified else Delta()
            if verified:
                schema.release(batch)
                batch = schema.checkpoint()
            message = {
                "index": index,
                "findings": report.findings,
                "changed": delta.changed,
                "dropped": delta.dropped,
                "enums": delta.enums,
                "problems": problems,
                "verified": verified,
            }
            send(message, flush=verified or bool(problems))
            if problems:
                break
    send({"end": output.getvalue()[:_OUTPUT_LIMIT]}, flush=True)


# -- where it does not -----------------------------------------------------------------------------


def _in_process(task: _Task) -> Followed:
    reports: list[RevisionReport] = []
    schema = task.analyst.schema
    with captured() as output, watching_interrupts(), task.setup():
        guard = Guard(seconds=task.seconds)
        for revision, judged in zip(task.revisions, task.judged, strict=True):
            before = schema.checkpoint()
            report = task.analyst.analyse(revision, judged=judged)
            problems = guard.settle() + guard.verify()
            if problems:
                guard.restore()
                schema.rollback(before)
                task.analyst.replay.forget()
                report = unanalysable(task.rules, revision, "; ".join(problems))
            else:
                schema.release(before)
            reports.append(report)
    return Followed(tuple(reports), output.getvalue())
