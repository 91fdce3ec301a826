"""Numbered tasks run by this process and forked workers that inherit the work to do.

``run_forked(work, tasks, jobs)`` forks ``jobs - 1`` workers and works beside them; each inherits
``work`` (a closure over the caller's data: the compiled rules, the checker, the list of files)
with the rest of the parent's memory, so nothing is pickled on the way in and nothing is kept in
module globals. Only task numbers travel to the workers and pickled results travel back:

- the task numbers wait in one pipe that every process reads, four bytes at a time (a pipe read
  that small is atomic), so a process on a busy CPU simply takes fewer tasks;
- each worker writes ``(task, length, pickled result)`` frames to its own pipe, which the parent
  drains between its own tasks and then until every worker is done (``poll``), so no worker
  waits long on a full pipe.

A task whose result does not come back (a worker that raised or was killed) is run again in the
parent, which then fails, or not, exactly as a one-process run would.
"""

from __future__ import annotations

import os
import pickle
import select
import struct
from collections.abc import Callable, Iterable
from typing import NoReturn, TypeVar

__all__ = ["MAX_TASKS", "run_forked"]

T = TypeVar("T")

_TASK = struct.Struct("<I")
_FRAME = struct.Struct("<IQ")  # task number, length of the pickled result that follows
# The task numbers are all written before any worker exists, so they must fit in a pipe's buffer:
# 4 KiB, a page, is the least any system gives (Linux under its per-user pipe limit, macOS).
MAX_TASKS = 1024


def run_forked(work: Callable[[int], T], tasks: int, jobs: int) -> list[T]:
    """``[work(0), ..., work(tasks - 1)]``, computed by this process and ``jobs - 1`` forked
    workers."""
    if not 0 < tasks <= MAX_TASKS:
        raise ValueError(f"tasks must be 1 to {MAX_TASKS}, not {tasks}")
    queue_r, queue_w = os.pipe()
    try:
        os.write(queue_w, b"".join(_TASK.pack(i) for i in range(tasks)))
    finally:
        os.close(queue_w)  # every process sees the end of the queue once it is empty
    workers: dict[int, int] = {}  # the parent's end of each worker's result pipe -> its pid
    results: dict[int, T] = {}
    finished = False
    try:
        for _ in range(jobs - 1):
            if not _fork_worker(work, queue_r, workers):
                break  # no more processes to be had: fewer workers (or none)
        streams = _Streams(workers)
        while len(raw := os.read(queue_r, _TASK.size)) == _TASK.size:
            (task,) = _TASK.unpack(raw)
            results[task] = work(task)
            streams.drain(wait=False)
        while streams.open:
            streams.drain(wait=True)
        for task, data in streams.frames():
            results[task] = pickle.loads(data)
        finished = True
    finally:
        os.close(queue_r)
        _reap(workers, kill=not finished)
    return [results[i] if i in results else work(i) for i in range(tasks)]


def _fork_worker(work: Callable[[int], T], queue: int, workers: dict[int, int]) -> bool:
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:  # EAGAIN, ENOMEM: the limits of this machine or account
        os.close(read_end)
        os.close(write_end)
        return False
    if pid == 0:
        os.close(read_end)
        for fd in workers:
            os.close(fd)
        _serve(work, queue, write_end)
    os.close(write_end)
    workers[read_end] = pid
    return True


def _serve(work: Callable[[int], T], queue: int, out: int) -> NoReturn:
    """A worker's life: take task numbers until the queue is empty, send each result back."""
    status = 1
    try:
        while len(raw := os.read(queue, _TASK.size)) == _TASK.size:
            (task,) = _TASK.unpack(raw)
            data = pickle.dumps(work(task), protocol=pickle.HIGHEST_PROTOCOL)
            _write_all(out, _FRAME.pack(task, len(data)) + data)
        status = 0
    finally:
        # Whatever happened (an exception included), leave without unwinding into the caller's
        # code, flushing its buffers or running its exit handlers: the parent re-runs each task
        # whose result did not arrive and reports what that raises.
        os._exit(status)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


class _Streams:
    """What the workers have sent so far, one byte stream per result pipe."""

    def __init__(self, fds: Iterable[int]) -> None:
        self.data = {fd: bytearray() for fd in fds}
        self.open = set(self.data)
        self._poller = select.poll()
        for fd in self.open:
            self._poller.register(fd, select.POLLIN)

    def drain(self, *, wait: bool) -> None:
        """Read what is there (``wait``: wait for something first), noting closed pipes."""
        if not self.open:
            return
        for fd, _ in self._poller.poll(None if wait else 0):
            chunk = os.read(fd, 1 << 20)
            if chunk:
                self.data[fd] += chunk
            else:
                self._poller.unregister(fd)
                self.open.discard(fd)

    def frames(self) -> list[tuple[int, bytes]]:
        """Every complete ``(task, pickled result)`` frame received."""
        frames = []
        for stream in self.data.values():
            at = 0
            while at + _FRAME.size <= len(stream):
                task, length = _FRAME.unpack_from(stream, at)
                start = at + _FRAME.size
                if start + length > len(stream):
                    break  # cut short: the worker died while writing it
                frames.append((task, bytes(stream[start : start + length])))
                at = start + length
        return frames


def _reap(workers: dict[int, int], *, kill: bool) -> None:
    """Close the result pipes and wait for every worker; ``kill``: end them first (the parent
    is leaving on an exception, such as ``KeyboardInterrupt``)."""
    import signal

    for fd, pid in workers.items():
        os.close(fd)
        try:
            if kill:
                os.kill(pid, signal.SIGTERM)
            os.waitpid(pid, 0)
        except (ChildProcessError, ProcessLookupError):
            pass
