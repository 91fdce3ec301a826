"""The compiled form of ``rules.yaml``: frozen dataclasses every consumer reads.

Nothing outside :mod:`envoxy.rules` hard-codes a field name, a type or a scope: it asks the
:class:`RuleSet`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

from envoxy.checks.model import Check
from envoxy.rules.catalog import RULES, SeveritySetting
from envoxy.rules.values import VALUE_KINDS, ValueKind
from envoxy.sqltypes import SqlType

__all__ = [
    "ColumnSpec",
    "Declaration",
    "Exemption",
    "LogicalType",
    "RuleSet",
    "Scope",
    "ValueSpec",
    "glob_to_regex",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class ValueSpec:
    """How a field's value is produced when the caller does not set it."""

    kind: str  # a key of envoxy.rules.values.VALUE_KINDS
    on_update: bool = False
    template: str | None = None
    strip_prefix: tuple[str, ...] = ()

    @property
    def kind_info(self) -> ValueKind:
        """The kind's entry in the value-kind table."""
        return VALUE_KINDS[self.kind]


@dataclass(frozen=True, slots=True, kw_only=True)
class Declaration:
    """What a model file's declaration of the field may say (JSON side of a profile type).

    ``type`` absent or equal to ``json_type``; ``format`` absent or one of ``formats``; plus the
    JSON Schema fragment ``extra`` that ``rules.yaml`` adds under ``declaration:``.
    """

    json_type: str
    formats: tuple[str, ...]
    extra_json: str = "{}"  # canonical JSON text, so the dataclass stays hashable and frozen

    @property
    def extra(self) -> dict[str, Any]:
        return json.loads(self.extra_json)  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True, kw_only=True)
class LogicalType:
    """A logical type of the profile in force: its SQL type and its model-file declaration."""

    name: str
    sql_type: SqlType
    declaration: Declaration


@dataclass(frozen=True, slots=True, kw_only=True)
class ColumnSpec:
    """One required field, as a column and as a model declaration."""

    name: str
    logical_type: str
    sql_type: SqlType
    nullable: bool
    primary_key: bool
    value: ValueSpec
    declaration: Declaration
    description: str

    def sqlalchemy_type(self) -> Any:
        """A fresh SQLAlchemy type for this column (imports SQLAlchemy)."""
        from envoxy.sqltypes import to_sqlalchemy

        return to_sqlalchemy(self.sql_type)


# Characters with a meaning in a regex, escaped with a backslash: each escape means the character
# itself in Python and in ECMA-262, with or without its "u" flag (which rejects "\-", "\#", ...).
_REGEX_SYNTAX = frozenset("^$\\.*+?()[]{}|/")
# Inside a set: brackets and backslash escaped alike in both dialects; "|", "&" and "~" too, whose
# doubles Python reserves for set operations (a FutureWarning today), as escapes both dialects
# read as the character with or without the "u" flag.
_SET_ESCAPES = str.maketrans({"\\": "\\\\", "[": "\\[", "]": "\\]", "|": "\\|", "&": "\\x26", "~": "\\x7e"})
# Any character, newline included, in both dialects ("." stops at a newline in both).
_ANY = r"[\s\S]"


def glob_to_regex(pattern: str) -> str:
    """An ECMA-262 (and Python) anchored regex for a shell glob (``*``, ``?``, ``[...]``).

    As in the shell, ``*`` and ``?`` match any character, a newline included. Written by hand
    because :func:`fnmatch.translate` emits Python-only syntax, and the same regex goes into the
    JSON Schema that editors and other validators read: so no ``.`` (no newline in either
    dialect) and no ``$`` (Python's also matches before a final newline); the end is
    ``(?![\\s\\S])``, the same in both.
    """
    out: list[str] = ["^"]
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            out.append(_ANY + "*")
        elif c == "?":
            out.append(_ANY)
        elif c == "[":
            start = i + 2 if pattern[i + 1 : i + 2] == "!" else i + 1
            # a ']' first in the set (after any '!') is a member, as in the shell: '[]]', '[!]]'
            end = pattern.find("]", start + 1 if pattern[start : start + 1] == "]" else start)
            if end == -1:
                out.append(r"\[")
            else:
                body = pattern[start:end].translate(_SET_ESCAPES)
                out.append(("[^" if start > i + 1 else "[") + body + "]")
                i = end
        else:
            out.append("\\" + c if c in _REGEX_SYNTAX else c)
        i += 1
    out.append(f"(?!{_ANY})")
    return "".join(out)


def _any_of(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{glob_to_regex(p)})" for p in patterns) or "(?!)")


@dataclass(frozen=True, slots=True, kw_only=True)
class Scope:
    """Which table names the rules apply to: matched by ``include`` and by no ``exclude`` glob."""

    include: tuple[str, ...] = ("*",)
    exclude: tuple[str, ...] = ("alembic_version*",)
    _include_re: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _exclude_re: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_include_re", _any_of(self.include))
        object.__setattr__(self, "_exclude_re", _any_of(self.exclude))

    def applies(self, table: str) -> bool:
        return bool(self._include_re.match(table)) and not self._exclude_re.match(table)


@dataclass(frozen=True, slots=True, kw_only=True)
class Exemption:
    """``rules.yaml`` lets ``table`` go without ``fields``, and unjudged by ``checks``, for
    ``reason``, until ``until``."""

    table: str
    fields: frozenset[str]
    reason: str
    checks: frozenset[str] = frozenset()
    until: dt.date | None = None
    path: str | None = None  # the rules file that declared it (last amended it), as shown
    line: int | None = None
    column: int | None = None

    def expired(self, today: dt.date | None = None) -> bool:
        return self.until is not None and (today or dt.date.today()) > self.until


@dataclass(frozen=True, kw_only=True)
class RuleSet:
    """Everything ``rules.yaml`` decides, compiled once. Immutable; derive with ``replace``."""

    source: str | None
    version: int
    profile: str
    columns: tuple[ColumnSpec, ...]
    scope: Scope
    exemptions: tuple[Exemption, ...]
    severities: tuple[tuple[str, SeveritySetting], ...]
    model_paths: tuple[str, ...]
    name_keys: tuple[str, ...]
    model_schema_json: str = field(repr=False)
    digest: str = ""
    baseline: str | None = None
    """The baseline file ``baseline:`` names, joined below the directory of the rules file that
    names it (shown as that file is: relative to the current directory, or absolute)."""
    migrations_since: str | None = None
    """``migrations.since``: a standing ``check-migrations --since``."""
    checks: tuple[Check, ...] = ()
    """``checks:``, in file order (see :mod:`envoxy.checks`)."""
    logical_types: tuple[LogicalType, ...] = ()
    """The profile's logical types, in the profile's order."""

    # -- lookups ---------------------------------------------------------------------------
    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> ColumnSpec:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def primary_key(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.primary_key)

    def in_scope(self, table: str) -> bool:
        return self.scope.applies(table)

    def exemption(self, table: str) -> Exemption | None:
        for e in self.exemptions:
            if e.table == table:
                return e
        return None

    def required_columns(self, table: str) -> tuple[ColumnSpec, ...]:
        """The columns ``table`` must carry: none out of scope, fewer when exempt."""
        if not self.in_scope(table):
            return ()
        exempt = self.exemption(table)
        if exempt is None:
            return self.columns
        return tuple(c for c in self.columns if c.name not in exempt.fields)

    def severity(self, rule: str) -> SeveritySetting:
        for rid, sev in self.severities:
            if rid == rule:
                return sev
        info = RULES.get(rule)
        if info is not None:
            return info.severity
        return self.check(rule).severity

    def check(self, check_id: str) -> Check:
        for c in self.checks:
            if c.id == check_id:
                return c
        raise KeyError(check_id)

    @property
    def model_schema(self) -> dict[str, Any]:
        """A fresh copy of the compiled JSON Schema for model files."""
        return json.loads(self.model_schema_json)  # type: ignore[no-any-return]
