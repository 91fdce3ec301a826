"""put notes back on the pattern, give tags its key"""
import sqlalchemy as sa
from alembic import op

revision = "n3"
down_revision = "n2"


def upgrade():
    with op.batch_alter_table("notes") as batch_op:
        batch_op.add_column(sa.Column("updated", sa.DateTime(), nullable=False))
        batch_op.alter_column("href", existing_type=sa.String(length=200), type_=sa.Text())
    with op.batch_alter_table("tags", recreate="never") as batch_op:
        batch_op.create_primary_key("pk_tags", ["id"])
