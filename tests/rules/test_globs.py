"""Scope globs match as the shell does, any character included, and their one regex means the
same in Python (the validator, the scanner, check-db) and ECMA-262 (the JSON Schema's
``pattern``, read by editors and other validators)."""

from __future__ import annotations

import fnmatch
import json
import shutil
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from envoxy.rules.model import Scope, glob_to_regex

# No "-" (a reversed range is an error the compiler reports) and no "^" (fnmatch reads "[^a]" as
# a literal "^", the shell and envoxy as "[!a]"); everything else a glob can hold.
GLOBS = st.text(alphabet="ab.*?[]!\\\n\r$(|{/&~", max_size=8)
NAMES = st.text(alphabet=st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Z", "C"]), max_size=8)
SMALL_NAMES = st.text(alphabet="ab.[]!\\\n\r$(|{/&~ \u2028", max_size=6)


@pytest.mark.parametrize(
    ("glob", "matches", "misses"),
    [
        ("*", ["", "a\nb", "\n", "x\r\n"], []),
        (
            "alembic_version*",
            ["alembic_version", "alembic_version\n", "alembic_version_\nx"],
            ["x\nalembic_version"],
        ),
        ("a?c", ["a\nc", "abc"], ["ac", "abc\n"]),
        ("audit-#1 {x}", ["audit-#1 {x}"], ["audit-#1 {x}\n"]),
    ],
)
def test_star_and_question_mark_match_newlines(glob: str, matches: list[str], misses: list[str]) -> None:
    scope = Scope(include=(glob,), exclude=())
    assert [scope.applies(n) for n in matches + misses] == [True] * len(matches) + [False] * len(misses)


@settings(max_examples=300, deadline=None)
@given(glob=GLOBS, name=SMALL_NAMES)
def test_globs_match_as_fnmatch_does(glob: str, name: str) -> None:
    """fnmatch is the shell's matching, newlines included (``(?s:...)\\Z``)."""
    assert Scope(include=(glob,), exclude=()).applies(name) == fnmatch.fnmatchcase(name, glob)


@settings(max_examples=100, deadline=None)
@given(name=NAMES)
def test_star_matches_any_text(name: str) -> None:
    assert Scope(include=("*",), exclude=()).applies(name)
    assert Scope(include=("t*",), exclude=()).applies("t" + name)
    assert not Scope(include=("t*",), exclude=("*",)).applies(name)


_NODE_SCRIPT = r"""
const cases = JSON.parse(require("fs").readFileSync(0, "utf8"));
const out = cases.map(([pattern, names]) => {
  const plain = new RegExp(pattern), unicode = new RegExp(pattern, "u");
  return names.map((n) => [plain.test(n), unicode.test(n)]);
});
process.stdout.write(JSON.stringify(out));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node for an ECMA-262 regex engine")
@settings(max_examples=10, deadline=None)
@given(st.lists(st.tuples(GLOBS, st.lists(SMALL_NAMES, min_size=1, max_size=8)), min_size=20, max_size=40))
def test_the_regex_means_the_same_in_ecma_262(cases: list[tuple[str, list[str]]]) -> None:
    """node's RegExp, with and without the "u" flag that JSON Schema validators use, agrees with
    Python on every name (the schema's ``pattern`` is searched, as jsonschema does)."""
    import re

    patterns = [(glob_to_regex(glob), names) for glob, names in cases]
    done = subprocess.run(
        ["node", "-e", _NODE_SCRIPT], input=json.dumps(patterns), capture_output=True, text=True, check=True
    )
    ecma = json.loads(done.stdout)
    python = [[2 * [re.search(p, n) is not None] for n in names] for p, names in patterns]
    assert ecma == python
