"""Worker processes (``--jobs``, and the default for 400 files or more) give exactly the
one-process result; a worker that raises or dies costs time, never a finding."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from envoxy.validate.pool import MAX_TASKS, run_forked
from tests.conftest import DATA, REPO, run_cli

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="workers are forked")

CASES = DATA / "validate"
CASE_NAMES = sorted(p.name for p in CASES.iterdir() if (p / "models").is_dir())
RULES = str(REPO / "tests" / "data" / "validate" / "exemptions" / "rules.yaml")
GOOD = {
    "id": {"type": "string", "format": "uuid"},
    "created": {"type": "string", "format": "date-time"},
    "updated": {"type": "string", "format": "date-time"},
    "href": {"type": "string", "description": "The API path."},
}


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVOXY_CACHE_DIR", str(tmp_path / "cache"))


@pytest.mark.parametrize("name", CASE_NAMES)
def test_golden_cases_with_workers(name: str) -> None:
    """``--jobs`` never changes a report (these small trees are one chunk: one process)."""
    case = CASES / name
    rules = "rules.yaml" if (case / "rules.yaml").exists() else "../rules.yaml"
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    for jobs in ("2", "3"):
        result = run_cli(
            "--rules", rules, "--format", "json", "--jobs", jobs, "models", only="validate", cwd=case
        )
        assert result.err == ""
        assert json.loads(result.out) == expected
        assert result.code == (1 if expected["summary"]["errors"] else 0)


def _tree(root: Path, n: int) -> None:
    """``n`` files in 7 directories: clean ones, and every kind of finding now and then."""
    for i in range(n):
        directory = root / f"team_{i % 7}"
        directory.mkdir(parents=True, exist_ok=True)
        datums: list[object] = []
        for j in range(3):
            fields: dict[str, object] = dict(GOOD)
            if (i + j) % 17 == 0:
                del fields["href"]
            if (i + j) % 29 == 0:
                fields["id"] = {"type": "integer"}
            datums.append({"table": f"t_{i}_{j}", "fields": fields})
        if i == 11:
            datums.append({"table": "legacy_events", "fields": {**GOOD, "href": {}}})
        text = json.dumps({"datums": datums}, indent=1)
        if i % 53 == 0:
            text = text.replace('"id"', '"href": {"type": "string", "description": "twice"},\n"id"', 1)
        if i % 61 == 0:
            text = text[: len(text) // 2]
        (directory / f"model_{i:04d}.json").write_text(text, encoding="utf-8")


def _findings(root: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = run_cli("--rules", RULES, "--format", "json", *args, only="validate", cwd=root)
    assert result.err == ""
    return result.code, json.loads(result.out)


def test_many_files_same_findings_whatever_the_workers(tmp_path: Path) -> None:
    _tree(tmp_path / "models", 450)  # 400 or more: the default runs workers
    one = _findings(tmp_path, "--jobs", "1", "models")
    rules = {f["rule"] for f in one[1]["findings"]}
    assert rules == {
        "missing-field",
        "wrong-type",
        "duplicate-key",
        "parse-error",
        "unused-exemption",
        "expired-exemption",
    }
    assert one[0] == 1
    for jobs in ("0", "2", "5"):
        assert _findings(tmp_path, "--jobs", jobs, "models") == one, jobs


def test_exempted_names_seen_by_any_worker_count(tmp_path: Path) -> None:
    """The one datum named by an exemption sits in one file; whichever worker reads it, the
    exemption is used."""
    _tree(tmp_path / "models", 450)
    _, report = _findings(tmp_path, "--jobs", "3", "models")
    unused = [f["table"] for f in report["findings"] if f["rule"] == "unused-exemption"]
    assert unused == ["old_audit", "removed_table"]  # legacy_events is used, in one file


def test_results_in_task_order(tmp_path: Path) -> None:
    parent = os.getpid()
    started = tmp_path / "a worker started"

    def work(i: int) -> tuple[int, int]:
        if os.getpid() != parent:
            started.touch()
        else:  # this process works too: wait until a worker has taken a task
            for _ in range(3000):
                if started.exists():
                    break
                time.sleep(0.01)
        return i * i, os.getpid()

    results = run_forked(work, 200, 3)
    assert [square for square, _ in results] == [i * i for i in range(200)]
    workers = {pid for _, pid in results} - {parent}
    assert workers  # some tasks ran in a worker
    for pid in workers:  # and every worker was waited for
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def test_a_task_that_raises_in_a_worker_runs_again_in_the_parent() -> None:
    parent = os.getpid()

    def work(i: int) -> tuple[int, bool]:
        if i == 7 and os.getpid() != parent:
            raise RuntimeError("only in a worker")
        return i, os.getpid() == parent

    results = run_forked(work, 40, 2)
    assert [i for i, _ in results] == list(range(40))
    assert results[7] == (7, True)


def test_a_worker_killed_mid_run_costs_no_result() -> None:
    parent = os.getpid()

    def work(i: int) -> int:
        if i == 5 and os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return -i

    assert run_forked(work, 30, 2) == [-i for i in range(30)]


def test_a_task_that_raises_everywhere_raises_in_the_parent() -> None:
    def work(i: int) -> int:
        if i == 3:
            raise ValueError(f"task {i} is broken")
        return i

    with pytest.raises(ValueError, match="task 3 is broken"):
        run_forked(work, 10, 2)


@pytest.mark.parametrize("tasks", [0, MAX_TASKS + 1])
def test_task_count_is_bounded(tasks: int) -> None:
    with pytest.raises(ValueError, match="tasks must be"):
        run_forked(lambda i: i, tasks, 2)


def test_no_workers_forked_while_other_threads_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A library caller with threads: forking would copy locks they hold; one process instead."""
    import threading

    from envoxy.rules import load_rules
    from envoxy.validate import pool, validate

    _tree(tmp_path / "models", 450)
    expected = validate(load_rules(RULES), [str(tmp_path / "models")], jobs=1)

    def no_fork(*args: object) -> None:
        raise AssertionError("forked while another thread ran")

    monkeypatch.setattr(pool, "run_forked", no_fork)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        report = validate(load_rules(RULES), [str(tmp_path / "models")], jobs=2)
    finally:
        stop.set()
        other.join()
    assert report == expected
    with pytest.raises(AssertionError, match="forked while"):
        validate(load_rules(RULES), [str(tmp_path / "models")], jobs=2)
