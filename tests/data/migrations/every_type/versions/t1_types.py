"""every type"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql


class GUID(sa.types.TypeDecorator):
    """The classic GUID recipe: native UUID on PostgreSQL, CHAR(32) elsewhere."""

    impl = sa.CHAR
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.UUID())
        return dialect.type_descriptor(sa.CHAR(32))


revision = "t1"
down_revision = None


def upgrade():
    op.create_table(
        "samples",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("created", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("updated", postgresql.TIMESTAMP(timezone=True, precision=3), nullable=False),
        sa.Column("href", sa.Text(), nullable=False),
        sa.Column("legacy_id", sa.Uuid(native_uuid=False)),
        sa.Column("pg_uuid", postgresql.UUID(as_uuid=True)),
        sa.Column("guid", GUID()),
        sa.Column("variant", sa.String(36).with_variant(postgresql.UUID(), "postgresql")),
        sa.Column("elapsed", sa.Interval()),
        sa.Column("window", postgresql.INTERVAL(fields="day to second", precision=2)),
        sa.Column("amount", sa.Numeric(36, 18)),
        sa.Column("whole", sa.Numeric(10)),
        sa.Column("any_number", sa.Numeric()),
        sa.Column("ratio", sa.Float()),
        sa.Column("single", sa.REAL()),
        sa.Column("double", sa.Double()),
        sa.Column("tags", postgresql.ARRAY(sa.Text())),
        sa.Column("scores", sa.ARRAY(sa.Integer())),
        sa.Column("grid", postgresql.ARRAY(sa.Integer(), dimensions=2)),
        sa.Column("mood", sa.Enum("calm", "angry", name="mood")),
        sa.Column("moods", postgresql.ARRAY(postgresql.ENUM("calm", "angry", name="mood", create_type=False))),
        sa.Column("kind", sa.Enum("a", "bb", "ccc", native_enum=False)),
        sa.Column("doc", postgresql.JSONB()),
        sa.Column("raw_doc", sa.JSON()),
        sa.Column("blob", sa.LargeBinary()),
        sa.Column("flag", sa.Boolean()),
        sa.Column("day", sa.Date()),
        sa.Column("at", sa.Time(timezone=True)),
        sa.Column("at_ms", postgresql.TIME(precision=2)),
        sa.Column("code", sa.CHAR(3)),
        sa.Column("name", sa.String()),
        sa.Column("small", sa.SmallInteger()),
        sa.Column("big", sa.BigInteger()),
        sa.Column("xml_doc", postgresql.TSVECTOR()),
        sa.Column("money", postgresql.MONEY()),
    )
