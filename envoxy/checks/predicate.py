"""A JSON Schema (Draft 2020-12, no references) as a Python predicate.

The keywords checks mostly use are turned into small closures: ``type``, ``const``, ``enum``,
``pattern``, ``minLength``/``maxLength``, ``minimum``/``maximum`` and their exclusive forms,
``properties``, ``required``, ``dependentRequired``, ``minProperties``/``maxProperties``,
``not``, ``allOf``/``anyOf``/``oneOf``, ``if``/``then``/``else``, ``items`` (without
``prefixItems``), ``contains`` (without ``minContains``/``maxContains``),
``minItems``/``maxItems``, boolean schemas, and the annotations (``title``, ``format``, ...:
jsonschema asserts no format by default, and neither do we). A schema object holding any other
keyword is judged whole by jsonschema's own validator, so the verdict is jsonschema's in every
case; ``tests/checks/test_predicate.py`` holds the two to each other with hypothesis.

The analysis half says which facts (properties) of a document a schema reads (:func:`needs`), so
a document that lacks one is skipped rather than failed, and whether the verdict depends on
nothing else (:func:`reads_only`), so verdicts can be remembered per fact values.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

__all__ = ["Predicate", "compile_predicate", "json_equal", "needs", "reads_only"]

Predicate = Callable[[Any], bool]

# Keywords that assert nothing (Draft 2020-12 without a format checker).
_ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "$comment",
        "$defs",
        "$anchor",
        "$vocabulary",
        "title",
        "description",
        "default",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
        "format",
        "contentEncoding",
        "contentMediaType",
        "contentSchema",
    }
)
_COMPILED = frozenset(
    {
        "type",
        "const",
        "enum",
        "pattern",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "properties",
        "required",
        "dependentRequired",
        "minProperties",
        "maxProperties",
        "not",
        "allOf",
        "anyOf",
        "oneOf",
        "if",
        "then",
        "else",
        "items",
        "contains",
        "minItems",
        "maxItems",
    }
)


def _is_integer(x: Any) -> bool:
    if isinstance(x, bool):
        return False
    return isinstance(x, int) or (isinstance(x, float) and x.is_integer())


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


_TYPES: dict[str, Predicate] = {
    "string": lambda x: isinstance(x, str),
    "object": lambda x: isinstance(x, dict),
    "array": lambda x: isinstance(x, list),
    "boolean": lambda x: isinstance(x, bool),
    "null": lambda x: x is None,
    "integer": _is_integer,
    "number": _is_number,
}


def json_equal(one: Any, two: Any) -> bool:
    """Equality as JSON Schema (and jsonschema) sees it: ``true`` is not ``1``, ``1`` is ``1.0``."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, list) and isinstance(two, list):
        return len(one) == len(two) and all(json_equal(a, b) for a, b in zip(one, two, strict=True))
    if isinstance(one, dict) and isinstance(two, dict):
        return len(one) == len(two) and all(k in two and json_equal(v, two[k]) for k, v in one.items())
    if isinstance(one, bool) or isinstance(two, bool):
        return isinstance(one, bool) and isinstance(two, bool) and one == two
    if isinstance(one, (list, dict)) or isinstance(two, (list, dict)):
        return False
    return bool(one == two)


def _fallback(schema: dict[str, Any]) -> Predicate:
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(schema)
    return validator.is_valid


def compile_predicate(schema: Any) -> Predicate:
    """A predicate with jsonschema's verdict on ``schema`` (a boolean or an object without
    ``$ref``); keywords beyond the compiled ones make their schema object jsonschema's."""
    if schema is True:
        return lambda x: True
    if schema is False:
        return lambda x: False
    if not isinstance(schema, dict):
        raise TypeError("a JSON Schema is an object or a boolean")
    if any(k not in _COMPILED and k not in _ANNOTATIONS for k in schema):
        return _fallback(schema)
    if "prefixItems" in schema or "minContains" in schema or "maxContains" in schema:
        return _fallback(schema)
    tests = [_keyword(k, v, schema) for k, v in schema.items() if k in _COMPILED]
    parts = [t for t in tests if t is not None]
    if not parts:
        return lambda x: True
    if len(parts) == 1:
        return parts[0]
    frozen = tuple(parts)
    return lambda x: all(p(x) for p in frozen)


def _keyword(key: str, value: Any, schema: dict[str, Any]) -> Predicate | None:
    if key == "type":
        checks = tuple(_TYPES[n] for n in ([value] if isinstance(value, str) else value))
        if len(checks) == 1:
            return checks[0]
        return lambda x: any(c(x) for c in checks)
    if key == "const":
        return lambda x: json_equal(x, value)
    if key == "enum":
        options = tuple(value)
        return lambda x: any(json_equal(x, o) for o in options)
    if key == "pattern":
        search = re.compile(value).search
        return lambda x: not isinstance(x, str) or search(x) is not None
    if key == "minLength":
        return lambda x: not isinstance(x, str) or len(x) >= value
    if key == "maxLength":
        return lambda x: not isinstance(x, str) or len(x) <= value
    if key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return _bound(key, value)
    if key == "properties":
        props = tuple((name, compile_predicate(sub)) for name, sub in value.items())
        if len(props) == 1:
            ((one, test),) = props
            return lambda x: not isinstance(x, dict) or one not in x or test(x[one])
        return lambda x: not isinstance(x, dict) or all(p(x[n]) for n, p in props if n in x)
    if key == "required":
        names = tuple(value)
        return lambda x: not isinstance(x, dict) or all(n in x for n in names)
    if key == "dependentRequired":
        deps = tuple((k, tuple(v)) for k, v in value.items())
        return lambda x: (
            not isinstance(x, dict) or all(k not in x or all(n in x for n in need) for k, need in deps)
        )
    if key == "minProperties":
        return lambda x: not isinstance(x, dict) or len(x) >= value
    if key == "maxProperties":
        return lambda x: not isinstance(x, dict) or len(x) <= value
    if key == "not":
        inner = compile_predicate(value)
        return lambda x: not inner(x)
    if key == "allOf":
        subs = tuple(compile_predicate(s) for s in value)
        return lambda x: all(p(x) for p in subs)
    if key == "anyOf":
        subs = tuple(compile_predicate(s) for s in value)
        return lambda x: any(p(x) for p in subs)
    if key == "oneOf":
        subs = tuple(compile_predicate(s) for s in value)
        return lambda x: sum(1 for p in subs if p(x)) == 1
    if key == "if":
        test = compile_predicate(value)
        then = compile_predicate(schema.get("then", True))
        other = compile_predicate(schema.get("else", True))
        return lambda x: then(x) if test(x) else other(x)
    if key in ("then", "else"):
        return None  # judged with "if"; alone they assert nothing
    if key == "items":
        each = compile_predicate(value)
        return lambda x: not isinstance(x, list) or all(each(i) for i in x)
    if key == "contains":
        some = compile_predicate(value)
        return lambda x: not isinstance(x, list) or any(some(i) for i in x)
    if key == "minItems":
        return lambda x: not isinstance(x, list) or len(x) >= value
    if key == "maxItems":
        return lambda x: not isinstance(x, list) or len(x) <= value
    raise AssertionError(key)


def _bound(key: str, limit: Any) -> Predicate:
    # (a NaN compares false both ways: it passes every bound, as in jsonschema)
    if key == "minimum":
        return lambda x: not _is_number(x) or not x < limit
    if key == "maximum":
        return lambda x: not _is_number(x) or not x > limit
    if key == "exclusiveMinimum":
        return lambda x: not _is_number(x) or not x <= limit
    return lambda x: not _is_number(x) or not x >= limit


# -- what a schema reads ---------------------------------------------------------------------

# Keywords whose subschemas judge the same document (in-place applicators).
_IN_PLACE_ONE = ("not", "if", "then", "else")
_IN_PLACE_MANY = ("allOf", "anyOf", "oneOf")


def needs(schema: Any) -> frozenset[str]:
    """The properties ``schema`` names for the document it judges: those of ``properties``,
    ``required``, ``dependentRequired`` and ``dependentSchemas``, through in-place
    applicators."""
    found: set[str] = set()
    _collect(schema, found, None)
    return frozenset(found)


def property_schemas(schema: Any, name: str) -> list[Any]:
    """Every subschema that ``schema`` applies to its document's property ``name`` (through
    in-place applicators)."""
    out: list[Any] = []
    _collect(schema, set(), (name, out))
    return out


def _collect(schema: Any, found: set[str], want: tuple[str, list[Any]] | None) -> None:
    if not isinstance(schema, dict):
        return
    props = schema.get("properties")
    if isinstance(props, dict):
        found.update(props)
        if want is not None and want[0] in props:
            want[1].append(props[want[0]])
    for key in ("required",):
        if isinstance(schema.get(key), list):
            found.update(str(n) for n in schema[key])
    for key in ("dependentRequired", "dependentSchemas"):
        deps = schema.get(key)
        if isinstance(deps, dict):
            found.update(deps)
            if key == "dependentRequired":
                for names in deps.values():
                    if isinstance(names, list):
                        found.update(str(n) for n in names)
            else:
                for sub in deps.values():
                    _collect(sub, found, want)
    for key in _IN_PLACE_ONE:
        if key in schema:
            _collect(schema[key], found, want)
    for key in _IN_PLACE_MANY:
        if isinstance(schema.get(key), list):
            for sub in schema[key]:
                _collect(sub, found, want)


# Keywords under which only the named properties of an object matter.
_PROPERTY_BLIND = frozenset({"properties", "required", "dependentRequired"}) | _ANNOTATIONS


def reads_only(schema: Any, names: frozenset[str]) -> bool:
    """Whether the verdict of ``schema`` on an object depends only on its properties ``names``
    (and on it being an object): no keyword that sees the whole object (``const``,
    ``minProperties``, ``additionalProperties``, ...) and no property outside ``names``."""
    if isinstance(schema, bool):
        return True
    if not isinstance(schema, dict):
        return False
    for key, value in schema.items():
        if key in _IN_PLACE_ONE:
            if not reads_only(value, names):
                return False
        elif key in _IN_PLACE_MANY:
            if not (isinstance(value, list) and all(reads_only(s, names) for s in value)):
                return False
        elif key == "type":
            continue  # a document is always an object
        elif key not in _PROPERTY_BLIND:
            return False
    return needs(schema) <= names
