"""tables reshaped by raw SQL"""
from alembic import op

revision = "r2"
down_revision = "r1"


def upgrade():
    op.execute("ALTER TABLE pets ADD PRIMARY KEY (id)")
    op.execute("ALTER TABLE pets ADD COLUMN IF NOT EXISTS name text")  # exists: changes nothing
    op.execute("ALTER TABLE pets ADD COLUMN weight numeric(6, 2) NOT NULL DEFAULT 0, ADD nick varchar(20)")
    op.execute("ALTER TABLE pets ALTER COLUMN name TYPE varchar(80), ALTER COLUMN name SET NOT NULL")
    op.execute("ALTER TABLE pets ALTER COLUMN href DROP NOT NULL")
    op.execute("ALTER TABLE pets RENAME COLUMN nick TO nickname")
    op.execute("ALTER TABLE people DROP COLUMN age")
    op.execute("ALTER TABLE people ADD CONSTRAINT people_href_key UNIQUE (href)")
    op.execute("ALTER TABLE people DROP CONSTRAINT people_email_key")
    op.execute("ALTER TABLE counters RENAME TO tallies")
    op.execute("ALTER TABLE tallies DROP CONSTRAINT counters_pk, ADD CONSTRAINT tallies_pk PRIMARY KEY (id)")
    op.execute("CREATE TABLE scratch (x int); DROP TABLE scratch")
    op.execute("ALTER TABLE pets ALTER COLUMN weight SET DEFAULT 1")
    op.execute(
        "DO $$ BEGIN EXECUTE 'COMMENT ON TABLE pets IS ''pets'''; END $$"
    )  # PL/pgSQL: not read, an unanalysed-sql warning
    op.execute("CREATE INDEX ON pets (name, weight)")
    op.execute("CREATE UNIQUE INDEX IF NOT EXISTS pets_name_weight_idx ON pets (name)")  # exists
