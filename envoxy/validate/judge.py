"""The fast path: a verdict per datum, specialised from the :class:`RuleSet`.

It evaluates exactly what the compiled model schema (:mod:`envoxy.rules.schema`) says about a
datum — scope and exemptions keyed by the datum's name, ``required`` and the ``field-<name>``
declaration schemas — with dict lookups instead of a schema interpreter. It only says *whether*
a datum passes; :mod:`envoxy.validate.explain` asks jsonschema *why* a failing one fails.
``tests/validate/test_fast_path.py`` cross-checks the two on generated files.

A declaration constraint that ``rules.yaml`` adds (``declaration:``) is arbitrary JSON Schema:
such a field is judged by jsonschema itself, against the ``field-<name>`` schema.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from envoxy.rules.model import ColumnSpec, RuleSet, glob_to_regex
from envoxy.rules.schema import field_def_name
from envoxy.validate.loader import to_plain

__all__ = ["DatumJudge", "FieldRule", "expected_declaration"]


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
    full_check: Callable[[Any], bool] | None  # set when rules.yaml adds declaration constraints

    def accepts(self, raw: Any) -> bool:
        """The ``field-<name>`` schema's verdict on a declaration (pairs representation)."""
        if self.full_check is not None:
            return self.full_check(to_plain(raw))
        if type(raw) is not tuple:
            return False
        declaration = dict(raw)
        if "type" in declaration and not _equal_str(declaration["type"], self.json_type):
            return False
        return not (self.formats and "format" in declaration
                    and not any(_equal_str(declaration["format"], f) for f in self.formats))


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
    return Draft202012Validator(schema).is_valid  # type: ignore[no-any-return]


class DatumJudge:
    """Decides whether a datum passes the model schema, given its name and plain ``fields``."""

    def __init__(self, rules: RuleSet) -> None:
        self.name_keys = rules.name_keys
        self.fields = tuple(
            FieldRule(c.name, c.declaration.json_type, c.declaration.formats,
                      _full_checker(rules, c) if c.declaration.extra else None)
            for c in rules.columns)
        self._exclude = _search(rules.scope.exclude) if rules.scope.exclude else None
        self._include = _search(rules.scope.include)
        self._exempt = {e.table: e.fields for e in rules.exemptions}
        self._required: dict[str | None, tuple[FieldRule, ...]] = {}

    def name_of(self, datum: dict[str, Any]) -> str | None:
        """The datum's name: the first of ``name_keys`` present, when it is a string."""
        for key in self.name_keys:
            if key in datum:
                value = datum[key]
                return value if type(value) is str else None
        return None

    def required(self, name: str | None) -> tuple[FieldRule, ...]:
        """The fields a datum called ``name`` must declare (all of them when unnamed)."""
        found = self._required.get(name)
        if found is None:
            found = self._required[name] = self._compute_required(name)
        return found

    def _compute_required(self, name: str | None) -> tuple[FieldRule, ...]:
        if name is None:
            return self.fields
        if (self._exclude is not None and self._exclude.search(name)) or not self._include.search(name):
            return ()
        exempt = self._exempt.get(name, frozenset())
        return tuple(f for f in self.fields if f.name not in exempt)

    def passes(self, name: str | None, fields: Any) -> bool:
        """Whether a datum with this name and ``fields`` passes: ``fields`` is a dict of raw
        declarations, or anything else when it is not an object."""
        if type(fields) is not dict:
            return False
        for rule in self.required(name):
            if rule.name not in fields or not rule.accepts(fields[rule.name]):
                return False
        return True
