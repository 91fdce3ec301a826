"""The two parse paths give one result: orjson for speed, json whenever orjson might differ or
the file might repeat a key. Compared on arbitrary bytes and JSON documents."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from envoxy.validate import loader
from envoxy.validate.loader import Parsed, Unparsable, parse

pytestmark = pytest.mark.skipif(vars(loader)["_orjson"] is None, reason="orjson is not installed")
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def typed(value: Any) -> Any:
    """``value`` with every scalar's type made explicit (1, 1.0 and true differ in JSON)."""
    if isinstance(value, dict):
        return ("object", [(k, typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("array", [typed(v) for v in value])
    return (type(value).__name__, value)


def both(data: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    fast = parse(data)
    with monkeypatch.context() as m:
        m.setattr(loader, "_orjson", None)
        slow = parse(data)
    return fast, slow


def assert_same(data: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    fast, slow = both(data, monkeypatch)
    if isinstance(slow, Unparsable):
        assert fast == slow
        return
    assert isinstance(fast, Parsed)
    assert typed(fast.root) == typed(slow.root)
    assert fast.data == slow.data
    assert slow.parser == "json"
    if fast.parser == "orjson":  # orjson vouched for it: then no object repeats a key
        assert fast.repeats == {} == slow.repeats
    else:
        assert [counts for _, counts in fast.repeats.values()] == [
            counts for _, counts in slow.repeats.values()
        ]


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=3), c, max_size=4),
    max_leaves=20,
)


@SETTINGS
@given(content=st.binary(max_size=100))
def test_any_bytes(content: bytes) -> None:
    with pytest.MonkeyPatch.context() as mp:
        assert_same(content, mp)


@SETTINGS
@given(value=json_values, indent=st.sampled_from([None, 1]), bom=st.booleans())
def test_any_document(value: Any, indent: int | None, bom: bool) -> None:
    data = (b"\xef\xbb\xbf" if bom else b"") + json.dumps(value, indent=indent).encode()
    with pytest.MonkeyPatch.context() as mp:
        assert_same(data, mp)


@SETTINGS
@given(value=json_values, key=st.sampled_from(["a", "id", ":", "\\u003a"]))
def test_documents_with_a_repeated_key(value: Any, key: str) -> None:
    """Splice a repeated member into an object: the result must match the json path."""
    text = json.dumps({"fields": {key: value, "x": ":"}, "other": value})
    member = f'"{key}": {json.dumps(value)}, '
    at = text.index("{", 1) + 1
    data = (text[:at] + member + text[at:]).encode()
    with pytest.MonkeyPatch.context() as mp:
        fast = parse(data)
        assert isinstance(fast, Parsed) and fast.parser == "json"
        spliced = json.loads(f'"{key}"')  # the member written raw: "\\u003a" is a colon there
        if spliced == key:
            assert {key: 2} in [c for _, c in fast.repeats.values()]
        assert_same(data, mp)


@pytest.mark.parametrize(
    ("data", "parser"),
    [
        (b'{"fields": {"id": {}, "href": {"description": "a: b"}}}', "orjson"),
        (b'{"fields": {"id": {}, "id": {}}}', "json"),
        (b'{"fields": {"id": {"description": "\\u003a"}}}', "json"),  # an escaped colon: unsure
        (b'{"fields": {"id": {"maxLength": 12345678901234567890}}}', "json"),  # > 64 bits
        (b'{"a": NaN}', None),
        # many brackets, shallow: still the fast path once the depth is known to be fine
        (
            json.dumps({"datums": [{"table": f"t{i}", "fields": {"id": {}}} for i in range(300)]}).encode(),
            "orjson",
        ),
    ],
)
def test_which_path(data: bytes, parser: str | None) -> None:
    result = parse(data)
    if parser is None:
        assert isinstance(result, Unparsable)
    else:
        assert isinstance(result, Parsed)
        assert result.parser == parser
