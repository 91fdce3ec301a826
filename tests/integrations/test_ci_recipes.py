"""The CI recipes of docs/CI.md, run: examples/ci/*.yml are parsed and their commands run in a
sample service repository (tests/integrations/sample.py), clean and broken, against a real
PostgreSQL standing in for the service container. GitHub and GitLab themselves are not involved:
what is checked is that each command exits as the recipe expects, that every report a recipe
uploads is written, valid (SARIF 2.1.0; GitLab's code quality shape) and holds the expected
findings, and that the recipe's own wiring (conditions, categories, database URL, artifacts)
is consistent.

The install step is the one command not run: it installs a release from GitHub, and the test
runs this checkout's envoxy (the virtualenv running pytest comes first on PATH) instead.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator, Draft202012Validator
from sqlalchemy.engine import make_url

from tests.conftest import DATA, REPO
from tests.integrations.ci_sample import BAD_MODEL, DROP_REVISION, sample_project

EXAMPLES = REPO / "examples" / "ci"
BIN = Path(sys.executable).parent
INSTALL = re.compile(
    r'python -m pip install "envoxy(\[postgres\])? @ git\+https://github\.com/envoxy/envoxy@v[0-9.]+"'
)

# The category of each command's analysis: its SARIF's automationDetails.id.
CATEGORIES = {
    "envoxy validate": "envoxy/validate/",
    "envoxy check-migrations --head-state": "envoxy/check-migrations/head-state/",
    "envoxy check-db": "envoxy/check-db/",
}
CLEAN = {"compile": 0, "validate": 0, "migrations": 0, "upgrade": 0, "database": 0}
BROKEN = {"compile": 1, "validate": 1, "migrations": 1, "upgrade": 0, "database": 1}
# What each check finds in the broken project: (rule, file, table.field); check-db's finding
# has no file of its own.
BROKEN_FINDINGS: dict[str, list[tuple[str, str | None, str]]] = {
    "envoxy validate": [("missing-field", BAD_MODEL, "refunds.href")],
    "envoxy check-migrations --head-state": [("missing-field", DROP_REVISION, "products.href")],
    "envoxy check-db": [("missing-field", None, "products.href")],
}


@cache
def sarif_validator() -> Draft7Validator:
    return Draft7Validator(json.loads((DATA / "sarif-schema-2.1.0.json").read_text("utf-8")))


@cache
def gitlab_validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads((DATA / "gitlab-codequality.schema.json").read_text("utf-8")))


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / name).read_text("utf-8"))
    return data


def shell(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``script`` as both runners run it: bash, stopping at the first failing command."""
    assert "${{" not in script, "an expression in a script is expanded before the shell sees it"
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def environment(declared: dict[str, Any], database_url: str | None, cache_dir: Path) -> dict[str, str]:
    env = {**os.environ, **{k: str(v) for k, v in declared.items()}}
    env.pop("ENVOXY_RULES", None)
    env.update(PATH=f"{BIN}{os.pathsep}{env['PATH']}", ENVOXY_CACHE_DIR=str(cache_dir), NO_COLOR="1")
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    return env


def command(script: str) -> tuple[str, str | None]:
    """The command of a one-line check (``envoxy check-db`` for ``envoxy check-db "$URL" …``),
    and its ``--output`` file if it has one."""
    words = shlex.split(script)
    end = words.index("--format") if "--format" in words else len(words)
    name = " ".join(w for w in words[:end] if not w.startswith("$"))
    output = words[words.index("--output") + 1] if "--output" in words else None
    return name, output


# -- GitHub Actions --------------------------------------------------------------------------------

_OUTCOME = re.compile(r"\$\{\{ !cancelled\(\) && steps\.([\w-]+)\.outcome == 'success' \}\}")
_FILE = re.compile(r"\$\{\{ !cancelled\(\) && hashFiles\('([^']+)'\) != '' \}\}")


@dataclass
class Run:
    """What running a workflow's job did."""

    status: dict[str, int] = field(default_factory=dict)
    stdout: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)  # --output file -> the command
    uploads: list[dict[str, Any]] = field(default_factory=list)  # upload-sarif steps that ran


def condition(step: dict[str, Any], run: Run, project: Path) -> bool:
    """A step's ``if:``, for the two forms the recipes use; no ``if:`` is GitHub's ``success()``."""
    text = step.get("if")
    if text is None:
        return all(code == 0 for code in run.status.values())
    if m := _OUTCOME.fullmatch(text):
        return run.status[m[1]] == 0
    if m := _FILE.fullmatch(text):
        return (project / m[1]).is_file()
    pytest.fail(f"a condition the test cannot read: {text!r}")


def run_workflow(name: str, project: Path, database_url: str | None, cache_dir: Path) -> Run:
    workflow = load(name)
    (job,) = workflow["jobs"].values()
    env = environment(job.get("env", {}), database_url, cache_dir)
    run = Run()
    for step in job["steps"]:
        uses = step.get("uses", "")
        if uses.startswith(("actions/checkout@", "actions/setup-python@")):
            continue
        if uses.startswith("github/codeql-action/upload-sarif@"):
            if condition(step, run, project):
                run.uploads.append(step["with"])
            continue
        assert not uses, f"a step the test does not know: {uses}"
        if step["id"] == "install":
            assert INSTALL.fullmatch(step["run"]), step["run"]
            run.status["install"] = 0
            continue
        assert condition(step, run, project), step["id"]  # in these projects every check runs
        done = shell(step["run"], project, env)
        assert "Traceback" not in done.stderr, done.stderr
        run.status[step["id"]] = done.returncode
        run.stdout[step["id"]] = done.stdout
        name_, output = command(step["run"])
        if output is not None:
            run.outputs[output] = name_
    del run.status["install"]
    return run


def sarif_findings(sarif: dict[str, Any], project: Path) -> list[tuple[str, str, str]]:
    """(rule, file, logical location) of each result. Every result has a file, a relative URI of
    the project, which code scanning maps to the repository."""
    found = []
    for result in sarif["runs"][0]["results"]:
        (location,) = result["locations"]
        uri = location["physicalLocation"]["artifactLocation"]["uri"]
        assert not uri.startswith(("/", "file:", "./")) and (project / uri).is_file(), uri
        (logical,) = location["logicalLocations"]
        found.append((result["ruleId"], uri, logical["name"]))
    return found


@pytest.mark.slow
@pytest.mark.parametrize("broken", [False, True], ids=["clean", "broken"])
def test_github_code_scanning_workflow(tmp_path: Path, pg_database: str, broken: bool) -> None:
    project = sample_project(tmp_path, broken=broken)
    run = run_workflow("github-code-scanning.yml", project, pg_database, tmp_path / "cache")
    assert run.status == (BROKEN if broken else CLEAN), run.stdout

    # Every SARIF written is uploaded, once, under its command's category.
    uploaded = {u["sarif_file"]: u["category"] for u in run.uploads}
    assert len(uploaded) == len(run.uploads) == 3
    assert {run.outputs[f]: c for f, c in uploaded.items()} == CATEGORIES
    assert len(set(uploaded.values())) == 3
    for sarif_file, category in uploaded.items():
        sarif = json.loads((project / sarif_file).read_text("utf-8"))
        assert sorted(sarif_validator().iter_errors(sarif), key=str) == []
        (sarif_run,) = sarif["runs"]
        # upload-sarif takes the category only when the SARIF names none: they must agree.
        assert sarif_run["automationDetails"] == {"id": category}
        # A finding without a file of its own is placed at the rules file, as code scanning needs.
        expected = [
            (r, path or "rules.yaml", where) for r, path, where in BROKEN_FINDINGS[run.outputs[sarif_file]]
        ]
        assert sarif_findings(sarif, project) == (expected if broken else [])


def test_github_code_scanning_workflow_wiring() -> None:
    (job,) = load("github-code-scanning.yml")["jobs"].values()
    assert job["permissions"] == {"contents": "read", "security-events": "write"}
    (service,) = job["services"].values()
    url = make_url(job["env"]["DATABASE_URL"])
    assert (url.drivername, url.host, url.port) == ("postgresql+psycopg", "localhost", 5432)
    assert f"{url.port}:5432" in service["ports"] and service["image"].startswith("postgres:")
    assert (url.username, url.password, url.database) == (
        "postgres",
        service["env"]["POSTGRES_PASSWORD"],
        service["env"]["POSTGRES_DB"],
    )
    (install,) = [s for s in job["steps"] if s.get("id") == "install"]
    assert "envoxy[postgres]" in install["run"]  # psycopg, for the postgresql+psycopg URL


@pytest.mark.slow
@pytest.mark.parametrize("broken", [False, True], ids=["clean", "broken"])
def test_github_annotations_workflow(tmp_path: Path, broken: bool) -> None:
    project = sample_project(tmp_path, broken=broken)
    run = run_workflow("github-annotations.yml", project, None, tmp_path / "cache")
    expected = {
        k: v for k, v in (BROKEN if broken else CLEAN).items() if k in ("compile", "validate", "migrations")
    }
    assert run.status == expected
    assert run.stdout["validate"] == (
        "::error file=models/refunds.json,line=3,col=13,title=missing-field::"
        "datum 'refunds' lacks required field 'href'\n"
        if broken
        else ""
    )
    assert run.stdout["migrations"] == (
        "::error file=alembic/versions/0002_drop_products_href.py,line=11,title=missing-field::"
        "table 'products' lacks required column 'href' (TEXT NOT NULL)\n"
        if broken
        else ""
    )


# -- GitLab CI -------------------------------------------------------------------------------------

_GLOBAL_KEYWORDS = {"default", "include", "stages", "variables", "workflow", "image", "services", "cache"}


def _merged(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """GitLab's ``extends``: mappings merge key by key, anything else is replaced."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merged(out[key], value)
        else:
            out[key] = value
    return out


def gitlab_jobs(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    def resolved(job: dict[str, Any]) -> dict[str, Any]:
        parent = job.get("extends")
        if parent is None:
            return job
        assert isinstance(parent, str), "one template each"
        return _merged(resolved(config[parent]), {k: v for k, v in job.items() if k != "extends"})

    return {
        name: resolved(job)
        for name, job in config.items()
        if not name.startswith(".") and name not in _GLOBAL_KEYWORDS
    }


JOB_FINDINGS = {
    "envoxy-validate": "envoxy validate",
    "envoxy-migrations": "envoxy check-migrations --head-state",
    "envoxy-database": "envoxy check-db",
}


@pytest.mark.slow
@pytest.mark.parametrize("broken", [False, True], ids=["clean", "broken"])
def test_gitlab_jobs(tmp_path: Path, pg_database: str, broken: bool) -> None:
    config = load("gitlab-ci.yml")
    jobs = gitlab_jobs(config)
    assert list(jobs) == ["envoxy-compile", "envoxy-validate", "envoxy-migrations", "envoxy-database"]
    project = sample_project(tmp_path, broken=broken)
    status = {}
    for name, job in jobs.items():
        (install,) = job["before_script"]
        assert INSTALL.fullmatch(install), install
        variables = {**config.get("variables", {}), **job.get("variables", {})}
        # Each job starts from the checkout, with a fresh service database.
        uses_db = "services" in job
        env = environment(variables, pg_database if uses_db else None, tmp_path / "cache")
        done = shell("\n".join(job["script"]), project, env)
        assert "Traceback" not in done.stderr, done.stderr
        status[name] = done.returncode
        report = job.get("artifacts", {}).get("reports", {}).get("codequality")
        if report is None:
            continue
        assert job["artifacts"]["when"] == "always", "the report matters most when the job fails"
        issues = json.loads((project / report).read_text("utf-8"))
        assert sorted(gitlab_validator().iter_errors(issues), key=str) == []
        assert len({i["fingerprint"] for i in issues}) == len(issues)
        found = [(i["check_name"], i["location"]["path"]) for i in issues]
        # A finding without a file of its own (a table's) is shown at the rules file.
        expected = [(rule, path or "rules.yaml") for rule, path, _ in BROKEN_FINDINGS[JOB_FINDINGS[name]]]
        assert found == (expected if broken else [])
    assert status == dict.fromkeys(jobs, 1 if broken else 0)


def test_gitlab_database_job_wiring() -> None:
    job = gitlab_jobs(load("gitlab-ci.yml"))["envoxy-database"]
    (service,) = job["services"]
    url = make_url(job["variables"]["DATABASE_URL"])
    assert service["name"].startswith("postgres:") and service["alias"] == url.host
    assert (url.drivername, url.port, url.username) == ("postgresql+psycopg", 5432, "postgres")
    assert (url.password, url.database) == (
        job["variables"]["POSTGRES_PASSWORD"],
        job["variables"]["POSTGRES_DB"],
    )
    assert "envoxy[postgres]" in job["before_script"][0]
