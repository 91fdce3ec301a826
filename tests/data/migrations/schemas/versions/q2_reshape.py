"""reshape the billing tables"""
import sqlalchemy as sa
from alembic import op

revision = "q2"
down_revision = "q1"


def upgrade():
    op.add_column("orders", sa.Column("href", sa.Text(), nullable=False), schema="billing")
    op.alter_column("orders", "total", type_=sa.Numeric(14, 4), schema="billing")
    op.drop_column("customers", "updated", schema="billing")
    op.create_index("ix_billing_orders_total", "orders", ["total"], schema="billing")
    op.drop_constraint("customers_pkey", "customers", schema="billing")
    op.rename_table("customers", "clients", schema="billing")
    with op.batch_alter_table("clients", schema="billing") as batch_op:
        batch_op.add_column(sa.Column("name", sa.String(80)))
        batch_op.alter_column("href", nullable=True, existing_type=sa.Text())
    # the default schema's orders is untouched by all of the above
    op.add_column("orders", sa.Column("note", sa.Text()))
    op.drop_column("archive", "href", schema="public")
