"""a revision with a syntax error"""
import sqlalchemy as sa
from alembic import op

revision = "k2"
down_revision = "k1"


def upgrade():
    op.add_column("things", sa.Column("note", sa.Text())
    op.drop_column("things", "created")
