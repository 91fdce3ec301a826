"""Find ``rules.yaml``, read it and the files it ``extends``, and check it against the meta-schema.

Every problem of every file is collected and raised together as one :class:`RulesError`, each as
``file:line:col: what is wrong, expected what``.
"""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path as FsPath
from typing import TYPE_CHECKING, Any

from envoxy.errors import Problem, RulesError
from envoxy.rules.catalog import RULES

if TYPE_CHECKING:  # PyYAML is imported only to read a file: find_rules stays light
    from envoxy.rules.yaml_source import Location, Path, YamlDocument

__all__ = ["RawRules", "default_rules_path", "find_rules", "read_rules"]

RULES_FILENAME = "rules.yaml"
ENV_VAR = "ENVOXY_RULES"


@dataclass(slots=True)
class RawRules:
    """The merged, meta-schema-valid data of a rules file and where each part of it came from."""

    path: str  # as displayed in messages
    data: dict[str, Any]
    values: dict[Path, Location]
    keys: dict[Path, Location]
    files: tuple[str, ...]  # every file read, the named one first

    def where(self, path: Path, *, key: bool = False) -> Location | None:
        """Location of the value (or key) at ``path``, else of its nearest ancestor."""
        if key and path in self.keys:
            return self.keys[path]
        while True:
            if path in self.values:
                return self.values[path]
            if not path:
                return None
            path = path[:-1]

    def problem(self, path: Path, message: str, *, key: bool = False) -> Problem:
        loc = self.where(path, key=key)
        if loc is None:
            return Problem(path=self.path, line=None, column=None, message=message)
        return Problem(path=loc.path, line=loc.line, column=loc.column, message=message)


def default_rules_path() -> FsPath:
    """The rules shipped inside the package (the same text as the repository's ``rules.yaml``)."""
    return FsPath(str(resources.files("envoxy.rules") / "default.yaml"))


def find_rules(
    explicit: str | os.PathLike[str] | None = None, *, cwd: FsPath | None = None
) -> tuple[FsPath, str]:
    """Which rules file is in force, and how to name it in messages.

    First match wins: ``explicit`` (``--rules``); ``$ENVOXY_RULES``; the nearest ``rules.yaml``
    from ``cwd`` upward; the default shipped in the package.
    """
    if explicit is not None:
        return FsPath(explicit), os.fspath(explicit)
    env = os.environ.get(ENV_VAR)
    if env:
        return FsPath(env), env
    here = (cwd or FsPath.cwd()).resolve()
    for directory in (here, *here.parents):
        candidate = directory / RULES_FILENAME
        if candidate.is_file():
            try:
                shown = os.path.relpath(candidate, cwd or FsPath.cwd())
            except ValueError:
                shown = str(candidate)
            return candidate, shown
    return default_rules_path(), f"<envoxy>/{RULES_FILENAME}"


# -- reading and merging ---------------------------------------------------------------------


def _read_bytes(path: FsPath) -> bytes:
    """The file's bytes; a FIFO nothing writes to reads as empty instead of blocking forever
    (``--rules <(...)`` still reads what the process writes)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as fh:
        os.set_blocking(fd, True)
        return fh.read()


def _read_file(path: FsPath, shown: str) -> tuple[YamlDocument | None, list[Problem]]:
    try:
        raw = _read_bytes(path)
    except FileNotFoundError:
        return None, [
            Problem(
                path=shown,
                line=None,
                column=None,
                message="the rules file does not exist, expected a readable rules.yaml",
            )
        ]
    except IsADirectoryError:
        return None, [
            Problem(path=shown, line=None, column=None, message="is a directory, expected a rules.yaml file")
        ]
    except OSError as e:
        return None, [
            Problem(
                path=shown,
                line=None,
                column=None,
                message=f"cannot read the rules file ({e.strerror}), expected a readable file",
            )
        ]
    from envoxy.rules.yaml_source import read_yaml

    return read_yaml(raw, shown)


def _extends_list(doc: YamlDocument) -> tuple[list[tuple[str, Path]], list[Problem]]:
    """The paths ``extends`` names, and a problem for each entry that is not a path.

    Checked here, file by file: ``extends`` is not merged, so the meta-schema never sees it.
    """
    if "extends" not in doc.data:
        return [], []
    ext = doc.data["extends"]
    entries: list[tuple[Any, Path]] = (
        [(e, ("extends", i)) for i, e in enumerate(ext)] if isinstance(ext, list) else [(ext, ("extends",))]
    )
    paths, problems = [], []
    for value, where in entries:
        if isinstance(value, str) and value:
            paths.append((value, where))
            continue
        loc = doc.values[where]
        problems.append(
            Problem(
                path=doc.path,
                line=loc.line,
                column=loc.column,
                message=f"{_where(where)} is {_describe_value(value)}, expected a "
                "path (or a list of paths) of rules files",
            )
        )
    return paths, problems


class _Merged:
    def __init__(self) -> None:
        self.data: dict[str, Any] = {}
        self.values: dict[Path, Location] = {}
        self.keys: dict[Path, Location] = {}

    def overlay(self, doc: YamlDocument) -> None:
        """Deep-merge ``doc`` on top: mappings merge, anything else replaces, ``null`` deletes."""
        self.values[()] = doc.values[()]
        self._merge(self.data, doc.data, (), doc)

    def _merge(self, base: dict[str, Any], top: dict[str, Any], path: Path, doc: YamlDocument) -> None:
        for key, value in top.items():
            sub = (*path, key)
            if path == () and key == "extends":
                continue
            if value is None and key in base:
                del base[key]
                self._forget(sub)
                continue
            if isinstance(value, dict) and isinstance(base.get(key), dict):
                self._merge(base[key], value, sub, doc)
                self.values[sub] = doc.values[sub]
            else:
                self._forget(sub)
                base[key] = value
                self._copy_locations(sub, doc)
            self.keys[sub] = doc.keys[sub]

    def _forget(self, prefix: Path) -> None:
        n = len(prefix)
        for table in (self.values, self.keys):
            for p in [p for p in table if p[:n] == prefix]:
                del table[p]

    def _copy_locations(self, prefix: Path, doc: YamlDocument) -> None:
        n = len(prefix)
        self.values.update((p, loc) for p, loc in doc.values.items() if p[:n] == prefix)
        self.keys.update((p, loc) for p, loc in doc.keys.items() if p[:n] == prefix)


def _load_chain(
    path: FsPath,
    shown: str,
    stack: tuple[FsPath, ...],
    merged: _Merged,
    problems: list[Problem],
    files: list[str],
    fatal: list[Problem],
) -> None:
    doc, found = _read_file(path, shown)
    (problems if doc is not None else fatal).extend(found)
    files.append(shown)
    if doc is None:
        return
    if not isinstance(doc.data, dict):
        loc = doc.values[()]
        fatal.append(
            Problem(
                path=shown,
                line=loc.line,
                column=loc.column,
                message=f"the file holds {_describe_value(doc.data)}, expected a mapping "
                "starting with 'version: 1'",
            )
        )
        return
    resolved = FsPath(os.path.realpath(path))  # (Path.resolve raises on a symlink loop)
    targets, bad = _extends_list(doc)
    problems.extend(bad)
    for target, where in targets:
        loc = doc.values[where]
        target_path = path.parent / target
        target_shown = os.path.normpath(os.path.join(os.path.dirname(shown), target))
        if FsPath(os.path.realpath(target_path)) in (*stack, resolved):
            names = [os.path.basename(p) for p in (*stack, resolved)]
            chain = " -> ".join([*names, os.path.basename(target)])
            fatal.append(
                Problem(
                    path=shown,
                    line=loc.line,
                    column=loc.column,
                    message=f"extends {target!r} makes a cycle ({chain}), "
                    "expected a chain of files that ends",
                )
            )
            continue
        if target_path.is_dir():
            fatal.append(
                Problem(
                    path=shown,
                    line=loc.line,
                    column=loc.column,
                    message=f"extends {target!r}, which is a directory, expected a "
                    "path to a rules file relative to this file",
                )
            )
            continue
        if not os.path.lexists(target_path):  # a broken link or a loop: _read_file says which
            fatal.append(
                Problem(
                    path=shown,
                    line=loc.line,
                    column=loc.column,
                    message=f"extends {target!r}, which does not exist, expected a path "
                    "relative to this file",
                )
            )
            continue
        _load_chain(target_path, target_shown, (*stack, resolved), merged, problems, files, fatal)
    merged.overlay(doc)


# -- the meta-schema -------------------------------------------------------------------------


@cache
def meta_schema() -> dict[str, Any]:
    """The meta-schema for ``rules.yaml``, its ``severity`` keys taken from the rule catalogue
    and its value kinds from the value-kind table."""
    from envoxy.rules.values import value_schema

    text = (resources.files("envoxy.rules") / "meta.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    schema["$defs"]["field"]["properties"]["value"] = value_schema()
    schema["properties"]["severity"]["properties"] = {
        rule: {"$ref": "#/$defs/severity"} for rule in sorted(RULES)
    }
    return schema


def _where(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "the top level"


def _describe_value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, int):
        return f"{value} (an integer)"
    if isinstance(value, float):
        return f"{value} (a number)"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, list):
        return "a list"
    return "a mapping"


_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "boolean": "a boolean",
    "integer": "an integer",
    "number": "a number",
    "null": "null",
}


def _expected(error: Any) -> str:
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    if "x-expected" in schema:
        return str(schema["x-expected"])
    v, arg = error.validator, error.validator_value
    if v == "type":
        return _TYPE_NAMES.get(arg, str(arg))
    if v == "enum":
        return "one of: " + ", ".join(str(a) for a in arg)
    if v == "const":
        return repr(arg)
    if v == "minLength":
        return "a non-empty string"
    if v == "minItems":
        return f"at least {arg} item{'s' if arg != 1 else ''}"
    if v == "minProperties":
        return f"at least {arg} entr{'ies' if arg != 1 else 'y'}"
    if v == "uniqueItems":
        return "each item once"
    return f"a value matching {v} {arg!r}"


def _messages(error: Any, raw: RawRules) -> Iterator[Problem]:
    path: Path = tuple(error.absolute_path)
    where = _where(path)
    v = error.validator
    if v == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        for key in error.instance:
            if key in allowed:
                continue
            what = "rule" if path == ("severity",) else "key"
            hint = difflib.get_close_matches(key, allowed, n=1)
            tail = f" (did you mean {hint[0]!r}?)" if hint else ""
            choices = ", ".join(allowed) if allowed else "no keys"
            yield raw.problem(
                (*path, key), f"unknown {what} {key!r} in {where}, expected one of: {choices}{tail}", key=True
            )
        return
    if v == "required":
        for key in error.validator_value:
            if key not in error.instance:
                yield raw.problem(
                    path,
                    f"{where} lacks the required key {key!r}, expected keys: "
                    f"{', '.join(error.validator_value)}",
                )
        return
    if "propertyNames" in error.relative_schema_path:
        key = error.instance
        yield raw.problem(
            (*path, key), f"{key!r} in {where} is not a valid name, expected {_expected(error)}", key=True
        )
        return
    if v in ("anyOf", "oneOf"):
        deeper = [
            e
            for e in error.context or ()
            if len(e.absolute_path) > len(error.absolute_path)
            or e.validator not in ("type", "enum", "const", "anyOf", "oneOf")
        ]
        if deeper:
            best = min(deeper, key=lambda e: -len(e.absolute_path))
            yield from _messages(best, raw)
            return
    if v in ("minItems", "minProperties") and not error.instance:
        yield raw.problem(path, f"{where} is empty, expected {_expected(error)}")
        return
    yield raw.problem(path, f"{where} is {_describe_value(error.instance)}, expected {_expected(error)}")


def _check_meta(raw: RawRules) -> list[Problem]:
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(meta_schema())
    problems: list[Problem] = []
    for error in validator.iter_errors(raw.data):
        problems.extend(_messages(error, raw))
    return problems


def read_rules(path: FsPath, shown: str) -> RawRules:
    """Read, merge and meta-check a rules file; raise :class:`RulesError` with every problem."""
    merged = _Merged()
    problems: list[Problem] = []  # the data is still usable: check the rest too
    fatal: list[Problem] = []  # nothing (more) to check
    files: list[str] = []
    _load_chain(path, shown, (), merged, problems, files, fatal)
    raw = RawRules(path=shown, data=merged.data, values=merged.values, keys=merged.keys, files=tuple(files))
    if fatal:
        raise RulesError(_sorted(fatal + problems))
    seen = {(p.path, p.line, p.column) for p in problems}
    problems += [p for p in _check_meta(raw) if (p.path, p.line, p.column) not in seen]
    if problems:
        raise RulesError(_sorted(problems))
    return raw


def _sorted(problems: list[Problem]) -> list[Problem]:
    unique = dict.fromkeys(problems)
    return sorted(unique, key=lambda p: (p.path, p.line or 0, p.column or 0, p.message))
