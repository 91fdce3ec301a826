"""The value makers of the generated code, on their own."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

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
