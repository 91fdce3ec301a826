"""A sample service repository for the CI recipe and editor tests: what ``envoxy init-alembic``
makes, the example revision and model files, its own ``rules.yaml`` and compiled ``schemas/``.

``broken=True`` adds one fault for each check: a model file lacking ``href``, a revision that
drops ``products.href`` (so the history's head and the upgraded database lack it too), and a
``rules.yaml`` edited after ``envoxy compile`` (so ``schemas/`` is out of date).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import REPO, run_cli

__all__ = ["BAD_MODEL", "DROP_REVISION", "SCHEMA_REF", "sample_project"]

SCHEMA_REF = "../schemas/model.schema.json"
BAD_MODEL = "models/refunds.json"
DROP_REVISION = "alembic/versions/0002_drop_products_href.py"
_DROP = '''\
"""drop products.href"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_column("products", "href")
'''


def sample_project(root: Path, *, broken: bool = False) -> Path:
    project = root / "service"
    project.mkdir()
    made = run_cli("init-alembic", cwd=project)
    assert made.code == 0, made.err
    shutil.copy(
        REPO / "examples" / "alembic" / "versions" / "0001_shops_and_products.py",
        project / "alembic" / "versions",
    )
    rules = (REPO / "rules.yaml").read_text(encoding="utf-8")
    assert 'paths: ["examples/models"]' in rules
    (project / "rules.yaml").write_text(
        rules.replace('paths: ["examples/models"]', 'paths: ["models"]'), "utf-8"
    )
    shutil.copytree(REPO / "examples" / "models", project / "models")
    # An editor's schema reference, as docs/VALIDATE.md suggests: metadata, never a datum or field.
    users = project / "models" / "users.json"
    users.write_text(json.dumps({"$schema": SCHEMA_REF, **json.loads(users.read_text("utf-8"))}, indent=2))
    compiled = run_cli("compile", cwd=project)
    assert compiled.code == 0, compiled.err
    if broken:
        fields = {"id": {"type": "string", "format": "uuid"}, "created": {}, "updated": {}}
        (project / BAD_MODEL).write_text(json.dumps({"table": "refunds", "fields": fields}, indent=2) + "\n")
        (project / DROP_REVISION).write_text(_DROP, encoding="utf-8")
        edited = (project / "rules.yaml").read_text("utf-8").replace("canonical API path", "API path")
        (project / "rules.yaml").write_text(edited, "utf-8")
    return project
