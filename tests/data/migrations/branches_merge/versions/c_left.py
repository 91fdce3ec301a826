"""left branch"""
import sqlalchemy as sa
from alembic import op

revision = "b1"
down_revision = "b0"


def upgrade():
    op.create_table(
        "left_t",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("updated", sa.DateTime(), nullable=False),
    )
