"""Find the directories that hold JSON model files, the way ``envoxy init`` and a first
``envoxy validate`` without a rules file do.

A model file is a ``*.json`` file whose top-level object declares ``fields`` (an object), or whose
``datums`` array holds such an object. Hidden directories, vendored ones (``node_modules``,
``vendor``, ``site-packages``, build output) and virtualenvs are skipped; symbolic links to
directories are not followed. Imports nothing but the standard library (``validate`` uses it).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "MAX_MODEL_FILE_BYTES",
    "SKIPPED_DIRECTORIES",
    "ModelDirectory",
    "find_model_directories",
    "is_model_file",
]

SKIPPED_DIRECTORIES = frozenset(
    {
        "node_modules",
        "bower_components",
        "vendor",
        "vendored",
        "third_party",
        "site-packages",
        "dist-packages",
        "__pycache__",
        "build",
        "dist",
    }
)
MAX_MODEL_FILE_BYTES = 16 * 1024 * 1024  # bigger files are data, not models, and slow to sniff


@dataclass(frozen=True, slots=True)
class ModelDirectory:
    path: str  # relative to the root searched, "/"-separated ("." for the root itself)
    files: int  # model files in it and below it


def _declares_fields(value: object) -> bool:
    return isinstance(value, dict) and isinstance(value.get("fields"), dict)


def is_model_file(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a regular, readable JSON file holding at least one datum."""
    try:
        if not os.path.isfile(path) or os.path.getsize(path) > MAX_MODEL_FILE_BYTES:
            return False
        with open(path, "rb") as fh:
            data = json.loads(fh.read().removeprefix(b"\xef\xbb\xbf").decode("utf-8"))
    except (OSError, ValueError, RecursionError):
        return False
    if _declares_fields(data):
        return True
    datums = data.get("datums") if isinstance(data, dict) else None
    return isinstance(datums, list) and any(_declares_fields(d) for d in datums)


def _skipped(directory: str, name: str) -> bool:
    return (
        name.startswith(".")
        or name in SKIPPED_DIRECTORIES
        or os.path.exists(os.path.join(directory, name, "pyvenv.cfg"))  # a virtualenv
    )


def _outermost(directories: Iterable[str]) -> list[str]:
    """The directories none of whose ancestors is in the set (walking those covers the rest)."""
    kept: list[str] = []
    for d in sorted(directories, key=lambda p: (p.count("/"), p)):
        if not any(d == k or k == "." or d.startswith(k + "/") for k in kept):
            kept.append(d)
    return sorted(kept)


def find_model_directories(root: Path) -> list[ModelDirectory]:
    """The outermost directories below ``root`` that hold model files, each with how many."""
    holding: dict[str, int] = {}
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if not _skipped(directory, d))
        n = sum(1 for f in files if f.endswith(".json") and is_model_file(os.path.join(directory, f)))
        if n:
            relative = os.path.relpath(directory, root).replace(os.sep, "/")
            holding[relative] = n
    out = []
    for top in _outermost(holding):
        below = sum(n for d, n in holding.items() if top == "." or d == top or d.startswith(top + "/"))
        out.append(ModelDirectory(path=top, files=below))
    return out
