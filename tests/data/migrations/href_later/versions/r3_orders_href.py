"""orders get their href two revisions later"""
import sqlalchemy as sa
from alembic import op

revision = "r3"
down_revision = "r2"


def upgrade():
    op.add_column("orders", sa.Column("href", sa.Text(), nullable=False))
