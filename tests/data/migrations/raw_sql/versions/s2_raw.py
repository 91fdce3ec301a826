"""raw SQL: some of it DDL"""
import sqlalchemy as sa
from alembic import op

revision = "s2"
down_revision = "s1"


def upgrade():
    op.execute("CREATE INDEX ix_events_created ON events (created)")
    op.execute("UPDATE events SET href = '/v3/data-layer/events/' || id")
    op.execute(
        sa.text(
            "ALTER TABLE events ALTER COLUMN href DROP DEFAULT"
        )
    )
    op.execute(sa.text("COMMENT ON TABLE events IS 'audit trail'"))
