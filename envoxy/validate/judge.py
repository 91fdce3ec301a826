"""The fast path: a verdict per datum, specialised from the :class:`RuleSet`.

It evaluates exactly what the compiled model schema (:mod:`envoxy.rules.schema`) says about a
datum — scope and exemptions keyed by the datum's name, ``required`` and the ``field-<name>``
declaration schemas — with straight code generated per set of required fields instead of a
schema interpreter. ``tests/validate/test_fast_path.py`` cross-checks it against jsonschema over
the whole compiled schema (:meth:`envoxy.validate.explain.Explainer.document`) on generated
files.

A declaration constraint that ``rules.yaml`` adds (``declaration:``) is arbitrary JSON Schema:
such a field is judged, and explained, by jsonschema itself against the ``field-<name>`` schema.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from envoxy.rules.model import ColumnSpec, RuleSet, glob_to_regex
from envoxy.rules.schema import field_def_name

__all__ = ["DatumJudge", "FieldRule", "expected_declaration"]

_MISSING = object()


def expected_declaration(column: ColumnSpec) -> dict[str, Any]:
    """The declaration the profile asks for, as a user would write it."""
    decl = column.declaration
    out: dict[str, Any] = {"type": decl.json_type}
    if decl.formats:
        out["format"] = decl.formats[0] if len(decl.formats) == 1 else list(decl.formats)
    return out


@dataclass(frozen=True, slots=True)
class FieldRule:
    """One required field as the fast path checks it."""

    name: str
    json_type: str
    formats: tuple[str, ...]
    has_extra: bool  # rules.yaml adds declaration constraints: jsonschema judges the declaration
    full_check: Callable[[Any], bool] | None = None

    def accepts(self, declaration: Any) -> bool:
        """The ``field-<name>`` schema's verdict on a declaration."""
        if self.full_check is not None:
            return self.full_check(declaration)
        return type(declaration) is dict and not self.wrong_keys(declaration)

    def wrong_keys(self, declaration: dict[str, Any]) -> tuple[str, ...]:
        """Which of ``type`` and ``format`` an object declaration gets wrong (profile part only)."""
        wrong = []
        if "type" in declaration and not _equal_str(declaration["type"], self.json_type):
            wrong.append("type")
        if (
            self.formats
            and "format" in declaration
            and not any(_equal_str(declaration["format"], f) for f in self.formats)
        ):
            wrong.append("format")
        return tuple(wrong)


def _equal_str(value: Any, expected: str) -> bool:
    """JSON equality against a string: only an equal string matches."""
    return type(value) is str and value == expected


def _search(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """The schema's ``pattern`` for these globs, matched the way jsonschema does (re.search)."""
    return re.compile("|".join(glob_to_regex(p) for p in patterns) or "(?!)")


def _full_checker(rules: RuleSet, column: ColumnSpec) -> Callable[[Any], bool]:
    from jsonschema import Draft202012Validator

    schema = rules.model_schema
    for key in ("type", "allOf", "properties"):
        schema.pop(key, None)
    schema["$ref"] = f"#/$defs/{field_def_name(column.name)}"
    return Draft202012Validator(schema).is_valid


class DatumJudge:
    """Decides whether a datum passes the model schema, given its name and plain ``fields``."""

    def __init__(self, rules: RuleSet) -> None:
        self.name_keys = rules.name_keys
        self.fields = tuple(
            FieldRule(
                c.name,
                c.declaration.json_type,
                c.declaration.formats,
                bool(c.declaration.extra),
                _full_checker(rules, c) if c.declaration.extra else None,
            )
            for c in rules.columns
        )
        self._exclude = _search(rules.scope.exclude) if rules.scope.exclude else None
        self._include = _search(rules.scope.include)
        self._exempt = {
            e.table: tuple(f for f in self.fields if f.name not in e.fields) for e in rules.exemptions
        }
        self._check_all = _compile(self.fields)
        self._exempt_checks = {name: _compile(fields) for name, fields in self._exempt.items()}

    def name_of(self, datum: dict[str, Any]) -> str | None:
        """The datum's name: the first of ``name_keys`` present, when it is a string."""
        for key in self.name_keys:
            if key in datum:
                value = datum[key]
                return value if type(value) is str else None
        return None

    def required(self, name: str | None) -> tuple[FieldRule, ...]:
        """The fields a datum called ``name`` must declare (all of them when unnamed)."""
        if name is None:
            return self.fields
        if (self._exclude is not None and self._exclude.search(name)) or not self._include.search(name):
            return ()
        return self._exempt.get(name, self.fields)

    def passes(self, name: str | None, fields: Any) -> bool:
        """Whether a datum with this name and ``fields`` (any JSON value) passes."""
        if type(fields) is not dict:  # the schema asks this of every datum, in scope or not
            return False
        if name is None:
            return self._check_all(fields)
        if (self._exclude is not None and self._exclude.search(name)) or not self._include.search(name):
            return True
        return self._exempt_checks.get(name, self._check_all)(fields)


def _compile(rules: tuple[FieldRule, ...]) -> Callable[[Any], bool]:
    """A function judging ``fields`` for these required fields, with their names, types and
    formats written in as constants: the per-datum loop is the hot spot of a run, and straight
    code runs it about twice as fast as a loop over :class:`FieldRule` objects. Only literals
    made by :func:`repr` go into the source. ``d.get(key, expected) != expected`` is JSON
    equality here, since only an equal string equals a string."""
    namespace: dict[str, Any] = {"MISSING": _MISSING}
    lines = ["def check(fields):"]  # fields: a dict (DatumJudge.passes made sure)
    for i, rule in enumerate(rules):
        lines += [
            f"    d = fields.get({rule.name!r}, MISSING)",
            "    if type(d) is not dict:",
            "        return False",
        ]
        if rule.full_check is not None:
            namespace[f"full_check_{i}"] = rule.full_check
            lines += [f"    if not full_check_{i}(d):", "        return False"]
            continue
        lines += [f"    if d.get('type', {rule.json_type!r}) != {rule.json_type!r}:", "        return False"]
        if rule.formats:
            lines += [
                "    f = d.get('format', MISSING)",
                f"    if f is not MISSING and (type(f) is not str or f not in {rule.formats!r}):",
                "        return False",
            ]
    lines.append("    return True")
    exec(compile("\n".join(lines), f"<envoxy judge {', '.join(r.name for r in rules)}>", "exec"), namespace)
    return namespace["check"]  # type: ignore[no-any-return]
