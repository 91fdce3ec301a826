"""base: the core table"""
import sqlalchemy as sa
from alembic import op

revision = "b0"
down_revision = None


def upgrade():
    op.create_table(
        "core",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("updated", sa.DateTime(), nullable=False),
        sa.Column("href", sa.Text(), nullable=False),
    )
