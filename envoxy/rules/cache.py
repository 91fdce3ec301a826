"""A per-user cache of compiled :class:`RuleSet` objects, so a pre-commit run skips YAML parsing,
the meta-schema check and compilation when ``rules.yaml`` has not changed.

An entry is keyed by the rules file in force (its resolved path and its shown name), the envoxy
version, the Python version and the size and mtime of envoxy's own ``rules`` modules (so editing
the compiler invalidates it). It records the SHA-256 of every file the rules were read from (the
``extends`` chain included) and is used only while they all still hash the same. A missing,
unreadable, foreign-owned or corrupt entry is a miss, never an error: the rules are compiled as
usual and the entry is rewritten (best effort).

Where: ``$ENVOXY_CACHE_DIR``, else ``$XDG_CACHE_HOME/envoxy``, else ``~/.cache/envoxy``.
``ENVOXY_NO_CACHE=1`` turns the cache off.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import sys
from pathlib import Path

from envoxy import __version__
from envoxy.rules.model import RuleSet

__all__ = ["cache_dir", "load_rules_cached"]

_MAGIC = b"envoxy-rules-cache-1\n"
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
    define the types it holds."""
    here = Path(__file__).resolve().parent
    parts = []
    for folder in (here, here.parent / "sqltypes"):
        for name in sorted(os.listdir(folder)):
            if name.endswith((".py", ".yaml", ".json")):
                st = os.stat(folder / name)
                parts.append(f"{folder.name}/{name}:{st.st_size}:{st.st_mtime_ns}")
    return ";".join(parts)


def _entry_path(directory: Path, fs_path: Path, shown: str) -> Path:
    key = "\0".join([__version__, sys.version, str(fs_path.resolve()), shown, _code_stamp()])
    return directory / (hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest() + ".pickle")


def _hash_file(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _source_files(fs_path: Path, shown: str, files: tuple[str, ...], cwd: Path) -> list[Path]:
    """Filesystem paths of the files a RuleSet was read from (``files`` holds their shown names)."""
    out = [fs_path]
    for name in files[1:]:
        p = Path(name)
        out.append(p if p.is_absolute() else cwd / p)
    return out


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
    if not isinstance(ruleset, RuleSet) or not isinstance(sources, list):
        return None
    for path, digest_hex in sources:
        if _hash_file(Path(path)) != digest_hex:
            return None
    return ruleset


def _write_entry(directory: Path, entry: Path, sources: list[tuple[str, str]], ruleset: RuleSet) -> None:
    from envoxy._io import atomic_write

    payload = pickle.dumps((sources, ruleset), protocol=pickle.HIGHEST_PROTOCOL)
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        old = os.umask(0o077)
        try:
            atomic_write(
                entry, _MAGIC + hashlib.sha256(payload).digest() + payload, follow=False
            )  # a planted link must not redirect the write
        finally:
            os.umask(old)
    except OSError:
        pass  # a read-only or full cache directory only costs speed


def load_rules_cached(path: str | os.PathLike[str] | None = None, *, cwd: Path | None = None) -> RuleSet:
    """:func:`envoxy.rules.load_rules`, served from the cache when the rules files are unchanged."""
    from envoxy.rules.loader import find_rules

    here = cwd or Path.cwd()
    fs_path, shown = find_rules(path, cwd=here)
    # A pipe or a device (``--rules <(...)``) cannot be read again to check an entry.
    directory = cache_dir() if _is_regular(fs_path) else None
    entry = _entry_path(directory, fs_path, shown) if directory is not None else None
    if entry is not None:
        cached = _read_entry(entry)
        if cached is not None:
            return cached
    from envoxy.rules.compiler import compile_rules
    from envoxy.rules.loader import read_rules

    raw = read_rules(fs_path, shown)
    ruleset = compile_rules(raw)
    if directory is not None and entry is not None:
        sources = []
        for source in _source_files(fs_path, shown, raw.files, here):
            digest = _hash_file(source)
            if digest is None:
                return ruleset  # cannot vouch for it later: do not cache
            sources.append((str(source.resolve()), digest))
        _write_entry(directory, entry, sources, ruleset)
    return ruleset
