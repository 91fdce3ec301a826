"""Compile checked rules data into the immutable :class:`RuleSet`, collecting every problem.

The data may still hold problems found while reading it (:attr:`RawRules.problems`): the checks
here then run on what is usable (:meth:`RawRules.intact`), so that every problem of the file is
reported at once, and skip what depends on a part that is broken or, when a file of the chain
could not be read, on what that file might have defined.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from typing import Any

from envoxy.checks.compile import compile_checks
from envoxy.errors import EXCERPT_LIMIT, Problem, RulesError, clip, excerpt
from envoxy.rules.loader import RawRules, sorted_problems
from envoxy.rules.metaschema import dotted, references, schema_error
from envoxy.rules.model import (
    ColumnSpec,
    Declaration,
    Exemption,
    LogicalType,
    RuleSet,
    Scope,
    ValueSpec,
    glob_to_regex,
)
from envoxy.rules.names import field_name_problem, template_cycles, template_fields, template_problems
from envoxy.rules.profiles import BUILTIN_PROFILES, DEFAULT_FIELDS
from envoxy.rules.sqltypes import SqlType, SqlTypeError, parse_sql_type
from envoxy.rules.values import VALUE_KINDS

__all__ = ["compile_rules", "value_fits"]


def value_fits(kind: str, sql: SqlType, *, on_update: bool = False) -> bool:
    """Whether a value made by ``kind`` (a name of :data:`VALUE_KINDS`), and by ``on_update: now``
    when set, can fill a column of type ``sql``."""
    info = VALUE_KINDS.get(kind)
    if info is None or not info.fits_type_name(sql):
        return False
    if info.makers and info.maker_for(sql) is None:
        return False
    return not on_update or sql.name == "TIMESTAMP"


class _Compiler:
    def __init__(self, raw: RawRules) -> None:
        self.raw = raw
        self.data = raw.data
        self.problems: list[Problem] = []

    def error(self, path: tuple[str | int, ...], message: str, *, key: bool = False) -> None:
        self.problems.append(self.raw.problem(path, message, key=key))

    def error_at(self, path: tuple[str | int, ...], message: str) -> None:
        self.error(path, message)

    def error_at_key(self, path: tuple[str | int, ...], message: str) -> None:
        self.error(path, message, key=True)

    # -- profiles --------------------------------------------------------------------------
    def profile_types(self, name: str) -> dict[str, tuple[SqlType, Declaration]] | None:
        """The logical types of profile ``name``; ``None`` when they cannot be known."""
        raw = self.raw
        if not raw.intact(("profile",)) or raw.broken(("profiles",)):
            return None
        defined = self.data.get("profiles", {})
        known = sorted({*BUILTIN_PROFILES, *defined})
        if name not in known:
            if raw.complete:
                self.error(
                    ("profile",), f"profile {excerpt(name)} is not defined, expected one of: {_names(known)}"
                )
            return None
        chain: list[str] = []
        current: str | None = name
        while current is not None:
            if current in chain:
                names = " -> ".join(clip(n, EXCERPT_LIMIT) for n in [*chain, current])
                self.error(
                    ("profiles", current, "base"),
                    f"profile bases make a cycle ({names}), "
                    "expected a chain that ends at a profile without base",
                )
                return None
            chain.append(current)
            if current in defined and not raw.intact(("profiles", current, "base")):
                return None
            spec = defined.get(current, BUILTIN_PROFILES.get(current, {}))
            current = spec.get("base")
            if current is not None and current not in known:
                if raw.complete:
                    self.error(
                        ("profiles", chain[-1], "base"),
                        f"base profile {excerpt(current)} is not defined, expected one of: {_names(known)}",
                    )
                return None
        types: dict[str, tuple[SqlType, Declaration]] = {}
        usable = raw.complete  # else a base that could not be read may add or change types
        for pname in reversed(chain):
            in_file = pname in defined
            if in_file and raw.broken(("profiles", pname, "types")):
                usable = False
                continue
            spec = defined.get(pname, BUILTIN_PROFILES.get(pname, {}))
            for logical, tspec in spec.get("types", {}).items():
                at = ("profiles", pname, "types", logical)
                where = (*at, "sql")
                if in_file and not raw.intact(where):
                    usable = False
                    continue
                try:
                    sql = parse_sql_type(tspec["sql"])
                except SqlTypeError:
                    if in_file:
                        usable = False  # else fields of this type would be "not a type of" it
                        self.error(
                            where,
                            f"{excerpt(tspec['sql'])} is not a SQL type envoxy understands, "
                            "expected a type such as VARCHAR(36), UUID, TEXT or "
                            "TIMESTAMP WITH TIME ZONE",
                        )
                    continue
                if in_file and not raw.intact(at):
                    usable = False
                    continue
                js = tspec.get("json", {})
                formats = js.get("format", ())
                formats = (formats,) if isinstance(formats, str) else tuple(formats)
                types[logical] = (sql, Declaration(json_type=js.get("type", "string"), formats=formats))
        return types if usable else None

    # -- fields ----------------------------------------------------------------------------
    def columns(self, types: dict[str, tuple[SqlType, Declaration]] | None) -> tuple[ColumnSpec, ...]:
        """The required fields (``types`` None: the profile is unknown, so only what does not
        depend on it is checked)."""
        if self.raw.broken(("fields",)):
            return ()
        fields = self.data.get("fields", DEFAULT_FIELDS)
        names = list(fields)
        out: list[ColumnSpec] = []
        first_by_case: dict[str, str] = {}
        for name, spec in fields.items():
            if self.raw.broken(("fields", name)):
                continue  # not a mapping, or a name that cannot be used: already reported
            self.check_field_name(name, first_by_case)
            column = self.column(name, spec, names, types)
            if column is not None:
                out.append(column)
        self.check_template_cycles(out)
        return tuple(out)

    def check_field_name(self, name: str, first_by_case: dict[str, str]) -> None:
        base = ("fields", name)
        other = first_by_case.setdefault(name.lower(), name)
        if other != name:
            self.error(
                base,
                f"field {excerpt(name)} differs from field {excerpt(other)} only in case, expected "
                "names that differ in more (SQLite and MySQL compare column names ignoring case)",
                key=True,
            )
        problem = field_name_problem(name)
        if problem:
            # (names up to PostgreSQL's 63 bytes are shown whole: the problem may be their length)
            self.error(base, f"field {excerpt(name, 64)} {problem}, expected another name", key=True)

    def column(
        self,
        name: str,
        spec: dict[str, Any],
        names: list[str],
        types: dict[str, tuple[SqlType, Declaration]] | None,
    ) -> ColumnSpec | None:
        raw, base = self.raw, ("fields", name)
        nullable = bool(spec.get("nullable", False))
        primary_key = bool(spec.get("primary_key", False))
        flags_ok = raw.intact((*base, "nullable")) and raw.intact((*base, "primary_key"))
        if primary_key and nullable and flags_ok:
            self.error(
                (*base, "nullable"),
                f"field {excerpt(name)} is a primary key and cannot be nullable, expected nullable: false",
            )
        extra = spec.get("declaration", {})
        if extra and raw.intact((*base, "declaration")):
            self.check_declaration_schema(extra, (*base, "declaration"))
        value_ok = raw.intact((*base, "value")) and raw.intact((*base, "on_update"))
        if value_ok and isinstance(spec.get("value"), dict):
            self.check_template(spec["value"]["template"], (*base, "value", "template"), names, name)
        if types is None or not raw.intact((*base, "type")):
            return None
        logical = spec["type"]
        if logical not in types:
            self.error(
                (*base, "type"),
                f"type {excerpt(logical)} of field {excerpt(name)} is not a type of profile "
                f"{excerpt(self.profile_name)}, expected one of: {_names(sorted(types))}",
            )
            return None
        if not value_ok:
            return None
        sql, decl = types[logical]
        return ColumnSpec(
            name=name,
            logical_type=logical,
            sql_type=sql,
            nullable=nullable,
            primary_key=primary_key,
            value=self.value(spec, base, sql, name),
            declaration=Declaration(
                json_type=decl.json_type,
                formats=decl.formats,
                extra_json=json.dumps(extra, sort_keys=True),
            ),
            description=spec.get("description", ""),
        )

    def check_template_cycles(self, columns: list[ColumnSpec]) -> None:
        reads = {c.name: template_fields(c.value.template) for c in columns if c.value.template}
        for cycle in template_cycles(reads):
            self.error(
                ("fields", cycle[0], "value", "template"),
                f"the templates of {', '.join(excerpt(n) for n in dict.fromkeys(cycle))} read each "
                f"other in a cycle ({' -> '.join(clip(n, EXCERPT_LIMIT) for n in cycle)}), expected "
                "templates that each can be rendered after the fields they read",
            )

    def value(self, spec: dict[str, Any], base: tuple[str, ...], sql: SqlType, field: str) -> ValueSpec:
        raw_value = spec.get("value", "none")
        on_update = spec.get("on_update", "none") == "now"
        if isinstance(raw_value, dict):
            template = raw_value["template"]
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
                f"value {value.kind!r} cannot fill field {excerpt(field)} of type "
                f"{sql.ddl()}, expected a value that fits the type",
            )
        elif kind.makers and kind.maker_for(sql) is None:
            self.error(
                (*base, "value"),
                f"value {value.kind!r} cannot fill field {excerpt(field)} of type {sql.ddl()}: "
                f"{kind.noun} needs {kind.needs()}, expected a type that holds it",
            )
        if on_update and sql.name != "TIMESTAMP":
            self.error(
                (*base, "on_update"),
                f"on_update 'now' cannot fill field {excerpt(field)} of type "
                f"{sql.ddl()}, expected a timestamp field",
            )
        elif on_update and kind.shape != "clock":
            self.error(
                (*base, "on_update"),
                f"on_update 'now' on field {excerpt(field)} whose value is {value.kind!r}, expected "
                "value: now as well (the mixin stamps a field on update only if it stamps it on insert)",
            )
        return value

    def check_template(
        self, template: str, where: tuple[str | int, ...], names: list[str], field: str
    ) -> None:
        malformed, unknown = template_problems(
            template,
            ["table", *(n for n in names if n != field)],
            what="template",
            expected="text with {placeholders} such as {table} and {id}",
        )
        if malformed is not None:
            self.error(where, malformed)
        elif self.raw.complete:  # else a field a placeholder names may come from an unread base
            for problem in unknown:
                self.error(where, problem)

    def check_declaration_schema(self, schema: dict[str, Any], where: tuple[str | int, ...]) -> None:
        invalid = schema_error(schema, where)
        if invalid is not None:
            at, words = invalid
            self.error(
                at,
                f"{dotted(at)} makes the declaration an invalid JSON Schema ({words}), "
                "expected a Draft 2020-12 schema",
            )
            return
        for at in references(schema, where):
            self.error(
                at,
                f"{dotted(at)} is a reference, expected a "
                "self-contained declaration (it is embedded in the generated model "
                "schema, where references do not resolve as written)",
            )

    # -- scope, exemptions, severity ---------------------------------------------------------
    def exemptions(
        self, field_names: tuple[str, ...] | None, check_ids: tuple[str, ...] | None
    ) -> tuple[Exemption, ...]:
        """The exemptions (``field_names``/``check_ids`` None: the required fields or the checks
        are not known for sure)."""
        raw = self.raw
        if raw.broken(("exemptions",)):
            return ()
        out = []
        for table, spec in self.data.get("exemptions", {}).items():
            base = ("exemptions", table)
            if raw.broken(base):
                continue
            fields_ok = raw.intact((*base, "fields"))
            checks_ok = raw.intact((*base, "checks"))
            if "fields" not in spec and "checks" not in spec:
                self.error(
                    base,
                    f"exemptions.{clip(table, EXCERPT_LIMIT)} lists neither 'fields' nor 'checks', expected "
                    "the required fields or the checks the table goes without",
                )
            for i, name in enumerate(spec.get("checks", ()) if checks_ok else ()):
                if check_ids is not None and name not in check_ids:
                    self.error(
                        (*base, "checks", i),
                        f"{excerpt(name)} is not a check of these rules, expected "
                        f"{'one of: ' + _names(check_ids) if check_ids else 'no checks (none is defined)'}",
                    )
            for i, name in enumerate(spec.get("fields", ()) if fields_ok else ()):
                if field_names is not None and name not in field_names:
                    self.error(
                        (*base, "fields", i),
                        f"{excerpt(name)} is not a required field, expected one of: {_names(field_names)}",
                    )
            until = None
            if "until" in spec and raw.intact((*base, "until")):
                try:
                    until = dt.date.fromisoformat(spec["until"])
                except ValueError:
                    self.error(
                        (*base, "until"),
                        f"{excerpt(spec['until'])} is not a real date, expected a date written YYYY-MM-DD",
                    )
            if not (fields_ok and checks_ok and raw.intact((*base, "reason"))):
                continue
            loc = raw.where(base, key=True)
            out.append(
                Exemption(
                    table=table,
                    fields=frozenset(spec.get("fields", ())),
                    checks=frozenset(spec.get("checks", ())),
                    reason=spec["reason"].strip(),
                    until=until,
                    path=loc.path if loc else None,
                    line=loc.line if loc else None,
                    column=loc.column if loc else None,
                )
            )
        return tuple(out)

    def check_globs(self) -> None:
        if self.raw.broken(("scope",)):
            return
        for kind, globs in self.data.get("scope", {}).items():
            if self.raw.broken(("scope", kind)):
                continue
            for i, glob in enumerate(globs):
                if not self.raw.intact(("scope", kind, i)):
                    continue
                try:
                    re.compile(glob_to_regex(glob))
                except re.error as e:
                    self.error(
                        ("scope", kind, i),
                        f"glob {excerpt(glob)} is malformed ({e.msg}), expected a shell glob: "
                        "*, ? and [...] with each range written low-high, such as [a-z]",
                    )

    def run(self) -> RuleSet:
        raw = self.raw
        self.profile_name = self.data.get("profile", "legacy")
        types = self.profile_types(self.profile_name)
        columns = self.columns(types)
        names_known = raw.complete and not raw.broken(("fields",))
        field_names = tuple(self.data.get("fields", DEFAULT_FIELDS)) if names_known else None
        checks = compile_checks(self.raw, self.error_at, report_key=self.error_at_key)
        checks_known = raw.complete and not raw.broken(("checks",))
        check_ids = tuple(self.data.get("checks", {})) if checks_known else None
        exemptions = self.exemptions(field_names, check_ids)
        self.check_globs()
        if raw.problems or self.problems:
            # One problem per place: what reading found there explains what the checks see.
            seen = {(p.path, p.line, p.column) for p in raw.problems}
            more = [p for p in self.problems if (p.path, p.line, p.column) not in seen]
            raise RulesError(sorted_problems([*raw.problems, *more]))
        scope_raw = self.data.get("scope", {})
        scope = Scope(
            include=tuple(scope_raw.get("include", ("*",))),
            exclude=tuple(scope_raw.get("exclude", ("alembic_version*",))),
        )
        models = self.data.get("models", {})
        baseline = None
        if "baseline" in self.data:
            # relative to the file that says it, which an ``extends`` chain may make another one
            loc = self.raw.where(("baseline",))
            declared_in = loc.path if loc is not None else self.raw.path
            baseline = os.path.normpath(os.path.join(os.path.dirname(declared_in), self.data["baseline"]))
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
            baseline=baseline,
            migrations_since=self.data.get("migrations", {}).get("since"),
            checks=checks,
            logical_types=tuple(
                LogicalType(name=n, sql_type=sql, declaration=decl)
                for n, (sql, decl) in (types or {}).items()
            ),
        )
        from envoxy.rules.schema import model_schema

        schema_text = json.dumps(model_schema(ruleset), indent=2, sort_keys=False) + "\n"
        digest = hashlib.sha256(json.dumps(self.data, sort_keys=True, default=str).encode()).hexdigest()
        from dataclasses import replace

        return replace(ruleset, model_schema_json=schema_text, digest=digest)


def _names(names: Any) -> str:
    """A list of names from the file for "expected one of: …", each shortened and escaped."""
    return ", ".join(clip(str(n), EXCERPT_LIMIT) for n in names)


def compile_rules(raw: RawRules) -> RuleSet:
    """Compile meta-checked rules; raises :class:`RulesError` listing every semantic problem."""
    return _Compiler(raw).run()
