"""Run a pure function over many items on two processes: this one and a forked helper.

Reading a history compiles every revision file (about 0.15 ms each), and the scan waits for all
of them before the first revision runs. :func:`split_map` gives part of the files to a helper
process forked for the purpose, which sends its results back as ``marshal`` data (code objects
included); this process does the rest meanwhile. The helper runs nothing but the function (no
revision script runs before the graph is known), writes nothing but its result, and leaves by
``os._exit``. Whatever goes wrong with it (no ``fork`` here, the helper fails or dies, its result
does not read back), this process does the helper's part itself: the result is the same list,
only later.
"""

from __future__ import annotations

import contextlib
import gc
import marshal
import os
import signal
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

__all__ = ["split_map"]

T = TypeVar("T")

MINIMUM = 200
"""Fewer items than this are not worth a process (a fork and the marshalling cost ~10 ms)."""

_HELPER_SHARE = 0.55
"""The helper's part: a little more than half, as this process also builds what follows."""


def split_map(fn: Callable[[T], Any], items: Sequence[T], *, minimum: int = MINIMUM) -> list[Any]:
    """``[fn(i) for i in items]``, the later part computed in a forked helper where that is
    possible and worth it. ``fn`` must not raise and must return what ``marshal`` can carry."""
    if len(items) < minimum or not hasattr(os, "fork") or sys.platform == "emscripten":
        return [fn(i) for i in items]
    cut = len(items) - int(len(items) * _HELPER_SHARE)
    theirs = items[cut:]
    try:
        read, write = os.pipe()
    except OSError:
        return [fn(i) for i in items]
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # what is buffered is written once, not twice
            stream.flush()
    try:
        pid = os.fork()
    except OSError:
        os.close(read)
        os.close(write)
        return [fn(i) for i in items]
    if pid == 0:  # pragma: no cover - the helper's coverage is not collected
        os.close(read)
        _helper(fn, theirs, write)
    os.close(write)
    try:
        mine = [fn(i) for i in items[:cut]]
        received = _received(read, pid, len(theirs))
    except BaseException:
        _end(pid)
        raise
    finally:
        os.close(read)
    return mine + (received if received is not None else [fn(i) for i in theirs])


def _helper(fn: Callable[[Any], Any], items: Sequence[Any], fd: int) -> None:  # pragma: no cover
    status = 1
    try:
        gc.disable()  # nothing it makes is cyclic garbage; a collection would copy the heap's pages
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the scan, which ends it
        data = memoryview(marshal.dumps([fn(i) for i in items]))
        while data:
            data = data[os.write(fd, data) :]
        status = 0
    except BaseException:  # the parent does the work itself
        pass
    finally:
        os._exit(status)


def _received(fd: int, pid: int, count: int) -> list[Any] | None:
    """The helper's results, or ``None`` when it failed or they do not read back."""
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    if status != 0:
        return None
    try:
        results = marshal.loads(b"".join(chunks))
    except (EOFError, ValueError, TypeError):
        return None
    return results if isinstance(results, list) and len(results) == count else None


def _end(pid: int) -> None:
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, 0)
