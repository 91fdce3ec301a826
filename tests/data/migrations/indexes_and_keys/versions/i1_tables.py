"""tables with indexes and keys"""
import sqlalchemy as sa
from alembic import op

revision = "i1"
down_revision = None


def columns():
    return [
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("updated", sa.DateTime(), nullable=False),
        sa.Column("href", sa.Text(), nullable=False),
    ]


def upgrade():
    op.create_table(
        "authors",
        *columns(),
        sa.Column("email", sa.Text(), unique=True),
        sa.Column("handle", sa.String(40), unique=True, index=True),
        sa.Column("name", sa.String(80), index=True),
        sa.Column("country", sa.CHAR(2)),
        sa.Column("city", sa.Text()),
        sa.UniqueConstraint("country", "city"),
        sa.Index("ix_authors_city", "city"),
    )
    op.create_table(
        "books",
        *columns(),
        sa.Column("author_id", sa.String(36), sa.ForeignKey("authors.id"), nullable=False),
        sa.Column("editor_id", sa.String(36)),
        sa.Column("isbn", sa.String(13)),
        sa.ForeignKeyConstraint(["editor_id"], ["authors.id"], name="fk_books_editor"),
    )
    op.create_index(op.f("ix_books_isbn"), "books", ["isbn"], unique=True)
