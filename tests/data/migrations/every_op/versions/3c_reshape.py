"""drop, rename, keys

Revision ID: 3c
Revises: 2b
"""
import sqlalchemy as sa
from alembic import op

revision = "3c"
down_revision = "2b"


def upgrade():
    op.drop_column("accounts", "note")
    op.drop_column("widgets", "updated")
    op.alter_column("accounts", "href", new_column_name="link", existing_type=sa.Text())
    op.create_table("alembic_version_staging", sa.Column("id", sa.String(36), primary_key=True))
    op.rename_table("alembic_version_staging", "staging")
    op.create_table(
        "gadgets",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("updated", sa.DateTime(), nullable=False),
        sa.Column("href", sa.Text(), nullable=False),
    )
    op.create_primary_key("pk_gadgets", "gadgets", ["id"])
    accounts = sa.table("accounts", sa.column("name", sa.String))
    op.execute(accounts.update().values(name="renamed"))


def downgrade():
    pass
