"""A per-user cache of compiled :class:`RuleSet` objects, so a pre-commit run skips YAML parsing,
the meta-schema check and compilation when ``rules.yaml`` has not changed.

An entry is keyed by the rules file in force (its resolved path and its shown name), the envoxy
version, the Python version and the size and mtime of envoxy's own ``rules`` modules (so editing
the compiler invalidates it). Which file is in force is decided afresh on every run, so a
``rules.yaml`` created nearer than the cached one, or ``$ENVOXY_RULES`` set, selects another entry.

An entry records every file the rules were read from (the ``extends`` chain included): its path as
named, the file that path led to (symbolic links followed) and the SHA-256 of the bytes that were
parsed, taken from the same read. It is used only while every path still leads to the same real
file holding the same bytes: an edit, a link re-pointed (even at a copy with the same bytes) or a
file replaced by a link is a miss. Files are re-read as the loader reads them (regular files only,
at most :data:`~envoxy.rules.loader.MAX_RULES_BYTES`), so a file swapped for a device or a FIFO is a
miss, not a hang.

A missing, unreadable, foreign-owned or corrupt entry is a miss, never an error: the rules are
compiled as usual and the entry is rewritten (best effort). Entries are created ``0600`` in a
``0700`` directory without changing the process umask (other threads may be creating files).

Where: ``$ENVOXY_CACHE_DIR``, else ``$XDG_CACHE_HOME/envoxy``, else ``~/.cache/envoxy``.
``ENVOXY_NO_CACHE=1`` turns the cache off.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import stat
import sys
import tempfile
from pathlib import Path

from envoxy import __version__
from envoxy.rules.model import RuleSet

__all__ = ["cache_dir", "load_rules_cached"]

_MAGIC = b"envoxy-rules-cache-2\n"
_DIGEST_SIZE = 32  # sha256 of the pickled payload, stored before it
# What a stale or damaged pickle can raise once its checksum has passed (a class that moved or
# changed shape between envoxy versions): treated as a miss.
_UNPICKLE_ERRORS = (
    pickle.UnpicklingError,
    AttributeError,
    ImportError,
    EOFError,
    TypeError,
    ValueError,
    IndexError,
    KeyError,
)


def cache_dir() -> Path | None:
    """The cache directory, or ``None`` when caching is off."""
    if os.environ.get("ENVOXY_NO_CACHE"):
        return None
    explicit = os.environ.get("ENVOXY_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "envoxy"


def _code_stamp() -> str:
    """Size and mtime of the modules that turn rules.yaml into a RuleSet, and of those that
    define the types it holds (SQL types, checks)."""
    here = Path(__file__).resolve().parent
    parts = []
    for folder in (here, here.parent / "sqltypes", here.parent / "checks"):
        for name in sorted(os.listdir(folder)):
            if name.endswith((".py", ".yaml", ".json")):
                st = os.stat(folder / name)
                parts.append(f"{folder.name}/{name}:{st.st_size}:{st.st_mtime_ns}")
    return ";".join(parts)


def _entry_path(directory: Path, fs_path: Path, shown: str) -> Path:
    key = "\0".join([__version__, sys.version, os.path.realpath(fs_path), shown, _code_stamp()])
    return directory / (hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest() + ".pickle")


Source = tuple[str, str, str]  # (path as named, absolute; the real file; sha256 of its bytes)


def _unchanged(source: Source) -> bool:
    """Whether the path still leads to the same real file, holding the same bytes."""
    from envoxy.rules.loader import SourceRefused, read_source

    path, real, digest = source
    if os.path.realpath(path) != real:
        return False
    try:
        return hashlib.sha256(read_source(path)).hexdigest() == digest
    except (OSError, SourceRefused):
        return False


def _is_regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def _read_entry(entry: Path) -> RuleSet | None:
    try:
        fd = os.open(entry, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        # Only our own, private entries: a pickle someone else could write is not loaded.
        if (
            not stat.S_ISREG(st.st_mode)
            or st.st_mode & 0o022
            or (hasattr(os, "getuid") and st.st_uid != os.getuid())
        ):
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            blob = fh.read()
    except OSError:
        return None
    finally:
        os.close(fd)
    if not blob.startswith(_MAGIC):
        return None
    digest = blob[len(_MAGIC) : len(_MAGIC) + _DIGEST_SIZE]
    payload = blob[len(_MAGIC) + _DIGEST_SIZE :]
    if hashlib.sha256(payload).digest() != digest:
        return None
    try:
        sources, ruleset = pickle.loads(payload)
    except _UNPICKLE_ERRORS:
        return None
    if not isinstance(ruleset, RuleSet) or not isinstance(sources, list) or not sources:
        return None
    for source in sources:
        if not (isinstance(source, tuple) and len(source) == 3 and _unchanged(source)):
            return None
    return ruleset


def _write_entry(directory: Path, entry: Path, sources: list[Source], ruleset: RuleSet) -> None:
    payload = pickle.dumps((sources, ruleset), protocol=pickle.HIGHEST_PROTOCOL)
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        # mkstemp creates the file 0600 (the umask can only take bits away), and the rename
        # replaces whatever stands at ``entry``, a planted link included, without following it.
        fd, tmp = tempfile.mkstemp(prefix=f".{entry.name}.", suffix=".tmp", dir=directory)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(_MAGIC + hashlib.sha256(payload).digest() + payload)
            os.replace(tmp, entry)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError:
        pass  # a read-only or full cache directory only costs speed


def load_rules_cached(path: str | os.PathLike[str] | None = None, *, cwd: Path | None = None) -> RuleSet:
    """:func:`envoxy.rules.load_rules`, served from the cache when the rules files are unchanged."""
    from envoxy.rules.loader import locate_rules

    source = locate_rules(path, cwd=cwd or Path.cwd())
    # A pipe (``--rules <(...)``) cannot be read again to check an entry.
    directory = cache_dir() if _is_regular(source.path) else None
    entry = _entry_path(directory, source.path, source.shown) if directory is not None else None
    if entry is not None:
        cached = _read_entry(entry)
        if cached is not None:
            return cached
    from envoxy.rules.compiler import compile_rules
    from envoxy.rules.loader import read_rules

    raw = read_rules(source.path, source.shown, pipe_allowed=source.pipe_allowed)
    ruleset = compile_rules(raw)
    if directory is not None and entry is not None:
        _write_entry(directory, entry, [(s.path, s.real, s.sha256) for s in raw.sources], ruleset)
    return ruleset
