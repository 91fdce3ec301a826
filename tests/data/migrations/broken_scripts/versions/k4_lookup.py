"""a lookup no placeholder row can satisfy"""
import sqlalchemy as sa
from alembic import op

revision = "k4"
down_revision = "k3"

things = sa.table("things", sa.column("id", sa.String), sa.column("owner", sa.String))


def upgrade():
    op.add_column("things", sa.Column("href", sa.Text(), nullable=False))
    conn = op.get_bind()
    owner = conn.execute(sa.text("SELECT id FROM owners WHERE name = 'root'")).one()
    op.execute(things.update().values(owner=owner.id))
    while conn.execute(
        sa.select(things.c.id).where(things.c.owner.is_(None))
    ).first() is not None:
        op.execute(things.update().values(owner=owner.id))
    op.drop_column("things", "created")
