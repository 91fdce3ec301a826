"""retype some"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "t2"
down_revision = "t1"


def upgrade():
    op.alter_column("samples", "amount", type_=sa.Numeric(20, 4), existing_type=sa.Numeric(36, 18))
    op.alter_column(
        "samples",
        "tags",
        type_=postgresql.ARRAY(sa.String(40)),
        existing_type=postgresql.ARRAY(sa.Text()),
    )
    op.alter_column("samples", "small", type_=sa.Integer(), existing_type=sa.SmallInteger())
    op.alter_column("samples", "name", type_=sa.String(120), existing_type=sa.String())
    op.add_column("samples", sa.Column("period", postgresql.INTERVAL(fields="year to month")))
