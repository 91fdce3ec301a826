"""The fast path: a verdict per datum, specialised from the :class:`RuleSet`.

It evaluates exactly what the compiled model schema (:mod:`envoxy.rules.schema`) says about a
datum — scope and exemptions keyed by the datum's name, ``required`` and the ``field-<name>``
declaration schemas — with straight code generated per set of required fields instead of a
schema interpreter; :attr:`DatumJudge.file_passes` judges a whole clean file in one call.
``tests/validate/test_fast_path.py`` cross-checks it against jsonschema over the whole compiled
schema (:meth:`envoxy.validate.explain.Explainer.document`) on generated files, and
``tests/validate/test_scope.py`` the scope test against the schema's patterns.

A declaration constraint that ``rules.yaml`` adds (``declaration:``) is arbitrary JSON Schema:
such a field is judged, and explained, by jsonschema itself against the ``field-<name>`` schema.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from envoxy.rules.model import ColumnSpec, RuleSet, glob_to_regex
from envoxy.rules.schema import field_def_name

__all__ = ["DatumJudge", "FieldRule", "expected_declaration", "field_validator", "name_of", "scope_function"]

_MISSING = object()
FilePasses = Callable[[dict[str, Any], Callable[[str], None]], bool]


def expected_declaration(column: ColumnSpec) -> dict[str, Any]:
    """The declaration the profile asks for, as a user would write it."""
    decl = column.declaration
    out: dict[str, Any] = {"type": decl.json_type}
    if decl.formats:
        out["format"] = decl.formats[0] if len(decl.formats) == 1 else list(decl.formats)
    return out


def name_of(datum: dict[str, Any], name_keys: tuple[str, ...]) -> str | None:
    """The datum's name: the first of ``name_keys`` present, when it is a string."""
    for key in name_keys:
        if key in datum:
            value = datum[key]
            return value if type(value) is str else None
    return None


def field_validator(model_schema: dict[str, Any], name: str) -> Any:
    """A jsonschema validator of one declaration of required field ``name``: the compiled model
    schema's ``field-<name>`` definition, with the schema's ``$defs`` around it."""
    from jsonschema import Draft202012Validator

    schema = {k: v for k, v in model_schema.items() if k not in ("type", "allOf", "properties")}
    schema["$ref"] = f"#/$defs/{field_def_name(name)}"
    return Draft202012Validator(schema)


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


def _scope(include: tuple[str, ...], exclude: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for the schema's scope test: a name is in scope when an ``include`` pattern
    matches it and no ``exclude`` pattern does, each matched the way jsonschema matches them
    (``re.search``). Every glob's regex is anchored at the start (``^``), so searching the
    combination equals searching each part."""
    included = "|".join(glob_to_regex(p) for p in include) or "(?!)"
    if not exclude:
        return re.compile(included)
    return re.compile(f"(?!{'|'.join(glob_to_regex(p) for p in exclude)})(?:{included})")


def _plain_test(globs: tuple[str, ...]) -> str | None:
    """Python source, true of ``name`` when one of ``globs`` matches it, for names without a line
    break; ``None`` unless every glob is plain: ``*``, ``prefix*``, ``*suffix`` or a literal.
    Without a line break, ``.*`` matches the rest of a name and ``$`` only its end, so these
    equal the regexes of :func:`glob_to_regex` at a tenth of a regex call's cost."""
    exact, prefixes, suffixes = [], [], []
    for glob in globs:
        if "?" in glob or "[" in glob or glob.count("*") > 1:
            return None
        if glob == "*":
            return "True"
        if "*" not in glob:
            exact.append(glob)
        elif glob.endswith("*"):
            prefixes.append(glob[:-1])
        elif glob.startswith("*"):
            suffixes.append(glob[1:])
        else:
            return None
    tests = [f"name in {tuple(exact)!r}"] if exact else []
    tests += [f"name.startswith({tuple(prefixes)!r})"] if prefixes else []
    tests += [f"name.endswith({tuple(suffixes)!r})"] if suffixes else []
    return " or ".join(tests) or "False"


def _scope_test(include: tuple[str, ...], exclude: tuple[str, ...]) -> str:
    """Python source, true when the datum name ``name`` is in scope (namespace: ``scope``, the
    search of :func:`_scope`): string tests for plain globs, the regex for names with a line
    break and for other globs."""
    included, excluded = _plain_test(include), _plain_test(exclude)
    if included is None or excluded is None:
        return "scope(name) is not None"
    plain = f"not ({excluded})" if included == "True" else f"({included}) and not ({excluded})"
    return f"(scope(name) is not None if '\\n' in name else {plain})"


def scope_function(include: tuple[str, ...], exclude: tuple[str, ...]) -> Callable[[str], bool]:
    """Whether a datum name is in the scope these globs give (as the compiled schema decides)."""
    namespace = {"scope": _scope(include, exclude).search}
    source = ["def in_scope(name):", f"    return {_scope_test(include, exclude)}"]
    return _define(source, namespace, "scope")  # type: ignore[no-any-return]


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
                field_validator(rules.model_schema, c.name).is_valid if c.declaration.extra else None,
            )
            for c in rules.columns
        )
        scope = {"scope": _scope(rules.scope.include, rules.scope.exclude).search}
        in_scope = _scope_test(rules.scope.include, rules.scope.exclude)
        self._in_scope = scope_function(rules.scope.include, rules.scope.exclude)
        self._exempt = {
            e.table: tuple(f for f in self.fields if f.name not in e.fields) for e in rules.exemptions
        }
        self._check_all = _compile(self.fields)
        self._exempt_checks = {name: _compile(fields) for name, fields in self._exempt.items()}
        self._scope_source = (in_scope, scope)

    @functools.cached_property
    def file_passes(self) -> FilePasses:
        """Whether a whole file (its root, an object) is clean, calling ``add`` with each datum's
        name: see :func:`_compile_file` (compiled on first use: 0.2 ms)."""
        return _compile_file(self, self._scope_source)

    def name_of(self, datum: dict[str, Any]) -> str | None:
        """The datum's name: the first of ``name_keys`` present, when it is a string."""
        return name_of(datum, self.name_keys)

    def _datum_passes(self, datum: dict[str, Any], add: Callable[[str], None]) -> bool:
        name = name_of(datum, self.name_keys)
        if name is not None:
            add(name)
        return self.passes(name, datum["fields"])

    def required(self, name: str | None) -> tuple[FieldRule, ...]:
        """The fields a datum called ``name`` must declare (all of them when unnamed)."""
        if name is None:
            return self.fields
        if not self._in_scope(name):
            return ()
        return self._exempt.get(name, self.fields)

    def passes(self, name: str | None, fields: Any) -> bool:
        """Whether a datum with this name and ``fields`` (any JSON value) passes."""
        if type(fields) is not dict:  # the schema asks this of every datum, in scope or not
            return False
        if name is None:
            return self._check_all(fields)
        if not self._in_scope(name):
            return True
        return self._exempt_checks.get(name, self._check_all)(fields)


def _field_lines(rules: tuple[FieldRule, ...], namespace: dict[str, Any], indent: str) -> list[str]:
    """Straight code that ``return False`` when the dict ``fields`` fails these required fields
    (names, types and formats written in as constants). ``d.get(key, expected) != expected`` and
    ``d.get(key, allowed[0]) not in allowed`` are JSON equality here, since only an equal string
    equals a string."""
    lines = []
    for rule in rules:
        lines += [
            f"d = fields.get({rule.name!r}, MISSING)",
            "if type(d) is not dict:",
            "    return False",
        ]
        if rule.full_check is not None:
            check = f"full_check_{len(namespace)}"
            namespace[check] = rule.full_check
            lines += [f"if not {check}(d):", "    return False"]
            continue
        lines += [f"if d.get('type', {rule.json_type!r}) != {rule.json_type!r}:", "    return False"]
        if rule.formats:
            lines += [f"if d.get('format', {rule.formats[0]!r}) not in {rule.formats!r}:", "    return False"]
    return [indent + line for line in lines]


def _define(lines: list[str], namespace: dict[str, Any], title: str) -> Any:
    exec(compile("\n".join(lines), f"<envoxy judge {title}>", "exec"), namespace)
    return namespace[lines[0][4 : lines[0].index("(")]]


def _compile(rules: tuple[FieldRule, ...]) -> Callable[[Any], bool]:
    """A function judging ``fields`` (a dict) for these required fields: the per-datum check is
    the hot spot of a run, and straight code runs it about twice as fast as a loop over
    :class:`FieldRule` objects. Only literals made by :func:`repr` go into the source."""
    namespace: dict[str, Any] = {"MISSING": _MISSING}
    lines = ["def check(fields):", *_field_lines(rules, namespace, "    "), "    return True"]
    return _define(lines, namespace, ", ".join(r.name for r in rules))  # type: ignore[no-any-return]


def _compile_file(judge: DatumJudge, in_scope: tuple[str, dict[str, Any]]) -> FilePasses:
    """``file_passes(root, add)``: whether a whole file (``root``, an object) is clean: a sound
    structure and every datum passing, as :class:`DatumJudge` and the checker's walk would
    find; ``add`` is called with each datum's name; ``in_scope``: the scope test's source and
    namespace (:func:`_scope_test`). A file it does not pass goes through the detailed check,
    which says why. One call per file: the walk over the items of ``datums``, their names and,
    for a named datum in scope, the checks of :func:`_compile` are written in as straight code;
    the rarer shapes (a top-level datum, a datum without a name) call the judge."""
    namespace: dict[str, Any] = {
        "MISSING": _MISSING,
        "exempt": judge._exempt_checks,
        "check_all": judge._check_all,
        "datum_passes": judge._datum_passes,
        **in_scope[1],
    }
    checks = ["                        " + line for line in _field_lines(judge.fields, namespace, "")]
    if judge._exempt_checks:
        checks = [
            "                        check = exempt.get(name)",
            "                        if check is not None:",
            "                            if not check(fields):",
            "                                return False",
            "                        else:",
            *("    " + line for line in checks),
        ]
    names = [  # the first key present names the datum
        line
        for i, key in enumerate(judge.name_keys)
        for line in (
            f"                {'if' if i == 0 else 'elif'} {key!r} in item:",
            f"                    name = item[{key!r}]",
        )
    ]
    lines = [
        "def file_passes(root, add):",
        "    if 'fields' in root and not datum_passes(root, add):",
        "        return False",
        "    if 'datums' in root:",
        "        items = root['datums']",
        "        if type(items) is not list:",
        "            return False",
        "        for item in items:",
        "            if type(item) is not dict:",
        "                return False",
        "            if 'fields' in item:",
        "                fields = item['fields']",
        "                if type(fields) is not dict:",
        "                    return False",
        *names,
        f"                {'else' if names else 'if True'}:",
        "                    name = None",
        "                if type(name) is not str:",
        "                    if not check_all(fields):",
        "                        return False",
        "                else:",
        "                    add(name)",
        f"                    if {in_scope[0]}:",
        *checks,
        "    return True",
    ]
    return _define(lines, namespace, "file")  # type: ignore[no-any-return]
