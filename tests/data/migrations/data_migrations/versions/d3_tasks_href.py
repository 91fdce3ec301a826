"""tasks get href, built from a looked-up row"""
import sqlalchemy as sa
from alembic import op

revision = "d3"
down_revision = "d2"


def upgrade():
    conn = op.get_bind()
    row = conn.execute(sa.text("SELECT id FROM statuses WHERE name = 'ACTIVE'")).fetchone()
    op.add_column(
        "tasks",
        sa.Column("href", sa.Text(), nullable=False,
                  server_default=f"/v3/data-layer/statuses/{row[0]}"),
    )
    rows = conn.execute(sa.text("SELECT id FROM tasks")).fetchall()
    for task_id, in rows:
        op.execute(sa.text("UPDATE tasks SET href = :h WHERE id = :i").bindparams(
            h=f"/v3/data-layer/tasks/{task_id}", i=task_id))
