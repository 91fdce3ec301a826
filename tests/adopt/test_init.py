"""``envoxy init``: the profile inferred from revisions and from a real PostgreSQL, the model
directories found, the file written, and ``--baseline`` making every check pass at once."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from envoxy.rules import load_rules
from tests.adopt.service import CHAR36, LEGACY, NATIVE, make_service
from tests.adopt.support import SHIPPED, cli, datum, write_json
from tests.conftest import PgSchema

NEXT = "next: run envoxy validate, envoxy check-migrations and envoxy check-db URL; commit rules.yaml\n"
HISTORY = "alembic/versions (the head of 4 revisions)"


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVOXY_CACHE_DIR", str(tmp_path / "cache"))


def tallies(ids: str, ts: str) -> str:
    return (
        f"  id       {ids} on 3\n"
        f"  created  {ts} on 3\n"
        f"  updated  {ts} on 2; missing on 1\n"
        "  href     TEXT on 1; missing on 2\n"
    )


def test_legacy_history(tmp_path: Path) -> None:
    make_service(tmp_path, types=LEGACY)
    result = cli(tmp_path, "init")
    assert (result.code, result.err) == (0, "")
    assert result.out == (
        f"profile legacy, inferred from 3 tables: {HISTORY}\n"
        + tallies("VARCHAR(36)", "TIMESTAMP WITHOUT TIME ZONE")
        + "models.paths: models (2 model files)\n"
        "wrote rules.yaml\n" + NEXT
    )
    written = (tmp_path / "rules.yaml").read_text(encoding="utf-8")
    # the shipped file, its comments and shape, with what init found written in
    assert written == SHIPPED.replace(
        "# Format reference: docs/RULES.md.\n",
        "# Format reference: docs/RULES.md.\n# Written by `envoxy init` from: alembic/versions, models.\n",
    ).replace("  paths: []\n", '  paths: ["models"]\n')
    rules = load_rules(tmp_path / "rules.yaml")
    assert (rules.profile, rules.model_paths, rules.baseline) == ("legacy", ("models",), None)


def test_native_history(tmp_path: Path) -> None:
    make_service(tmp_path, types=NATIVE, models=False)
    result = cli(tmp_path, "init")
    assert result.out.splitlines()[:5] == [
        f"profile native, inferred from 3 tables: {HISTORY}",
        *tallies("UUID", "TIMESTAMP WITH TIME ZONE").splitlines(),
    ]
    assert "profile: native\n" in (tmp_path / "rules.yaml").read_text()
    assert load_rules(tmp_path / "rules.yaml").column("id").sql_type.ddl() == "UUID"


def test_a_history_neither_profile_fits_gets_its_own(tmp_path: Path) -> None:
    make_service(tmp_path, types=CHAR36, models=False)
    result = cli(tmp_path, "init")
    assert result.out.splitlines()[0] == (
        "profile 'inferred' (legacy with uuid CHAR(36), written out under profiles:), inferred from "
        f"3 tables: {HISTORY}"
    )
    text = (tmp_path / "rules.yaml").read_text()
    assert (
        "profile: inferred\n\n"
        "# The types this project's tables already use, where neither legacy nor native fits\n"
        "# (inferred by `envoxy init`).\n"
        "profiles:\n"
        "  inferred:\n"
        "    base: legacy\n"
        "    types:\n"
        '      uuid: {sql: "CHAR(36)", json: {type: "string", format: "uuid"}}\n'
        "\nfields:\n"
    ) in text
    rules = load_rules(tmp_path / "rules.yaml")
    assert [c.sql_type.ddl() for c in rules.columns] == [
        "CHAR(36)",
        "TIMESTAMP WITHOUT TIME ZONE",
        "TIMESTAMP WITHOUT TIME ZONE",
        "TEXT",
    ]
    # the history that inferred it passes its per-column type checks
    check = cli(tmp_path, "check-migrations", "--format", "json")
    assert "wrong-type" not in check.out


def test_a_type_that_cannot_hold_the_value_is_not_adopted(tmp_path: Path) -> None:
    make_service(tmp_path, types=("sa.Integer()", "sa.DateTime()"), models=False)
    result = cli(tmp_path, "init")
    lines = result.out.splitlines()
    assert lines[0] == f"profile legacy, inferred from 3 tables: {HISTORY}"
    assert (
        "  note: id: INTEGER (3 columns) cannot hold the values rules.yaml makes for it; not adopted" in lines
    )


@pytest.mark.parametrize(
    ("columns", "profile", "extra"),
    [
        ("native", "native", ""),
        (
            "mixed",
            "inferred",
            "    types:\n"
            '      timestamp: {sql: "TIMESTAMP WITH TIME ZONE", '
            'json: {type: "string", format: "date-time"}}\n',
        ),
    ],
)
def test_inference_from_a_real_postgresql(
    tmp_path: Path, pg_schema: PgSchema, columns: str, profile: str, extra: str
) -> None:
    import sqlalchemy as sa
    from sqlalchemy.dialects import postgresql

    from envoxy.live.reflect import parse_url, shown_url

    ids: sa.types.TypeEngine[Any] = sa.Uuid() if columns == "native" else sa.String(36)
    metadata = sa.MetaData()
    for name, href in (("accounts", True), ("sessions", False), ("tokens", False)):
        table = sa.Table(
            name,
            metadata,
            sa.Column("id", ids, primary_key=True),
            sa.Column("created", postgresql.TIMESTAMP(timezone=True), nullable=False),
            sa.Column("updated", postgresql.TIMESTAMP(timezone=True), nullable=False),
        )
        if href:
            table.append_column(sa.Column("href", sa.Text(), nullable=False))
    sa.Table("odd", metadata, sa.Column("id", sa.String(36), primary_key=True))  # outvoted
    sa.Table("alembic_version", metadata, sa.Column("version_num", sa.String(32)))  # out of scope
    engine = sa.create_engine(pg_schema.url)
    metadata.create_all(engine)
    engine.dispose()

    result = cli(tmp_path, "init", "--from-db", pg_schema.url)
    assert (result.code, result.err) == (0, "")
    shown = shown_url(parse_url(pg_schema.url))
    lines = result.out.splitlines()
    id_counts = "UUID on 3, VARCHAR(36) on 1" if columns == "native" else "VARCHAR(36) on 4"
    if profile == "native":
        assert lines[0] == f"profile native, inferred from 4 tables: {shown}"
    else:
        assert lines[0] == (
            "profile 'inferred' (legacy with timestamp TIMESTAMP WITH TIME ZONE, written out under "
            f"profiles:), inferred from 4 tables: {shown}"
        )
    assert lines[1:5] == [
        f"  id       {id_counts}",
        "  created  TIMESTAMP WITH TIME ZONE on 3; missing on 1",
        "  updated  TIMESTAMP WITH TIME ZONE on 3; missing on 1",
        "  href     TEXT on 1; missing on 3",
    ]
    text = (tmp_path / "rules.yaml").read_text()
    assert f"profile: {profile}\n" in text
    assert (extra in text) if extra else "profiles:" not in text
    assert load_rules(tmp_path / "rules.yaml").profile == profile


def test_nothing_to_infer_from_writes_the_shipped_default(tmp_path: Path) -> None:
    result = cli(tmp_path, "init")
    assert result.out == (
        "no revisions and no database to infer from: profile legacy (the shipped default)\n"
        "models.paths: none found (list model directories there, or pass --models)\n"
        "wrote rules.yaml\n" + NEXT
    )
    assert (tmp_path / "rules.yaml").read_text(encoding="utf-8") == SHIPPED


def test_model_directories_found_and_named(tmp_path: Path) -> None:
    write_json(tmp_path / "api" / "models" / "a.json", datum("a"))
    write_json(tmp_path / "api" / "models" / "deep" / "b.json", {"datums": [datum("b")]})
    write_json(tmp_path / "billing" / "c.json", datum("c"))
    write_json(tmp_path / "billing" / "not-a-model.json", {"name": "x"})
    write_json(tmp_path / "config" / "settings.json", {"fields": "not an object"})
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "x.json").write_text("{")
    for skipped in ("node_modules/lib", ".git/objects", "venv", "build", "vendor"):
        write_json(tmp_path / skipped / "m.json", datum("vendored"))
    (tmp_path / "venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    result = cli(tmp_path, "init")
    assert "models.paths: api/models (2 model files), billing (1 model file)\n" in result.out
    assert load_rules(tmp_path / "rules.yaml").model_paths == ("api/models", "billing")

    named = cli(tmp_path, "init", "--force", "--models", "billing", "api/models/a.json")
    assert "models.paths: billing, api/models/a.json\n" in named.out
    assert load_rules(tmp_path / "rules.yaml").model_paths == ("billing", "api/models/a.json")
    missing = cli(tmp_path, "init", "--force", "--models", "nope")
    assert (missing.code, missing.err) == (2, "envoxy: --models names no such file or directory: nope\n")


def test_a_directory_name_cannot_inject_yaml(tmp_path: Path) -> None:
    name = 'mod"els\n  evil: 1 #\u2028x'
    write_json(tmp_path / name / "a.json", datum("a"))
    result = cli(tmp_path, "init")
    assert result.code == 0
    assert load_rules(tmp_path / "rules.yaml").model_paths == (name,)
    assert cli(tmp_path, "validate").out == "No findings in 1 file.\n"


def test_an_existing_rules_file_is_left_alone_unless_forced(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text("version: 1\n")
    refused = cli(tmp_path, "init")
    assert (refused.code, refused.out) == (2, "")
    assert refused.err == "envoxy: rules.yaml exists; envoxy init leaves it alone (--force overwrites it)\n"
    assert (tmp_path / "rules.yaml").read_text() == "version: 1\n"
    forced = cli(tmp_path, "init", "--force")
    assert forced.code == 0
    assert (tmp_path / "rules.yaml").read_text() == SHIPPED
    elsewhere = cli(tmp_path, "init", "--rules", "config/envoxy.yaml")
    assert (elsewhere.code, elsewhere.err) == (
        2,
        "envoxy: cannot write config/envoxy.yaml: No such file or directory\n",
    )
    (tmp_path / "config").mkdir()
    assert cli(tmp_path, "init", "--rules", "config/envoxy.yaml").code == 0
    assert (tmp_path / "config" / "envoxy.yaml").read_text() == SHIPPED


def test_force_replaces_a_symbolic_link_and_never_writes_through_it(tmp_path: Path) -> None:
    """A ``rules.yaml`` linked to another project's (an organisation's shared file), or to
    nothing: ``--force`` replaces the link in this project, and the file it pointed to stays."""
    shared = tmp_path / "org" / "rules.yaml"
    shared.parent.mkdir()
    shared.write_text("version: 1\n")
    project = tmp_path / "project"
    project.mkdir()
    (project / "rules.yaml").symlink_to("../org/rules.yaml")
    (project / "dangling.yaml").symlink_to("../org/new.yaml")
    for name, target in (("rules.yaml", "../org/rules.yaml"), ("dangling.yaml", "../org/new.yaml")):
        refused = cli(project, "init", "--rules", name)
        assert (refused.code, refused.out) == (2, "")
        forced = cli(project, "init", "--rules", name, "--force")
        assert (forced.code, forced.err) == (0, "")
        assert f"wrote {name} (replacing the symbolic link to {target}, left as it was)\n" in forced.out
        assert not (project / name).is_symlink()
        assert (project / name).read_text() == SHIPPED
    assert shared.read_text() == "version: 1\n"
    assert not (tmp_path / "org" / "new.yaml").exists()


def test_rules_written_elsewhere_are_named_in_the_next_steps(tmp_path: Path) -> None:
    """Rules not at ./rules.yaml are not found by the commands on their own, and the baseline
    goes beside them: the last line says the commands and files that are right."""
    write_json(tmp_path / "models" / "a.json", datum("a", "href"))
    (tmp_path / "config").mkdir()
    result = cli(tmp_path, "init", "--rules", "config/envoxy.yaml", "--baseline")
    assert (result.code, result.err) == (0, "")
    assert result.out.splitlines()[-2:] == [
        "recorded today's findings in config/envoxy-baseline.json: 1 of models",
        "next: run envoxy validate --rules config/envoxy.yaml, envoxy check-migrations --rules "
        "config/envoxy.yaml and envoxy check-db URL --rules config/envoxy.yaml; commit "
        "config/envoxy.yaml and config/envoxy-baseline.json",
    ]
    assert (
        cli(tmp_path, "validate", "--rules", "config/envoxy.yaml").out
        == "No findings in 1 file (1 baselined).\n"
    )


def test_baseline_makes_every_check_pass_at_once(tmp_path: Path) -> None:
    make_service(tmp_path)
    (tmp_path / "models" / "broken.json").write_text('{"table": "x"', encoding="utf-8")
    result = cli(tmp_path, "init", "--baseline")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[-5:] == [
        "wrote rules.yaml",
        "recorded today's findings in envoxy-baseline.json: 4 of models, 3 of migrations, 3 of head_state",
        "not recorded, and failing until fixed (1 finding):",
        "  models/broken.json:1: parse-error invalid JSON: expecting ',' delimiter",
        "next: run envoxy validate, envoxy check-migrations and envoxy check-db URL; commit rules.yaml and "
        "envoxy-baseline.json",
    ]
    text = (tmp_path / "rules.yaml").read_text()
    assert text.endswith('baseline: "envoxy-baseline.json"\n')
    os.remove(tmp_path / "models" / "broken.json")
    for argv in (["validate"], ["check-migrations"], ["check-migrations", "--head-state"]):
        check = cli(tmp_path, *argv)
        assert (check.code, check.err) == (0, ""), argv
        assert "baselined)." in check.out
