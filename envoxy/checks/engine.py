"""The one judge of ``checks:`` every place calls: table documents in, verdicts out.

A place turns what it reads (a datum, an op, a reflected table) into table documents with their
column documents (see ``docs/CHECKS.md``) and calls :func:`judge_tables`; each :class:`Verdict`
becomes a finding located where that place locates things.

Checks are compiled once per process and :class:`~envoxy.rules.RuleSet` (predicates from
:mod:`envoxy.checks.predicate`), and every verdict is remembered per check and document (or per
the values of the only facts the check reads), so a column named ``id`` of type ``uuid`` is judged
once however many tables carry it.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from envoxy.checks.model import TARGETS, Check, Target
from envoxy.checks.predicate import Predicate, compile_predicate, needs, reads_only
from envoxy.errors import clip
from envoxy.findings import Severity

if TYPE_CHECKING:
    from envoxy.rules.model import RuleSet
    from envoxy.sqltypes import SqlType

__all__ = [
    "CompiledCheck",
    "Target",
    "Verdict",
    "applies",
    "compiled_checks",
    "freeze",
    "judge_tables",
    "judge_tables_with_docs",
    "logical_type_of",
    "render",
    "verdicts_in_scope",
]

_MISSING = object()
# A memo holds at most this many verdicts per check; past it, it starts again (a run over a large
# tree sees a few thousand distinct column names, and no more than that are worth keeping).
_MEMO_LIMIT = 200_000
_REASON_LIMIT = 160
_VALUE_LIMIT = 100  # a name in a message: PostgreSQL's 63 bytes whole, a runaway one cut


@dataclass(frozen=True, slots=True, kw_only=True)
class Verdict:
    """One failed check on one table or column."""

    check: str  # the check id (becomes Finding.rule)
    severity: Severity  # "error" | "warning" (checks at "off" produce nothing)
    schema: str | None
    table: str
    column: str | None  # None for scope: table
    message: str  # rendered template


def freeze(value: Any) -> Any:
    """A hashable form of a JSON value that tells apart what JSON tells apart (``1``, ``1.0``,
    ``true``)."""
    if type(value) is str:
        return value
    if isinstance(value, dict):
        return ("{", tuple(sorted((k, freeze(v)) for k, v in value.items())))
    if isinstance(value, list):
        return ("[", tuple(freeze(v) for v in value))
    return (type(value).__name__, value)


class CompiledCheck:
    """A check with its predicates, what it reads, and its remembered verdicts."""

    def __init__(self, check: Check, severity: Severity) -> None:
        self.check = check
        self.id = check.id
        self.severity = severity
        where, require = check.where, check.require
        self.where: Predicate | None = None if where is None else compile_predicate(where)
        self.require: Predicate = compile_predicate(require)
        self._require_schema = require
        read = needs(require) | (needs(where) if where is not None else frozenset())
        self.reads: tuple[str, ...] | None = (
            tuple(sorted(read))
            if reads_only(require, read) and (where is None or reads_only(where, read))
            else None
        )
        self.needs = check.needs
        self.column_needs = check.column_needs
        self.name_test: Callable[[str], bool] | None = _name_test(where, require)
        """When the verdict is a test of the ``name`` alone (``where`` absent or on the name,
        ``require`` on the name): that test, taking the name (present and a string)."""
        self._parts = _parse(check.message)
        self._wants_reason = any(name == "reason" for _, name in self._parts)
        self.memo: dict[Any, str | None] = {}
        self._explainer: Any = None

    def key(self, doc: dict[str, Any]) -> Any:
        """What the verdict on ``doc`` depends on: the values of the facts the check reads (when
        nothing else matters to it), else the whole document."""
        reads = self.reads
        if reads is None:
            return freeze(doc)
        if len(reads) == 1:  # most checks read one fact (a name, a type): that fact is the key
            value = doc.get(reads[0], _MISSING)
            return value if value is _MISSING or type(value) is str else freeze(value)
        return tuple([freeze(doc[f]) if f in doc else _MISSING for f in reads])

    def skips(self, doc: dict[str, Any]) -> bool:
        """Whether ``doc`` lacks a fact the check reads (a place that cannot know it)."""
        for fact in self.needs:
            if fact not in doc:
                return True
        if self.column_needs:
            columns = doc.get("columns")
            if isinstance(columns, list):
                for column in columns:
                    for fact in self.column_needs:
                        if fact not in column:
                            return True
        return False

    def failure(self, doc: dict[str, Any]) -> str | None:
        """``None`` when ``doc`` is not selected or passes; else the failing keyword's words
        (empty when the message does not use them). Remembered per key."""
        key = self.key(doc)
        memo = self.memo
        found = memo.get(key, _MISSING)
        if found is not _MISSING:
            return found  # type: ignore[return-value]
        result = self.evaluate(doc)
        if len(memo) >= _MEMO_LIMIT:
            memo.clear()
        memo[key] = result
        return result

    def evaluate(self, doc: dict[str, Any]) -> str | None:
        """:meth:`failure` without the memo (for documents that seldom repeat, such as table
        names)."""
        if self.where is not None and not self.where(doc):
            return None
        if self.require(doc):
            return None
        return self._reason(doc) if self._wants_reason else ""

    def _reason(self, doc: dict[str, Any]) -> str:
        """jsonschema's message for the keyword that fails (on the facts the check reads, so
        the words are the same for every document with the same key)."""
        from jsonschema import Draft202012Validator
        from jsonschema.exceptions import best_match

        if self._explainer is None:
            self._explainer = Draft202012Validator(self._require_schema)
        shown = doc if self.reads is None else {f: doc[f] for f in self.reads if f in doc}
        error = best_match(self._explainer.iter_errors(shown))
        if error is None:
            return "it fails the check"
        return clip(error.message, _REASON_LIMIT)

    def render(self, values: dict[str, str]) -> str:
        return _fill(self._parts, values)


def _name_schema(schema: Any) -> Any:
    """The schema ``schema`` applies to a document's ``name``, when that is all it does (``{}``
    for a schema that accepts every object); else ``None``."""
    if schema is True:
        return True
    if not isinstance(schema, dict) or any(
        k not in ("properties", "type", "description", "title") for k in schema
    ):
        return None
    if schema.get("type", "object") != "object":
        return None
    props = schema.get("properties", {})
    if not isinstance(props, dict) or set(props) - {"name"}:
        return None
    return props.get("name", True)


def _name_test(where: Any, require: Any) -> Callable[[str], bool] | None:
    selects = True if where is None else _name_schema(where)
    requires = _name_schema(require)
    if selects is None or requires is None:
        return None
    accept = compile_predicate(requires)
    if selects is True:
        return accept
    select = compile_predicate(selects)
    return lambda name: not select(name) or accept(name)


def _parse(template: str) -> tuple[tuple[str, str | None], ...]:
    """``template`` as (literal text, placeholder or None) pairs; the compiler has checked it."""
    try:
        return tuple((literal, name) for literal, name, _, _ in string.Formatter().parse(template))
    except ValueError:
        return ((template, None),)


def _fill(parts: tuple[tuple[str, str | None], ...], values: dict[str, str]) -> str:
    out = []
    for literal, name in parts:
        out.append(literal)
        if name is not None:
            # names come from the files judged: escaped and cut like every other message's
            out.append(clip(values.get(name, ""), _REASON_LIMIT if name == "reason" else _VALUE_LIMIT))
    return "".join(out)


def render(template: str, values: dict[str, str]) -> str:
    """``template`` with each ``{placeholder}`` replaced by its value, escaped and cut (``{{``
    and ``}}`` are braces)."""
    return _fill(_parse(template), values)


class _Judge:
    """The checks of one rule set, compiled, with the targets each runs in."""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self.logical: dict[tuple[Any, str], str | None] = {}  # logical_type_of, remembered
        self.by_target: dict[str, tuple[CompiledCheck, ...]] = {}
        compiled = []
        for check in rules.checks:
            severity = rules.severity(check.id)
            if severity == "off":
                continue
            compiled.append(CompiledCheck(check, severity))
        for target in TARGETS:
            self.by_target[target] = tuple(c for c in compiled if c.check.runs_in(target))


# A cache, so lower-case: the revision guard (envoxy/migrations/guard.py) watches envoxy's
# upper-case module tables for edits and would take a new entry for a revision's tampering.
_judges: dict[int, tuple[RuleSet, _Judge]] = {}


def _judge(rules: RuleSet) -> _Judge:
    entry = _judges.get(id(rules))
    if entry is None or entry[0] is not rules:
        if len(_judges) > 16:
            _judges.clear()
        entry = (rules, _Judge(rules))
        _judges[id(rules)] = entry
    return entry[1]


def compiled_checks(rules: RuleSet, target: Target) -> tuple[CompiledCheck, ...]:
    """The checks of ``rules`` judged in ``target`` (not ``off``, not needing facts the place
    cannot know), compiled once per rule set."""
    if not rules.checks:
        return ()
    return _judge(rules).by_target[target]


def _shown(doc: dict[str, Any]) -> str:
    schema = doc.get("schema")
    name = str(doc.get("name"))
    return name if schema is None else f"{schema}.{name}"


def applies(rules: RuleSet, check: CompiledCheck, name: str) -> bool:
    """Whether ``check`` judges the table ``name``: in scope, and not exempt from the check."""
    return _applies(rules, check, name)


def _applies(rules: RuleSet, check: CompiledCheck, name: str) -> bool:
    if not rules.in_scope(name):
        return False
    exemption = rules.exemption(name)
    return exemption is None or check.id not in exemption.checks


def judge_tables(
    rules: RuleSet,
    target: Target,
    tables: Sequence[dict[str, Any]],
    *,
    only: Collection[tuple[str | None, str]] | None = None,
) -> list[Verdict]:
    """Every check of ``rules`` that targets ``target``, judged on ``tables`` (table documents
    with their column documents). Built-ins that compare tables (names unique after case
    folding) see all of ``tables``; ``only`` limits the verdicts returned to those
    ``(schema, table)`` keys. Applies scope (``rules.yaml`` ``scope``), per-table exemptions of
    checks and severities, and skips a check whose ``where``/``require`` needs a fact absent from
    the document (skipped, not failed). Memoized: a document already judged under the same
    compiled checks is not re-validated."""
    return [v for _, v in judge_tables_with_docs(rules, target, tables, only=only)]


def judge_tables_with_docs(
    rules: RuleSet,
    target: Target,
    tables: Sequence[dict[str, Any]],
    *,
    only: Collection[tuple[str | None, str]] | None = None,
    ids: Collection[str] | None = None,
) -> list[tuple[dict[str, Any], Verdict]]:
    """:func:`judge_tables`, each verdict with the table document it is about; ``ids``: judge
    only the checks with these ids."""
    checks = compiled_checks(rules, target)
    if not checks:
        return []
    wanted = None if only is None else set(only)
    out: list[tuple[dict[str, Any], Verdict]] = []
    for check in checks:
        if ids is not None and check.id not in ids:
            continue
        if check.check.builtin is not None:
            out.extend(_builtin_verdicts(rules, check, tables, wanted))
            continue
        for doc in tables:
            name = doc.get("name")
            if not isinstance(name, str) or (wanted is not None and (doc.get("schema"), name) not in wanted):
                continue
            if _applies(rules, check, name):
                out.extend((doc, v) for v in _doc_verdicts(check, doc))
    return out


def verdicts_in_scope(checks: Sequence[CompiledCheck], doc: dict[str, Any]) -> list[Verdict]:
    """The verdicts of ``checks`` (none a built-in) on the table document ``doc``, for a table
    already known to be in scope and exempt from none of them: :func:`judge_tables` without
    the scope and exemption lookups, in the same order."""
    return [v for check in checks for v in _doc_verdicts(check, doc)]


def _doc_verdicts(check: CompiledCheck, doc: dict[str, Any]) -> Iterator[Verdict]:
    if check.check.scope == "table":
        if not check.skips(doc):
            reason = check.failure(doc)
            if reason is not None:
                yield _verdict(check, doc, None, reason)
        return
    columns = doc.get("columns")
    if not isinstance(columns, list):
        return
    for column in columns:
        if not isinstance(column, dict) or check.skips(column):
            continue
        reason = check.failure(column)
        if reason is not None:
            yield _verdict(check, doc, str(column.get("name")), reason)


def _verdict(check: CompiledCheck, doc: dict[str, Any], column: str | None, reason: str) -> Verdict:
    """``check`` failed on the table ``doc`` (on its ``column``, for a column check), for
    ``reason``: the message's values are made only here, for a failure."""
    schema = doc.get("schema")
    values = {"table": _shown(doc), "schema": schema or "", "reason": reason}
    if column is not None:
        values["column"] = column
    return Verdict(
        check=check.id,
        severity=check.severity,
        schema=schema,
        table=doc["name"],
        column=column,
        message=check.render(values),
    )


def _builtin_verdicts(
    rules: RuleSet,
    check: CompiledCheck,
    tables: Sequence[dict[str, Any]],
    wanted: set[tuple[str | None, str]] | None,
) -> Iterator[tuple[dict[str, Any], Verdict]]:
    from envoxy.checks.builtins import BUILTINS

    selected = [
        doc
        for doc in tables
        if isinstance(doc.get("name"), str)
        and _applies(rules, check, doc["name"])
        and not check.skips(doc)
        and (check.where is None or check.where(doc))
    ]
    for doc, column, values in BUILTINS[check.check.builtin or ""](check.check, selected):
        if wanted is not None and (doc.get("schema"), doc["name"]) not in wanted:
            continue
        yield (
            doc,
            Verdict(
                check=check.id,
                severity=check.severity,
                schema=doc.get("schema"),
                table=doc["name"],
                column=column,
                message=check.render({"table": _shown(doc), "schema": doc.get("schema") or "", **values}),
            ),
        )


def logical_type_of(
    rules: RuleSet, sql_type: SqlType | str | None, dialect: str = "postgresql"
) -> str | None:
    """The profile's logical type whose SQL type matches (``None`` if none): the one whose SQL
    type is the same, else the first the type satisfies on ``dialect`` (MySQL's ``CHAR(36)`` for
    a ``VARCHAR(36)`` uuid, say)."""
    if sql_type is None or not rules.logical_types:
        return None
    known = _judge(rules).logical
    key = (sql_type, dialect)
    found = known.get(key, _MISSING)
    if found is _MISSING:
        if len(known) > _MEMO_LIMIT:
            known.clear()
        found = known[key] = _logical_type_of(rules, sql_type, dialect)
    return found  # type: ignore[return-value]


def _logical_type_of(rules: RuleSet, sql_type: SqlType | str, dialect: str) -> str | None:
    from envoxy.sqltypes import SqlTypeError, parse_sql_type, types_match
    from envoxy.sqltypes.compare import could_match

    if isinstance(sql_type, str):
        try:
            sql_type = parse_sql_type(sql_type, dialect)
        except SqlTypeError:
            return None
    for logical in rules.logical_types:
        if logical.sql_type == sql_type:
            return logical.name
    for logical in rules.logical_types:
        if could_match(logical.sql_type, sql_type, dialect) and types_match(
            logical.sql_type, sql_type, dialect
        ):
            return logical.name
    return None
