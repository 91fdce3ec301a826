"""envoxy/migrations/halves.py: a pure function over many items on two processes gives what it
gives on one, in order, whatever happens to the helper."""

from __future__ import annotations

import os
import signal
from typing import Any

import pytest

from envoxy.migrations import halves
from envoxy.migrations.halves import split_map

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the helper needs os.fork")


def square_and_pid(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


def test_the_result_is_the_sequential_one_and_the_helper_did_its_part() -> None:
    items = list(range(1000))
    found = split_map(square_and_pid, items)
    assert [value for value, _ in found] == [n * n for n in items]
    pids = [pid for _, pid in found]
    here = os.getpid()
    assert pids[0] == here and pids[-1] != here  # the later part came from the helper
    assert pids.count(here) == 1000 - int(1000 * halves._HELPER_SHARE)


def test_few_items_stay_in_this_process() -> None:
    found = split_map(square_and_pid, list(range(halves.MINIMUM - 1)))
    assert {pid for _, pid in found} == {os.getpid()}


def test_code_objects_come_back_whole() -> None:
    sources = [f"x = {n}\n" for n in range(300)]
    codes = split_map(lambda s: compile(s, "<t>", "exec"), sources)
    for n, code in enumerate(codes):
        scope: dict[str, Any] = {}
        exec(code, scope)
        assert scope["x"] == n


def test_a_helper_that_dies_leaves_the_work_to_this_process() -> None:
    parent = os.getpid()

    def deadly(n: int) -> int:
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)  # the helper dies on its first item
        return n + 1

    assert split_map(deadly, list(range(500))) == [n + 1 for n in range(500)]


def test_a_result_marshal_cannot_carry_is_made_here() -> None:
    parent = os.getpid()

    def odd(n: int) -> Any:
        return object() if os.getpid() != parent else n  # the helper's part does not marshal

    assert split_map(odd, list(range(400))) == list(range(400))
