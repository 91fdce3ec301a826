"""The compiled predicates against jsonschema (Draft 2020-12): on random schemas built from the
compiled keywords (and a few that fall back) and random documents, the verdicts are equal."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from envoxy.checks.predicate import compile_predicate, json_equal, needs, reads_only

names = st.sampled_from(["name", "table", "sql_type", "nullable", "columns", "a"])
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.sampled_from([0.0, 1.0, 1.5, -2.0])
    | st.sampled_from(["", "id", "Id", "deleted_at", "VARCHAR(36)", "JSONB", "é", "a_b", "1x"])
)
values = st.recursive(
    scalars,
    lambda c: st.lists(c, max_size=3) | st.dictionaries(names, c, max_size=4),
    max_leaves=10,
)
types = st.sampled_from(["string", "integer", "number", "boolean", "null", "array", "object"])
patterns = st.sampled_from(["^[a-z_]+$", "id", "^$", "[A-Z]", "^(REAL|DOUBLE)", "é"])


def schemas() -> st.SearchStrategy[Any]:
    def extend(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        keyword = st.one_of(
            st.tuples(st.just("type"), types | st.lists(types, min_size=1, max_size=3, unique=True)),
            st.tuples(st.just("const"), values),
            st.tuples(st.just("enum"), st.lists(values, min_size=1, max_size=3)),
            st.tuples(st.just("pattern"), patterns),
            st.tuples(st.sampled_from(["minLength", "maxLength", "minItems", "maxItems"]), st.integers(0, 3)),
            st.tuples(st.sampled_from(["minProperties", "maxProperties"]), st.integers(0, 3)),
            st.tuples(
                st.sampled_from(["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]),
                st.integers(-2, 2) | st.sampled_from([0.5, 1.0]),
            ),
            st.tuples(st.just("properties"), st.dictionaries(names, inner, max_size=3)),
            st.tuples(st.just("required"), st.lists(names, max_size=3, unique=True)),
            st.tuples(
                st.just("dependentRequired"),
                st.dictionaries(names, st.lists(names, max_size=2, unique=True), max_size=2),
            ),
            st.tuples(st.just("not"), inner),
            st.tuples(st.sampled_from(["allOf", "anyOf", "oneOf"]), st.lists(inner, min_size=1, max_size=3)),
            st.tuples(st.sampled_from(["if", "then", "else", "items", "contains"]), inner),
            st.tuples(st.just("format"), st.sampled_from(["uuid", "email"])),
            # fall back to jsonschema
            st.tuples(st.just("additionalProperties"), inner),
            st.tuples(st.just("uniqueItems"), st.booleans()),
            st.tuples(st.just("prefixItems"), st.lists(inner, max_size=2)),
            st.tuples(st.sampled_from(["minContains", "maxContains"]), st.integers(0, 2)),
        )
        return st.booleans() | st.lists(keyword, max_size=4).map(dict)

    return st.recursive(st.booleans() | st.just({}), extend, max_leaves=8)


@settings(max_examples=700, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schemas(), st.lists(values, min_size=1, max_size=5))
def test_predicate_equals_jsonschema(schema: Any, documents: list[Any]) -> None:
    reference = Draft202012Validator(schema)
    predicate = compile_predicate(schema)
    for doc in documents:
        assert predicate(doc) == reference.is_valid(doc), (schema, doc)


@settings(max_examples=500, deadline=None)
@given(values, values)
def test_json_equal_is_jsonschemas_equality(one: Any, two: Any) -> None:
    assert json_equal(one, two) == Draft202012Validator({"const": one}).is_valid(two)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schemas(), st.dictionaries(names, values, max_size=4), st.dictionaries(names, values, max_size=3))
def test_a_schema_that_reads_only_some_facts_ignores_the_others(
    schema: Any, doc: dict[str, Any], other: dict[str, Any]
) -> None:
    read = needs(schema)
    if not reads_only(schema, read):
        return
    changed = {
        **{k: v for k, v in other.items() if k not in read},
        **{k: v for k, v in doc.items() if k in read},
    }
    reference = Draft202012Validator(schema)
    assert reference.is_valid(doc) == reference.is_valid(changed)


def test_needs_through_in_place_applicators() -> None:
    schema = {
        "properties": {"name": {"pattern": "x"}},
        "anyOf": [{"required": ["nullable"]}, {"not": {"properties": {"sql_type": {}}}}],
        "if": {"dependentRequired": {"table": ["primary_key"]}},
    }
    assert needs(schema) == {"name", "nullable", "sql_type", "table", "primary_key"}
    assert reads_only(schema, needs(schema))
    assert not reads_only({"minProperties": 2}, frozenset())
    assert not reads_only({"const": {"name": "x"}}, frozenset({"name"}))
