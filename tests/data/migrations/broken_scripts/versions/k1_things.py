"""things; this revision talks a lot"""
import logging
import os
import sys
import warnings

import sqlalchemy as sa
from alembic import op

revision = "k1"
down_revision = None

print("k1: imported")
log = logging.getLogger("alembic.runtime.migration")


def upgrade():
    print("k1: upgrading")
    print("k1: to stderr", file=sys.stderr)
    os.write(1, b"k1: straight to file descriptor 1\n")
    log.warning("k1: a log record")
    logging.getLogger().error("k1: a root log record")
    warnings.warn("k1: a warning", stacklevel=1)
    op.create_table(
        "things",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("updated", sa.DateTime(), nullable=False),
        sa.Column("owner", sa.String(36)),
    )
