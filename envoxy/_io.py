"""Small I/O helpers: atomic writes, so a crash or a full disk never leaves half a file."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from pathlib import Path

__all__ = ["atomic_write", "read_existing"]


def atomic_write(path: str | os.PathLike[str], data: str | bytes, *, follow: bool = True) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same directory and ``os.replace``.

    Keeps the target's permission bits when it exists; readers see the old or the new content,
    never a mix. A symbolic link is followed (the link stays, its target gets the content); a
    device or a FIFO (``/dev/stdout``, ``/dev/null``) cannot be replaced, so it is written to.
    With ``follow=False`` whatever stands at ``path`` is replaced, a link or a FIFO included
    (for files in a directory others might plant links in, such as a cache).
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if follow and _is_special(path):
        with open(path, "wb") as fh:
            fh.write(payload)
        return
    target = Path(os.path.realpath(path)) if follow else Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    fd, tmp = _create_temporary(directory, target.name, _existing_mode(target, follow))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def read_existing(path: str | os.PathLike[str]) -> bytes | None:
    """The bytes of the file a writer is about to replace, to compare with the new content.

    ``None`` when it does not exist, or is a device or a FIFO: those have no content to compare,
    and reading one could block forever. Other errors (a directory, no permission) are raised.
    """
    if _is_special(path):
        return None
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        return None


def _existing_mode(target: Path, follow: bool) -> int | None:
    """The permission bits of the regular file at ``target``, if there is one."""
    try:
        st = os.stat(target, follow_symlinks=follow)
    except FileNotFoundError:
        return None
    return st.st_mode & 0o7777 if stat.S_ISREG(st.st_mode) else None


_TEMPORARY_FLAGS = (
    os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
)


def _create_temporary(directory: Path, name: str, mode: int | None) -> tuple[int, str]:
    """A new file beside ``name``, open for writing: with ``mode`` when it replaces a file of that
    mode, else ``0o666`` less the umask, which the kernel applies (reading the umask means
    setting it, and that races with other threads creating files)."""
    for _ in range(100):
        tmp = str(directory / f".{name}.{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(tmp, _TEMPORARY_FLAGS, 0o666 if mode is None else 0o600)
        except FileExistsError:
            continue
        if mode is not None:
            try:
                os.fchmod(fd, mode)  # exactly the old bits: no umask applies to fchmod
            except BaseException:
                os.close(fd)
                os.unlink(tmp)
                raise
        return fd, tmp
    raise FileExistsError(errno.EEXIST, "no unused temporary file name", str(directory / f".{name}.*.tmp"))


def _is_special(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` exists and is neither a regular file nor a directory."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))
