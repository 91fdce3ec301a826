"""The models place: ``python -m envoxy.validate`` judges ``checks:`` on every datum, located at
the field declaration (column checks) or the datum's ``fields`` object (table checks); across
files in the parallel pool; with the baseline; and ``--fix`` leaves them alone."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from envoxy.rules import load_rules
from envoxy.validate.checks import declared_logical_type
from envoxy.validate.runner import validate
from tests.conftest import REPO, run_cli

EXAMPLE_RULES = REPO / "examples" / "checks" / "rules.yaml"
REQUIRED = '"id": {}, "created": {}, "updated": {}, "href": {}'


def project(tmp_path: Path, files: dict[str, str], rules: str | None = None) -> Path:
    if rules is None:
        shutil.copy(EXAMPLE_RULES, tmp_path / "rules.yaml")
    else:
        (tmp_path / "rules.yaml").write_text(rules, encoding="utf-8")
    for name, text in files.items():
        path = tmp_path / "models" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


SHOP = (
    "{\n"
    '  "datums": [\n'
    '    {"table": "Orders",\n'
    f'     "fields": {{{REQUIRED},\n'
    '       "totalCents": {"type": "integer"},\n'
    '       "unit_price": {"type": "number"},\n'
    '       "deleted_at": {"type": "string", "format": "date-time"}}},\n'
    '    {"table": "orders", "fields": {' + REQUIRED + "}}\n"
    "  ]\n"
    "}\n"
)


def findings(result_out: str) -> list[dict[str, Any]]:
    return json.loads(result_out)["findings"]  # type: ignore[no-any-return]


def test_findings_are_located_where_they_are_fixed(tmp_path: Path) -> None:
    root = project(tmp_path, {"shop.json": SHOP, "more/accounts.json": '{"table": "ORDERS", "fields": {}}\n'})
    result = run_cli("validate", "models", "--format", "json", cwd=root)
    assert result.code == 1
    rows = [
        (f["rule"], f["path"], f["line"], f["column"], f["pointer"], f["table"], f["field"], f["message"])
        for f in findings(result.out)
        if f["rule"] not in ("missing-field",)
    ]
    assert rows == [
        (
            "snake-case-tables",
            "models/more/accounts.json",
            1,
            31,
            "/fields",
            "ORDERS",
            None,
            "table ORDERS is not snake_case",
        ),
        (
            "table-names-casefold",
            "models/more/accounts.json",
            1,
            31,
            "/fields",
            "ORDERS",
            None,
            "table ORDERS differs from Orders, orders only in case",
        ),
        (
            "snake-case-tables",
            "models/shop.json",
            4,
            16,
            "/datums/0/fields",
            "Orders",
            None,
            "table Orders is not snake_case",
        ),
        (
            "table-names-casefold",
            "models/shop.json",
            4,
            16,
            "/datums/0/fields",
            "Orders",
            None,
            "table Orders differs from ORDERS, orders only in case",
        ),
        (
            "snake-case-columns",
            "models/shop.json",
            5,
            22,
            "/datums/0/fields/totalCents",
            "Orders",
            "totalCents",
            "column totalCents of Orders is not snake_case",
        ),
        (
            "table-names-casefold",
            "models/shop.json",
            8,
            35,
            "/datums/1/fields",
            "orders",
            None,
            "table orders differs from ORDERS, Orders only in case",
        ),
    ]
    # money-not-float, soft-delete-nullable, primary-key-present need facts a model file does not state
    text = run_cli("validate", "models", cwd=root)
    assert (
        "models/shop.json:5:22: snake-case-columns column totalCents of Orders is not snake_case" in text.out
    )
    assert text.out.endswith(
        "Run 'envoxy explain missing-field' (or table-names-casefold, snake-case-tables, "
        "snake-case-columns) for why and how to fix.\n"
    )


def test_exempt_out_of_scope_and_off(tmp_path: Path) -> None:
    rules = EXAMPLE_RULES.read_text(encoding="utf-8") + (
        "exemptions:\n  Orders: {checks: [snake-case-tables, table-names-casefold], reason: legacy}\n"
        "scope: {exclude: [ORDERS]}\n"
        "severity: {snake-case-columns: warning}\n"
    )
    root = project(
        tmp_path, {"shop.json": SHOP, "b.json": '{"table": "ORDERS", "fields": {"Bad": {}}}'}, rules
    )
    result = run_cli("validate", "models", "--format", "json", cwd=root)
    # an exempt or out-of-scope table is left out of the comparison of names too
    assert [(f["rule"], f["severity"], f["table"], f["field"]) for f in findings(result.out)] == [
        ("snake-case-columns", "warning", "Orders", "totalCents"),
    ]


def test_parallel_pool_gives_the_same_findings(tmp_path: Path) -> None:
    files = {
        f"team_{i % 5}/m{i:03d}.json": json.dumps(
            {
                "datums": [
                    {"table": f"t{i}" if i % 37 else f"T{i - 1}", "fields": {"id": {}, f"Col{i % 3}": {}}}
                ]
            }
        )
        for i in range(120)
    }
    root = project(tmp_path, files)
    rules = load_rules(root / "rules.yaml")
    os.chdir(root)
    try:
        one = validate(rules, ["models"], jobs=1)
        two = validate(rules, ["models"], jobs=2)
    finally:
        os.chdir(REPO)
    assert one.findings == two.findings
    by_rule: dict[str, int] = {}
    for f in one.findings:
        by_rule[f.rule] = by_rule.get(f.rule, 0) + 1
    # T36 collides with t36 (and T73 with t73, T110 with t110): both sides of each pair, in
    # files that different processes judged; T-1 (i = 0) collides with nothing
    assert by_rule["table-names-casefold"] == 6
    assert by_rule["snake-case-tables"] == 4
    assert by_rule["snake-case-columns"] == 120


def test_baseline_accepts_check_findings(tmp_path: Path) -> None:
    root = project(tmp_path, {"shop.json": SHOP})
    assert run_cli("validate", "models", "--write-baseline", cwd=root).code == 0
    entries = json.loads((root / "envoxy-baseline.json").read_text(encoding="utf-8"))
    assert "snake-case-columns" in json.dumps(entries)
    again = run_cli("validate", "models", "--baseline", "envoxy-baseline.json", "--format", "json", cwd=root)
    assert again.code == 0
    report = json.loads(again.out)
    assert report["summary"]["baselined"] == len(report["findings"]) > 0
    # a new violation is not in the baseline
    (root / "models" / "new.json").write_text(
        '{"table": "fresh", "fields": {' + REQUIRED + ', "NewCol": {}}}'
    )
    third = run_cli("validate", "models", "--baseline", "envoxy-baseline.json", "--format", "json", cwd=root)
    assert third.code == 1
    assert [(f["rule"], f["field"]) for f in findings(third.out) if not f.get("baselined")] == [
        ("snake-case-columns", "NewCol")
    ]


def test_fix_leaves_checks_alone(tmp_path: Path) -> None:
    text = '{"table": "orders", "fields": {"id": {}, "created": {}, "updated": {}, "BadName": {}}}\n'
    root = project(tmp_path, {"a.json": text})
    result = run_cli("validate", "models", "--fix", "--format", "json", cwd=root)
    fixed = (root / "models" / "a.json").read_text(encoding="utf-8")
    assert '"BadName": {}' in fixed and '"href"' in fixed
    assert [(f["rule"], f["field"]) for f in findings(result.out)] == [("snake-case-columns", "BadName")]


def test_validate_with_checks_stays_light(tmp_path: Path) -> None:
    root = project(tmp_path, {"a.json": SHOP})
    env = {**os.environ, "ENVOXY_CACHE_DIR": str(tmp_path / "cache")}
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "envoxy.validate", "models"],
            cwd=root,
            capture_output=True,
            text=True,
            env=env,
        )
        assert done.returncode == 1
        modules = {
            line.rsplit("|", 1)[1].strip().split(".")[0]
            for line in done.stderr.splitlines()
            if line.startswith("import time:") and "|" in line
        }
        assert not modules & {"sqlalchemy", "alembic"}
    # the second run is served by the cache: no YAML, and no jsonschema for these checks
    assert not modules & {"yaml", "jsonschema"}


names = st.text(alphabet="abAB_1-", min_size=1, max_size=5)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    verdict=st.booleans(),
    scope=st.sampled_from(["table", "column"]),
    datums=st.lists(st.tuples(names, st.lists(names, max_size=4, unique=True)), min_size=1, max_size=4),
)
def test_require_true_finds_nothing_false_one_per_node(
    tmp_path_factory: Any, verdict: bool, scope: str, datums: list[tuple[str, list[str]]]
) -> None:
    root = tmp_path_factory.mktemp("p")
    rules = (
        "version: 1\nscope: {exclude: []}\nseverity: {missing-field: 'off'}\n"
        f"checks:\n  c:\n    scope: {scope}\n    require: {str(verdict).lower()}\n"
    )
    doc = {"datums": [{"table": t, "fields": {c: {} for c in cols}} for t, cols in datums]}
    project(root, {"m.json": json.dumps(doc)}, rules)
    result = run_cli("validate", "models", "--format", "json", cwd=root)
    got = [(f["pointer"], f["rule"]) for f in findings(result.out)]
    if verdict:
        assert got == []
    elif scope == "table":
        assert got == [(f"/datums/{i}/fields", "c") for i in range(len(datums))]
    else:
        assert sorted(got) == sorted(
            (f"/datums/{i}/fields/{c.replace('~', '~0')}", "c")
            for i, (_, cols) in enumerate(datums)
            for c in cols
        )


def test_logical_types_of_declarations(tmp_path: Path) -> None:
    rules = load_rules(EXAMPLE_RULES)
    required = {c.name: c for c in rules.columns}
    types = rules.logical_types
    assert [
        declared_logical_type(types, required["id"], d) for d in ({}, {"type": "string"}, {"type": "integer"})
    ] == [
        "uuid",
        "uuid",
        None,
    ]
    assert [
        declared_logical_type(types, None, d)
        for d in (
            {"type": "string", "format": "uuid"},
            {"type": "string", "format": "date-time"},
            {"type": "string", "maxLength": 5},
            {"type": "string", "format": "email"},
            {"type": "integer"},
            {},
            "string",
        )
    ] == ["uuid", "timestamp", "text", None, None, None, None]
    checks = (
        "version: 1\nchecks:\n  uuid-columns-end-in-id:\n    scope: column\n"
        "    where: {required: [logical_type], properties: {logical_type: {const: uuid}}}\n"
        '    require: {properties: {name: {pattern: "(^|_)id$"}}}\n'
    )
    root = project(
        tmp_path,
        {
            "m.json": '{"table": "t", "fields": {'
            + REQUIRED
            + ', "owner": {"type": "string", "format": "uuid"},'
            ' "owner_id": {"type": "string", "format": "uuid"}, "note": {"type": "string"}}}'
        },
        checks,
    )
    result = run_cli("validate", "models", "--format", "json", cwd=root)
    assert [(f["rule"], f["field"]) for f in findings(result.out)] == [("uuid-columns-end-in-id", "owner")]
