"""The one-call judge of a whole file (``DatumJudge.file_passes``) against the detailed check:
a file passes exactly when the detailed check finds no issue, and both see the same datum
names. Generated files as in test_fast_path.py (which compares the detailed check, and
``Checker.check`` as a whole, with jsonschema)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from envoxy.validate.checker import Checker
from tests.validate.test_fast_path import RULE_FILES, checker, documents, parsed


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=documents)
def test_file_passes_exactly_when_the_detailed_check_finds_nothing(document: object) -> None:
    result = parsed(document)
    for name in sorted(RULE_FILES):
        check: Checker = checker(name)
        detailed = check._check(result)
        if type(result.root) is not dict:
            assert detailed.issues  # file_passes is only asked about objects
            continue
        names: set[str] = set()
        assert check.judge.file_passes(result.root, names.add) == (not detailed.issues)
        if not detailed.issues:
            assert names == detailed.names


def test_many_files_take_the_one_call_judge() -> None:
    """After the first few files a checker judges clean files in one call (and gives the same
    result): the detailed way alone would pass this test too, so look at the judge's use."""
    check = Checker(checker("shipped").rules)
    clean = parsed({"table": "t", "fields": {"id": {}, "created": {}, "updated": {}, "href": {}}})
    results = [check.check(clean) for _ in range(40)]
    assert all(r.issues == [] and r.names == {"t"} for r in results)
    assert "file_passes" in vars(check.judge)  # compiled on first use, after the first files
