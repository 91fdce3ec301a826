"""The fast path against the reference: on generated model files, the checker's issues are exactly
those that jsonschema, validating the whole file against the whole compiled schema, gives.

Two rule sets: the shipped one, and the exemptions case (scope excludes, exemptions, a
``declaration:`` constraint, so jsonschema judges one field's declarations).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from envoxy.rules import load_rules
from envoxy.rules.model import RuleSet
from envoxy.validate.checker import Checker
from envoxy.validate.loader import Parsed, parse
from tests.conftest import DATA

RULE_FILES = {
    "shipped": DATA / "validate" / "rules.yaml",
    "exemptions": DATA / "validate" / "exemptions" / "rules.yaml",
}
_CHECKERS: dict[str, Checker] = {}


def checker(name: str) -> Checker:
    if name not in _CHECKERS:
        rules: RuleSet = load_rules(RULE_FILES[name])
        _CHECKERS[name] = Checker(rules)
    return _CHECKERS[name]


REQUIRED = ["id", "created", "updated", "href"]
NAMES = [
    "products",
    "legacy_events",
    "old_audit",
    "tmp_scratch",
    "alembic_version",
    "alembic_version_2",
    "tmp",
    "Products",
    "line\nbreak",
    "alembic_version\n",
    "",
]
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.sampled_from([0.5, 1.0])
    | st.sampled_from(["string", "integer", "uuid", "date-time", "email", "", "ab", "a description"])
)
json_values = st.recursive(
    scalars,
    lambda c: (
        st.lists(c, max_size=3)
        | st.dictionaries(st.sampled_from(["type", "format", "description", "x"]), c, max_size=3)
    ),
    max_leaves=8,
)
declarations = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "type": st.sampled_from(["string", "integer", "number", "boolean", "array", "object", "null"])
            | json_values,
            "format": st.sampled_from(["uuid", "date-time", "date", "email"]) | json_values,
            "description": st.sampled_from(["", "ab", "The row's API path."]) | json_values,
            "maxLength": st.integers(0, 300),
        },
    ),
    json_values,
)
fields = st.dictionaries(st.sampled_from([*REQUIRED, "price", "name", "a/b~c"]), declarations, max_size=6)
datums = st.fixed_dictionaries(
    {},
    optional={
        "table": st.sampled_from(NAMES) | scalars,
        "name": st.sampled_from(NAMES) | scalars,
        "fields": fields | json_values,
        "description": json_values,
    },
)
documents = st.one_of(
    datums,
    st.fixed_dictionaries(
        {"datums": st.lists(datums | json_values, max_size=5)},
        optional={"fields": fields, "table": st.sampled_from(NAMES)},
    ),
    st.fixed_dictionaries({"datums": json_values}),
    json_values,
)


def parsed(document: object) -> Parsed:
    result = parse(json.dumps(document).encode())
    assert isinstance(result, Parsed)
    return result


@pytest.mark.parametrize("rules_name", sorted(RULE_FILES))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=documents)
def test_fast_path_matches_jsonschema(rules_name: str, document: object) -> None:
    check = checker(rules_name)
    result = parsed(document)
    fast = check.check(result)
    reference = check.check_reference(result)
    assert sorted(fast.issues, key=repr) == sorted(reference.issues, key=repr)
    assert fast.names == reference.names


def test_generated_documents_exercise_every_rule() -> None:
    """The strategies above reach each rule the schema can produce (else the cross-check is weak)."""
    seen: set[str] = set()

    @settings(max_examples=300, deadline=None, database=None)
    @given(document=documents)
    def collect(document: object) -> None:
        seen.update(i.rule for i in checker("exemptions").check_reference(parsed(document)).issues)

    collect()
    assert {"missing-field", "wrong-type", "invalid-model", "invalid-declaration"} <= seen


def test_reference_and_fast_path_agree_on_the_golden_cases() -> None:
    for case in sorted((DATA / "validate").iterdir()):
        models = case / "models"
        if not models.is_dir():
            continue
        name = "exemptions" if case.name == "exemptions" else "shipped"
        for path in sorted(models.rglob("*.json")):
            if not path.is_file():
                continue
            result = parse(path.read_bytes())
            if isinstance(result, Parsed):
                check = checker(name)
                fast, reference = check.check(result), check.check_reference(result)
                assert sorted(fast.issues, key=repr) == sorted(reference.issues, key=repr), path


def test_the_fast_path_needs_no_jsonschema_without_declaration_constraints(tmp_path: Path) -> None:
    import subprocess
    import sys

    (tmp_path / "m.json").write_text(json.dumps({"table": "t", "fields": {"id": {"type": "integer"}}}))
    code = (
        "import sys; from envoxy.rules import load_rules; from envoxy.validate.checker import Checker;"
        "from envoxy.validate.loader import load;"
        f"r = load_rules({str(RULE_FILES['shipped'])!r}); sys.modules.pop('jsonschema', None);"
        "[sys.modules.pop(m) for m in list(sys.modules) if m.startswith('jsonschema')];"
        f"issues = Checker(r).check(load({str(tmp_path / 'm.json')!r})).issues;"
        "print(len(issues), any(m.startswith('jsonschema') for m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["4", "False"]
