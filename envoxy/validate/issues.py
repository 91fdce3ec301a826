"""What the checker finds in one parsed file, before it is located: rule, pointer, words.

Both the fast path and the jsonschema explanation build their issues here, so the two speak
with one voice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from envoxy.rules.catalog import RuleId
from envoxy.validate.positions import Pointer, format_pointer

__all__ = [
    "Issue",
    "datum_label",
    "datum_not_object",
    "datums_not_array",
    "describe",
    "duplicate_key",
    "fields_not_object",
    "invalid_declaration",
    "missing_field",
    "root_not_object",
    "shorten",
    "wrong_type",
]

_MAX_TEXT = 120


@dataclass(frozen=True, slots=True, kw_only=True)
class Issue:
    rule: RuleId
    pointer: Pointer
    message: str
    table: str | None = None
    field: str | None = None


def shorten(text: str, limit: int = _MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _json(value: Any) -> str:
    return shorten(json.dumps(value, ensure_ascii=False, sort_keys=False))


_KINDS: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (bool, "a boolean"),
    ((int, float), "a number"),
    (str, "a string"),
    (list, "an array"),
    (dict, "an object"),
)


def describe(value: Any) -> str:
    """``5 (a number)``, ``an array``, ``null``: a JSON value in a few words."""
    if value is None:
        return "null"
    kind = next((name for types, name in _KINDS if isinstance(value, types)), "a value")
    if isinstance(value, (bool, int, float, str)):
        return f"{_json(value)} ({kind})"
    return kind


def datum_label(pointer: Pointer, table: str | None) -> str:
    if table is not None:
        return f"datum {shorten(repr(table), 80)}"
    return f"datum at {format_pointer(pointer)}" if pointer else "the top-level datum"


def root_not_object(value: Any) -> Issue:
    return Issue(
        rule="invalid-model",
        pointer=(),
        message=f"the top level is {describe(value)}, expected an object "
        "(a datum, or an object with a 'datums' array)",
    )


def datums_not_array(value: Any) -> Issue:
    return Issue(
        rule="invalid-model",
        pointer=("datums",),
        message=f"'datums' is {describe(value)}, expected an array of datums",
    )


def datum_not_object(pointer: Pointer, value: Any) -> Issue:
    return Issue(
        rule="invalid-model",
        pointer=pointer,
        message=f"datum at {format_pointer(pointer)} is {describe(value)}, expected an object",
    )


def fields_not_object(pointer: Pointer, table: str | None, value: Any) -> Issue:
    return Issue(
        rule="invalid-model",
        pointer=(*pointer, "fields"),
        table=table,
        message=f"{datum_label(pointer, table)} has 'fields' {describe(value)}, expected an "
        "object of field declarations",
    )


def missing_field(pointer: Pointer, table: str | None, field: str) -> Issue:
    return Issue(
        rule="missing-field",
        pointer=(*pointer, "fields"),
        table=table,
        field=field,
        message=f"{datum_label(pointer, table)} lacks required field {field!r}",
    )


def wrong_type(
    pointer: Pointer,
    table: str | None,
    field: str,
    declaration: Any,
    keys: tuple[str, ...],
    expected: dict[str, Any],
) -> Issue:
    """``keys``: the declaration keys that are wrong, empty when it is not an object at all;
    ``expected``: the declaration the profile asks for, e.g. ``{"type": "string", "format": "uuid"}``."""
    label = datum_label(pointer, table)
    if not keys:
        message = (
            f"{label} declares field {field!r} as {describe(declaration)}, expected an "
            f"object such as {_json(expected)}"
        )
    else:
        got = {k: declaration[k] for k in keys}
        want = {k: v for k, v in expected.items() if k in keys}
        message = f"{label} declares field {field!r} as {_json(got)}, expected {_json(want)}"
    return Issue(
        rule="wrong-type", pointer=(*pointer, "fields", field), table=table, field=field, message=message
    )


def invalid_declaration(pointer: Pointer, table: str | None, field: str, at: Pointer, reason: str) -> Issue:
    return Issue(
        rule="invalid-declaration",
        pointer=at,
        table=table,
        field=field,
        message=f"{datum_label(pointer, table)}: the declaration of field {field!r} breaks "
        f"a constraint of rules.yaml: {shorten(reason, 200)}",
    )


def duplicate_key(pointer: Pointer, table: str | None, key: str, count: int) -> Issue:
    return Issue(
        rule="duplicate-key",
        pointer=(*pointer, "fields", key),
        table=table,
        field=key,
        message=f"{datum_label(pointer, table)} declares field {key!r} {count} times in "
        "'fields'; the last declaration hides the others",
    )
