"""statuses, with a first row"""
import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "d1"
down_revision = None


def upgrade():
    statuses = op.create_table(
        "statuses",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("updated", sa.DateTime(), nullable=False),
        sa.Column("href", sa.Text(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
    )
    now = dt.datetime(2021, 6, 1, 12, 0)
    op.bulk_insert(statuses, [
        {"id": "6f1c1f7e-0000-4000-8000-000000000001", "created": now, "updated": now,
         "href": "/v3/data-layer/statuses/6f1c1f7e-0000-4000-8000-000000000001",
         "name": "active"},
    ])
