"""The baseline file: a broken one is a located exit-2 error, a written one is deterministic and
reads back as written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from envoxy.baseline import Key, parse_baseline, render_baseline
from envoxy.baseline.keys import LOCATOR, SURFACES, Surface
from tests.adopt.support import cli, datum, rules_yaml, write_json

HEAD = (
    "envoxy: the baseline file has {n} problem{s} (fix it, or delete it and run the commands again "
    "with --write-baseline):\n"
)

ENTRY = '{"rule": "missing-field", "file": "models/a.json", "table": "a", "field": "href", "count": 1}'

BROKEN: dict[str, tuple[bytes, list[str]]] = {
    "invalid-json": (
        b'{"version": 1,\n  "models": [\n    {"rule": }\n  ]\n}\n',
        ["b.json:3:14: invalid JSON: expecting value"],
    ),
    "not-an-object": (
        b"[1, 2]\n",
        ['b.json:1:1: the file holds a list, expected a JSON object with "version": 1'],
    ),
    "wrong-version": (b'{"version": 2, "models": []}', ["b.json:1:13: version is 2 (a number), expected 1"]),
    "no-version": (b'{"models": []}', ["b.json:1:1: version is missing, expected 1"]),
    "unknown-section": (
        b'{"version": 1, "model": []}',
        [
            "b.json:1:25: unknown section 'model', expected one of: version, models, migrations, "
            "head_state, db"
        ],
    ),
    "section-not-a-list": (
        b'{"version": 1, "db": {}}',
        ["b.json:1:22: section 'db' is an object, expected a list of entries"],
    ),
    "entry-problems": (
        b'{"version": 1, "models": [\n'
        b'  {"rule": "", "file": "m.json", "table": null, "field": 3, "count": 0},\n'
        b'  {"rule": "r", "file": "m.json", "table": "t", "field": "f", "count": true, "line": 4},\n'
        b'  {"rule": "r", "table": "t"},\n'
        b"  7\n"
        b"]}\n",
        [
            'b.json:2:12: rule is "", expected a non-empty string',
            "b.json:2:58: field is 3 (a number), expected a non-empty string or null",
            "b.json:2:70: count is 0 (a number), expected a whole number of 1 or more",
            "b.json:3:72: count is true (a boolean), expected a whole number of 1 or more",
            "b.json:3:86: unknown key 'line' in an entry of models, expected keys: rule, file, table, "
            "field, count",
            "b.json:4:3: an entry of models lacks 'file', 'field', 'count', expected keys: rule, file, "
            "table, field, count",
            "b.json:5:3: entry 3 of models is 7 (a number), expected an object",
        ],
    ),
    "repeated-entry": (
        ('{"version": 1, "models": [\n  ' + ENTRY + ",\n  " + ENTRY + "\n]}\n").encode(),
        [
            "b.json:3:3: this entry repeats the key of the entry at line 2, expected each rule, place, "
            "table and field once (add up the counts)"
        ],
    ),
    "repeated-key": (
        b'{"version": 1, "version": 1, "db": [{"rule": "r", "schema": null, "schema": "s", "table": null, '
        b'"field": null, "count": 1}]}',
        [
            "b.json:1:27: section 'version' appears more than once",
            "b.json:1:77: key 'schema' appears more than once in an entry of db",
        ],
    ),
    "not-utf8": (
        b'{"version": 1, "models": ["\xff"]}',
        ["b.json:1:28: is not valid UTF-8 (byte 0xff), expected UTF-8 text"],
    ),
    # Read as model files are (envoxy.validate.loader): located, and in envoxy's words, not Python's.
    "empty": (b"", ["b.json:1:1: the file is empty, expected a JSON object"]),
    "too-deep": (
        b'{"version": 1, "models": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        [
            "b.json:1:281: nesting deeper than 256 levels, expected a shallower document (see the depth "
            "limit in docs/VALIDATE.md)"
        ],
    ),
    "long-integer": (
        b'{"version": 1, "models": [], "db": ' + b"9" * 5000 + b"}",
        ["b.json:1:36: invalid JSON: an integer with more than 4300 digits, expected a shorter number"],
    ),
    "nan": (
        b'{"version": 1, "db": [{"rule": "r", "schema": null, "table": "t", "field": "f", "count": NaN}]}',
        ["b.json:1:90: invalid JSON: NaN is not a JSON value, expected a number, string or null"],
    ),
}


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVOXY_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "rules.yaml").write_text(rules_yaml(extra="baseline: b.json\n"), encoding="utf-8")
    write_json(tmp_path / "models" / "a.json", datum("a", "href"))
    return tmp_path


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_broken_baseline_is_a_located_configuration_error(project: Path, name: str) -> None:
    raw, problems = BROKEN[name]
    (project / "b.json").write_bytes(raw)
    n = len(problems)
    expected = HEAD.format(n=n, s="s" if n != 1 else "") + "".join(p + "\n" for p in problems)
    for argv in (["validate"], ["validate", "--write-baseline"]):
        result = cli(project, *argv)
        assert (result.code, result.out, result.err) == (2, "", expected)
    assert (project / "b.json").read_bytes() == raw  # never overwritten


def test_a_directory_as_baseline(project: Path) -> None:
    (project / "b.json").mkdir()
    result = cli(project, "validate")
    assert (result.code, result.err) == (
        2,
        HEAD.format(n=1, s="") + "b.json: is a directory, expected a baseline file\n",
    )


def test_an_entry_written_over_several_lines_is_located_at_its_brace(project: Path) -> None:
    (project / "b.json").write_text(
        '{\n  "version": 1,\n  "models": [\n    {\n      "rule": "wrong-type",\n'
        '      "file": "models/a.json",\n'
        '      "table": "a", "field": "id", "count": 1\n    }\n  ],\n  "db": []\n}\n'
    )
    result = cli(project, "validate", "--no-baseline")
    assert result.code == 1
    stale = cli(project, "validate")
    assert stale.out.splitlines()[0].startswith("b.json:4:5: stale-baseline baseline entry 'wrong-type'")


# -- the written form ------------------------------------------------------------------------------

names = st.text(st.characters(codec="utf-8"), min_size=1, max_size=8)
optional = st.none() | names


@st.composite
def keys(draw: st.DrawFn) -> Key:
    surface: Surface = draw(st.sampled_from(SURFACES))
    locator = LOCATOR[surface]
    where = None if locator is None else draw(optional if surface == "db" else names)
    return Key(surface, draw(names), where, draw(optional), draw(optional))


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(keys(), st.integers(min_value=1, max_value=10**6), max_size=12))
def test_written_baselines_read_back_and_are_canonical(counts: dict[Key, int]) -> None:
    text = render_baseline(counts)
    assert text.isascii() and text.endswith("}\n") and "\r" not in text
    parsed = parse_baseline(text.encode(), "b.json")
    assert {e.key: e.count for e in parsed.entries} == counts
    # one entry a line, in sorted order, whatever order the findings came in
    lines = text.splitlines()
    assert sum(1 for line in lines if line.startswith('    {"rule": ')) == len(counts)
    assert render_baseline(dict(reversed(list(counts.items())))) == text
    spots = parsed.positions(parsed.entries)
    for entry in parsed.entries:
        line, column = spots[entry.where]
        assert (lines[line - 1][column - 1 :].startswith('{"rule": '), column) == (True, 5)


def test_every_section_is_written_even_when_empty() -> None:
    assert render_baseline({}) == (
        '{\n  "version": 1,\n  "models": [],\n  "migrations": [],\n  "head_state": [],\n  "db": []\n}\n'
    )


def test_a_fifo_as_baseline_is_refused_without_blocking(project: Path) -> None:
    os.mkfifo(project / "b.json")
    for argv in (["validate"], ["validate", "--write-baseline"]):
        result = cli(project, *argv)
        assert (result.code, result.err) == (
            2,
            HEAD.format(n=1, s="") + "b.json: is not a regular file, expected a baseline file\n",
        )


@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX file locks")
def test_two_commands_writing_the_baseline_at_once_keep_both_sections(project: Path) -> None:
    """``--write-baseline`` reads the file, replaces its own section and writes it back; another
    command doing the same meanwhile (``validate`` and ``check-db`` in one script, two terminals)
    must not lose its section. Here the other writer holds the lock a writer takes, writes its
    ``db`` section, and lets go: the waiting ``validate`` then adds ``models`` to it."""
    import fcntl
    import subprocess
    import sys
    import time

    other = Key("db", "missing-field", None, "orders", "href")
    lock = os.open(project, os.O_RDONLY)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        writer = subprocess.Popen(
            [sys.executable, "-m", "envoxy", "validate", "--write-baseline"],
            cwd=project,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "ENVOXY_NO_CACHE": "1"},
        )
        time.sleep(3)
        waiting = writer.poll() is None
        (project / "b.json").write_text(render_baseline({other: 1}))
    finally:
        os.close(lock)  # lets go of the lock
    _, err = writer.communicate(timeout=60)
    assert (waiting, writer.returncode, err) == (True, 0, b"")
    written = parse_baseline((project / "b.json").read_bytes(), "b.json")
    assert {e.key: e.count for e in written.entries} == {
        other: 1,
        Key("models", "missing-field", "models/a.json", "a", "href"): 1,
    }


def test_a_dangling_link_as_baseline_is_refused_and_nothing_written_through_it(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A repository may plant ``b.json`` as a link to a file that does not exist yet, anywhere:
    reading says what it is, and ``--write-baseline`` creates nothing where it points."""
    outside = tmp_path_factory.mktemp("outside") / "planted.json"
    (project / "b.json").symlink_to(outside)
    expected = HEAD.format(n=1, s="") + "b.json: is a broken symbolic link (its target does not exist)\n"
    for argv in (["validate"], ["validate", "--write-baseline"]):
        result = cli(project, *argv)
        assert (result.code, result.out, result.err) == (2, "", expected)
    assert not outside.exists()
