"""items, written in the SQLAlchemy 1.3 days"""
import sqlalchemy as sa
from alembic import op

revision = "l1"
down_revision = None

items = sa.table("legacy_items", sa.column("id", sa.String), sa.column("kind", sa.String),
                 sa.column("label", sa.String))
# Built at import time, the 1.x way.
ALL_IDS = sa.select([items.c.id])


def upgrade():
    op.create_table(
        "legacy_items",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("updated", sa.DateTime(), nullable=False),
        sa.Column("href", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(20)),
        sa.Column("label", sa.String(80)),
    )
