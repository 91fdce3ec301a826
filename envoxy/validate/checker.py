"""Check one parsed model file: its structure, repeated keys in ``fields``, and each datum.

Datums are the top-level object and the items of its ``datums`` array; a datum without a
``fields`` key is skipped. The fast path (:class:`DatumJudge`) gives the verdict and the reasons;
jsonschema (:class:`Explainer`, created on first need) explains declarations that break the
constraints ``rules.yaml`` adds, and is the reference the fast path is tested against.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from envoxy.rules.model import RuleSet
from envoxy.validate import issues as make
from envoxy.validate.checks import ModelChecks
from envoxy.validate.explain import DeclarationFaults, Explainer, declaration_issues
from envoxy.validate.issues import Issue
from envoxy.validate.judge import DatumJudge, expected_declaration
from envoxy.validate.loader import Parsed
from envoxy.validate.positions import Pointer

__all__ = ["Checked", "Checker"]

# Files checked the detailed way before the one-call judge is compiled: compiling it costs about
# as much as the detailed way's extra cost over that many clean files, so a run over a few files
# (pre-commit's staged files) never pays for it.
_DETAILED_FIRST = 16


class Checked(NamedTuple):
    """What one file holds: its issues and the names of the datums checked (a named tuple: one
    is made for every file)."""

    issues: list[Issue]
    names: set[str]


def _datums(root: dict[str, Any], issues: list[Issue]) -> list[tuple[Pointer, dict[str, Any]]]:
    """The datums that declare ``fields``, with their pointers; structure issues into ``issues``."""
    found: list[tuple[Pointer, dict[str, Any]]] = []
    if "fields" in root:
        found.append(((), root))
    if "datums" in root:
        items = root["datums"]
        if type(items) is not list:
            issues.append(make.datums_not_array(items))
            return found
        for i, item in enumerate(items):
            if type(item) is not dict:
                issues.append(make.datum_not_object(("datums", i), item))
            elif "fields" in item:
                found.append((("datums", i), item))
    return found


def _duplicates(parsed: Parsed, pointer: Pointer, name: str | None, fields: Any) -> list[Issue]:
    """``duplicate-key`` issues: keys repeated inside a datum's ``fields``."""
    return [make.duplicate_key(pointer, name, key, n) for key, n in parsed.repeated_keys(fields).items()]


class Checker:
    """Checks parsed files against one :class:`RuleSet`."""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self.judge = DatumJudge(rules)
        self._expected = {c.name: expected_declaration(c) for c in rules.columns}
        self._explainer: Explainer | None = None
        self.exempted = frozenset(e.table for e in rules.exemptions)  # datum names rules.yaml exempts
        self._detailed_first = _DETAILED_FIRST
        model_checks = ModelChecks(rules) if rules.checks else None
        self.model_checks = model_checks if model_checks is not None and model_checks.active else None
        """``checks:`` of ``rules.yaml`` that run on model files (``None``: none do)."""

    @property
    def explainer(self) -> Explainer:
        if self._explainer is None:
            self._explainer = Explainer(self.rules)
        return self._explainer

    def check(self, parsed: Parsed) -> Checked:
        """Issues of one parsed file."""
        root = parsed.root
        if self._detailed_first:
            self._detailed_first -= 1
        elif type(root) is dict and not parsed.repeats:
            names: set[str] = set()
            if self.judge.file_passes(root, names.add):  # the common case: a clean file, one call
                return Checked([], names)
        return self._check(parsed)

    def _check(self, parsed: Parsed) -> Checked:
        root = parsed.root
        if type(root) is not dict:
            return Checked([make.root_not_object(root)], set())
        issues: list[Issue] = []
        names: set[str] = set()
        judge = self.judge
        for pointer, datum in _datums(root, issues):
            name = judge.name_of(datum)
            if name is not None:
                names.add(name)
            if parsed.repeats:
                issues.extend(_duplicates(parsed, pointer, name, datum["fields"]))
            if not judge.passes(name, datum["fields"]):
                issues.extend(self._explain(pointer, name, datum["fields"]))
        return Checked(issues, names)

    def _explain(self, pointer: Pointer, name: str | None, fields: Any) -> list[Issue]:
        """Why a datum the judge failed fails: the same reasons jsonschema gives."""
        if type(fields) is not dict:
            return [make.fields_not_object(pointer, name, fields)]
        out: list[Issue] = []
        for rule in self.judge.required(name):
            if rule.name not in fields:
                out.append(make.missing_field(pointer, name, rule.name))
                continue
            declaration = fields[rule.name]
            if rule.accepts(declaration):
                continue
            if rule.has_extra:
                faults = self.explainer.declaration(rule.name, declaration)
            else:
                wrong = rule.wrong_keys(declaration) if type(declaration) is dict else ()
                faults = DeclarationFaults(type(declaration) is not dict, wrong, None)
            out.extend(
                declaration_issues(pointer, name, rule.name, declaration, faults, self._expected[rule.name])
            )
        return out

    def check_reference(self, parsed: Parsed) -> Checked:
        """The same findings from jsonschema over the whole file, no fast path (for tests)."""
        root = parsed.root
        names: set[str] = set()
        issues: list[Issue] = []
        if type(root) is dict:
            for pointer, datum in _datums(root, []):
                name = self.judge.name_of(datum)
                if name is not None:
                    names.add(name)
                issues.extend(_duplicates(parsed, pointer, name, datum["fields"]))
        issues.extend(self.explainer.document(root))
        return Checked(issues, names)
