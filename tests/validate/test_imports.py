"""``python -m envoxy.validate`` stays light: never SQLAlchemy or Alembic, and with the compiled
rules cached, a clean file needs neither PyYAML nor jsonschema (the pre-commit case)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

HEAVY = ("sqlalchemy", "alembic")


def imported(tmp_path: Path, *args: str) -> tuple[int, set[str]]:
    """Run the validator under ``-X importtime``; returns the exit status and the top-level
    modules it imported."""
    env = {**os.environ, "ENVOXY_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-m",
            "envoxy.validate",
            "--rules",
            str(REPO / "rules.yaml"),
            *args,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
    )
    modules = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            modules.add(name.split(".")[0])
    return done.returncode, modules


def write(tmp_path: Path, name: str, fields: dict[str, object]) -> str:
    (tmp_path / name).write_text(json.dumps({"table": "t", "fields": fields}))
    return name


GOOD: dict[str, object] = {"id": {}, "created": {}, "updated": {}, "href": {}}


def test_never_imports_sqlalchemy_or_alembic(tmp_path: Path) -> None:
    clean = write(tmp_path, "clean.json", GOOD)
    bad = write(tmp_path, "bad.json", {"id": {"type": "integer"}})
    (tmp_path / "broken.json").write_text("{")
    for args in ([clean], [bad], ["broken.json"], ["--format", "sarif", bad], ["."]):
        code, modules = imported(tmp_path, *args)
        assert code in (0, 1)
        assert "envoxy" in modules
        assert not modules & set(HEAVY), (args, modules & set(HEAVY))


def test_cached_rules_and_a_clean_file_need_neither_yaml_nor_jsonschema(tmp_path: Path) -> None:
    clean = write(tmp_path, "clean.json", GOOD)
    code, first = imported(tmp_path, clean)  # compiles rules.yaml and fills the cache
    assert code == 0
    assert "yaml" in first
    code, second = imported(tmp_path, clean)
    assert code == 0
    assert not second & {"yaml", "jsonschema", *HEAVY}, second & {"yaml", "jsonschema", *HEAVY}


def test_import_envoxy_validate_is_light() -> None:
    code = (
        "import sys, envoxy.validate, envoxy.validate.runner; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('sqlalchemy', 'alembic', 'jsonschema', 'yaml')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
