"""a second schema"""
import sqlalchemy as sa
from alembic import op

revision = "q1"
down_revision = None


def columns():
    return [
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("updated", sa.DateTime(), nullable=False),
        sa.Column("href", sa.Text(), nullable=False),
    ]


def upgrade():
    op.execute("CREATE SCHEMA billing")
    op.create_table("orders", *columns())
    op.create_table("orders", *columns()[:3], sa.Column("total", sa.Numeric(12, 2)), schema="billing")
    op.create_table("customers", *columns(), schema="billing")
    op.create_table("archive", *columns(), schema="public")
