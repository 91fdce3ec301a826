"""Benchmark of the model validator: ``python benchmarks/validate.py [--files N]``.

Generates N model files (default 10,000; 5 datums of 24 field declarations each, about 12 KB per
file, 2% of datums violating) under ``benchmarks/.work/validate`` and measures, in one run:

(a) reading and ``json.loads`` of every file, in this process: the floor;
(b) ``python -m envoxy.validate`` over the tree (wall time, interpreter start included);
(c) ``check-jsonschema`` over the same tree with the compiled model schema;

and, for the pre-commit case, ``python -m envoxy.validate one.json`` (a clean file and a
violating one) against ``python -c "import jsonschema, yaml"``; then (d) (b) again with a baseline
of one entry per violating datum in force, against (b). It checks that (b) and (c) find
the same violations, and prints each time with its ratio. Timings are the best of ``--repeat``
interleaved rounds (default 3; (c) runs once). Goals (issue 3): b/a <= 1.5, c/b >= 10, one file <= 1.3x.
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
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORK = REPO / "benchmarks" / ".work" / "validate"
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


def generate(root: Path, n_files: int, seed: int = 3) -> int:
    """Write the tree; returns how many datums violate the rules."""
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

    # interleaved rounds, best of each: a shared machine's load drifts over minutes
    parallel = [*validate, "--format", "json", str(WORK)]
    single = [*validate, "-j", "1", "--format", "json", str(WORK)]
    floors, runs_b, runs_b1 = [], [], []
    for _ in range(args.repeat):
        floors.append(floor(files))
        runs_b.append(timed(parallel, env))
        runs_b1.append(timed(single, env))
    a, a_cpu = min(floors)
    b, run_b, b_cpu = min(runs_b, key=lambda r: r[0])
    b1, run_b1, b1_cpu = min(runs_b1, key=lambda r: r[0])
    found_b = _violations_envoxy(run_b.stdout)
    assert _violations_envoxy(run_b1.stdout) == found_b
    assert len(found_b) == expected, (len(found_b), expected)
    print(f"{os.cpu_count()} CPUs; wall time (best of {args.repeat}), CPU time in brackets")
    print(f"(a) read + json.loads, in process     {a:8.2f} s  ({a_cpu:.2f} s)")
    print(
        f"(b) python -m envoxy.validate         {b:8.2f} s  ({b_cpu:.2f} s)   b/a = {b / a:.2f}"
        "  (goal <= 1.5)"
    )
    print(f"    the same with --jobs 1            {b1:8.2f} s  ({b1_cpu:.2f} s)   b/a = {b1 / a:.2f}")
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
    return 0


def baseline_case(validate: list[str], env: dict[str, str], repeat: int, expected: int) -> None:
    """(d) the tree again with a baseline of one entry per violation in force (issue 9), against
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
        label = "(d) with a baseline" if not jobs else "    the same with --jobs 1"
        print(
            f"{label:<38}{d:8.2f} s  ({d_cpu:.2f} s)   d/b = {d / b:.2f}"
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
