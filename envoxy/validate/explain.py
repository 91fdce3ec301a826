"""jsonschema's view: the compiled model schema's errors, turned into issues.

Two uses. :meth:`Explainer.declaration` explains a declaration that breaks the constraints
``rules.yaml`` adds to a field (``declaration:``), with jsonschema's ``best_match``; only such
fields need jsonschema at all, so it is imported only then. :meth:`Explainer.document` validates
a whole file against the whole schema: the reference the fast path is tested against.

An error is classified by where it arose in the schema (``absolute_schema_path``; jsonschema
leaves ``$ref`` out of it), which :mod:`envoxy.rules.schema` lays out as: ``type`` (root),
``properties/datums/type``, ``properties/datums/items/type``, and inside a datum (``allOf/0`` at
the root, ``properties/datums/items`` for an item) ``…/properties/fields/`` followed by ``type``
(fields not an object), ``required`` (a missing field) or ``properties/<field>/…`` (its
declaration: see :data:`_TYPE_FAULTS`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from envoxy.rules.model import RuleSet
from envoxy.validate import issues as make
from envoxy.validate.issues import Issue
from envoxy.validate.judge import expected_declaration, field_validator, name_of
from envoxy.validate.positions import Pointer

__all__ = ["DeclarationFaults", "Explainer"]

# Where in a field-<name> schema an error arises -> the declaration key at fault (wrong-type;
# None: the declaration is not an object). Anything else in it (under allOf: the constraints of
# rules.yaml) is invalid-declaration.
_TYPE_FAULTS: dict[tuple[Any, ...], str | None] = {
    ("type",): None,
    ("properties", "type", "const"): "type",
    ("properties", "format", "enum"): "format",
}


@dataclass(frozen=True, slots=True)
class DeclarationFaults:
    """How one declaration fails its ``field-<name>`` schema."""

    not_object: bool
    wrong_keys: tuple[str, ...]  # of "type", "format"
    invalid: tuple[Pointer, str] | None  # best_match of the rules.yaml constraints: where, why


def _fields_index(schema_path: list[Any]) -> int | None:
    for i in range(len(schema_path) - 1):
        if schema_path[i] == "properties" and schema_path[i + 1] == "fields":
            return i + 2
    return None


def _faults(errors: Iterable[tuple[tuple[Any, ...], Any]], below: int) -> DeclarationFaults:
    """Classify a declaration's errors (schema path from inside ``field-<name>``); ``below``:
    how many leading instance-path items lead to the declaration."""
    kinds: set[str | None] = set()
    invalid = []
    for tail, error in errors:
        if tail in _TYPE_FAULTS:
            kinds.add(_TYPE_FAULTS[tail])
        else:
            invalid.append(error)
    best = None
    if invalid:
        from jsonschema.exceptions import best_match

        chosen = best_match(invalid)
        if chosen is not None:
            best = (tuple(chosen.absolute_path)[below:], chosen.message)
    return DeclarationFaults(None in kinds, tuple(k for k in ("type", "format") if k in kinds), best)


class Explainer:
    """jsonschema over the compiled model schema, for one :class:`RuleSet`."""

    def __init__(self, rules: RuleSet) -> None:
        from jsonschema import Draft202012Validator

        self._schema = rules.model_schema
        self._document = Draft202012Validator(self._schema)
        self._fields: dict[str, Any] = {}
        self._expected = {c.name: expected_declaration(c) for c in rules.columns}
        self._name_keys = rules.name_keys

    def _field_validator(self, name: str) -> Any:
        found = self._fields.get(name)
        if found is None:
            found = self._fields[name] = field_validator(self._schema, name)
        return found

    def declaration(self, name: str, declaration: Any) -> DeclarationFaults:
        """How ``declaration`` (plain data) fails the schema of required field ``name``."""
        errors = self._field_validator(name).iter_errors(declaration)
        return _faults(((tuple(e.absolute_schema_path), e) for e in errors), 0)

    def document(self, root: Any) -> list[Issue]:
        """Issues of a whole file (plain data), from the whole schema: the reference path."""
        out: list[Issue] = []
        per_datum: dict[Pointer, list[tuple[list[Any], Any]]] = {}
        for error in self._document.iter_errors(root):
            path = list(error.absolute_schema_path)
            where = tuple(error.absolute_path)
            if path == ["type"]:
                out.append(make.root_not_object(error.instance))
            elif path == ["properties", "datums", "type"]:
                out.append(make.datums_not_array(error.instance))
            elif path == ["properties", "datums", "items", "type"]:
                out.append(make.datum_not_object(where, error.instance))
            elif path[:2] == ["allOf", 0]:
                per_datum.setdefault((), []).append((path[2:], error))
            else:  # properties/datums/items/…: an item datum
                per_datum.setdefault(where[:2], []).append((path[3:], error))
        for pointer, errors in per_datum.items():
            datum = root
            for token in pointer:
                datum = datum[token]
            out.extend(self._datum_issues(pointer, datum, errors))
        return list(dict.fromkeys(out))

    def _datum_issues(
        self, pointer: Pointer, datum: dict[str, Any], errors: list[tuple[list[Any], Any]]
    ) -> list[Issue]:
        table = name_of(datum, self._name_keys)
        fields: Any = datum.get("fields")
        out: list[Issue] = []
        per_field: dict[str, list[tuple[tuple[Any, ...], Any]]] = {}
        for schema_path, error in errors:
            i = _fields_index(schema_path)
            rest = schema_path[i:] if i is not None else []
            if rest == ["type"]:
                out.append(make.fields_not_object(pointer, table, fields))
            elif rest == ["required"]:
                out.extend(
                    make.missing_field(pointer, table, name)
                    for name in error.validator_value
                    if name not in fields
                )
            elif len(rest) >= 2 and rest[0] == "properties":
                per_field.setdefault(rest[1], []).append((tuple(rest[2:]), error))
        for name, errs in per_field.items():
            faults = _faults(errs, len(pointer) + 2)
            out.extend(declaration_issues(pointer, table, name, fields[name], faults, self._expected[name]))
        return out


def declaration_issues(
    pointer: Pointer,
    table: str | None,
    name: str,
    declaration: Any,
    faults: DeclarationFaults,
    expected: dict[str, Any],
) -> list[Issue]:
    """The wrong-type and invalid-declaration issues of one declaration."""
    out = []
    if faults.not_object or faults.wrong_keys:
        out.append(make.wrong_type(pointer, table, name, declaration, faults.wrong_keys, expected))
    if faults.invalid is not None:
        at, why = faults.invalid
        out.append(make.invalid_declaration(pointer, table, name, (*pointer, "fields", name, *at), why))
    return out
