"""The rule catalog: one ``RuleId`` type, an entry for every id the code can emit, examples that
really do what they say, and docs/RULES.md's table equal to it."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args

import pytest

from envoxy.report import rule_help
from envoxy.rules.catalog import RULES, Example, RuleId
from envoxy.rules.loader import default_rules_path
from tests.conftest import REPO, PgSchema, run_cli

PACKAGE = REPO / "envoxy"

# Ids in the catalog that no call site on this branch emits yet, and why. When the code that
# emits one lands, this test fails until the id is taken off the list.
NOT_EMITTED_YET: dict[str, str] = {}

# Parameters and fields named ``rule`` that stay ``str`` on purpose.
STR_RULES = {
    ("findings.py", "Finding"): "organisation-defined checks (issue 13) add ids at run time",
    ("rules/model.py", "severity"): "looks up any id a finding carries, custom checks included",
    ("baseline/keys.py", "Key"): "a baseline file's entries name any id, custom checks included",
}


def test_the_literal_and_the_table_agree() -> None:
    assert list(get_args(RuleId)) == list(RULES)
    assert all(info.id == rid for rid, info in RULES.items())


# -- every id the code can emit ---------------------------------------------------------------


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(PACKAGE).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def _annotation(node: ast.expr | None) -> str:
    return ast.unparse(node) if node is not None else ""


def _takes_rule_ids(arg: ast.arg) -> bool:
    """Typed ``RuleId``, or named ``rule`` and typed as a ``Literal`` of some of the ids."""
    text = _annotation(arg.annotation)
    return text == "RuleId" or (arg.arg == "rule" and text.startswith("Literal["))


def _rule_parameters() -> dict[str, tuple[str, int | None]]:
    """Every function (or dataclass) taking a ``RuleId`` (or a ``Literal`` of ids): its name ->
    (parameter, position as called, ``None`` when keyword-only)."""
    found: dict[str, tuple[str, int | None]] = {}
    for _, module in _modules():
        for node in ast.walk(module):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                args = node.args
                positional = [*args.posonlyargs, *args.args]
                offset = 1 if positional and positional[0].arg in ("self", "cls") else 0
                for i, arg in enumerate(positional):
                    if _takes_rule_ids(arg):
                        found[node.name] = (arg.arg, i - offset)
                for arg in args.kwonlyargs:
                    if _takes_rule_ids(arg):
                        found[node.name] = (arg.arg, None)
            elif isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, ast.AnnAssign) and _annotation(item.annotation) == "RuleId":
                        assert isinstance(item.target, ast.Name)
                        found[node.name] = (item.target.id, None)
    return found


def _called(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def emitted_ids() -> dict[str, list[str]]:
    """Every string literal given as a rule id: to a ``RuleId`` parameter, or as ``rule=...`` to
    anything (``Finding(rule=...)``). id -> the places (module:line)."""
    parameters = _rule_parameters()
    out: dict[str, list[str]] = {}
    for name, module in _modules():
        if name == "rules/catalog.py":  # the catalog names every id; it emits none
            continue
        for node in ast.walk(module):
            if not isinstance(node, ast.Call):
                continue
            values = [k.value for k in node.keywords if k.arg == "rule"]
            param = parameters.get(_called(node))
            if param is not None:
                keyword, position = param
                values += [k.value for k in node.keywords if k.arg == keyword and keyword != "rule"]
                if position is not None and position < len(node.args):
                    values.append(node.args[position])
            for value in values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    out.setdefault(value.value, []).append(f"{name}:{node.lineno}")
    return out


def test_the_emitters_take_a_rule_id() -> None:
    assert {"make_finding", "Issue", "_finding", "add"} <= set(_rule_parameters())


def test_every_emitted_id_is_in_the_catalog_and_every_catalogued_id_is_emitted() -> None:
    emitted = emitted_ids()
    assert {rid: where for rid, where in emitted.items() if rid not in RULES} == {}
    assert set(RULES) - set(emitted) == set(NOT_EMITTED_YET)
    # the scan finds the call sites it should: one of each kind
    assert "validate/issues.py" in " ".join(emitted["missing-field"])
    assert "tables.py" in " ".join(emitted["nullable-field"])
    assert "migrations/analyst.py" in " ".join(emitted["unanalysable-revision"])


def test_every_rule_parameter_is_typed_rule_id() -> None:
    """A parameter or field named ``rule`` typed ``str`` (or not at all) would let any id through."""
    untyped = set()
    for name, module in _modules():
        for node in ast.walk(module):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                a = node.args
                for arg in [*a.posonlyargs, *a.args, *a.kwonlyargs]:
                    if arg.arg == "rule" and _annotation(arg.annotation) in ("str", ""):
                        untyped.add((name, node.name))
            elif isinstance(node, ast.ClassDef):
                for item in node.body:
                    if (
                        isinstance(item, ast.AnnAssign)
                        and isinstance(item.target, ast.Name)
                        and item.target.id == "rule"
                        and _annotation(item.annotation) in ("str", "")
                    ):
                        untyped.add((name, node.name))
    assert untyped == set(STR_RULES)


def test_mypy_refuses_a_misspelt_rule_id(tmp_path: Path) -> None:
    snippet = tmp_path / "emit.py"
    snippet.write_text(
        "from envoxy.rules.model import RuleSet\n"
        "from envoxy.tables import make_finding\n\n\n"
        "def emit(rules: RuleSet) -> None:\n"
        '    make_finding(rules, "missing-feld", "x", table=None, field=None)\n'
        '    make_finding(rules, "missing-field", "x", table=None, field=None)\n',
        encoding="utf-8",
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--follow-imports=silent",
            "--cache-dir",
            str(tmp_path / "c"),
            str(snippet),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1, done.stdout + done.stderr
    assert errors[0].startswith(f'{snippet}:6: error: Argument 2 to "make_finding" has incompatible type')
    assert "Literal['missing-feld']" in errors[0]


# -- the catalog's content ----------------------------------------------------------------------


@pytest.mark.parametrize("rid", list(RULES))
def test_every_entry_says_everything(rid: str) -> None:
    info = RULES[rid]
    assert info.short.endswith(".") and "\n" not in info.short
    assert info.checks and info.why and info.fixes and info.commands
    assert len({fix.place for fix in info.fixes}) == len(info.fixes)
    assert info.examples, f"{rid} has no example"


def test_docs_rules_table_is_the_catalog() -> None:
    page = (REPO / "docs" / "RULES.md").read_text(encoding="utf-8")
    start = page.index("| id | default | reported by | what |")
    end = page.find("\n\n", start)
    table = page[start:] if end == -1 else page[start : end + 1]
    assert table.rstrip("\n") + "\n" == rule_help.rules_table(), (
        "docs/RULES.md's rule table differs from the catalog; replace it with "
        "envoxy.report.rule_help.rules_table()"
    )


# -- the examples do what they say ----------------------------------------------------------------

HEADER = (
    "import os\n\nimport sqlalchemy as sa\nfrom alembic import op\n\n"
    'revision = "{rev}"\ndown_revision = {down}\nbranch_labels = None\ndepends_on = None\n\n\n'
)
USERS = """\
def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("updated", sa.DateTime(), nullable=False),
        sa.Column("href", sa.Text(), nullable=False),
        sa.Column("nickname", sa.Text()),
    )
"""
MODELS = {
    "orders.json": '{"table": "orders", "fields": {"id": {}, "created": {}, "updated": {}, "href": {}}}',
    "audit_log.json": '{"table": "audit_log", "fields": {"id": {}, "created": {}, "href": {}}}',
}


def _rules_for(example: Example, tmp: Path) -> str:
    if not example.rules:
        return str(default_rules_path())
    (tmp / "rules.yaml").write_text(example.rules, encoding="utf-8")
    return str(tmp / "rules.yaml")


def _in_model_file(example: Example, snippet: str, tmp: Path) -> Any:
    (tmp / "example.json").write_text(snippet, encoding="utf-8")
    return run_cli(
        "validate", "example.json", "--format", "json", "--rules", _rules_for(example, tmp), cwd=tmp
    )


def _in_revision(example: Example, snippet: str, tmp: Path) -> Any:
    versions = tmp / "versions"
    versions.mkdir()
    (versions / "0001_users.py").write_text(HEADER.format(rev="0001", down=None) + USERS, encoding="utf-8")
    (versions / "0002_example.py").write_text(
        HEADER.format(rev="0002", down='"0001"') + snippet, encoding="utf-8"
    )
    return run_cli(
        "check-migrations", "versions", "--format", "json", "--rules", _rules_for(example, tmp), cwd=tmp
    )


def _in_rules_file(example: Example, snippet: str, tmp: Path) -> Any:
    (tmp / "models").mkdir()
    for name, text in MODELS.items():
        (tmp / "models" / name).write_text(text, encoding="utf-8")
    (tmp / "rules.yaml").write_text(snippet, encoding="utf-8")
    return run_cli("validate", "models", "--format", "json", "--rules", "rules.yaml", cwd=tmp)


def _in_baseline_file(example: Example, snippet: str, tmp: Path) -> Any:
    pytest.importorskip("envoxy.baseline", reason="the baseline (issue 9.1) is not on this branch yet")
    (tmp / "models").mkdir()
    (tmp / "models" / "products.json").write_text(
        '{"table": "products", "fields": {"id": {}, "created": {}, "updated": {}, "href": {}}}',
        encoding="utf-8",
    )
    (tmp / "rules.yaml").write_text("version: 1\nbaseline: envoxy-baseline.json\n", encoding="utf-8")
    (tmp / "envoxy-baseline.json").write_text(snippet, encoding="utf-8")
    return run_cli("validate", "models", "--format", "json", "--rules", "rules.yaml", cwd=tmp)


RUNNERS = {
    "model file": _in_model_file,
    "revision script": _in_revision,
    "rules file": _in_rules_file,
    "baseline file": _in_baseline_file,
}
CASES = [
    pytest.param(rid, i, kind, id=f"{rid}-{example.place.replace(' ', '-')}-{kind}")
    for rid, info in RULES.items()
    for i, example in enumerate(info.examples)
    for kind in ("bad", "good")
]


def _rules_found(result: Any) -> list[str]:
    assert result.err == "", result.err
    return [f["rule"] for f in json.loads(result.out)["findings"]]


@pytest.mark.parametrize(("rid", "index", "kind"), CASES)
def test_example(rid: str, index: int, kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """A bad example yields exactly one finding, of its rule; a good one yields none."""
    example = RULES[rid].examples[index]
    snippet = example.bad if kind == "bad" else example.good
    if example.place == "live database":
        pg: PgSchema = request.getfixturevalue("pg_schema")
        result = _in_database(pg, snippet)
    else:
        result = RUNNERS[example.place](example, snippet, tmp_path)
    assert _rules_found(result) == ([rid] if kind == "bad" else [])


def _in_database(pg: PgSchema, snippet: str) -> Any:
    import sqlalchemy as sa

    engine = sa.create_engine(pg.url)
    with engine.begin() as conn:
        conn.execute(sa.text(snippet))
    engine.dispose()
    return run_cli("check-db", pg.url, "--format", "json", "--rules", str(default_rules_path()))


def test_every_place_with_examples_has_a_runner() -> None:
    places = {e.place for info in RULES.values() for e in info.examples}
    assert places <= {*RUNNERS, "live database"}


def test_snippets_are_dedented_and_end_cleanly() -> None:
    for info in RULES.values():
        for e in info.examples:
            for snippet in (e.bad, e.good):
                assert textwrap.dedent(snippet) == snippet
                assert not any(line != line.rstrip() for line in snippet.splitlines())
