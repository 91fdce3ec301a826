"""Read a revision file without running it: its code, the identifiers it declares, why it
cannot be read or compiled. Imports neither SQLAlchemy nor Alembic, so that the files can be read
in a helper process while envoxy imports them (:func:`prefetch`).
"""

from __future__ import annotations

import ast
import os
import re
import traceback
import types
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from envoxy.migrations.halves import Helper, fork_helper

__all__ = [
    "ASSIGN",
    "Examined",
    "LoadError",
    "Prefetch",
    "describe_error",
    "examine",
    "prefetch",
    "read_error",
    "versions_directory",
]

Examined = tuple[types.CodeType | None, tuple[str, int | None] | None, dict[str, Any] | None, str | None]
"""(code, why it does not compile as message and line, identifiers declared, why it cannot be
read) of one revision file: values ``marshal`` carries."""


@dataclass(frozen=True, slots=True)
class LoadError:
    """Why a revision file could not be imported, and where (line in that file) if known."""

    message: str
    line: int | None


def _error_line(error: BaseException, filename: str) -> int | None:
    if isinstance(error, SyntaxError) and error.filename == filename:
        return error.lineno
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == filename]
    return frames[-1].lineno if frames else None


def describe_error(error: BaseException) -> str:
    """``Type: message`` on one line (a message's line breaks would split a finding)."""
    if isinstance(error, SyntaxError):
        return f"SyntaxError: {error.msg}"
    try:
        text = f"{type(error).__name__}: {error}"
    except Exception:
        text = f"{type(error).__name__}: (its message cannot be shown)"
    return " ".join(text.split())


def read_error(error: BaseException, filename: str) -> LoadError:
    """What an exception raised while reading, compiling or importing ``filename`` says."""
    return LoadError(describe_error(error), _error_line(error, filename))


_DECLARED = ("revision", "down_revision", "branch_labels", "depends_on")
# A quoted string without escapes, or None: read as ``ast.literal_eval`` reads it, ten times faster.
_PLAIN_LITERAL = re.compile(r"""(?:(['"])([\w.\-]*)\1|None)""", re.ASCII)
ASSIGN = re.compile(r"^(revision|down_revision|branch_labels|depends_on)\s*(?::[^=\n]*)?=\s*(.+)$", re.M)


def _declared(text: str, code: types.CodeType | None) -> dict[str, Any]:
    """The identifiers a revision declares at module level, read from its text: the revision
    graph never depends on running a script (which may do anything).

    The assignment lines are found in the text and kept when the compiled file holds the
    constants they assign (a docstring that quotes ``revision = "x"`` assigns nothing); anything
    else (a literal over several lines, a value computed from others) is read from the file's
    syntax tree."""
    found: dict[str, Any] = {}
    for match in ASSIGN.finditer(text):
        literal = match[2].strip()
        plain = _PLAIN_LITERAL.fullmatch(literal)
        if plain is not None:  # what Alembic writes: a quoted id or None (literal_eval's result)
            value: Any = plain[2] if plain[1] else None
        else:
            try:
                value = ast.literal_eval(literal)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                continue
        if code is None or _compiled_in(value, code):
            found[match[1]] = value
    if code is not None and any(name in code.co_names and name not in found for name in _DECLARED):
        return _declared_in_tree(text)
    return found


def _compiled_in(value: Any, code: types.CodeType) -> bool:
    constants = code.co_consts
    if isinstance(value, list):
        return all(v in constants for v in value)
    return value is None or (isinstance(value, (str, tuple)) and value in constants)


def _declared_in_tree(text: str) -> dict[str, Any]:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return {}
    found: dict[str, Any] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        for target in targets:
            if isinstance(target, ast.Name) and target.id in _DECLARED:
                try:
                    found[target.id] = ast.literal_eval(value)
                except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                    found.pop(target.id, None)  # not a literal: unknown
    return found


def examine(path: str) -> Examined:
    """One revision file read: its code (or why it does not compile, as message and line), the
    identifiers it declares, or why it cannot be read; all values ``marshal`` carries."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        return None, None, None, f"revision file cannot be read: {describe_error(e)}"
    code, failed = None, None
    try:
        code = compile(data, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, MemoryError, RecursionError) as e:
        error = read_error(e, path)
        failed = (error.message, error.line)
    return code, failed, _declared(data.decode("utf-8", errors="replace"), code), None


# -- reading ahead ---------------------------------------------------------------------------------


class Prefetch:
    """A helper process reading the revision files of one directory (see :func:`prefetch`)."""

    def __init__(self, helper: Helper) -> None:
        self.helper = helper

    def results(self) -> Mapping[str, Examined]:
        """What the helper read, by real path; empty when it failed (the files are then read
        as if nothing had been read ahead). Waits for the helper the first time."""
        found = self.helper.result()
        if not isinstance(found, dict) or not all(
            isinstance(k, str) and isinstance(v, tuple) and len(v) == 4 for k, v in found.items()
        ):
            return {}
        return found

    def close(self) -> None:
        """End the helper if its results were never asked for (nothing is left behind)."""
        self.helper.close()


def prefetch(directory: str | os.PathLike[str]) -> Prefetch | None:
    """Start reading and compiling the revision files of ``directory`` (``*.py`` directly in it)
    in a helper process (:func:`envoxy.migrations.halves.fork_helper`), so that the work is done
    while envoxy imports SQLAlchemy and Alembic; ``None`` where no process can be forked. The
    helper runs no revision script and sends back only :func:`examine`'s values, keyed by the
    files' real paths: whatever it read that the scan does not ask for is never used, and
    whatever the scan asks for that it did not read is read then."""
    try:
        real = os.path.realpath(directory)
        names = sorted(os.listdir(real))
    except (OSError, ValueError):
        return None
    helper = fork_helper(lambda: _read_ahead(real, names))
    return Prefetch(helper) if helper is not None else None


def _read_ahead(directory: str, names: list[str]) -> dict[str, Examined]:  # pragma: no cover
    found: dict[str, Examined] = {}
    for name in names:
        if not name.endswith(".py") or name.startswith(("__init__", ".#")):
            continue
        path = os.path.join(directory, name)
        if os.path.isfile(path) and not os.path.islink(path):
            found[path] = examine(path)
    return found


def versions_directory(paths: list[str], cwd: Path) -> str | None:
    """The versions directory ``envoxy check-migrations`` will most likely scan, guessed without
    Alembic (``None``: no guess): the one directory named, else ``alembic/versions`` when there
    is no ``alembic.ini``. A wrong guess costs only the helper's work."""
    if len(paths) == 1:
        named = cwd / paths[0]
        return str(named) if named.is_dir() else None
    if paths or (cwd / "alembic.ini").exists():
        return None
    default = cwd / "alembic" / "versions"
    return str(default) if default.is_dir() else None
