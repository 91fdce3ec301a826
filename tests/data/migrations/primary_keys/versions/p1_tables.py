"""tables with conforming keys"""
import sqlalchemy as sa
from alembic import op

revision = "p1"
down_revision = None


def columns():
    return [
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("updated", sa.DateTime(), nullable=False),
        sa.Column("href", sa.Text(), nullable=False),
    ]


def upgrade():
    for name in ("orders", "invoices", "refunds", "coupons", "payouts", "carts"):
        op.create_table(name, *columns(), sa.Column("code", sa.String(20), nullable=False))
    op.create_table(
        "shipments",
        *columns()[1:],
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("code", sa.String(20), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_shipments"),
    )
    op.create_table("ledger", *columns()[1:], sa.Column("code", sa.String(20), nullable=False))
