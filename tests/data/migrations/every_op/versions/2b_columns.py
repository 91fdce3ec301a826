"""add and alter columns

Revision ID: 2b
Revises: 1a
"""
import sqlalchemy as sa
from alembic import op

revision = "2b"
down_revision = "1a"


def upgrade():
    op.add_column("widgets", sa.Column("href", sa.Text(), nullable=True))
    op.add_column("accounts", sa.Column("note", sa.Text()))
    op.alter_column("accounts", "created",
                    existing_type=sa.DateTime(),
                    type_=sa.Date())
    op.alter_column("widgets", "updated", existing_type=sa.DateTime(), nullable=False)
    op.alter_column("accounts", "href", existing_type=sa.Text(), nullable=True)
    op.drop_table("temp")


def downgrade():
    pass
