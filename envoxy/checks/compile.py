"""``checks:`` of ``rules.yaml`` (already checked against the meta-schema) to :class:`Check`
objects, every problem reported at its place in the file.

What the meta-schema cannot say is checked here: an id that is one of envoxy's own rule ids, a
check with neither ``require`` nor ``builtin`` (or both), an unknown built-in or parameter, a
``where``/``require`` that is not a valid Draft 2020-12 schema or that uses a reference (refused:
no schema is fetched from anywhere), a schema naming a fact no document has, and a message
naming an unknown placeholder.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from envoxy.checks.builtins import BUILTIN_DESCRIPTIONS, BUILTIN_MESSAGES, BUILTIN_NEEDS, BUILTIN_PARAMETERS
from envoxy.checks.model import (
    BUILTIN_NAMES,
    COLUMN_FACTS,
    PLACEHOLDERS,
    TABLE_FACTS,
    TARGETS,
    Check,
    CheckScope,
)
from envoxy.checks.predicate import needs, property_schemas
from envoxy.errors import excerpt
from envoxy.rules.catalog import RULES
from envoxy.rules.metaschema import dotted, references, schema_error
from envoxy.rules.names import template_problems

if TYPE_CHECKING:
    from envoxy.rules.loader import RawRules

__all__ = ["compile_checks", "default_message"]

KeyPath = tuple[str | int, ...]
Report = Callable[[KeyPath, str], None]

_JSON_TYPES = {"boolean": bool, "string": str, "integer": int}


def default_message(check_id: str, scope: str) -> str:
    """The message of a check that gives none."""
    if scope == "column":
        return f"column {{column}} of {{table}} fails check {check_id}: {{reason}}"
    return f"table {{table}} fails check {check_id}: {{reason}}"


def compile_checks(raw: RawRules, report: Report, *, report_key: Report) -> tuple[Check, ...]:
    """The checks of ``raw`` that compile; each problem goes to ``report`` (at a value) or
    ``report_key`` (at a key)."""
    data = raw.data.get("checks")
    if not isinstance(data, dict) or raw.broken(("checks",)):
        return ()
    out = []
    for check_id, spec in data.items():
        base: KeyPath = ("checks", check_id)
        if raw.broken(base) or not isinstance(spec, dict):
            continue
        check = _Compiling(raw, check_id, spec, report, report_key).run()
        if check is not None:
            out.append(check)
    return tuple(out)


class _Compiling:
    def __init__(
        self, raw: RawRules, check_id: str, spec: dict[str, Any], report: Report, report_key: Report
    ):
        self.raw = raw
        self.id = check_id
        self.spec = spec
        self.base: KeyPath = ("checks", check_id)
        self.report = report
        self.report_key = report_key
        self.ok = True

    def error(self, path: KeyPath, message: str) -> None:
        self.ok = False
        self.report(path, message)

    def run(self) -> Check | None:
        spec, base, name = self.spec, self.base, excerpt(self.id)
        if self.id in RULES:
            self.ok = False
            self.report_key(
                base,
                f"check id {name} is one of envoxy's own rule ids, expected another id "
                "(see 'envoxy explain --list')",
            )
        builtin = spec.get("builtin")
        if builtin is None and "require" not in spec:
            self.error(base, f"check {name} has neither 'require' nor 'builtin', expected one of them")
        if builtin is not None and "require" in spec:
            self.error(
                (*base, "require"),
                f"check {name} has both 'builtin' and 'require', expected one of them "
                "(a built-in check's test is its code)",
            )
        if builtin is None and "scope" not in spec and "require" in spec:
            self.error(base, f"check {name} lacks the required key 'scope', expected scope: table or column")
        if builtin is None and "parameters" in spec:
            self.error(
                (*base, "parameters"), f"check {name} has parameters but no 'builtin', expected no parameters"
            )
        if builtin is not None and builtin not in BUILTIN_NAMES:
            self.error(
                (*base, "builtin"),
                f"builtin {excerpt(builtin)} is not a built-in check, expected one of: "
                f"{', '.join(BUILTIN_NAMES)}",
            )
            builtin = None
            self.ok = False
        if builtin is not None and spec.get("scope", "table") != "table":
            self.error(
                (*base, "scope"), f"built-in check {excerpt(builtin)} judges tables, expected scope: table"
            )
        scope: CheckScope = "table" if builtin is not None or spec.get("scope") == "table" else "column"
        parameters = self.parameters(builtin) if builtin is not None else ()
        where = self.schema("where", scope)
        require = self.schema("require", scope) if builtin is None else True
        message = spec.get("message")
        if message is None:
            message = BUILTIN_MESSAGES[builtin] if builtin is not None else default_message(self.id, scope)
        elif self.raw.intact((*base, "message")):
            self.check_template(message, builtin or scope)
        if not self.ok or where is _BAD or require is _BAD:
            return None
        if builtin is not None:
            selects, column_needs = _needs("table", where, True)
            table_needs = BUILTIN_NEEDS[builtin] | selects
        else:
            table_needs, column_needs = _needs(scope, where, require)
        loc = self.raw.where(base, key=True)
        return Check(
            id=self.id,
            scope=scope,
            require_json=json.dumps(require, sort_keys=True),
            where_json=None if where is None else json.dumps(where, sort_keys=True),
            message=message,
            severity=spec.get("severity", "error"),
            description=spec.get("description", BUILTIN_DESCRIPTIONS.get(builtin or "", "")),
            targets=tuple(t for t in TARGETS if t in spec.get("targets", TARGETS)),
            builtin=builtin,
            parameters=parameters,
            needs=table_needs,
            column_needs=column_needs,
            path=loc.path if loc else None,
            line=loc.line if loc else None,
            column=loc.column if loc else None,
        )

    def parameters(self, builtin: str) -> tuple[tuple[str, Any], ...]:
        given = self.spec.get("parameters", {})
        if not isinstance(given, dict) or not self.raw.intact((*self.base, "parameters")):
            return ()
        known = BUILTIN_PARAMETERS[builtin]
        out = []
        for key, value in given.items():
            where = (*self.base, "parameters", key)
            if key not in known:
                self.ok = False
                self.report_key(
                    where,
                    f"unknown parameter {excerpt(key)} of built-in check {excerpt(builtin)}, expected "
                    f"{'one of: ' + ', '.join(known) if known else 'no parameters'}",
                )
                continue
            kind, _ = known[key]
            if not isinstance(value, _JSON_TYPES[kind]) or (kind == "integer" and isinstance(value, bool)):
                self.error(
                    where,
                    f"parameter {excerpt(key)} of built-in check {excerpt(builtin)} is {_kind(value)}, "
                    f"expected a {kind}",
                )
                continue
            out.append((key, value))
        return tuple(sorted(out))

    def schema(self, key: str, scope: str) -> Any:
        """The JSON Schema under ``key`` (``None`` when absent, ``_BAD`` when unusable)."""
        if key not in self.spec:
            return None
        where = (*self.base, key)
        if not self.raw.intact(where):
            return _BAD
        schema = self.spec[key]
        invalid = schema_error(schema, where)
        if invalid is not None:
            at, words = invalid
            self.error(
                at,
                f"{dotted(at)} is not a valid JSON Schema ({words}), expected a Draft 2020-12 schema",
            )
            return _BAD
        refs = references(schema, where)
        for at in refs:
            self.error(
                at,
                f"{dotted(at)} is a reference, expected a self-contained schema (envoxy fetches no "
                "schema from a file or the network)",
            )
        if refs:
            return _BAD
        bad = False
        facts = TABLE_FACTS if scope == "table" else COLUMN_FACTS
        for fact in sorted(needs(schema) - set(facts)):
            what = "table" if scope == "table" else "column"
            self.error(
                where,
                f"{dotted(where)} reads {excerpt(fact)}, which no {what} document has, expected "
                f"one of: {', '.join(facts)}",
            )
            bad = True
        if scope == "table":
            for fact in sorted(_column_needs(schema) - set(COLUMN_FACTS)):
                self.error(
                    where,
                    f"{dotted(where)} reads {excerpt(fact)} of columns, which no column document has, "
                    f"expected one of: {', '.join(COLUMN_FACTS)}",
                )
                bad = True
        return _BAD if bad else schema

    def check_template(self, template: str, kind: str) -> None:
        where = (*self.base, "message")
        malformed, unknown = template_problems(
            template,
            PLACEHOLDERS[kind],
            what="message",
            expected="text with {placeholders} such as {table} (write a brace as {{ or }})",
        )
        for problem in [malformed] if malformed is not None else unknown:
            self.error(where, problem)


_BAD = object()


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, str):
        return f"{excerpt(value)} (a string)"
    if isinstance(value, (int, float)):
        return f"{value} (a number)"
    return "a list" if isinstance(value, list) else "a mapping" if isinstance(value, dict) else "null"


def _column_needs(schema: Any) -> frozenset[str]:
    """The column facts a table schema reads through ``columns``' ``items``/``contains``/
    ``prefixItems``."""
    found: set[str] = set()
    for sub in property_schemas(schema, "columns"):
        for each in _array_item_schemas(sub):
            found |= needs(each)
    return frozenset(found)


def _array_item_schemas(schema: Any) -> list[Any]:
    out: list[Any] = []
    if not isinstance(schema, dict):
        return out
    for key in ("items", "contains"):
        if key in schema:
            out.append(schema[key])
    if isinstance(schema.get("prefixItems"), list):
        out.extend(schema["prefixItems"])
    for key in ("not", "if", "then", "else"):
        if key in schema:
            out.extend(_array_item_schemas(schema[key]))
    for key in ("allOf", "anyOf", "oneOf"):
        if isinstance(schema.get(key), list):
            for sub in schema[key]:
                out.extend(_array_item_schemas(sub))
    return out


def _needs(scope: str, where: Any, require: Any) -> tuple[frozenset[str], frozenset[str]]:
    """The facts the check reads that a place may not know (``logical_type`` excepted: its
    absence is a fact, "no logical type of the profile matches")."""
    schemas = [s for s in (where, require) if s is not None]
    table = frozenset().union(*(needs(s) for s in schemas)) - {"logical_type"}
    if scope == "column":
        return table, frozenset()
    columns = frozenset().union(*(_column_needs(s) for s in schemas)) - {"logical_type"}
    return table, columns
