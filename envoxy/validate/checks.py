"""The models place of ``checks:``: each datum judged as a table document, its field declarations
as column documents.

A datum's table document is ``{"name", "columns"}`` (a model file states no schema, keys or
indexes); a field's column document is ``{"name", "table"}`` plus ``logical_type`` where the
declaration matches one of the profile's logical types (see :func:`declared_logical_type`).
Checks that read other facts never run here (:meth:`envoxy.checks.model.Check.skipped_in`).

Findings point at the field declaration (column checks) or the datum's ``fields`` object (table
checks). The built-in that compares tables with each other (names unique after case folding) is
judged over every datum of the run: :meth:`ModelChecks.judge` returns each file's datum names
(``sites``), and :func:`cross_file_verdicts` compares them once all files are read.
"""

from __future__ import annotations

import dataclasses
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from envoxy.checks.engine import CompiledCheck, Verdict, compiled_checks, judge_tables_with_docs
from envoxy.rules.model import ColumnSpec, LogicalType, RuleSet
from envoxy.validate.judge import name_of, scope_function
from envoxy.validate.positions import Pointer

__all__ = [
    "CROSS_TABLE",
    "ModelChecks",
    "Site",
    "SiteTable",
    "cross_file_verdicts",
    "declared_logical_type",
    "fields_pointer",
]

_MISSING = object()
_MEMO_LIMIT = 200_000  # distinct names remembered; past it the memo starts again
# Built-ins that compare tables with each other: judged over the whole run, not per file.
CROSS_TABLE = frozenset({"unique-table-names-casefold"})


Site = tuple[str, int]
"""A named datum of a file: its name and its index in ``datums`` (-1: the top-level datum)."""


def fields_pointer(index: int) -> Pointer:
    """The pointer of the ``fields`` object of the datum at ``index`` (see :data:`Site`)."""
    return ("fields",) if index < 0 else ("datums", index, "fields")


def declared_logical_type(
    rules_types: Sequence[LogicalType], required: ColumnSpec | None, declaration: Any
) -> str | None:
    """The profile's logical type a field declaration states: for a required field, its own type
    when the declaration has the profile's ``type``/``format`` (or leaves them out); for any other
    field, the one logical type whose JSON ``type`` the declaration names, with a ``format`` of
    that type (or none, for a type without formats)."""
    if type(declaration) is not dict:
        return None
    declared_type = declaration.get("type", _MISSING)
    declared_format = declaration.get("format", _MISSING)
    if required is not None:
        decl = required.declaration
        if declared_type is not _MISSING and declared_type != decl.json_type:
            return None
        if declared_format is not _MISSING and decl.formats and declared_format not in decl.formats:
            return None
        return required.logical_type
    if type(declared_type) is not str:
        return None
    found = [
        t.name
        for t in rules_types
        if t.declaration.json_type == declared_type
        and (
            declared_format in t.declaration.formats if t.declaration.formats else declared_format is _MISSING
        )
    ]
    return found[0] if len(found) == 1 else None


class ModelChecks:
    """The checks of a rule set that run on model files, ready to judge datums."""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        checks = compiled_checks(rules, "models")
        self.cross = tuple(c for c in checks if c.check.builtin in CROSS_TABLE)
        local = [c for c in checks if c.check.builtin not in CROSS_TABLE]
        columns = [c for c in local if c.check.scope == "column" and c.check.builtin is None]
        tables = [c for c in local if c.check.scope == "table" and c.check.builtin is None]
        # Checks that read only the name are judged together, once per distinct name: a tree of
        # model files repeats a few thousand field names over and over.
        self.columns_by_name = tuple(c for c in columns if c.reads == ("name",))
        self.columns = tuple(c for c in columns if c.reads != ("name",))
        self.tables_by_name = tuple(c for c in tables if c.reads == ("name",))
        self.tables = tuple(c for c in tables if c.reads != ("name",))
        self._column_names: dict[str, tuple[tuple[CompiledCheck, str], ...]] = {}
        self._clean_columns: set[str] = set()  # names that pass every check of columns_by_name
        self._table_names: dict[str, tuple[tuple[CompiledCheck, str], ...]] = {}
        # all of tables_by_name as one test of the name (when each is one): a table name is
        # seldom seen twice, so it is tested, not remembered
        tests = [c.name_test for c in self.tables_by_name]
        self._table_names_pass: Callable[[str], bool] | None = (
            _all_of([t for t in tests if t is not None]) if all(t is not None for t in tests) else None
        )
        self.builtins = tuple(c.id for c in local if c.check.builtin is not None)
        self._names_only = not (self.columns or self.tables or self.builtins)
        self.active = bool(checks)
        self.name_keys = rules.name_keys
        self._in_scope = scope_function(rules.scope.include, rules.scope.exclude)
        self._exempt = {e.table: e.checks for e in rules.exemptions if e.checks}
        self._required = {c.name: c for c in rules.columns}
        self._types = rules.logical_types
        every = (*columns, *tables)
        self._logical = any(c.reads is None or "logical_type" in c.reads for c in every) or any(
            c.check.scope == "table" and (c.reads is None or "columns" in c.reads) for c in every
        )

    def column_document(self, table: str, name: str, declaration: Any) -> dict[str, Any]:
        doc: dict[str, Any] = {"name": name, "table": table}
        if self._logical:
            logical = declared_logical_type(self._types, self._required.get(name), declaration)
            if logical is not None:
                doc["logical_type"] = logical
        return doc

    def table_document(self, name: str, fields: dict[str, Any]) -> dict[str, Any]:
        return {"name": name, "columns": [self.column_document(name, f, d) for f, d in fields.items()]}

    def judge(self, root: Any) -> tuple[list[tuple[Pointer, Verdict]], list[Site]]:
        """The verdicts of one parsed file, each with the pointer of the node it is about, and
        its named datums in scope (for the checks that compare tables)."""
        verdicts: list[tuple[Pointer, Verdict]] = []
        sites: list[Site] = []
        if type(root) is not dict:
            return verdicts, sites
        if "fields" in root:
            self._datum(-1, root, verdicts, sites)
        items = root.get("datums")
        if type(items) is list:
            for i, item in enumerate(items):
                if type(item) is dict and "fields" in item:
                    self._datum(i, item, verdicts, sites)
        return verdicts, sites

    def _datum(
        self, index: int, datum: dict[str, Any], verdicts: list[tuple[Pointer, Verdict]], sites: list[Site]
    ) -> None:
        name = name_of(datum, self.name_keys)
        fields = datum["fields"]
        if name is None or type(fields) is not dict or not self._in_scope(name):
            return
        if self.cross:
            sites.append((name, index))
        names_pass = self._table_names_pass
        if (
            self._names_only
            and (not self.columns_by_name or self._clean_columns.issuperset(fields))  # (a set test in C)
            and (not self.tables_by_name or (names_pass is not None and names_pass(name)))
        ):
            return  # the common case: every name passed
        exempt = self._exempt.get(name, ())
        at = fields_pointer(index)
        if self.columns_by_name and not self._clean_columns.issuperset(fields):
            memo = self._column_names
            if len(memo) > _MEMO_LIMIT:
                memo.clear()
                self._clean_columns.clear()
            for field in fields:
                failed = memo.get(field)
                if failed is None:
                    failed = memo[field] = _failures(self.columns_by_name, {"name": field, "table": name})
                    if not failed:
                        self._clean_columns.add(field)
                if failed:
                    for check, reason in failed:
                        if check.id not in exempt:
                            message = check.render(
                                {"table": name, "column": field, "schema": "", "reason": reason}
                            )
                            verdicts.append(((*at, field), _verdict(check, name, field, message)))
        for check in self.columns:
            if check.id not in exempt:
                self._columns(check, name, fields, at, verdicts)
        if self.tables_by_name and (names_pass is None or not names_pass(name)):
            if len(self._table_names) > _MEMO_LIMIT:
                self._table_names.clear()
            failed = self._table_names.get(name)
            if failed is None:
                failed = self._table_names[name] = _failures(self.tables_by_name, {"name": name}, memo=False)
            for check, reason in failed:
                if check.id not in exempt:
                    message = check.render({"table": name, "schema": "", "reason": reason})
                    verdicts.append((at, _verdict(check, name, None, message)))
        table_doc = None
        for check in self.tables:
            if check.id in exempt:
                continue
            if table_doc is None:
                table_doc = self.table_document(name, fields)
            failure = None if check.skips(table_doc) else check.failure(table_doc)
            if failure is not None:
                message = check.render({"table": name, "schema": "", "reason": failure})
                verdicts.append((at, _verdict(check, name, None, message)))
        if self.builtins:
            doc = table_doc or self.table_document(name, fields)
            for _, v in judge_tables_with_docs(self.rules, "models", [doc], ids=self.builtins):
                verdicts.append((at if v.column is None else (*at, v.column), v))

    def _columns(
        self,
        check: CompiledCheck,
        table: str,
        fields: dict[str, Any],
        at: Pointer,
        verdicts: list[tuple[Pointer, Verdict]],
    ) -> None:
        for field, declaration in fields.items():
            doc = self.column_document(table, field, declaration)
            reason = None if check.skips(doc) else check.failure(doc)
            if reason is not None:
                message = check.render({"table": table, "column": field, "schema": "", "reason": str(reason)})
                verdicts.append(((*at, field), _verdict(check, table, field, message)))


def _all_of(tests: Sequence[Callable[[str], bool]]) -> Callable[[str], bool]:
    """One test that passes when each of ``tests`` does."""
    if not tests:
        return lambda name: True
    if len(tests) == 1:
        return tests[0]
    if len(tests) == 2:
        first, second = tests
        return lambda name: first(name) and second(name)
    frozen = tuple(tests)
    return lambda name: all(t(name) for t in frozen)


def _failures(
    checks: Sequence[CompiledCheck], doc: dict[str, Any], *, memo: bool = True
) -> tuple[tuple[CompiledCheck, str], ...]:
    """The checks ``doc`` fails, each with its reason (``memo``: remembered by each check)."""
    out = []
    for check in checks:
        reason = check.failure(doc) if memo else check.evaluate(doc)
        if reason is not None:
            out.append((check, reason))
    return tuple(out)


def _verdict(check: CompiledCheck, table: str, column: str | None, message: str) -> Verdict:
    return Verdict(
        check=check.id, severity=check.severity, schema=None, table=table, column=column, message=message
    )


@dataclass(slots=True)
class SiteTable:
    """The named datums of many files as three columns: the file's number in the run, the name
    and the index (see :data:`Site`): what a worker sends back costs little to pickle."""

    names: list[str] = dataclasses.field(default_factory=list)
    files: array[int] = dataclasses.field(default_factory=lambda: array("q"))
    indexes: array[int] = dataclasses.field(default_factory=lambda: array("q"))

    def add(self, file: int, sites: Sequence[Site]) -> None:
        for name, index in sites:
            self.names.append(name)
            self.files.append(file)
            self.indexes.append(index)

    def extend(self, other: SiteTable) -> None:
        self.names.extend(other.names)
        self.files.extend(other.files)
        self.indexes.extend(other.indexes)


def cross_file_verdicts(rules: RuleSet, table: SiteTable) -> list[tuple[int, Pointer, Verdict]]:
    """The verdicts of the checks that compare tables, over every named datum of the run, each
    with the number of its file and the pointer of the datum it is about."""
    checks = ModelChecks(rules).cross
    if not checks or not table.names:
        return []
    # Only names that another name equals after case folding can fail (a run holds tens of
    # thousands of datums, and a few such pairs at most): the engine judges those alone.
    folded: dict[str, str] = {}
    clashing = set()
    for name in set(table.names):
        key = name.casefold()
        if folded.setdefault(key, name) != name:
            clashing.add(key)
    if not clashing:
        return []
    where: dict[int, tuple[int, Pointer]] = {}
    docs = []
    for name, file, index in zip(table.names, table.files, table.indexes, strict=True):
        if name.casefold() not in clashing:
            continue
        doc = {"name": name}  # (a check comparing datums that reads their columns skips them)
        where[id(doc)] = (file, fields_pointer(index))
        docs.append(doc)
    out = []
    for doc, verdict in judge_tables_with_docs(rules, "models", docs, ids=tuple(c.id for c in checks)):
        file, pointer = where[id(doc)]
        out.append((file, pointer, verdict))
    return out
