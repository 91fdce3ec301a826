"""readings get href; a type change away from native"""
import sqlalchemy as sa
from alembic import op

revision = "u2"
down_revision = "u1"


def upgrade():
    op.add_column("readings", sa.Column("href", sa.Text(), nullable=False))
    op.alter_column("devices", "updated", existing_type=sa.DateTime(timezone=True),
                    type_=sa.DateTime(timezone=False))
