"""The value makers of the generated code, on their own."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import pytest

from envoxy.mixin import build_mixin_module
from envoxy.rules import load_rules
from tests.mixin.support import SHIPPED_RULES

UTC = dt.timezone.utc


def test_uuid4_text_is_canonical_version_4_and_random_where_it_should_be() -> None:
    make = build_mixin_module(load_rules(SHIPPED_RULES))._new_uuid_text
    texts = [make() for _ in range(4000)]
    assert len(set(texts)) == len(texts)
    parsed = [uuid.UUID(t) for t in texts]
    assert [str(u) for u in parsed] == texts
    assert {(u.version, u.variant) for u in parsed} == {(4, uuid.RFC_4122)}
    assert {t[19] for t in texts} == set("89ab")
    # Every other digit is random: 4000 draws of 16 values show all 16 (missing one has odds
    # below 1e-100).
    random_positions = [i for i in range(36) if i not in (8, 13, 14, 18, 19, 23)]
    assert all({t[i] for t in texts} == set("0123456789abcdef") for i in random_positions)


def test_utc_now_is_naive_for_legacy_and_aware_for_native(native_rules: Path) -> None:
    legacy = build_mixin_module(load_rules(SHIPPED_RULES))
    native = build_mixin_module(load_rules(native_rules))
    before = dt.datetime.now(UTC)
    naive, aware = legacy._utc_now_naive(), native._utc_now_aware()
    after = dt.datetime.now(UTC)
    assert naive.tzinfo is None and aware.tzinfo is UTC
    assert before <= naive.replace(tzinfo=UTC) <= aware <= after
    assert isinstance(native._new_uuid(), uuid.UUID) and native._new_uuid().version == 4


UUID7_RULES = """\
version: 1
profile: ids
profiles:
  ids:
    base: native
    types:
      text: {sql: "VARCHAR(36)", json: {type: string}}
      hex: {sql: "CHAR(32)", json: {type: string}}
fields:
  id: {type: uuid, primary_key: true, value: uuid7}
  text_id: {type: text, value: uuid7}
  hex_id: {type: hex, value: uuid7}
"""


@pytest.fixture(scope="module")
def uuid7_module(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = tmp_path_factory.mktemp("uuid7") / "rules.yaml"
    path.write_text(UUID7_RULES, encoding="utf-8")
    return build_mixin_module(load_rules(path))


def _as_uuid(value: uuid.UUID | str) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(value)


def _millisecond(at: dt.datetime) -> int:
    return int(at.timestamp() * 1000)


@pytest.mark.parametrize("form", ["native", "text", "hex"])
def test_uuid7_bits_time_and_order(uuid7_module: Any, form: str) -> None:
    """RFC 9562 UUIDv7: version 7, variant 10, the 48-bit Unix millisecond it was made in; ids
    made one at a time and in batches (below and above the batch threshold) sort in the order
    they were made, and none repeats."""
    suffix = {"native": "", "text": "_text", "hex": "_hex"}[form]
    one = getattr(uuid7_module, f"_new_uuid7{suffix}")
    batch = getattr(uuid7_module, f"_new_uuid7{suffix}_batch")
    before = dt.datetime.now(UTC)
    made: list[Any] = []
    for count in (1, 3, 7, 8, 50, 1000):
        made.append(one())
        values, texts = batch(count)
        assert len(values) == len(texts) == count
        assert [str(v) for v in values] == texts  # what a template shows: the column's text
        made += values
    after = dt.datetime.now(UTC)
    parsed = [_as_uuid(v) for v in made]
    assert made == sorted(made) and len(set(made)) == len(made)  # in their own form's order
    assert parsed == sorted(parsed)  # and as UUIDs: text, hex and native agree
    assert {(u.version, u.variant) for u in parsed} == {(7, uuid.RFC_4122)}
    assert all(_millisecond(before) <= u.int >> 80 <= _millisecond(after) for u in parsed)
    if form == "text":
        assert all(str(u) == v for u, v in zip(parsed, made, strict=True))
    if form == "hex":
        assert all(u.hex == v for u, v in zip(parsed, made, strict=True))
    if form == "native":
        assert all(isinstance(v, uuid.UUID) for v in made)


def test_uuid7_are_unique_and_random_where_the_rfc_says(uuid7_module: Any) -> None:
    values = uuid7_module._new_uuid7_batch(100_000)[0] + uuid7_module._new_uuid7_batch(100_000)[0]
    assert len({v.int for v in values}) == len(values) == 200_000
    assert [v.int for v in values] == sorted(v.int for v in values)
    # rand_b's low 32 bits move by a random step (1 to 2**32) per id: every bit takes both values.
    low = [v.int & 0xFFFFFFFF for v in values[:2000]]
    assert all({(x >> bit) & 1 for x in low} == {0, 1} for bit in range(32))


def test_uuid7_order_holds_across_threads(uuid7_module: Any) -> None:
    """Ids are made under one lock: each thread's ids rise, and no two threads share one."""
    import threading

    results: dict[int, list[str]] = {}

    def work(worker: int) -> None:
        mine: list[str] = []
        for i in range(400):
            mine += (
                uuid7_module._new_uuid7_text_batch(1 + i % 12)[0]
                if i % 2
                else [uuid7_module._new_uuid7_text()]
            )
        results[worker] = mine

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = [v for mine in results.values() for v in mine]
    assert len(set(every)) == len(every)
    assert all(mine == sorted(mine) for mine in results.values())


def test_uuid7_millisecond_never_goes_back(uuid7_module: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A clock that steps back keeps the last millisecond; the counter keeps the order."""
    first = uuid7_module._new_uuid7()
    monkeypatch.setattr(uuid7_module.time, "time_ns", lambda: 1_000_000_000)  # 1970
    later = [uuid7_module._new_uuid7() for _ in range(20)]
    assert [first, *later] == sorted([first, *later])
    assert {u.int >> 80 for u in later} == {first.int >> 80}
