"""Find the versions directories, read their revisions into Alembic's ``ScriptDirectory`` and
put them in revision-graph order, base first.

The graph is read from the scripts' text (``revision``, ``down_revision``, ``branch_labels``,
``depends_on`` as module-level literals), never by running them: what a script does when it runs
cannot change which revisions there are or their order. :func:`import_revision` runs one script
later, inside the process that analyses it (:mod:`envoxy.migrations.isolation`); a script that
fails there keeps its place in the graph and is reported as ``parse-error``.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
import types
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib.machinery import SourceFileLoader
from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.script import Script, ScriptDirectory
from alembic.util import load_python_file

from envoxy.errors import UsageError
from envoxy.migrations.halves import split_map
from envoxy.migrations.reading import ASSIGN, Examined, LoadError, describe_error, examine, read_error
from envoxy.migrations.standin import time_limit

__all__ = [
    "History",
    "LoadError",
    "Location",
    "Revision",
    "config_locations",
    "config_sys_path",
    "describe_error",
    "import_revision",
    "load_error",
    "load_history",
    "project_sys_path",
    "resolve_locations",
]


@dataclass(frozen=True, slots=True)
class Location:
    """A versions directory: as the user named it (for display) and where it really is;
    ``recursive`` when alembic.ini sets ``recursive_version_locations`` (subdirectories hold
    revisions too)."""

    shown: str
    real: Path
    recursive: bool = False


@dataclass(frozen=True, slots=True)
class Revision:
    """One revision file in the graph."""

    script: Script
    """Alembic's view of the revision, from the file's text (its module holds only the
    declared identifiers)."""
    path: str  # the revision file, joined below the directory the user named
    filename: str  # the real path, as the code objects of the loaded module name it
    code: types.CodeType | None = None
    """The file compiled (here, once: the process that runs it needs no second compile)."""
    error: LoadError | None = None
    """Why the file could not be compiled."""

    @property
    def id(self) -> str:
        return str(self.script.revision)


@dataclass(frozen=True, slots=True)
class History:
    """Every revision, base first; ``unordered`` says why the graph could not be walked."""

    revisions: tuple[Revision, ...]
    unordered: str | None = None
    orphans: tuple[tuple[str, LoadError], ...] = ()
    """Files that are not in the graph (no revision id to read, an id Alembic rejects):
    (shown path, error)."""
    duplicates: tuple[tuple[str, LoadError], ...] = ()
    """Files whose revision id another file also declares, which Alembic leaves out."""

    def after(self, rev: str) -> set[str]:
        """Ids of the revisions that descend from ``rev`` (``rev`` itself excluded)."""
        children: dict[str, list[str]] = {}
        for r in self.revisions:
            for down in _parents(r.script):
                children.setdefault(down, []).append(r.id)
        found: set[str] = set()
        todo = list(children.get(rev, ()))
        while todo:
            current = todo.pop()
            if current not in found:
                found.add(current)
                todo.extend(children.get(current, ()))
        return found


def _parents(script: Script) -> tuple[str, ...]:
    """The revisions ``script`` comes after: its down revisions and dependencies."""
    try:
        return tuple(script._all_down_revisions)
    except AttributeError:  # the graph could not be resolved: what the file declares
        declared: list[str] = []
        for value in (script.down_revision, script.dependencies):
            values = value if isinstance(value, (tuple, list)) else (value,)
            declared.extend(v for v in values if isinstance(v, str))
        return tuple(declared)


# -- where the versions are ----------------------------------------------------------------------


def _shown(path: Path, cwd: Path) -> str:
    try:
        return str(path.relative_to(cwd))
    except ValueError:
        return str(path)


def _config(cwd: Path) -> Config:
    """``./alembic.ini``, with ``[tool.alembic]`` of ``./pyproject.toml`` where there is one
    (Alembic's ``pyproject`` template keeps ``script_location`` there)."""
    toml = cwd / "pyproject.toml"
    try:
        alembic_in_toml = "[tool.alembic" in toml.read_text(encoding="utf-8", errors="replace")
    except OSError:  # no pyproject.toml (or none we may read): alembic.ini alone
        alembic_in_toml = False
    return Config(str(cwd / "alembic.ini"), toml_file=str(toml) if alembic_in_toml else None)


def resolve_locations(named: str | None, cwd: Path) -> list[Location]:
    """The versions directories to scan: ``named``, else those of ``./alembic.ini``, else
    ``alembic/versions``. Raises :class:`UsageError` when there is none."""
    if named is not None:
        real = (cwd / named).resolve()
        if not real.is_dir():
            raise UsageError(f"no such directory: {named}")
        return [Location(named, real)]
    ini = cwd / "alembic.ini"
    if ini.is_file():
        return config_locations(_config(cwd), cwd, "alembic.ini")
    default = cwd / "alembic" / "versions"
    if default.is_dir():
        return [Location(os.path.join("alembic", "versions"), default.resolve())]
    raise UsageError("no versions directory given, no ./alembic.ini and no alembic/versions here")


def config_locations(config: Config, cwd: Path, what: str) -> list[Location]:
    """The versions directories an Alembic ``config`` names, relative paths taken from ``cwd``
    (as ``alembic`` run there takes them); ``what`` names the config in messages. Raises
    :class:`UsageError` when it names none, or one that does not exist."""
    try:
        with warnings.catch_warnings():  # alembic's deprecation notes about the ini format
            warnings.simplefilter("ignore")
            script_location = config.get_alembic_option("script_location")
            versions = config.get_version_locations_list() or (
                [os.path.join(script_location, "versions")] if script_location else []
            )
            recursive = config.get_alembic_boolean_option("recursive_version_locations")
    except Exception as e:  # configparser and alembic raise many kinds; all mean "unusable"
        raise UsageError(f"cannot read {what}: {e}") from e
    if not versions:
        raise UsageError(f"{what} names no script_location or version_locations")
    found = [_ini_location(v, cwd) for v in versions]
    missing = [str(v) for v, real in zip(versions, found, strict=True) if not real.is_dir()]
    if missing:
        raise UsageError(f"{what} names a versions directory that does not exist: {', '.join(missing)}")
    return [Location(_shown(real, cwd), real, recursive) for real in found]


def _ini_location(location: str, cwd: Path) -> Path:
    """A directory alembic.ini names: a path relative to the current directory, or Alembic's
    package-resource form ``package:path`` (the package looked up as Alembic would, with the
    ``prepend_sys_path`` entries on ``sys.path``)."""
    if os.path.isabs(location) or ":" not in location:
        return (cwd / location).resolve()
    package, *parts = location.split(":")
    saved = list(sys.path)
    sys.path[:0] = project_sys_path(cwd)
    try:
        spec = importlib.util.find_spec(package)
    except Exception:  # a parent package failing to import: the location does not resolve
        spec = None
    finally:
        sys.path[:] = saved
    roots = list(spec.submodule_search_locations or ()) if spec is not None else []
    return Path(roots[0]).joinpath(*parts).resolve() if roots else cwd / location


def project_sys_path(cwd: Path) -> list[str]:
    """What ``prepend_sys_path`` of ``./alembic.ini`` puts on ``sys.path`` for the revisions
    (they often import the project's own modules); without one, the current directory."""
    ini = cwd / "alembic.ini"
    return config_sys_path(_config(cwd) if ini.is_file() else None, cwd)


def config_sys_path(config: Config | None, cwd: Path) -> list[str]:
    """What ``prepend_sys_path`` of ``config`` puts on ``sys.path``, relative paths taken from
    ``cwd``; without one, ``cwd`` itself."""
    paths: list[str] | None = None
    if config is not None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                paths = config.get_prepend_sys_paths_list()
        except Exception:  # an unreadable config was already reported by config_locations
            paths = None
    return [str((cwd / p).resolve()) for p in (paths or ["."])]


# -- loading -------------------------------------------------------------------------------------


def load_error(error: BaseException, filename: str) -> LoadError:
    """What an exception raised while importing the revision file ``filename`` says."""
    if isinstance(error, _Uncompiled):
        return error.error
    return read_error(error, filename)


def import_revision(revision: Revision, seconds: float) -> Any:
    """Run the revision file as Alembic imports it and return the module; whatever it raises
    (``SystemExit`` too) propagates. ``seconds`` bounds a busy loop at module level."""
    if revision.error is not None:
        raise _Uncompiled(revision.error)
    filename = os.path.normpath(revision.filename)
    folder, base = os.path.split(filename)
    if revision.code is None:
        with time_limit(seconds):
            return load_python_file(folder, base)
    name = re.sub(r"\W", "_", base)
    # The loader Alembic's import would find for a .py file, named rather than looked up.
    spec = importlib.util.spec_from_file_location(name, filename, loader=SourceFileLoader(name, filename))
    if spec is None:
        raise ImportError(f"cannot import {base}")
    module = importlib.util.module_from_spec(spec)
    with time_limit(seconds):
        exec(revision.code, module.__dict__)
    return module


class _Uncompiled(Exception):
    def __init__(self, error: LoadError) -> None:
        super().__init__(error.message)
        self.error = error


_NO_ID = (
    "revision file declares no revision id that can be read without running it "
    '(a module-level revision = "..." string)'
)


class _Directory(ScriptDirectory):
    """A ``ScriptDirectory`` whose revisions are read from the scripts' text, not imported: the
    graph is known before any script runs, and a script that cannot be read is a value."""

    def __init__(self, locations: Sequence[Location], read: Mapping[str, Examined] | None = None) -> None:
        super().__init__(
            locations[0].real.parent,
            version_locations=[str(loc.real) for loc in locations],
            recursive_version_locations=any(loc.recursive for loc in locations),
        )
        self.errors: dict[str, LoadError] = {}
        """Files left out of the graph, and why."""
        self.compiled: dict[str, types.CodeType] = {}
        self.failed: dict[str, LoadError] = {}
        """Files in the graph that do not compile, and why."""
        self.loaded: list[Script] = []
        self.read_ahead: Mapping[str, Examined] = read or {}
        """Files already read (:func:`envoxy.migrations.reading.prefetch`), by real path."""

    def _load_revisions(self) -> Iterator[Script]:
        dirs = [d for d in self._version_locations if d.exists()]
        seen: set[Path] = set()
        real_dirs: dict[Path, Path] = {}
        reals: list[Path] = []
        for directory in dirs:
            for path in Script._list_py_dir(self, directory):
                real = _real(path, real_dirs)
                if real in seen or real.suffix != ".py" or real.name.startswith(("__init__", ".#")):
                    continue
                seen.add(real)
                reals.append(real)
        # What was not read ahead is read now, on two processes where there are many
        # (envoxy.migrations.halves).
        ahead = self.read_ahead
        unread = [str(r) for r in reals if str(r) not in ahead]
        fresh = dict(zip(unread, split_map(examine, unread), strict=True))
        examined = [ahead.get(str(r)) or fresh[str(r)] for r in reals]
        for real, (code, failed, declared, unreadable) in zip(reals, examined, strict=True):
            script = self._read(real, code, failed, declared, unreadable)
            if script is not None:
                self.loaded.append(script)
                yield script

    def _read(
        self,
        real: Path,
        code: types.CodeType | None,
        failed: tuple[str, int | None] | None,
        declared: dict[str, Any] | None,
        unreadable: str | None,
    ) -> Script | None:
        if unreadable is not None or declared is None:
            self.errors[str(real)] = LoadError(unreadable or "revision file cannot be read", None)
            return None
        if code is not None:
            self.compiled[str(real)] = code
        if failed is not None:
            self.failed[str(real)] = LoadError(*failed)
        if not isinstance(declared.get("revision"), str):
            error = self.failed.get(str(real))
            self.errors[str(real)] = (
                LoadError(f"revision file cannot be imported: {error.message}", error.line)
                if error is not None
                else LoadError(_NO_ID, None)
            )
            return None
        module = types.ModuleType(real.stem)
        module.__dict__.update({"down_revision": None, **declared})
        try:
            return Script(module, declared["revision"], real)
        except Exception as e:  # identifiers Alembic itself rejects: the file stays a lone parse-error
            self.errors[str(real)] = LoadError(f"revision file cannot be imported: {describe_error(e)}", None)
            return None


def _real(path: Path, real_dirs: dict[Path, Path]) -> Path:
    """``path.resolve()``, with each directory resolved once (``real_dirs``): one ``lstat`` per
    file that is not a link, instead of one per component of its path."""
    if os.path.islink(path):
        return path.resolve()
    parent = real_dirs.get(path.parent)
    if parent is None:
        parent = real_dirs[path.parent] = path.parent.resolve()
    return parent / path.name


def _display(real: str, locations: Sequence[Location]) -> str:
    if os.name == "posix":  # real paths compare as strings: no Path objects for every file
        for loc in locations:
            base = str(loc.real)
            prefix = base if base.endswith("/") else base + "/"
            if real.startswith(prefix):
                return os.path.join(loc.shown, real[len(prefix) :])
        return real
    path = Path(real)
    for loc in locations:
        if path.is_relative_to(loc.real):
            return os.path.join(loc.shown, str(path.relative_to(loc.real)))
    return real


def load_history(locations: Sequence[Location], read: Mapping[str, Examined] | None = None) -> History:
    """Every revision under ``locations``, in revision-graph order from base to heads, read
    from the scripts' text (nothing is imported or run); ``read``: files already read, by real
    path (see :func:`envoxy.migrations.reading.prefetch`)."""
    directory = _Directory(locations, read)
    try:
        # Alembic walks heads -> base in a deterministic topological order; reversed, base first.
        # (What it warns about, a revision declared twice or missing, is reported as findings.)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scripts = list(reversed(list(directory.walk_revisions("base", "heads"))))
        unordered = None
    except Exception as e:  # the user's graph, not envoxy: reported as a finding by the scanner
        # A dangling down_revision, a cycle, a down_revision that is not a string or a tuple
        # of strings: scan in file order, and say why.
        scripts = list(directory.loaded)
        unordered = str(e) if not isinstance(e, KeyError) else f"revision {e} is not present"
    revisions = tuple(
        Revision(
            s,
            _display(s.path, locations),
            s.path,
            directory.compiled.get(s.path),
            directory.failed.get(s.path),
        )
        for s in scripts
    )
    placed = {s.path for s in directory.loaded}
    orphans = tuple(
        (_display(path, locations), error)
        for path, error in sorted(directory.errors.items())
        if path not in placed
    )
    return History(revisions, unordered, orphans, _duplicates(directory.loaded, scripts, locations))


def _duplicates(
    loaded: Sequence[Script], kept: Sequence[Script], locations: Sequence[Location]
) -> tuple[tuple[str, LoadError], ...]:
    """The files Alembic's revision map left out because another file has the same id."""
    by_id = {s.revision: s.path for s in kept}
    found = []
    for s in loaded:
        other = by_id.get(s.revision)
        if other is not None and other != s.path:
            message = (
                f"revision id '{s.revision}' is also declared by "
                f"{_display(other, locations)}; Alembic keeps only one of them, so this "
                "file was not checked"
            )
            found.append((_display(s.path, locations), LoadError(message, _revision_line(s.path))))
    return tuple(found)


def _revision_line(path: str) -> int | None:
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    for match in ASSIGN.finditer(text):
        if match[1] == "revision":
            return text.count("\n", 0, match.start()) + 1
    return None
