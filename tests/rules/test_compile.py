"""`envoxy compile [--check]`, the committed schemas/, and where rules come from."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from envoxy.rules import load_rules
from envoxy.rules.loader import default_rules_path
from tests.conftest import REPO, run_cli


def test_committed_schemas_are_current() -> None:
    result = run_cli("compile", "--check", cwd=REPO)
    assert (result.code, result.out, result.err) == (0, "schemas is up to date with rules.yaml\n", "")


def test_packaged_default_is_the_shipped_rules_yaml_but_names_no_paths_of_this_repository() -> None:
    """The default installed elsewhere must not point into this repository (issue 9.6): it lists
    no model paths; the repository's own rules.yaml lists its examples. Nothing else differs."""
    packaged = default_rules_path().read_text(encoding="utf-8")
    ours = (REPO / "rules.yaml").read_text(encoding="utf-8")
    assert "examples" not in packaged
    assert packaged.replace("  paths: []\n", '  paths: ["examples/models"]\n', 1) == ours


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copy(REPO / "rules.yaml", tmp_path / "rules.yaml")
    return tmp_path


def test_check_fails_until_compile_is_run(project: Path) -> None:
    result = run_cli("compile", "--check", cwd=project)
    assert result.code == 1
    assert result.out == (
        "schemas/model.schema.json is missing; run 'envoxy compile'\n"
        "schemas/columns.json is missing; run 'envoxy compile'\n"
    )
    assert not (project / "schemas").exists()  # --check never writes

    result = run_cli("compile", cwd=project)
    assert (result.code, result.out) == (0, "wrote schemas/model.schema.json\nwrote schemas/columns.json\n")
    assert run_cli("compile", "--check", cwd=project).code == 0

    rules = project / "rules.yaml"
    rules.write_text(rules.read_text().replace("profile: legacy", "profile: native"))
    before = {p.name: p.read_bytes() for p in (project / "schemas").iterdir()}
    result = run_cli("compile", "--check", cwd=project)
    assert result.code == 1
    assert result.out == (
        "schemas/model.schema.json is out of date; run 'envoxy compile'\n"
        "schemas/columns.json is out of date; run 'envoxy compile'\n"
    )
    assert {p.name: p.read_bytes() for p in (project / "schemas").iterdir()} == before

    assert run_cli("compile", cwd=project).code == 0
    assert run_cli("compile", "--check", cwd=project).code == 0
    assert '"sql": "UUID"' in (project / "schemas" / "model.schema.json").read_text()


def test_compile_leaves_no_temporary_files_and_keeps_mode(project: Path) -> None:
    assert run_cli("compile", cwd=project).code == 0
    target = project / "schemas" / "model.schema.json"
    target.write_text("{}")
    target.chmod(0o640)
    assert run_cli("compile", cwd=project).code == 0
    assert target.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in target.parent.iterdir()) == ["columns.json", "model.schema.json"]


def test_compile_into_an_unwritable_place_is_a_usage_error(project: Path) -> None:
    (project / "schemas").write_text("a file where the directory should be")
    result = run_cli("compile", cwd=project)
    assert result.code == 2
    assert result.err == "envoxy: cannot read schemas/model.schema.json: Not a directory\n"


def test_compiled_schema_is_a_documented_draft_2020_12_schema() -> None:
    schema = json.loads((REPO / "schemas" / "model.schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "https://envoxy.dev/schemas/model.schema.json"
    assert schema["title"] == "Envoxy model file"
    for name in ("id", "created", "updated", "href"):
        field = schema["$defs"][f"field-{name}"]
        assert field["title"] == name and field["description"]


def test_compiled_schema_judges_datums() -> None:
    validator = Draft202012Validator(load_rules(REPO / "rules.yaml").model_schema)
    good = {"type": "string"}
    complete = {"id": good, "created": good, "updated": good, "href": good}
    assert validator.is_valid({"table": "users", "fields": complete})
    assert validator.is_valid({"table": "alembic_version", "fields": {}})
    assert validator.is_valid({"table": "users"})  # no fields: not a datum we check
    errors = sorted(
        (list(e.absolute_path), e.message)
        for e in validator.iter_errors(
            {
                "datums": [
                    {"name": "a", "fields": {**complete, "id": {"type": "integer"}}},
                    {"table": "b", "fields": {"id": {}}},
                ]
            }
        )
    )
    assert errors == [
        (["datums", 0, "fields", "id", "type"], "'string' was expected"),
        (["datums", 1, "fields"], "'created' is a required property"),
        (["datums", 1, "fields"], "'href' is a required property"),
        (["datums", 1, "fields"], "'updated' is a required property"),
    ]


def test_exemptions_and_scope_are_in_the_schema(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text(
        "version: 1\nscope: {include: ['app_*'], exclude: ['app_tmp*']}\n"
        "exemptions:\n  app_log: {fields: [href], reason: append-only}\n"
    )
    validator = Draft202012Validator(load_rules(tmp_path / "rules.yaml").model_schema)
    three: dict[str, object] = {n: {} for n in ("id", "created", "updated")}
    assert validator.is_valid({"table": "app_log", "fields": three})
    assert not validator.is_valid({"table": "app_users", "fields": three})
    assert validator.is_valid({"table": "app_tmp1", "fields": {}})
    assert validator.is_valid({"table": "other", "fields": {}})
    assert not validator.is_valid({"name": "app_x", "fields": {}})


def test_rules_lookup_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nested = tmp_path / "repo" / "pkg" / "deep"
    nested.mkdir(parents=True)
    (tmp_path / "repo" / "rules.yaml").write_text("version: 1\nprofile: native\n")
    explicit = tmp_path / "explicit.yaml"
    explicit.write_text("version: 1\nprofile: legacy\nfields: {id: {type: uuid}}\n")
    env = tmp_path / "env.yaml"
    env.write_text("version: 1\nfields: {created: {type: timestamp}}\n")

    monkeypatch.delenv("ENVOXY_RULES", raising=False)
    assert load_rules(cwd=nested).profile == "native"  # nearest rules.yaml upward
    assert load_rules(cwd=tmp_path).source == "<envoxy>/rules.yaml"  # packaged default
    monkeypatch.setenv("ENVOXY_RULES", os.fspath(env))
    assert load_rules(cwd=nested).field_names == ("created",)
    assert load_rules(explicit, cwd=nested).field_names == ("id",)


def test_a_missing_rules_file_is_a_configuration_error(tmp_path: Path) -> None:
    result = run_cli("compile", "--rules", "nope.yaml", cwd=tmp_path)
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "envoxy: the rules file has 1 problem:\n"
        "nope.yaml: the rules file does not exist, expected a readable rules.yaml\n"
    )


def test_a_directory_as_rules_file(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    result = run_cli("compile", "--rules", "d", cwd=tmp_path)
    assert result.code == 2
    assert result.err.endswith("d: is a directory, expected a rules.yaml file\n")


def test_a_fifo_nothing_writes_to_as_rules_file_does_not_block(tmp_path: Path) -> None:
    """Read without waiting for a writer, and not cached (a pipe cannot be read twice)."""
    import subprocess
    import sys

    os.mkfifo(tmp_path / "rules.yaml")
    env = {**os.environ, "ENVOXY_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("ENVOXY_NO_CACHE", None)
    proc = subprocess.run(
        [sys.executable, "-m", "envoxy", "compile", "--check", "--rules", "rules.yaml"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == (
        "envoxy: the rules file has 1 problem:\nrules.yaml:1:1: the file is "
        "empty, expected a mapping starting with 'version: 1'\n"
    )
    assert not (tmp_path / "cache").exists()


def test_extends_a_symlink_loop(tmp_path: Path) -> None:
    (tmp_path / "loop.yaml").symlink_to("loop.yaml")
    (tmp_path / "rules.yaml").write_text("version: 1\nextends: loop.yaml\n", encoding="utf-8")
    result = run_cli("compile", "--check", "--rules", "rules.yaml", cwd=tmp_path)
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "envoxy: the rules file has 1 problem:\nloop.yaml: cannot read the rules "
        "file (Too many levels of symbolic links), expected a readable file\n"
    )


def test_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli("compile", "--frobnicate")
    assert result.code == 2
    assert "unrecognized arguments: --frobnicate" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("glob", "regex", "matches", "misses"),
    [
        ("[!]", r"^\[!\](?![\s\S])", ["[!]"], ["a", "!"]),
        ("[!]]x", r"^[^\]]x(?![\s\S])", ["ax"], ["]x"]),
        ("[]]x", r"^[\]]x(?![\s\S])", ["]x"], ["ax"]),
        ("[[:a]", r"^[\[:a](?![\s\S])", ["[", ":", "a"], ["b"]),
        ("aux_[a-c]*", r"^aux_[a-c][\s\S]*(?![\s\S])", ["aux_b1", "aux_b\n"], ["aux_d", "x\naux_b"]),
    ],
)
def test_globs_as_in_the_shell_with_the_same_regex_in_python_and_ecma(
    glob: str, regex: str, matches: list[str], misses: list[str]
) -> None:
    """A ']' or '[' inside a set is escaped, so that ECMA-262 (editors) reads it as Python does."""
    from envoxy.rules.model import Scope, glob_to_regex

    assert glob_to_regex(glob) == regex
    scope = Scope(include=(glob,), exclude=())
    assert [scope.applies(name) for name in matches + misses] == [True] * len(matches) + [False] * len(misses)
