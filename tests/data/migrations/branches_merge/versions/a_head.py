"""after the merge"""
import sqlalchemy as sa
from alembic import op

revision = "h4"
down_revision = "m3"


def upgrade():
    op.add_column("left_t", sa.Column("href", sa.Text(), nullable=False))
    op.drop_column("right_t", "created")
