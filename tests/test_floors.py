"""The dependency floors: ``.ci/floors.txt`` pins exactly the floors ``pyproject.toml`` declares.

``.ci/run`` installs the project a second time, in ``.venv-floors`` with ``.ci/floors.txt`` as
pip constraints, and runs the suite there too; these tests keep the two files from drifting apart
and, in that run (``ENVOXY_FLOORS=1``), check that every floor is what is really installed.
"""

from __future__ import annotations

import importlib.metadata
import os
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.conftest import REPO

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10, where the floors run: mypy, from the test extra, brings tomli there
    import tomli as tomllib

FLOORS = REPO / ".ci" / "floors.txt"
# Extras whose floors are tested. bench only names the benchmarks' yardstick (check-jsonschema),
# neither imported by envoxy nor run by the tests, and it needs a newer jsonschema than envoxy does.
UNTESTED_EXTRAS = {"bench"}


def _pyproject() -> dict[str, Any]:
    with (REPO / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)


def declared() -> Iterator[tuple[str, Requirement]]:
    """Every requirement whose floor is tested, with the group that declares it."""
    project = _pyproject()["project"]
    for text in project["dependencies"]:
        yield "dependencies", Requirement(text)
    for extra, texts in project["optional-dependencies"].items():
        if extra not in UNTESTED_EXTRAS:
            for text in texts:
                yield f"optional-dependencies.{extra}", Requirement(text)


def floor_of(requirement: Requirement) -> Version | None:
    """The version ``>=`` names; ``None`` for a requirement with no lower bound."""
    floors = [Version(s.version) for s in requirement.specifier if s.operator == ">="]
    assert len(floors) <= 1, f"{requirement}: one floor, please"
    return floors[0] if floors else None


def declared_floors() -> dict[str, Version]:
    """Distribution name -> its floor, the same in every group that names it."""
    floors: dict[str, Version] = {}
    for group, requirement in declared():
        name, floor = canonicalize_name(requirement.name), floor_of(requirement)
        if floor is None:
            # type stubs only: mypy reads them over envoxy's own code, and no test runs them
            assert name.startswith("types-"), f"{group}: {requirement} declares no floor"
            continue
        assert floors.setdefault(name, floor) == floor, f"{group}: {requirement} has another floor elsewhere"
    return floors


def pinned() -> dict[str, Version]:
    """Distribution name -> the version ``.ci/floors.txt`` pins."""
    pins: dict[str, Version] = {}
    for number, line in enumerate(FLOORS.read_text(encoding="utf-8").splitlines(), start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        requirement = Requirement(text)
        [spec] = requirement.specifier
        assert spec.operator == "==", f"floors.txt:{number}: {text!r} pins no version exactly"
        name = canonicalize_name(requirement.name)
        assert name not in pins, f"floors.txt:{number}: {requirement.name} pinned twice"
        pins[name] = Version(spec.version)
    return pins


def test_floors_txt_pins_exactly_the_declared_floors() -> None:
    assert pinned() == declared_floors()


def test_every_dependency_of_envoxy_has_a_floor() -> None:
    """The runtime dependencies and the database drivers: none left open below."""
    groups = ("dependencies", "optional-dependencies.postgres", "optional-dependencies.mysql")
    open_below = [str(r) for group, r in declared() if group in groups and floor_of(r) is None]
    assert open_below == []


@pytest.mark.skipif(os.environ.get("ENVOXY_FLOORS") != "1", reason="only in .ci/run's floors venv")
def test_the_floors_run_has_every_floor_installed() -> None:
    """In ``.venv-floors`` every pinned distribution is installed at its floor, and Python is the
    oldest that ``requires-python`` admits: the floors run tests what it says it tests."""
    installed = {name: Version(importlib.metadata.version(name)) for name in pinned()}
    assert installed == pinned()
    [oldest] = SpecifierSet(_pyproject()["project"]["requires-python"])
    assert oldest.operator == ">="
    assert sys.version_info[:2] == Version(oldest.version).release[:2]
