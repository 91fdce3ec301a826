"""a revision that imports what no longer exists"""
import sqlalchemy as sa
from alembic import op

import envoxy_no_such_module

revision = "k3"
down_revision = "k2"


def upgrade():
    op.drop_column("things", "updated")
