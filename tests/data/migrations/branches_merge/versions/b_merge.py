"""merge the branches"""
import sqlalchemy as sa
from alembic import op

revision = "m3"
down_revision = ("b1", "b2")


def upgrade():
    pass
