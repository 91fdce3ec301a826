"""Find ``rules.yaml``, read it and the files it ``extends``, and check it against the meta-schema.

Every problem of every file is collected and raised together as one :class:`RulesError`, each as
``file:line:col: what is wrong, expected what``.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from envoxy.errors import EXCERPT_LIMIT, Problem, clip, excerpt
from envoxy.rules.catalog import RULES

if TYPE_CHECKING:  # PyYAML is imported only to read a file: find_rules stays light
    from envoxy.rules.yaml_source import KeyPath, Location, YamlDocument

__all__ = [
    "MAX_RULES_BYTES",
    "RawRules",
    "RulesSource",
    "SourceFile",
    "SourceRefused",
    "default_rules_path",
    "find_rules",
    "locate_rules",
    "read_rules",
    "read_source",
]

RULES_FILENAME = "rules.yaml"
ENV_VAR = "ENVOXY_RULES"
# A rules file is a few kilobytes; 1 MB holds some ten thousand exemptions and takes PyYAML about
# three seconds. Nothing past it is read, so /dev/zero or a runaway pipe costs at most this much.
MAX_RULES_BYTES = 1_000_000

Origin = Literal["option", "environment", "found", "default"]


@dataclass(frozen=True, slots=True)
class RulesSource:
    """The rules file in force, how to name it in messages, and what named it."""

    path: Path
    shown: str
    origin: Origin

    @property
    def pipe_allowed(self) -> bool:
        """Only a file the user named with ``--rules`` may be a pipe (``--rules <(gen-rules)``);
        one found by the search, named by ``$ENVOXY_RULES`` or by ``extends`` must be a regular
        file, which can be read again to check the cache and cannot block."""
        return self.origin == "option"


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One file the rules were read from: as named (absolute), where it really was, and the
    SHA-256 of the bytes that were parsed (what the cache checks)."""

    path: str
    real: str
    sha256: str


@dataclass(slots=True)
class RawRules:
    """The merged data of a rules file, where each part of it came from, and every problem met
    so far (reading, merging, the meta-schema). :func:`envoxy.rules.compiler.compile_rules`
    adds its own and raises them all together."""

    path: str  # as displayed in messages
    data: dict[str, Any]
    values: dict[KeyPath, Location]
    keys: dict[KeyPath, Location]
    files: tuple[str, ...]  # every file read, the named one first
    problems: tuple[Problem, ...] = ()
    bad: frozenset[KeyPath] = frozenset()
    """Key paths whose value is unusable (already reported): checks that need them are skipped."""
    complete: bool = True
    """Every file of the ``extends`` chain was read and merged; if not, what is absent may be
    defined in a file that could not be read, so "not defined" and "missing" are not judged."""
    sources: tuple[SourceFile, ...] = ()

    def where(self, path: KeyPath, *, key: bool = False) -> Location | None:
        """Location of the value (or key) at ``path``, else of its nearest ancestor."""
        if key and path in self.keys:
            return self.keys[path]
        while True:
            if path in self.values:
                return self.values[path]
            if not path:
                return None
            path = path[:-1]

    def problem(self, path: KeyPath, message: str, *, key: bool = False) -> Problem:
        loc = self.where(path, key=key)
        if loc is None:
            return Problem(path=self.path, line=None, column=None, message=message)
        return Problem(path=loc.path, line=loc.line, column=loc.column, message=message)

    def broken(self, path: KeyPath) -> bool:
        """Whether the value at ``path``, or a value holding it, is unusable."""
        return any(path[: len(b)] == b for b in self.bad)

    def intact(self, path: KeyPath) -> bool:
        """Whether the value at ``path`` and everything in it is usable."""
        n = len(path)
        return not any(path[: len(b)] == b or b[:n] == path for b in self.bad)


def default_rules_path() -> Path:
    """The rules shipped inside the package (the same text as the repository's ``rules.yaml``)."""
    return Path(str(resources.files("envoxy.rules") / "default.yaml"))


def locate_rules(explicit: str | os.PathLike[str] | None = None, *, cwd: Path | None = None) -> RulesSource:
    """Which rules file is in force, how to name it in messages, and what named it.

    First match wins: ``explicit`` (``--rules``); ``$ENVOXY_RULES``; the nearest ``rules.yaml``
    from ``cwd`` upward; the default shipped in the package. A ``rules.yaml`` that is there but
    cannot be read (a dangling link, a FIFO, no permission) is still the one found: reading it
    fails with a message, rather than a file further up silently taking its place.
    """
    if explicit is not None:
        return RulesSource(Path(explicit), os.fspath(explicit), "option")
    env = os.environ.get(ENV_VAR)
    if env:
        return RulesSource(Path(env), env, "environment")
    here = (cwd or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        candidate = directory / RULES_FILENAME
        if os.path.lexists(candidate):
            try:
                shown = os.path.relpath(candidate, cwd or Path.cwd())
            except ValueError:
                shown = str(candidate)
            return RulesSource(candidate, shown, "found")
    return RulesSource(default_rules_path(), f"<envoxy>/{RULES_FILENAME}", "default")


def find_rules(
    explicit: str | os.PathLike[str] | None = None, *, cwd: Path | None = None
) -> tuple[Path, str]:
    """:func:`locate_rules` as ``(path, shown)``."""
    source = locate_rules(explicit, cwd=cwd)
    return source.path, source.shown


# -- reading and merging ---------------------------------------------------------------------


class SourceRefused(Exception):
    """A rules file that is not read (a device, a FIFO, too big), with the message saying why."""


_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _check_kind(mode: int, size: int, *, pipe_allowed: bool) -> None:
    if stat.S_ISDIR(mode):
        raise IsADirectoryError
    if stat.S_ISREG(mode):
        if size > MAX_RULES_BYTES:
            raise SourceRefused(
                f"is {size / 1e6:.1f} MB ({size} bytes), expected a rules file of at most {_LIMIT}"
            )
        return
    if pipe_allowed and stat.S_ISFIFO(mode):
        return
    kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
    hint = " (only --rules may name a pipe)" if stat.S_ISFIFO(mode) else ""
    raise SourceRefused(f"is {kind}, expected a regular file{hint}")


_LIMIT = f"{MAX_RULES_BYTES // 1_000_000} MB"


def read_source(path: str | os.PathLike[str], *, pipe_allowed: bool = False) -> bytes:
    """At most :data:`MAX_RULES_BYTES` of the file: a regular file, or a pipe when allowed.

    The kind is checked before opening (opening a device can have effects of its own) and again
    on what was opened. A FIFO is opened without waiting for a writer, so one nothing writes to
    reads as empty instead of blocking forever (``--rules <(...)`` still reads what the process
    writes).
    """
    st = os.stat(path)
    _check_kind(st.st_mode, st.st_size, pipe_allowed=pipe_allowed)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        st = os.fstat(fd)
        _check_kind(st.st_mode, st.st_size, pipe_allowed=pipe_allowed)
        os.set_blocking(fd, True)
        chunks: list[bytes] = []
        left = MAX_RULES_BYTES + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 16))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(fd)
    if left <= 0:
        raise SourceRefused(f"holds more than {_LIMIT}, expected a rules file of at most {_LIMIT}")
    return b"".join(chunks)


def _read_problem(path: Path, shown: str, *, pipe_allowed: bool) -> tuple[bytes | None, Problem | None]:
    def problem(message: str) -> tuple[None, Problem]:
        return None, Problem(path=shown, line=None, column=None, message=message)

    try:
        return read_source(path, pipe_allowed=pipe_allowed), None
    except SourceRefused as e:
        return problem(str(e))
    except FileNotFoundError:
        if os.path.islink(path):
            return problem(
                "is a broken symbolic link (its target does not exist), expected a readable rules file"
            )
        return problem("the rules file does not exist, expected a readable rules.yaml")
    except IsADirectoryError:
        return problem("is a directory, expected a rules.yaml file")
    except (OSError, ValueError) as e:  # ValueError: a NUL in a name from the command line
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        return problem(f"cannot read the rules file ({reason}), expected a readable file")


def _read_file(
    path: Path, shown: str, *, pipe_allowed: bool = False
) -> tuple[YamlDocument | None, list[Problem], SourceFile | None]:
    raw, problem = _read_problem(path, shown, pipe_allowed=pipe_allowed)
    if raw is None:
        assert problem is not None
        return None, [problem], None
    source = SourceFile(
        path=os.path.abspath(path), real=os.path.realpath(path), sha256=hashlib.sha256(raw).hexdigest()
    )
    from envoxy.rules.yaml_source import read_yaml

    doc, problems = read_yaml(raw, shown)
    return doc, problems, source


def _extends_list(doc: YamlDocument) -> tuple[list[tuple[str, KeyPath]], list[Problem], bool]:
    """The paths ``extends`` names, a problem for each entry that is not a path, and whether
    every entry could be followed.

    Checked here, file by file: ``extends`` is not merged, so the meta-schema never sees it.
    """
    if "extends" not in doc.data:
        return [], [], True
    ext = doc.data["extends"]
    entries: list[tuple[Any, KeyPath]] = (
        [(e, ("extends", i)) for i, e in enumerate(ext)] if isinstance(ext, list) else [(ext, ("extends",))]
    )
    paths, problems = [], []
    for value, where in entries:
        if isinstance(value, str) and value:
            paths.append((value, where))
            continue
        if any(where[: len(b)] == b for b in doc.bad):
            continue  # unreadable as written: reported where it was read
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
    return paths, problems, len(paths) == len(entries)


class _Merged:
    def __init__(self) -> None:
        self.data: dict[str, Any] = {}
        self.values: dict[KeyPath, Location] = {}
        self.keys: dict[KeyPath, Location] = {}
        self.bad: set[KeyPath] = set()

    def overlay(self, doc: YamlDocument) -> None:
        """Deep-merge ``doc`` on top: mappings merge, anything else replaces, ``null`` deletes."""
        self.values[()] = doc.values[()]
        self._merge(self.data, doc.data, (), doc)

    def _merge(self, base: dict[str, Any], top: dict[str, Any], path: KeyPath, doc: YamlDocument) -> None:
        for key, value in top.items():
            sub = (*path, key)
            if path == () and key == "extends":
                continue
            if value is None and key in base and sub not in doc.bad:
                del base[key]
                self._forget(sub)
                continue
            # A check is replaced whole by a file that redefines its id: merging two checks'
            # schemas would make a third nobody wrote.
            if isinstance(value, dict) and isinstance(base.get(key), dict) and path != ("checks",):
                self._merge(base[key], value, sub, doc)
                self.values[sub] = doc.values[sub]
                if sub in doc.bad:
                    self.bad.add(sub)
            else:
                self._forget(sub)
                base[key] = value
                self._copy_locations(sub, doc)
            self.keys[sub] = doc.keys[sub]

    def _forget(self, prefix: KeyPath) -> None:
        n = len(prefix)
        for table in (self.values, self.keys):
            for p in [p for p in table if p[:n] == prefix]:
                del table[p]
        self.bad.difference_update([p for p in self.bad if p[:n] == prefix])

    def _copy_locations(self, prefix: KeyPath, doc: YamlDocument) -> None:
        n = len(prefix)
        self.values.update((p, loc) for p, loc in doc.values.items() if p[:n] == prefix)
        self.keys.update((p, loc) for p, loc in doc.keys.items() if p[:n] == prefix)
        self.bad.update(p for p in doc.bad if p[:n] == prefix)


@dataclass(slots=True)
class _Chain:
    """What reading an ``extends`` chain has gathered so far."""

    merged: _Merged = field(default_factory=_Merged)
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    sources: list[SourceFile] = field(default_factory=list)
    complete: bool = True


def _load_chain(
    path: Path, shown: str, stack: tuple[Path, ...], chain: _Chain, *, pipe_allowed: bool = False
) -> None:
    """Read ``path`` and, base first, the files it extends; overlay each on ``chain.merged``.

    A file or a base that cannot be read is reported and left out; the rest is still merged
    and checked (``chain.complete`` says something is missing).
    """
    doc, found, source = _read_file(path, shown, pipe_allowed=pipe_allowed)
    chain.problems.extend(found)
    chain.files.append(shown)
    if source is not None:
        chain.sources.append(source)
    if doc is None:
        chain.complete = False
        return
    if not isinstance(doc.data, dict):
        loc = doc.values[()]
        chain.problems.append(
            Problem(
                path=shown,
                line=loc.line,
                column=loc.column,
                message=f"the file holds {_describe_kind(doc.data)}, expected a mapping "
                "starting with 'version: 1'",
            )
        )
        chain.complete = False
        return
    if doc.data and not _looks_like_rules(doc.data):
        loc = doc.values[()]
        keys = ", ".join(meta_schema()["properties"])
        chain.problems.append(
            Problem(
                path=shown,
                line=loc.line,
                column=loc.column,
                message=f"the file has none of the keys of a rules file ({keys}), expected a rules file "
                "starting with 'version: 1'",
            )
        )
        chain.complete = False
        return
    resolved = Path(os.path.realpath(path))  # (Path.resolve raises on a symlink loop)
    targets, bad, followed = _extends_list(doc)
    chain.problems.extend(bad)
    chain.complete = chain.complete and followed
    for target, where in targets:
        problem = _extends_problem(path, target, (*stack, resolved))
        if problem is not None:
            loc = doc.values[where]
            chain.problems.append(Problem(path=shown, line=loc.line, column=loc.column, message=problem))
            chain.complete = False
            continue
        target_shown = os.path.normpath(os.path.join(os.path.dirname(shown), target))
        _load_chain(path.parent / target, target_shown, (*stack, resolved), chain)
    chain.merged.overlay(doc)


def _looks_like_rules(data: dict[str, Any]) -> bool:
    """Whether a mapping has a key of rules files, or one close enough to be a typo of one.

    A file that has neither is not a rules file at all (``extends`` or ``--rules`` pointing at a
    credentials file, say): it gets one problem, and its keys are not quoted one by one."""
    known = list(meta_schema()["properties"])
    return any(
        key in known or (len(key) <= 100 and _close_matches(key, known, n=1))
        for key in data
        if isinstance(key, str)
    )


def _extends_problem(path: Path, target: str, stack: tuple[Path, ...]) -> str | None:
    """Why ``extends: target`` of ``path`` cannot be followed; ``None`` when it can be read."""
    target_path = path.parent / target
    if Path(os.path.realpath(target_path)) in stack:
        names = [*(p.name for p in stack), os.path.basename(target)]
        chain = " -> ".join(clip(n, EXCERPT_LIMIT) for n in names)
        return f"extends {excerpt(target)} makes a cycle ({chain}), expected a chain of files that ends"
    if os.path.isdir(target_path):
        return (
            f"extends {excerpt(target)}, which is a directory, expected a path to a rules file "
            "relative to this file"
        )
    if not os.path.lexists(target_path):  # a broken link or a loop: _read_file says which
        return f"extends {excerpt(target)}, which does not exist, expected a path relative to this file"
    return None


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


def _meta_schema_for(data: dict[str, Any]) -> dict[str, Any]:
    """The meta-schema, its ``severity`` keys also taking the ids of the file's own checks."""
    schema = meta_schema()
    checks = data.get("checks")
    if not isinstance(checks, dict) or not checks:
        return schema
    extra = {k: {"$ref": "#/$defs/severity"} for k in checks if isinstance(k, str) and k not in RULES}
    if not extra:
        return schema
    severity = {
        **schema["properties"]["severity"],
        "properties": {**schema["properties"]["severity"]["properties"], **extra},
    }
    return {**schema, "properties": {**schema["properties"], "severity": severity}}


def _where(path: KeyPath) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{_name(part)}" if out else _name(part)
    return out or "the top level"


def _name(key: str) -> str:
    """A key of the file as part of a dotted place (``fields.id``): shortened and escaped."""
    return key if key.isprintable() and len(key) <= EXCERPT_LIMIT else excerpt(key)


def _describe_kind(value: Any) -> str:
    """What kind of value ``value`` is, without quoting it (a file that is not rules at all may
    be a secret)."""
    if value is None:
        return "null"
    for kind, name in ((bool, "a boolean"), (int, "an integer"), (float, "a number"), (str, "a string")):
        if isinstance(value, kind):
            return name
    return "a list" if isinstance(value, list) else "a mapping"


def _describe_value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, (int, float)):
        text = str(value) if isinstance(value, float) or abs(value) < 10**30 else excerpt(str(value))
        return f"{text} ({'an integer' if isinstance(value, int) else 'a number'})"
    if isinstance(value, str):
        return excerpt(value)
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


@dataclass(frozen=True, slots=True)
class _MetaProblem:
    """A meta-schema problem, the key path of the value it makes unusable, and whether it only
    says something is absent (which a base that could not be read might have supplied)."""

    problem: Problem
    bad: KeyPath
    absence: bool = False


def _messages(error: Any, raw: RawRules) -> Iterator[_MetaProblem]:
    path: KeyPath = tuple(error.absolute_path)
    where = _where(path)
    v = error.validator
    if v == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        for key in error.instance:
            if key in allowed:
                continue
            what = "rule" if path == ("severity",) else "key"
            hint = _close_matches(key, allowed, n=1) if len(key) <= 100 else []
            tail = f" (did you mean {hint[0]!r}?)" if hint else ""
            choices = ", ".join(allowed) if allowed else "no keys"
            yield _MetaProblem(
                raw.problem(
                    (*path, key),
                    f"unknown {what} {excerpt(key)} in {where}, expected one of: {choices}{tail}",
                    key=True,
                ),
                (*path, key),
            )
        return
    if v == "required":
        keys = error.schema.get("x-expected-keys", error.validator_value)
        for key in error.validator_value:
            if key not in error.instance:
                yield _MetaProblem(
                    raw.problem(
                        path,
                        f"{where} lacks the required key {key!r}, expected keys: {', '.join(keys)}",
                    ),
                    (*path, key),
                    absence=True,
                )
        return
    if "propertyNames" in error.relative_schema_path:
        key = error.instance
        yield _MetaProblem(
            raw.problem(
                (*path, key),
                f"{excerpt(key)} in {where} is not a valid name, expected {_expected(error)}",
                key=True,
            ),
            (*path, key),
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
        yield _MetaProblem(
            raw.problem(path, f"{where} is empty, expected {_expected(error)}"),
            path,
            absence=v == "minProperties",  # a mapping a base that could not be read might fill
        )
        return
    yield _MetaProblem(
        raw.problem(path, f"{where} is {_describe_value(error.instance)}, expected {_expected(error)}"),
        path,
        absence=error.instance is None,  # `key: null` may delete what such a base defined
    )


def _check_meta(raw: RawRules) -> list[_MetaProblem]:
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(_meta_schema_for(raw.data))
    problems: list[_MetaProblem] = []
    for error in validator.iter_errors(raw.data):
        problems.extend(_messages(error, raw))
    return problems


def read_rules(path: Path, shown: str, *, pipe_allowed: bool = False) -> RawRules:
    """Read, merge and meta-check a rules file and the files it extends.

    Never raises for a bad file: every problem found is in :attr:`RawRules.problems`, and
    :func:`envoxy.rules.compiler.compile_rules` raises them together with its own. A file that
    cannot be read is left out and the rest is still checked. ``pipe_allowed``: ``path`` (not a
    file it extends) may be a pipe, as ``--rules <(gen-rules)`` is.
    """
    chain = _Chain()
    _load_chain(path, shown, (), chain, pipe_allowed=pipe_allowed)
    merged = chain.merged
    raw = RawRules(
        path=shown,
        data=merged.data,
        values=merged.values,
        keys=merged.keys,
        files=tuple(chain.files),
        complete=chain.complete,
        sources=tuple(chain.sources),
    )
    problems = chain.problems
    bad = set(merged.bad)
    if merged.values:  # something was read: check what there is
        seen = {(p.path, p.line, p.column) for p in problems}
        for meta in _check_meta(raw):
            bad.add(meta.bad)
            p = meta.problem
            if (p.path, p.line, p.column) not in seen and (raw.complete or not meta.absence):
                problems.append(p)
    raw.problems = tuple(sorted_problems(problems))
    raw.bad = frozenset(bad)
    return raw


def sorted_problems(problems: list[Problem]) -> list[Problem]:
    """``problems`` once each, in file, line, column order."""
    unique = dict.fromkeys(problems)
    return sorted(unique, key=lambda p: (p.path, p.line or 0, p.column or 0, p.message))


def _close_matches(word: str, possibilities: Iterable[str], n: int) -> list[str]:
    """``difflib.get_close_matches``, imported only when a rules file has a problem to hint at."""
    import difflib

    return difflib.get_close_matches(word, possibilities, n=n)
