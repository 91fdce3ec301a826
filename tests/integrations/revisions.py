"""Revision scripts for the integration tests: the header Alembic writes, then ``upgrade()``."""

from __future__ import annotations

import textwrap
from pathlib import Path

__all__ = ["FULL", "NO_HREF", "write_revision"]

CREATE = """\
op.create_table(
    "{table}",
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("created", sa.DateTime(), nullable=False),
    sa.Column("updated", sa.DateTime(), nullable=False),{more}
)
"""
FULL = CREATE.replace("{more}", '\n    sa.Column("href", sa.Text(), nullable=False),')
NO_HREF = CREATE.replace("{more}", "")


def write_revision(versions: Path, rev: str, down: str | None, body: str) -> Path:
    versions.mkdir(parents=True, exist_ok=True)
    path = versions / f"{rev}_rev.py"
    path.write_text(
        "import sqlalchemy as sa\nfrom alembic import op\n\n"
        f"revision = {rev!r}\ndown_revision = {down!r}\n\n\ndef upgrade():\n"
        + textwrap.indent(textwrap.dedent(body), "    "),
        encoding="utf-8",
    )
    return path
