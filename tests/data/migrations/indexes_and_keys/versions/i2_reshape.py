"""reshape them"""
import sqlalchemy as sa
from alembic import op

revision = "i2"
down_revision = "i1"


def upgrade():
    op.drop_constraint("authors_email_key", "authors", type_="unique")
    op.drop_constraint("authors_country_city_key", "authors")
    op.create_unique_constraint("uq_authors_email", "authors", ["email"])
    op.create_unique_constraint(None, "books", ["author_id", "isbn"])
    op.drop_index("ix_authors_city", table_name="authors")
    op.drop_column("authors", "name")  # takes ix_authors_name along
    op.drop_constraint("fk_books_editor", "books", type_="foreignkey")
    op.create_foreign_key(None, "books", "authors", ["editor_id"], ["id"])
    op.alter_column("books", "author_id", new_column_name="writer_id", existing_type=sa.String(36))
    op.add_column("books", sa.Column("sequel_of", sa.String(36), sa.ForeignKey("books.id")))
    op.create_index(None, "books", ["writer_id", "editor_id"])
