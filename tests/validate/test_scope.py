"""The validator's scope test equals the compiled schema's: a datum name is out of scope when the
``exclude`` globs' pattern matches it or the ``include`` globs' pattern does not, each pattern
matched as jsonschema matches ``pattern`` (``re.search``). Plain globs take string tests, the
rest and names with a line break the regex: both sides are compared here on arbitrary globs
and names."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from envoxy.rules.model import glob_to_regex
from envoxy.validate.judge import scope_function

globs = st.lists(st.text(alphabet="ab_*?[]!\n", max_size=5), max_size=3).map(tuple)
names = st.text(alphabet="ab_*?[]!\n", max_size=6)


def schema_in_scope(include: tuple[str, ...], exclude: tuple[str, ...], name: str) -> bool:
    """As envoxy.rules.schema writes it: ``if`` out of scope (exclude matches, or include does
    not), nothing is required."""
    excluded = bool(exclude) and re.search("|".join(glob_to_regex(p) for p in exclude), name) is not None
    included = re.search("|".join(glob_to_regex(p) for p in include) or "(?!)", name) is not None
    return included and not excluded


@settings(max_examples=400, deadline=None)
@given(include=globs, exclude=globs, tested=st.lists(names, max_size=6))
def test_scope_matches_the_schema(
    include: tuple[str, ...], exclude: tuple[str, ...], tested: list[str]
) -> None:
    in_scope = scope_function(include, exclude)
    for name in [*tested, *include, *exclude, "a", "a\n", "\n", ""]:
        assert in_scope(name) == schema_in_scope(include, exclude, name), (include, exclude, name)


def test_the_default_scope() -> None:
    in_scope = scope_function(("*",), ("alembic_version*",))
    # `*` matches any character, a line break too, as the shell's does
    names = ("users", "alembic_version", "alembic_version_2", "", "a\nb", "x\n", "alembic_version\n")
    assert [in_scope(n) for n in names] == [True, False, False, True, True, True, False]
