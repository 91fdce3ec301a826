"""reshape the keys"""
import sqlalchemy as sa
from alembic import op

revision = "p2"
down_revision = "p1"


def upgrade():
    # PostgreSQL named the key orders_pkey; no type_ is needed to drop it
    op.drop_constraint("orders_pkey", "orders")
    op.drop_constraint("invoices_pkey", "invoices", type_="primary")
    op.drop_constraint("pk_shipments", "shipments")
    # a key replaced by one on another column
    op.drop_constraint("refunds_pkey", "refunds", type_="primary")
    op.create_primary_key("pk_refunds", "refunds", ["code"])
    # ... and by one on id again, under a new name
    op.drop_constraint("coupons_pkey", "coupons", type_="primary")
    op.create_primary_key("pk_coupons", "coupons", ["id", "code"])
    # dropping a key column drops the key; the column comes back without one
    op.drop_column("payouts", "id")
    op.add_column("payouts", sa.Column("id", sa.String(36), primary_key=True))
    # ledger had no key at all: add_column(primary_key=True) does not make one
    op.add_column("ledger", sa.Column("id", sa.String(36), primary_key=True))
    # renaming a key column keeps the key on it
    op.alter_column("carts", "code", new_column_name="cart_code", existing_type=sa.String(20))
    op.alter_column("carts", "id", new_column_name="cart_id", existing_type=sa.String(36))
