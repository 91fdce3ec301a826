"""the same in a batch, and a key put back"""
import sqlalchemy as sa
from alembic import op

revision = "p3"
down_revision = "p2"


def upgrade():
    op.create_table(
        "tickets",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("updated", sa.DateTime(), nullable=False),
        sa.Column("href", sa.Text(), nullable=False),
    )
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.drop_constraint("tickets_pkey")
        batch_op.add_column(sa.Column("number", sa.Integer(), nullable=False))
        batch_op.create_primary_key("pk_tickets", ["number"])
    # orders gets its key back
    op.create_primary_key("orders_pkey", "orders", ["id"])
