"""The generated module, byte for byte, for rules files that exercise every piece of it.

A change to the generator that is not meant to change its output must leave these files alone;
one that is (a new value kind, a new layout) regenerates them on purpose with
``ENVOXY_UPDATE_GOLDEN=1 pytest tests/mixin/test_mixin_golden.py`` and shows the change in review.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from envoxy.mixin import mixin_source
from envoxy.rules import load_rules
from tests.conftest import DATA

CASES = sorted(p for p in (DATA / "mixin" / "golden").iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_generated_module_is_unchanged(case: Path) -> None:
    source = mixin_source(load_rules(case / "rules.yaml"))
    golden = case / "envoxy_mixin.py"
    if os.environ.get("ENVOXY_UPDATE_GOLDEN") == "1":
        golden.write_text(source, encoding="utf-8")
    assert source == golden.read_text(encoding="utf-8")


def test_the_golden_cases_cover_every_maker() -> None:
    """Each value maker the generator knows appears in at least one golden module."""
    from envoxy.mixin.plan import plan_fields

    makers = {p.maker for case in CASES for p in plan_fields(load_rules(case / "rules.yaml"))}
    from envoxy.rules.values import VALUE_KINDS

    every = {m.one for kind in VALUE_KINDS.values() for m in kind.makers}
    assert every <= makers, every - makers
