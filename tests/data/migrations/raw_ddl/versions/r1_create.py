"""tables made by raw SQL"""
import sqlalchemy as sa
from alembic import op

revision = "r1"
down_revision = None


def upgrade():
    op.execute("CREATE TYPE mood AS ENUM ('calm', 'angry')")
    op.execute(
        """
        CREATE TABLE people (
            id varchar(36) PRIMARY KEY,
            created timestamp NOT NULL,
            updated timestamp without time zone NOT NULL,
            href text NOT NULL,
            age int,
            mood mood,
            moods mood[],
            tags text[] NOT NULL DEFAULT '{}',
            email text UNIQUE,
            CONSTRAINT people_age_check CHECK (age > 0)
        );
        CREATE INDEX people_age_idx ON people (age);
        """
    )
    op.execute("CREATE TABLE IF NOT EXISTS people (id int)")  # exists: changes nothing
    op.execute(
        sa.text(
            "CREATE TABLE IF NOT EXISTS Counters (n serial, big bigserial, "
            '"Label" varchar(10), id varchar(36) NOT NULL, CONSTRAINT counters_pk PRIMARY KEY (n, id))'
        )
    )
    op.execute(
        "CREATE TABLE pets (id varchar(36) NOT NULL, owner_id varchar(36) REFERENCES people (id), "
        "name text, created timestamp NOT NULL, updated timestamp NOT NULL, href text NOT NULL)"
    )
