"""A sample project for the pytest plugin: made by the real ``envoxy init-alembic``, with model
files and a revision history that branches and merges, two of whose tables break the rules.

History (revision ids are the file names' prefixes)::

    a1 users (conforms), orders (no href)
     ├── b1 coupons (no updated)
     └── b2 audit (conforms)
    m1 merges b1 and b2
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import REPO, run_cli

__all__ = [
    "BROKEN_MODEL",
    "COUPONS",
    "ORDERS",
    "create",
    "fix_history",
    "make_project",
    "revision",
    "table",
]

REQUIRED = {
    "id": 'sa.Column("id", sa.String(length=36), nullable=False)',
    "created": 'sa.Column("created", sa.DateTime(), nullable=False)',
    "updated": 'sa.Column("updated", sa.DateTime(), nullable=False)',
    "href": 'sa.Column("href", sa.Text(), nullable=False)',
}


def table(name: str, *, without: tuple[str, ...] = ()) -> str:
    """``op.create_table`` of ``name`` as autogenerate writes it, lacking the columns ``without``;
    its first line carries ``# create NAME`` so tests can find it."""
    columns = "".join(f"        {code},\n" for field, code in REQUIRED.items() if field not in without)
    return (
        f"    op.create_table(  # create {name}\n"
        f'        "{name}",\n'
        f"{columns}"
        '        sa.PrimaryKeyConstraint("id"),\n'
        "    )\n"
    )


def revision(rev: str, down: str | tuple[str, ...] | None, body: str) -> str:
    body = body or "    pass\n"
    return (
        f'"""{rev}"""\n'
        "import sqlalchemy as sa\n"
        "from alembic import op\n\n"
        f"revision = {rev!r}\n"
        f"down_revision = {down!r}\n"
        "branch_labels = None\n"
        "depends_on = None\n\n\n"
        "def upgrade() -> None:\n"
        f"{body}\n\n"
        "def downgrade() -> None:\n"
        "    pass\n"
    )


HISTORY = {
    "a1_base.py": revision("a1", None, table("users") + table("orders", without=("href",))),
    "b1_coupons.py": revision("b1", "a1", table("coupons", without=("updated",))),
    "b2_audit.py": revision("b2", "a1", table("audit")),
    "m1_merge.py": revision("m1", ("b1", "b2"), ""),
}

GOOD_MODEL = (
    '{"datums": [{"table": "products", "fields": {"id": {"type": "string", "format": "uuid"},\n'
    '  "created": {}, "updated": {}, "href": {}}}]}\n'
)
BROKEN_MODEL = '{"table": "carts", "fields": {"id": {"type": "integer"}, "created": {}, "updated": {}}}\n'


def create(name: str, root: Path, versions: str = "alembic/versions") -> str:
    """``path:line`` of the ``op.create_table`` of ``name`` in ``root/versions``."""
    marker = f"# create {name}\n"
    for path in sorted((root / versions).glob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        for number, line in enumerate(lines, 1):
            if line.endswith(marker):
                return f"{versions}/{path.name}:{number}"
    raise AssertionError(f"no create_table of {name}")


ORDERS = "missing-field table 'orders' lacks required column 'href' (TEXT NOT NULL)"
COUPONS = (
    "missing-field table 'coupons' lacks required column 'updated' (TIMESTAMP WITHOUT TIME ZONE NOT NULL)"
)


def make_project(root: Path, *, extra_rules: str = "") -> None:
    """The sample project in ``root`` (which must be empty but for what pytester made)."""
    made = run_cli("init-alembic", cwd=root)
    assert made.code == 0, made.err
    rules = (REPO / "envoxy" / "rules" / "default.yaml").read_text(encoding="utf-8")
    rules = rules.replace("  paths: []\n", "  paths: [models]\n")
    assert "paths: [models]" in rules
    (root / "rules.yaml").write_text(rules + extra_rules, encoding="utf-8")
    (root / "models").mkdir()
    (root / "models" / "shop.json").write_text(GOOD_MODEL, encoding="utf-8")
    (root / "models" / "broken.json").write_text(BROKEN_MODEL, encoding="utf-8")
    for name, text in HISTORY.items():
        (root / "alembic" / "versions" / name).write_text(text, encoding="utf-8")


def fix_history(root: Path) -> None:
    """A revision after the merge that gives ``orders`` its ``href`` and ``coupons`` its
    ``updated``: the head state conforms."""
    body = (
        '    op.add_column("orders", sa.Column("href", sa.Text(), nullable=False))\n'
        '    op.add_column("coupons", sa.Column("updated", sa.DateTime(), nullable=False))\n'
    )
    (root / "alembic" / "versions" / "f1_fix.py").write_text(revision("f1", "m1", body), encoding="utf-8")
