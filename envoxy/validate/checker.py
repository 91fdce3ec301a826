"""Check one parsed model file: its structure, repeated keys in ``fields``, and each datum.

Datums are the top-level object and the items of its ``datums`` array; a datum without a
``fields`` key is skipped. The fast path (:class:`DatumJudge`) gives the verdict and the reasons;
jsonschema (:class:`Explainer`, created on first need) explains declarations that break the
constraints ``rules.yaml`` adds, and is the reference the fast path is tested against.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from envoxy.rules.model import RuleSet
from envoxy.validate import issues as make
from envoxy.validate.explain import DeclarationFaults, Explainer, declaration_issues
from envoxy.validate.issues import Issue
from envoxy.validate.judge import DatumJudge, expected_declaration
from envoxy.validate.loader import to_plain
from envoxy.validate.positions import Pointer

__all__ = ["Checked", "Checker"]


@dataclass(frozen=True, slots=True)
class Checked:
    """What one file holds: its issues and the names of the datums checked."""

    issues: list[Issue]
    names: set[str] = field(default_factory=set)


def _datums(root: tuple[Any, ...], issues: list[Issue]) -> list[tuple[Pointer, dict[str, Any]]]:
    """The datums (as dicts of raw values) that declare ``fields``, with their pointers."""
    top = dict(root)
    found: list[tuple[Pointer, dict[str, Any]]] = []
    if "fields" in top:
        found.append(((), top))
    if "datums" in top:
        items = top["datums"]
        if type(items) is not list:
            issues.append(make.datums_not_array(to_plain(items)))
            return found
        for i, item in enumerate(items):
            if type(item) is not tuple:
                issues.append(make.datum_not_object(("datums", i), to_plain(item)))
                continue
            datum = dict(item)
            if "fields" in datum:
                found.append((("datums", i), datum))
    return found


def _duplicates(pointer: Pointer, table: str | None, pairs: tuple[Any, ...]) -> list[Issue]:
    counts = Counter(k for k, _ in pairs)
    return [make.duplicate_key(pointer, table, key, n) for key, n in counts.items() if n > 1]


class Checker:
    """Checks parsed files against one :class:`RuleSet`."""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self.judge = DatumJudge(rules)
        self._expected = {c.name: expected_declaration(c) for c in rules.columns}
        self._explainer: Explainer | None = None

    @property
    def explainer(self) -> Explainer:
        if self._explainer is None:
            self._explainer = Explainer(self.rules)
        return self._explainer

    def check(self, root: Any) -> Checked:
        """Issues of a file whose root is in the pairs representation (see :mod:`loader`)."""
        if type(root) is not tuple:
            return Checked([make.root_not_object(to_plain(root))])
        issues: list[Issue] = []
        names: set[str] = set()
        for pointer, datum in _datums(root, issues):
            name = self.judge.name_of(datum)
            if name is not None:
                names.add(name)
            raw_fields = datum["fields"]
            fields = raw_fields
            if type(raw_fields) is tuple:
                fields = dict(raw_fields)
                if len(fields) != len(raw_fields):
                    issues.extend(_duplicates(pointer, name, raw_fields))
            if not self.judge.passes(name, fields):
                issues.extend(self._explain(pointer, name, fields))
        return Checked(issues, names)

    def _explain(self, pointer: Pointer, name: str | None, fields: Any) -> list[Issue]:
        """Why a datum the judge failed fails: the same reasons jsonschema gives."""
        if type(fields) is not dict:
            return [make.fields_not_object(pointer, name, to_plain(fields))]
        out: list[Issue] = []
        for rule in self.judge.required(name):
            if rule.name not in fields:
                out.append(make.missing_field(pointer, name, rule.name))
                continue
            raw = fields[rule.name]
            if rule.accepts(raw):
                continue
            declaration = to_plain(raw)
            if rule.has_extra:
                faults = self.explainer.declaration(rule.name, declaration)
            else:
                wrong = rule.wrong_keys(declaration) if type(declaration) is dict else ()
                faults = DeclarationFaults(type(declaration) is not dict, wrong, None)
            out.extend(declaration_issues(pointer, name, rule.name, declaration, faults,
                                          self._expected[rule.name]))
        return out

    def check_reference(self, root: Any) -> Checked:
        """The same findings from jsonschema over the whole file, no fast path (for tests)."""
        issues: list[Issue] = []
        names: set[str] = set()
        if type(root) is tuple:
            for pointer, datum in _datums(root, []):
                name = self.judge.name_of(datum)
                if name is not None:
                    names.add(name)
                if type(datum["fields"]) is tuple:
                    issues.extend(_duplicates(pointer, name, datum["fields"]))
        issues.extend(self.explainer.document(to_plain(root)))
        return Checked(issues, names)
