"""Work done on a second process: a forked helper that computes one value and sends it back.

Reading a history compiles every revision file (about 0.15 ms each), and the scan waits for all
of them before the first revision runs. :func:`fork_helper` starts a helper process that computes
a value (part of the files, read and compiled) while this process does something else, and sends
it back as ``marshal`` data (code objects included); :func:`split_map` gives it the later part of
a list. The helper runs nothing but the work it was given (no revision script runs before the
graph is known), writes nothing but its result, and leaves by ``os._exit``. Whatever goes wrong
with it (no ``fork`` here, the helper fails or dies, its result does not read back), the result
is ``None`` and the caller does the work itself: the same value, only later.
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

__all__ = ["Helper", "fork_helper", "split_map"]

T = TypeVar("T")

MINIMUM = 200
"""Fewer items than this are not worth a process (a fork and the marshalling cost ~10 ms)."""

_HELPER_SHARE = 0.55
"""The helper's part: a little more than half, as this process also builds what follows."""

_UNREAD = object()


class Helper:
    """A forked process computing one value (see :func:`fork_helper`)."""

    def __init__(self, pid: int, fd: int) -> None:
        self.pid = pid
        self.fd = fd
        self._value: Any = _UNREAD

    def result(self) -> Any:
        """The helper's value, or ``None`` when it failed, died or sent what does not read back.
        Waits for the helper the first time; the helper is reaped and its pipe closed."""
        if self._value is _UNREAD:
            self._value = _received(self.pid, self.fd)
        return self._value

    def close(self) -> None:
        """End the helper if its value was never asked for (nothing is left behind)."""
        if self._value is _UNREAD:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            self.result()


def fork_helper(work: Callable[[], Any]) -> Helper | None:
    """Start a helper process computing ``work()``, which must return what ``marshal`` can
    carry; ``None`` where no process can be forked."""
    if not hasattr(os, "fork") or sys.platform == "emscripten":
        return None
    try:
        read, write = os.pipe()
    except OSError:
        return None
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # what is buffered is written once, not twice
            stream.flush()
    try:
        pid = os.fork()
    except OSError:
        os.close(read)
        os.close(write)
        return None
    if pid == 0:  # pragma: no cover - the helper's coverage is not collected
        os.close(read)
        _helper(work, write)
    os.close(write)
    return Helper(pid, read)


def split_map(fn: Callable[[T], Any], items: Sequence[T], *, minimum: int = MINIMUM) -> list[Any]:
    """``[fn(i) for i in items]``, the later part computed in a forked helper where that is
    possible and worth it. ``fn`` must not raise and must return what ``marshal`` can carry."""
    if len(items) < minimum:
        return [fn(i) for i in items]
    cut = len(items) - int(len(items) * _HELPER_SHARE)
    theirs = items[cut:]
    helper = fork_helper(lambda: [fn(i) for i in theirs])
    if helper is None:
        return [fn(i) for i in items]
    try:
        mine = [fn(i) for i in items[:cut]]
        received = helper.result()
    finally:
        helper.close()
    if not isinstance(received, list) or len(received) != len(theirs):
        received = [fn(i) for i in theirs]
    return mine + received


def _helper(work: Callable[[], Any], fd: int) -> None:  # pragma: no cover
    status = 1
    try:
        gc.disable()  # nothing it makes is cyclic garbage; a collection would copy the heap's pages
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for envoxy, which ends it
        data = memoryview(marshal.dumps(work()))
        while data:
            data = data[os.write(fd, data) :]
        status = 0
    except BaseException:  # the parent does the work itself
        pass
    finally:
        os._exit(status)


def _received(pid: int, fd: int) -> Any:
    """What the helper sent, or ``None`` when it failed or it does not read back."""
    chunks = []
    try:
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
    except OSError:
        chunks = []
    finally:
        os.close(fd)
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        status = 1
    if status != 0 or not chunks:
        return None
    try:
        return marshal.loads(b"".join(chunks))
    except (EOFError, ValueError, TypeError):
        return None
