"""create accounts, widgets and a table that will not last

Revision ID: 1a
"""
import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "1a"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    accounts = op.create_table(
        "accounts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("updated", sa.DateTime(), nullable=False),
        sa.Column("href", sa.Text(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_accounts_name", "accounts", ["name"])
    when = dt.datetime(2020, 1, 1)
    op.bulk_insert(accounts, [
        {"id": "00000000-0000-4000-8000-000000000001", "created": when, "updated": when,
         "href": "/v3/data-layer/accounts/00000000-0000-4000-8000-000000000001", "name": "first"},
    ])
    op.create_table("widgets",
                    sa.Column("id", sa.String(36), primary_key=True),
                    sa.Column("created", sa.DateTime(), nullable=False),
                    sa.Column("updated", sa.DateTime()))
    op.create_table("temp", sa.Column("id", sa.String(36), primary_key=True))


def downgrade():
    op.drop_table("temp")
    op.drop_table("widgets")
    op.drop_table("accounts")
