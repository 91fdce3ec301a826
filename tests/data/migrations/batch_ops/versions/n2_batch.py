"""reshape notes in a batch"""
import sqlalchemy as sa
from alembic import op

revision = "n2"
down_revision = "n1"


def upgrade():
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("title", sa.String(length=80), nullable=True))
        batch_op.alter_column("body", new_column_name="content", existing_type=sa.Text())
        batch_op.alter_column(
            "href",
            existing_type=sa.Text(),
            type_=sa.String(length=200),
            existing_nullable=False,
        )
        batch_op.drop_column("updated")
