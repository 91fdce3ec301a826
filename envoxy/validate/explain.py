"""Why a datum fails: jsonschema's errors against the compiled model schema, turned into issues.

Only datums the fast path (:mod:`envoxy.validate.judge`) failed come here, so jsonschema is
imported only when a file has something to report. :meth:`Explainer.document` validates a whole
file against the whole schema: the reference the fast path is tested against.

An error is classified by where it arose in the schema (``absolute_schema_path``), which
:mod:`envoxy.rules.schema` lays out as: ``type`` (root), ``properties/datums/type``,
``properties/datums/items/type``, and inside a datum (``allOf/0`` at the root,
``properties/datums/items`` for an item) ``…/properties/fields/`` followed by ``type`` (fields
not an object), ``required`` (a missing field) or ``properties/<field>/…`` (its declaration).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from envoxy.rules.model import RuleSet
from envoxy.validate import issues as make
from envoxy.validate.issues import Issue
from envoxy.validate.judge import expected_declaration
from envoxy.validate.positions import Pointer

__all__ = ["Explainer"]

# Where in a field-<name> schema an error arises -> the declaration key at fault (wrong-type).
# Anything else in it (under allOf: rules.yaml's own declaration constraints) is invalid-declaration.
_TYPE_FAULTS: dict[tuple[Any, ...], str | None] = {
    ("type",): None,
    ("properties", "type", "const"): "type",
    ("properties", "format", "enum"): "format",
}


def _fields_index(schema_path: list[Any]) -> int | None:
    for i in range(len(schema_path) - 1):
        if schema_path[i] == "properties" and schema_path[i + 1] == "fields":
            return i + 2
    return None


class Explainer:
    """jsonschema over the compiled model schema, for one :class:`RuleSet`."""

    def __init__(self, rules: RuleSet) -> None:
        from jsonschema import Draft202012Validator

        schema = rules.model_schema
        self._document = Draft202012Validator(schema)
        datum = {k: v for k, v in schema.items() if k not in ("type", "allOf", "properties")}
        datum["$ref"] = "#/$defs/datum"
        self._datum = Draft202012Validator(datum)
        self._expected = {c.name: expected_declaration(c) for c in rules.columns}
        self._name_keys = rules.name_keys

    def name_of(self, datum: Any) -> str | None:
        if not isinstance(datum, dict):
            return None
        for key in self._name_keys:
            if key in datum:
                value = datum[key]
                return value if isinstance(value, str) else None
        return None

    # -- entry points ----------------------------------------------------------------------
    def datum(self, pointer: Pointer, datum: dict[str, Any]) -> list[Issue]:
        """Issues of one datum (plain data) standing at ``pointer``."""
        errors = list(self._datum.iter_errors(datum))
        return self._datum_issues(pointer, datum, [(list(e.absolute_schema_path), e) for e in errors])

    def document(self, root: Any) -> list[Issue]:
        """Issues of a whole file (plain data), from the whole schema: the reference path."""
        structural: list[Issue] = []
        per_datum: dict[Pointer, list[tuple[list[Any], Any]]] = {}
        for error in self._document.iter_errors(root):
            path = list(error.absolute_schema_path)
            where = tuple(error.absolute_path)
            if path == ["type"]:
                structural.append(make.root_not_object(error.instance))
            elif path == ["properties", "datums", "type"]:
                structural.append(make.datums_not_array(error.instance))
            elif path == ["properties", "datums", "items", "type"]:
                structural.append(make.datum_not_object(where, error.instance))
            elif path[:2] == ["allOf", 0]:
                per_datum.setdefault((), []).append((path[2:], error))
            else:  # properties/datums/items/…: an item datum
                per_datum.setdefault(where[:2], []).append((path[3:], error))
        out = structural
        for pointer, errors in per_datum.items():
            datum = root
            for token in pointer:
                datum = datum[token]
            out.extend(self._datum_issues(pointer, datum, errors))
        return out

    # -- classification --------------------------------------------------------------------
    def _datum_issues(self, pointer: Pointer, datum: dict[str, Any],
                      errors: Iterable[tuple[list[Any], Any]]) -> list[Issue]:
        table = self.name_of(datum)
        fields = datum.get("fields")
        out: list[Issue] = []
        wrong: dict[str, set[str | None]] = {}
        invalid: dict[str, list[Any]] = {}
        for schema_path, error in errors:
            i = _fields_index(schema_path)
            rest = schema_path[i:] if i is not None else []
            if rest == ["type"]:
                out.append(make.fields_not_object(pointer, table, fields))
            elif rest == ["required"]:
                out.extend(make.missing_field(pointer, table, name)
                           for name in error.validator_value if name not in fields)
            elif len(rest) >= 2 and rest[0] == "properties":
                name, tail = rest[1], tuple(rest[2:])
                if tail in _TYPE_FAULTS:
                    wrong.setdefault(name, set()).add(_TYPE_FAULTS[tail])
                else:
                    invalid.setdefault(name, []).append(error)
        for name, faults in wrong.items():
            declaration = fields[name]
            keys = () if None in faults else tuple(k for k in ("type", "format") if k in faults)
            out.append(make.wrong_type(pointer, table, name, declaration, keys, self._expected[name]))
        for name, errs in invalid.items():
            from jsonschema.exceptions import best_match

            best = best_match(errs)
            at = (*pointer, *_relative(best, pointer))
            out.append(make.invalid_declaration(pointer, table, name, at, best.message))
        return _unique(out)


def _relative(error: Any, pointer: Pointer) -> tuple[Any, ...]:
    """The error's instance path below the datum (the document validator's paths start at the
    root, the datum validator's at the datum)."""
    path = tuple(error.absolute_path)
    return path[len(pointer):] if path[: len(pointer)] == pointer else path


def _unique(issues: list[Issue]) -> list[Issue]:
    return list(dict.fromkeys(issues))
