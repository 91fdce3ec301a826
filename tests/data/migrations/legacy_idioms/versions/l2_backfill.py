"""backfill labels with 1.x Core idioms, then drop href (by mistake)"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.sql import case, select

revision = "l2"
down_revision = "l1"

items = sa.table("legacy_items", sa.column("id", sa.String), sa.column("kind", sa.String),
                 sa.column("label", sa.String))


def upgrade():
    conn = op.get_bind()
    query = select([items.c.id, items.c.kind], items.c.kind != None)  # noqa: E711
    for row in conn.execute(query):
        op.execute(items.update(items.c.id == row.id, values={"label": row.kind}))
    first = items.select(items.c.kind == "a").with_only_columns([items.c.id])
    conn.execute(first).fetchall()
    label = case([(items.c.kind == "a", "alpha")], else_="other")
    conn.execute(sa.select([items.c.id, label]).order_by(items.c.id)).fetchall()
    op.drop_column("legacy_items", "href")
