"""Keep what revision scripts print, log or warn out of envoxy's own output.

Inside :func:`captured` everything written to ``sys.stdout``/``sys.stderr`` or to file descriptors
1 and 2, every log record (on any logger, whatever handlers the project configured) and every
warning lands in one buffer.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import tempfile
import warnings
from collections.abc import Iterator
from typing import Any

__all__ = ["captured"]


class _Buffer(io.StringIO):
    """The buffer that stands for ``sys.stdout``/``sys.stderr``: a script may close those."""

    def close(self) -> None:
        return None


class _Sink(logging.Handler):
    def __init__(self, buffer: io.StringIO) -> None:
        super().__init__(logging.NOTSET)
        self.buffer = buffer
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.buffer.write(self.format(record) + "\n")
        except Exception:  # a record whose message cannot even be formatted
            self.buffer.write(f"{record.levelname} {record.name}: {record.msg!r}\n")


@contextlib.contextmanager
def _descriptors(buffer: io.StringIO) -> Iterator[None]:
    """Point file descriptors 1 and 2 at a temporary file (``os.write``, child processes), and
    append what landed there to ``buffer``. Where they cannot be duplicated, leave them be."""
    with tempfile.TemporaryFile() as sink:
        saved: list[tuple[int, int]] = []
        try:
            for fd in (1, 2):
                try:
                    saved.append((fd, os.dup(fd)))
                except OSError:  # closed or absent (a daemon, say): nothing to redirect
                    continue
                os.dup2(sink.fileno(), fd)
            yield
        finally:
            for fd, copy in saved:
                os.dup2(copy, fd)
                os.close(copy)
            sink.seek(0)
            buffer.write(sink.read().decode("utf-8", errors="replace"))


@contextlib.contextmanager
def captured() -> Iterator[io.StringIO]:
    """Yield the buffer that collects the block's prints, log records and warnings."""
    buffer = _Buffer()
    sink = _Sink(buffer)
    original = logging.Logger.callHandlers

    def call_handlers(self: logging.Logger, record: logging.LogRecord) -> None:
        # Every logger, propagating or not, goes to the sink instead of its handlers.
        if record.levelno >= sink.level:
            sink.handle(record)

    def show_warning(
        message: Any, category: Any, filename: str, lineno: int, file: Any = None, line: str | None = None
    ) -> None:
        buffer.write(warnings.formatwarning(message, category, filename, lineno, line))

    with (
        _descriptors(buffer),
        contextlib.redirect_stdout(buffer),
        contextlib.redirect_stderr(buffer),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("default")
        warnings.showwarning = show_warning
        logging.Logger.callHandlers = call_handlers  # type: ignore[method-assign]
        try:
            yield buffer
        finally:
            logging.Logger.callHandlers = original  # type: ignore[method-assign]
