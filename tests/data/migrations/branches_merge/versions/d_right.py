"""right branch"""
import sqlalchemy as sa
from alembic import op

revision = "b2"
down_revision = "b0"


def upgrade():
    op.create_table(
        "right_t",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("updated", sa.DateTime(), nullable=False),
        sa.Column("href", sa.Text(), nullable=False),
    )
    op.alter_column("core", "updated", existing_type=sa.DateTime(), nullable=True)
