"""Compile checked rules data into the immutable :class:`RuleSet`, collecting every problem."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import string
from typing import Any

from envoxy.errors import Problem, RulesError
from envoxy.rules.loader import RawRules
from envoxy.rules.model import (
    ColumnSpec,
    Declaration,
    Exemption,
    RuleSet,
    Scope,
    ValueSpec,
    glob_to_regex,
)
from envoxy.rules.names import field_name_problem, template_cycles, template_fields
from envoxy.rules.profiles import BUILTIN_PROFILES, DEFAULT_FIELDS
from envoxy.rules.sqltypes import SqlType, SqlTypeError, parse_sql_type
from envoxy.rules.values import VALUE_KINDS

__all__ = ["compile_rules"]


class _Compiler:
    def __init__(self, raw: RawRules) -> None:
        self.raw = raw
        self.data = raw.data
        self.problems: list[Problem] = []

    def error(self, path: tuple[str | int, ...], message: str, *, key: bool = False) -> None:
        self.problems.append(self.raw.problem(path, message, key=key))

    # -- profiles --------------------------------------------------------------------------
    def profile_types(self, name: str) -> dict[str, tuple[SqlType, Declaration]] | None:
        defined = self.data.get("profiles", {})
        known = sorted({*BUILTIN_PROFILES, *defined})
        if name not in known:
            self.error(("profile",), f"profile {name!r} is not defined, expected one of: {', '.join(known)}")
            return None
        chain: list[str] = []
        current: str | None = name
        while current is not None:
            if current in chain:
                self.error(
                    ("profiles", current, "base"),
                    f"profile bases make a cycle ({' -> '.join([*chain, current])}), "
                    "expected a chain that ends at a profile without base",
                )
                return None
            chain.append(current)
            spec = defined.get(current, BUILTIN_PROFILES.get(current, {}))
            current = spec.get("base")
            if current is not None and current not in known:
                self.error(
                    ("profiles", chain[-1], "base"),
                    f"base profile {current!r} is not defined, expected one of: {', '.join(known)}",
                )
                return None
        types: dict[str, tuple[SqlType, Declaration]] = {}
        for pname in reversed(chain):
            in_file = pname in defined
            spec = defined.get(pname, BUILTIN_PROFILES.get(pname, {}))
            for logical, tspec in spec.get("types", {}).items():
                where = ("profiles", pname, "types", logical, "sql")
                try:
                    sql = parse_sql_type(tspec["sql"])
                except SqlTypeError:
                    if in_file:
                        self.error(
                            where,
                            f"{tspec['sql']!r} is not a SQL type envoxy understands, "
                            "expected a type such as VARCHAR(36), UUID, TEXT or "
                            "TIMESTAMP WITH TIME ZONE",
                        )
                    continue
                js = tspec.get("json", {})
                formats = js.get("format", ())
                formats = (formats,) if isinstance(formats, str) else tuple(formats)
                types[logical] = (sql, Declaration(json_type=js.get("type", "string"), formats=formats))
        return types

    # -- fields ----------------------------------------------------------------------------
    def columns(self, types: dict[str, tuple[SqlType, Declaration]]) -> tuple[ColumnSpec, ...]:
        fields = self.data.get("fields", DEFAULT_FIELDS)
        names = list(fields)
        out: list[ColumnSpec] = []
        first_by_case: dict[str, str] = {}
        for name, spec in fields.items():
            base = ("fields", name)
            other = first_by_case.setdefault(name.lower(), name)
            if other != name:
                self.error(
                    base,
                    f"field {name!r} differs from field {other!r} only in case, expected names that "
                    "differ in more (SQLite and MySQL compare column names ignoring case)",
                    key=True,
                )
            problem = field_name_problem(name)
            if problem:
                self.error(base, f"field {name!r} {problem}, expected another name", key=True)
            logical = spec["type"]
            if logical not in types:
                self.error(
                    (*base, "type"),
                    f"type {logical!r} of field {name!r} is not a type of profile "
                    f"{self.profile_name!r}, expected one of: "
                    f"{', '.join(sorted(types))}",
                )
                continue
            sql, decl = types[logical]
            value = self.value(spec, base, names, sql, name)
            nullable = bool(spec.get("nullable", False))
            primary_key = bool(spec.get("primary_key", False))
            if primary_key and nullable:
                self.error(
                    (*base, "nullable"),
                    f"field {name!r} is a primary key and cannot be nullable, expected nullable: false",
                )
            extra = spec.get("declaration", {})
            if extra:
                self.check_declaration_schema(extra, (*base, "declaration"))
            out.append(
                ColumnSpec(
                    name=name,
                    logical_type=logical,
                    sql_type=sql,
                    nullable=nullable,
                    primary_key=primary_key,
                    value=value,
                    declaration=Declaration(
                        json_type=decl.json_type,
                        formats=decl.formats,
                        extra_json=json.dumps(extra, sort_keys=True),
                    ),
                    description=spec.get("description", ""),
                )
            )
        self.check_template_cycles(out)
        return tuple(out)

    def check_template_cycles(self, columns: list[ColumnSpec]) -> None:
        reads = {c.name: template_fields(c.value.template) for c in columns if c.value.template}
        for cycle in template_cycles(reads):
            self.error(
                ("fields", cycle[0], "value", "template"),
                f"the templates of {', '.join(repr(n) for n in dict.fromkeys(cycle))} read each other "
                f"in a cycle ({' -> '.join(cycle)}), expected templates that each can be rendered "
                "after the fields they read",
            )

    def value(
        self, spec: dict[str, Any], base: tuple[str, ...], names: list[str], sql: SqlType, field: str
    ) -> ValueSpec:
        raw_value = spec.get("value", "none")
        on_update = spec.get("on_update", "none") == "now"
        if isinstance(raw_value, dict):
            template = raw_value["template"]
            self.check_template(template, (*base, "value", "template"), names, field)
            strip = raw_value.get("strip_prefix", ())
            value = ValueSpec(
                kind="template",
                on_update=on_update,
                template=template,
                strip_prefix=(strip,) if isinstance(strip, str) else tuple(strip),
            )
        else:
            value = ValueSpec(kind=raw_value, on_update=on_update)
        kind = VALUE_KINDS[value.kind]
        if not kind.fits_type_name(sql):
            self.error(
                (*base, "value"),
                f"value {value.kind!r} cannot fill field {field!r} of type "
                f"{sql.ddl()}, expected a value that fits the type",
            )
        elif kind.makers and kind.maker_for(sql) is None:
            self.error(
                (*base, "value"),
                f"value {value.kind!r} cannot fill field {field!r} of type {sql.ddl()}: "
                f"{kind.noun} needs {kind.needs()}, expected a type that holds it",
            )
        if on_update and sql.name != "TIMESTAMP":
            self.error(
                (*base, "on_update"),
                f"on_update 'now' cannot fill field {field!r} of type "
                f"{sql.ddl()}, expected a timestamp field",
            )
        elif on_update and kind.shape != "clock":
            self.error(
                (*base, "on_update"),
                f"on_update 'now' on field {field!r} whose value is {value.kind!r}, expected "
                "value: now as well (the mixin stamps a field on update only if it stamps it on insert)",
            )
        return value

    def check_template(
        self, template: str, where: tuple[str | int, ...], names: list[str], field: str
    ) -> None:
        allowed = ["table", *(n for n in names if n != field)]
        try:
            parts = list(string.Formatter().parse(template))
        except ValueError as e:
            self.error(
                where,
                f"template {template!r} is malformed ({e}), expected text with "
                "{placeholders} such as {table} and {id}",
            )
            return
        for _, placeholder, fmt, conv in parts:
            if placeholder is None:
                continue
            if placeholder not in allowed or fmt or conv:
                self.error(
                    where,
                    f"template {template!r} uses unknown placeholder {{{placeholder}}}, "
                    f"expected one of: {', '.join('{' + a + '}' for a in allowed)}",
                )

    def check_declaration_schema(self, schema: dict[str, Any], where: tuple[str | int, ...]) -> None:
        from jsonschema import Draft202012Validator
        from jsonschema.exceptions import best_match

        # The format checker makes an invalid regex ("pattern", "patternProperties") an error here
        # rather than when the validator first meets it.
        meta = Draft202012Validator(
            Draft202012Validator.META_SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER
        )
        error = best_match(meta.iter_errors(schema))
        if error is not None:
            at = (*where, *error.absolute_path)
            name = ".".join(str(p) for p in at)
            self.error(
                at,
                f"{name} makes the declaration an invalid JSON Schema ({error.message}), "
                "expected a Draft 2020-12 schema",
            )
            return
        for at in _references(schema, where):
            self.error(
                at,
                f"{'.'.join(str(p) for p in at)} is a reference, expected a "
                "self-contained declaration (it is embedded in the generated model "
                "schema, where references do not resolve as written)",
            )

    # -- scope, exemptions, severity ---------------------------------------------------------
    def exemptions(self, field_names: tuple[str, ...]) -> tuple[Exemption, ...]:
        out = []
        for table, spec in self.data.get("exemptions", {}).items():
            base = ("exemptions", table)
            for i, name in enumerate(spec["fields"]):
                if name not in field_names:
                    self.error(
                        (*base, "fields", i),
                        f"{name!r} is not a required field, expected one of: {', '.join(field_names)}",
                    )
            until = None
            if "until" in spec:
                try:
                    until = dt.date.fromisoformat(spec["until"])
                except ValueError:
                    self.error(
                        (*base, "until"),
                        f"{spec['until']!r} is not a real date, expected a date written YYYY-MM-DD",
                    )
            loc = self.raw.where(base, key=True)
            out.append(
                Exemption(
                    table=table,
                    fields=frozenset(spec["fields"]),
                    reason=spec["reason"].strip(),
                    until=until,
                    line=loc.line if loc else None,
                    column=loc.column if loc else None,
                )
            )
        return tuple(out)

    def check_globs(self) -> None:
        for kind, globs in self.data.get("scope", {}).items():
            for i, glob in enumerate(globs):
                try:
                    re.compile(glob_to_regex(glob))
                except re.error as e:
                    self.error(
                        ("scope", kind, i),
                        f"glob {glob!r} is malformed ({e.msg}), expected a shell glob: "
                        "*, ? and [...] with each range written low-high, such as [a-z]",
                    )

    def run(self) -> RuleSet:
        self.profile_name = self.data.get("profile", "legacy")
        types = self.profile_types(self.profile_name)
        columns = self.columns(types) if types is not None else ()
        field_names = tuple(self.data.get("fields", DEFAULT_FIELDS))
        exemptions = self.exemptions(field_names)
        self.check_globs()
        if self.problems:
            raise RulesError(
                sorted(
                    dict.fromkeys(self.problems),
                    key=lambda p: (p.path, p.line or 0, p.column or 0, p.message),
                )
            )
        scope_raw = self.data.get("scope", {})
        scope = Scope(
            include=tuple(scope_raw.get("include", ("*",))),
            exclude=tuple(scope_raw.get("exclude", ("alembic_version*",))),
        )
        models = self.data.get("models", {})
        ruleset = RuleSet(
            source=self.raw.path,
            version=self.data["version"],
            profile=self.profile_name,
            columns=columns,
            scope=scope,
            exemptions=exemptions,
            severities=tuple(sorted(self.data.get("severity", {}).items())),
            model_paths=tuple(models.get("paths", ())),
            name_keys=tuple(models.get("name_keys", ("table", "name"))),
            model_schema_json="{}",
        )
        from envoxy.rules.schema import model_schema

        schema_text = json.dumps(model_schema(ruleset), indent=2, sort_keys=False) + "\n"
        digest = hashlib.sha256(json.dumps(self.data, sort_keys=True, default=str).encode()).hexdigest()
        from dataclasses import replace

        return replace(ruleset, model_schema_json=schema_text, digest=digest)


_REFERENCE_KEYS = ("$ref", "$dynamicRef")


def _references(node: Any, where: tuple[str | int, ...]) -> list[tuple[str | int, ...]]:
    """Where ``node`` (a JSON Schema) uses ``$ref`` or ``$dynamicRef``."""
    found: list[tuple[str | int, ...]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _REFERENCE_KEYS and isinstance(value, str):
                found.append((*where, key))
            else:
                found.extend(_references(value, (*where, key)))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            found.extend(_references(item, (*where, i)))
    return found


def compile_rules(raw: RawRules) -> RuleSet:
    """Compile meta-checked rules; raises :class:`RulesError` listing every semantic problem."""
    return _Compiler(raw).run()
