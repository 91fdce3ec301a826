"""branches on what the table holds"""
import sqlalchemy as sa
from alembic import op

revision = "c2"
down_revision = "c1"

settings = sa.table("settings", sa.column("id", sa.String), sa.column("value", sa.Integer))


def upgrade():
    conn = op.get_bind()
    if conn.execute(sa.text("SELECT count(*) FROM settings")).scalar() == 0:
        # an empty table may take a NOT NULL column at once
        op.add_column("settings", sa.Column("href", sa.Text(), nullable=False))
    else:
        op.add_column("settings", sa.Column("href", sa.Text(), nullable=True))
    total = conn.execute(sa.select(sa.func.count()).select_from(settings)).scalar_one()
    if total == 0:
        op.add_column("settings", sa.Column("empty_at_upgrade", sa.Boolean()))
    highest = conn.execute(sa.text("select max(value) as top from settings")).first()
    if highest.top is None:
        op.add_column("settings", sa.Column("no_values", sa.Boolean()))
    found = conn.execute(sa.select(sa.exists().where(settings.c.value > 10))).scalar()
    if not found:
        op.add_column("settings", sa.Column("no_big_values", sa.Boolean()))
    (exists,) = conn.execute(sa.text("SELECT EXISTS (SELECT 1 FROM settings WHERE value < 0)")).one()
    if exists:
        op.drop_table("settings")
