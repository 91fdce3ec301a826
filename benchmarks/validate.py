"""Benchmark of the model validator: ``python benchmarks/validate.py [--files N] [--big-files N]``.

Generates N model files (default 10,000; 5 datums of 24 field declarations each, about 13 KB per
file, 2% of datums violating) under ``benchmarks/.work/validate`` and measures, in one run:

(a) reading and ``json.loads`` of every file, in this process: the floor;
(b) ``python -m envoxy.validate`` over the tree (wall time, interpreter start included), with
    the default workers and with ``--jobs 1``;
(c) ``check-jsonschema`` over the same tree with the compiled model schema;

for the pre-commit case, ``python -m envoxy.validate one.json`` (a clean file and a violating
one) against ``python -c "import jsonschema, yaml"``; (f) (b) again with the checks of
``docs/CHECKS.md`` in force (``examples/checks/rules.yaml``: the shipped fields plus those
checks; issue 13), interleaved with (a) and (b); and (d) ``python -m envoxy.validate`` over
a tree of ``--big-files`` files (default 100,000, the same generator, under
``benchmarks/.work/validate-big``, kept between runs) with its peak memory: the sum of the
resident sizes of the validator and its workers, sampled from ``/proc`` every 10 ms, and the
largest single process (``ru_maxrss``). It checks that every run finds the expected violations,
and prints each time with its ratio; then (e) (b) again with a baseline of one entry per
violating datum in force (issue 9), against (b). Timings are the best of ``--repeat`` interleaved rounds
(default 3; (c) and (d) run once), with the median and worst beside them, and the ratios of each
round (a command against the floor measured in the same round). Goals (issue 11): b/a <= 1.1,
with ``--jobs 1`` <= 1.6, peak memory of (d) < 300 MB; (issue 3) c/b >= 10, one file <= 1.3x;
(issue 13) f/a <= 1.3. ``--checks-only`` measures (a), (b) and (f) alone.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORK = REPO / "benchmarks" / ".work" / "validate"
BIG = REPO / "benchmarks" / ".work" / "validate-big"
DATUMS_PER_FILE = 5
EXTRA_FIELDS = 20  # + id, created, updated, href = 24 declarations per datum
VIOLATING = 0.02
_TYPES = ("string", "integer", "number", "boolean")


def _declaration(rng: random.Random, table: str, k: int) -> dict[str, object]:
    kind = rng.choice(_TYPES)
    decl: dict[str, object] = {"type": kind, "description": f"Attribute {k} of {table}."}
    if kind == "string":
        decl["maxLength"] = rng.choice((36, 64, 255))
    return decl


def _datum(rng: random.Random, table: str, violation: str | None) -> dict[str, object]:
    fields: dict[str, object] = {
        "id": {"type": "string", "format": "uuid", "description": "Primary key."},
        "created": {"type": "string", "format": "date-time", "description": "Creation time."},
        "updated": {"type": "string", "format": "date-time", "description": "Last write."},
        "href": {"type": "string", "description": "Canonical API path."},
    }
    for k in range(EXTRA_FIELDS):
        fields[f"attribute_{k:02d}"] = _declaration(rng, table, k)
    if violation == "missing":
        del fields["href"]
    elif violation == "wrong-type":
        fields["id"] = {"type": "integer", "description": "Primary key."}
    return {"table": table, "description": f"The {table} table.", "fields": fields}


def generate(root: Path, n_files: int, seed: int = 3, *, keep: bool = False) -> int:
    """Write the tree; returns how many datums violate the rules. ``keep``: reuse a tree that an
    earlier run wrote with the same arguments (its ``.stamp`` says so)."""
    stamp = root / ".stamp"
    wanted = f"{n_files} {seed} {DATUMS_PER_FILE} {EXTRA_FIELDS} {VIOLATING}"
    if keep and stamp.is_file():
        written, _, violating_text = stamp.read_text().rpartition(" ")
        if written == wanted:
            return int(violating_text)
    rng = random.Random(seed)
    if root.exists():
        shutil.rmtree(root)
    violating = 0
    for i in range(n_files):
        directory = root / f"team_{i % 50:02d}"
        directory.mkdir(parents=True, exist_ok=True)
        datums = []
        for j in range(DATUMS_PER_FILE):
            violation = None
            if rng.random() < VIOLATING:
                violation = rng.choice(("missing", "wrong-type"))
                violating += 1
            datums.append(_datum(rng, f"table_{i:05d}_{j}", violation))
        text = json.dumps({"datums": datums}, indent=1)
        (directory / f"model_{i:05d}.json").write_text(text + "\n", encoding="utf-8")
    stamp.write_text(f"{wanted} {violating}")
    return violating


def files_under(root: Path) -> list[Path]:
    return sorted(root.rglob("*.json"))


def floor(files: list[Path]) -> tuple[float, float]:
    """Wall and CPU seconds to read and json.loads every file."""
    start, cpu = time.perf_counter(), time.process_time()
    for path in files:
        json.loads(path.read_bytes())
    return time.perf_counter() - start, time.process_time() - cpu


Run = tuple[float, "subprocess.CompletedProcess[str]", float]  # wall s, result, CPU s


def timed(argv: list[str], env: dict[str, str], cwd: Path = REPO) -> Run:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=cwd)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, done, cpu


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (from ``/proc/<pid>/task/*/children``)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except OSError:
            continue
    return out


def _resident(pids: list[int]) -> tuple[int, int]:
    """Summed RSS and PSS of ``pids``, in bytes (processes gone meanwhile count 0)."""
    rss = pss = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith(("Rss:", "Pss:")):
                        kb = int(line.split()[1]) * 1024
                        if line[0:3] == "Rss":
                            rss += kb
                        else:
                            pss += kb
        except (OSError, ValueError):
            continue
    return rss, pss


def timed_memory(argv: list[str], env: dict[str, str]) -> tuple[Run, int, int, int]:
    """:func:`timed`, plus the peak summed RSS and PSS of the process tree (sampled every 10 ms)
    and the peak RSS of its largest process (``ru_maxrss`` of this child and its descendants,
    from ``wait4``), in bytes."""
    import tempfile

    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, text=True, env=env, cwd=REPO)
        peak = [0, 0]
        done_event = threading.Event()

        def sample() -> None:
            while not done_event.is_set():
                rss, pss = _resident(_tree(proc.pid))
                peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)
                done_event.wait(0.01)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        done_event.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        done = subprocess.CompletedProcess(argv, proc.returncode, out.read(), err.read())
    cpu = usage.ru_utime + usage.ru_stime
    return (wall, done, cpu), peak[0], peak[1], usage.ru_maxrss * 1024  # KB on Linux


def best(repeat: int, argv: list[str], env: dict[str, str]) -> Run:
    runs = [timed(argv, env) for _ in range(repeat)]
    return min(runs, key=lambda r: r[0])


def _violations_envoxy(output: str) -> set[tuple[str, str]]:
    report = json.loads(output)
    return {
        (os.path.relpath(f["path"], WORK), f["pointer"].rsplit("/fields", 1)[0])
        for f in report["findings"]
        if f["rule"] in ("missing-field", "wrong-type")
    }


def _violations_check_jsonschema(output: str) -> set[tuple[str, str]]:
    report = json.loads(output)
    out = set()
    for error in report.get("errors", []):
        pointer = error["path"].lstrip("$").replace(".", "/").replace("[", "/").replace("]", "")
        datum = pointer.split("/fields")[0]
        out.add((os.path.relpath(error["filename"], WORK), datum))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-check-jsonschema", action="store_true")
    parser.add_argument("--big-files", type=int, default=100_000, help="0: skip the large tree")
    parser.add_argument("--checks-only", action="store_true", help="only (a), (b) and (f): checks in force")
    args = parser.parse_args()

    env = {**os.environ, "ENVOXY_CACHE_DIR": str(WORK.parent / "cache"), "NO_COLOR": "1"}
    env.pop("ENVOXY_NO_CACHE", None)
    print(f"generating {args.files} files ...", flush=True)
    expected = generate(WORK, args.files)
    files = files_under(WORK)
    size = sum(p.stat().st_size for p in files) / len(files)
    print(
        f"{len(files)} files, {size / 1024:.1f} KB each on average, {expected} violating datums "
        f"of {len(files) * DATUMS_PER_FILE}"
    )
    from envoxy.rules import load_rules

    schema = WORK.parent / "model.schema.json"  # compiled from the same rules.yaml, just now
    schema.write_text(load_rules(REPO / "rules.yaml").model_schema_json, encoding="utf-8")
    rules = ["--rules", str(REPO / "rules.yaml")]
    validate = [sys.executable, "-m", "envoxy.validate", *rules]

    # warm the page cache and the compiled-rules cache
    floor(files)
    timed([*validate, str(files[0])], env)
    if args.checks_only:
        checks_case(files, validate, env, args.repeat, expected)
        return 0

    # Interleaved rounds, best of each: a shared machine's load drifts over minutes. The order
    # turns each round, so that no command always runs first (or right after another).
    parallel = [*validate, "--format", "json", str(WORK)]
    single = [*validate, "-j", "1", "--format", "json", str(WORK)]
    floors: list[tuple[float, float]] = []
    runs_b: list[Run] = []
    runs_b1: list[Run] = []
    steps = [
        lambda: floors.append(floor(files)),
        lambda: runs_b.append(timed(parallel, env)),
        lambda: runs_b1.append(timed(single, env)),
    ]
    load_before = os.getloadavg()[0]
    for round_ in range(args.repeat):
        for i in range(len(steps)):
            steps[(round_ + i) % len(steps)]()
    load_after = os.getloadavg()[0]
    a, a_cpu = min(floors)
    b, run_b, b_cpu = min(runs_b, key=lambda r: r[0])
    b1, _, b1_cpu = min(runs_b1, key=lambda r: r[0])
    found_b = _violations_envoxy(run_b.stdout)
    assert all(_violations_envoxy(r[1].stdout) == found_b for r in runs_b + runs_b1)
    assert len(found_b) == expected, (len(found_b), expected)
    print(
        f"{os.cpu_count()} CPUs, load average {load_before:.1f} before, {load_after:.1f} after; wall "
        f"time best of {args.repeat} [median, worst], CPU time of the best in brackets"
    )
    print(
        f"(a) read + json.loads, in process     {a:8.2f} s {_spread([f[0] for f in floors])} ({a_cpu:.2f} s)"
    )
    print(
        f"(b) python -m envoxy.validate         {b:8.2f} s {_spread([r[0] for r in runs_b])} ({b_cpu:.2f} s)"
        f"   b/a = {b / a:.2f}  (goal <= 1.1)"
    )
    print(
        f"    the same with --jobs 1            {b1:8.2f} s {_spread([r[0] for r in runs_b1])} "
        f"({b1_cpu:.2f} s)   b/a = {b1 / a:.2f}  (goal <= 1.6)"
    )
    print(
        "    per round, b/a: "
        + _ratios([r[0] for r in runs_b], [f[0] for f in floors])
        + "; with --jobs 1: "
        + _ratios([r[0] for r in runs_b1], [f[0] for f in floors])
    )
    if not args.skip_check_jsonschema:
        c, run_c, _ = timed(
            ["check-jsonschema", "--schemafile", str(schema), "-o", "JSON", *map(str, files)], env
        )
        found_c = _violations_check_jsonschema(run_c.stdout)
        assert found_c == found_b, (len(found_c), len(found_b))
        print(f"(c) check-jsonschema                  {c:8.2f} s   c/b = {c / b:.1f}  (goal >= 10)")
    print(f"    same {len(found_b)} violating datums found by each")

    one_clean = files[0]
    one_bad = next(p for p in files if _violations_envoxy_file(p, found_b))
    base, _, _ = best(args.repeat * 3, [sys.executable, "-c", "import jsonschema, yaml"], env)
    clean, _, _ = best(args.repeat * 3, [*validate, str(one_clean)], env)
    bad, run_bad, _ = best(args.repeat * 3, [*validate, str(one_bad)], env)
    assert run_bad.returncode == 1
    print(f"one file: import jsonschema, yaml    {base * 1000:8.0f} ms")
    print(
        f"one file: clean                      {clean * 1000:8.0f} ms   ratio {clean / base:.2f}"
        "  (goal <= 1.3)"
    )
    print(f"one file: violating                  {bad * 1000:8.0f} ms   ratio {bad / base:.2f}")
    baseline_case(validate, env, args.repeat, expected)
    checks_case(files, validate, env, args.repeat, expected)
    if args.big_files:
        big_tree(args.big_files, validate, env)
    return 0


def big_tree(n_files: int, validate: list[str], env: dict[str, str]) -> None:
    """(d): time and peak memory over a large tree."""
    print(f"large tree: {n_files} files ...", flush=True)
    expected = generate(BIG, n_files, keep=True)
    files = files_under(BIG)
    for path in files:  # the page cache, as for the small tree
        path.read_bytes()
    a, _ = floor(files)
    (d, run_d, d_cpu), rss, pss, largest = timed_memory([*validate, "--format", "json", str(BIG)], env)
    assert run_d.returncode == 1, run_d.stderr[-2000:]
    found = {
        (f["path"], f["pointer"].rsplit("/fields", 1)[0])
        for f in json.loads(run_d.stdout)["findings"]
        if f["rule"] in ("missing-field", "wrong-type")
    }
    assert len(found) == expected, (len(found), expected)
    mb = 1024 * 1024
    print(f"(a) read + json.loads, in process     {a:8.2f} s")
    print(f"(d) python -m envoxy.validate         {d:8.2f} s  ({d_cpu:.2f} s)   d/a = {d / a:.2f}")
    print(
        f"    peak memory: {rss / mb:.0f} MB summed RSS of the validator and its workers "
        f"({pss / mb:.0f} MB PSS); largest process {largest / mb:.0f} MB  (goal < 300 MB)"
    )
    print(f"    {len(found)} violating datums found")


CHECK_RULES = REPO / "examples" / "checks" / "rules.yaml"


def checks_case(
    files: list[Path], validate: list[str], env: dict[str, str], repeat: int, expected: int
) -> None:
    """(f): the tree with the checks of docs/CHECKS.md in force, against the floor and (b),
    interleaved, with the default workers and with ``--jobs 1``. The generated names are
    snake_case and short, so the checks add no finding: the same violations are expected."""
    with_checks = [sys.executable, "-m", "envoxy.validate", "--rules", str(CHECK_RULES)]
    timed([*with_checks, str(files[0])], env)  # compile and cache these rules
    for jobs in ([], ["-j", "1"]):
        floors, plain, checked = _interleaved(
            files,
            [*validate, *jobs, "--format", "json", str(WORK)],
            [*with_checks, *jobs, "--format", "json", str(WORK)],
            env,
            repeat,
        )
        a, _ = min(floors)
        b, _, b_cpu = min(plain, key=lambda r: r[0])
        f, run_f, f_cpu = min(checked, key=lambda r: r[0])
        report = json.loads(run_f.stdout)
        assert {x["rule"] for x in report["findings"]} <= {"missing-field", "wrong-type"}, report["summary"]
        assert len(_violations_envoxy(run_f.stdout)) == expected
        label = "(f) with the checks of CHECKS.md" if not jobs else "    the same with --jobs 1"
        print(
            f"{label:<38}{f:8.2f} s {_spread([r[0] for r in checked])} ({f_cpu:.2f} s)   f/a = {f / a:.2f}"
            f"  (goal <= 1.3)   f/b = {f / b:.2f}  (without: {b:.2f} s, {b_cpu:.2f} s CPU; floor {a:.2f} s)"
        )
        print("    per round, f/a: " + _ratios([r[0] for r in checked], [x[0] for x in floors]))


def _interleaved(
    files: list[Path], plain_argv: list[str], checked_argv: list[str], env: dict[str, str], repeat: int
) -> tuple[list[tuple[float, float]], list[Run], list[Run]]:
    """The floor and two commands, ``repeat`` rounds taking turns, the order turning each round."""
    floors: list[tuple[float, float]] = []
    plain: list[Run] = []
    checked: list[Run] = []
    steps = [
        lambda: floors.append(floor(files)),
        lambda: plain.append(timed(plain_argv, env)),
        lambda: checked.append(timed(checked_argv, env)),
    ]
    for round_ in range(repeat):
        for i in range(len(steps)):
            steps[(round_ + i) % len(steps)]()
    return floors, plain, checked


def _spread(times: list[float]) -> str:
    ordered = sorted(times)
    return f"[{ordered[len(ordered) // 2]:.2f}, {ordered[-1]:.2f}]"


def _ratios(times: list[float], floors: list[float]) -> str:
    ratios = sorted(t / f for t, f in zip(times, floors, strict=True))
    return f"best {ratios[0]:.2f}, median {ratios[len(ratios) // 2]:.2f}"


def baseline_case(validate: list[str], env: dict[str, str], repeat: int, expected: int) -> None:
    """(e) the tree again with a baseline of one entry per violation in force (issue 9), against
    (b) without one, interleaved, with the default workers and with ``--jobs 1``; then the baseline
    stage alone (read the file, key and judge the findings), in process."""
    baseline = WORK.parent / "baseline.json"
    baseline.unlink(missing_ok=True)
    written = timed([*validate, "--baseline", str(baseline), "--write-baseline", str(WORK)], env)[1]
    assert written.returncode == 0, written.stderr
    entries = baseline.read_text(encoding="utf-8").count('"rule"')
    for jobs in ([], ["-j", "1"]):
        with_baseline = [*validate, *jobs, "--baseline", str(baseline), "--format", "json", str(WORK)]
        without = [*validate, *jobs, "--format", "json", str(WORK)]
        plain_runs, baselined_runs = [], []
        for _ in range(repeat):
            plain_runs.append(timed(without, env))
            baselined_runs.append(timed(with_baseline, env))
        b, _, b_cpu = min(plain_runs, key=lambda r: r[0])
        d, run_d, d_cpu = min(baselined_runs, key=lambda r: r[0])
        report = json.loads(run_d.stdout)
        assert run_d.returncode == 0 and report["summary"]["baselined"] == expected, report["summary"]
        label = "(e) with a baseline" if not jobs else "    the same with --jobs 1"
        print(
            f"{label:<38}{d:8.2f} s  ({d_cpu:.2f} s)   e/b = {d / b:.2f}"
            f"  (without: {b:.2f} s, {b_cpu:.2f} s CPU)"
        )
    print(f"    {entries} entries, {report['summary']['baselined']} findings baselined")
    print(f"    the baseline stage alone, in process: {_baseline_stage(baseline, report) * 1000:.1f} ms")


def _baseline_stage(baseline: Path, report: dict[str, object]) -> float:
    """Seconds to read the baseline and judge the run's findings against it (best of 5)."""
    from envoxy.baseline import Coverage, judge, read_baseline
    from envoxy.baseline.keys import model_keyer
    from envoxy.findings import Finding
    from envoxy.rules import load_rules

    rules = load_rules(REPO / "rules.yaml")
    fields = ("rule", "severity", "message", "path", "line", "column", "pointer", "table", "field")
    found = [Finding(**{k: f[k] for k in fields}) for f in report["findings"]]  # type: ignore[attr-defined]
    best_time = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        judged = judge(
            found,
            model_keyer(str(REPO), str(REPO)),
            surface="models",
            baseline=read_baseline(baseline, "baseline.json"),
            coverage=Coverage.everything(),
            rules=rules,
            command="validate",
        )
        best_time = min(best_time, time.perf_counter() - start)
    assert len(judged.baselined) == len(found) and not judged.findings
    return best_time


def _violations_envoxy_file(path: Path, found: set[tuple[str, str]]) -> bool:
    rel = os.path.relpath(path, WORK)
    return any(p == rel for p, _ in found)


if __name__ == "__main__":
    sys.exit(main())
