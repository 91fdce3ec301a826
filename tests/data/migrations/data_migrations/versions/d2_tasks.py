"""tasks point at the active status; names get upper-cased"""
import sqlalchemy as sa
from alembic import op

revision = "d2"
down_revision = "d1"

statuses = sa.table("statuses", sa.column("id", sa.String), sa.column("name", sa.String))


def upgrade():
    conn = op.get_bind()
    # A lookup that expects its row: on an empty database it raises.
    active_id = conn.execute(
        sa.select(statuses.c.id).where(statuses.c.name == "active")
    ).scalar_one()
    count = conn.execute(sa.text("SELECT count(*) FROM statuses")).scalar()
    if count > 0:
        for row in conn.execute(sa.text("SELECT id, name FROM statuses")):
            op.execute(
                statuses.update().where(statuses.c.id == row.id).values(name=row.name.upper())
            )
    op.create_table(
        "tasks",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("updated", sa.DateTime(), nullable=False),
        sa.Column("status_id", sa.String(length=36), nullable=False,
                  server_default=str(active_id)),
    )
