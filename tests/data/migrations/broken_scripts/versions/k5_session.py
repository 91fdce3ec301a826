"""an ORM session on the bind: cannot be followed offline"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy import orm

revision = "k5"
down_revision = "k4"


def upgrade():
    op.alter_column("things", "owner", existing_type=sa.String(36), nullable=False)
    session = orm.Session(bind=op.get_bind())
    session.execute(sa.text("SELECT 1")).all()
    op.drop_column("things", "updated")
