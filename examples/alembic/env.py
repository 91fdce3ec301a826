"""Alembic environment made by envoxy (``envoxy init-alembic``), for Alembic 1.18+.

- The database URL comes from ``$DATABASE_URL`` (``sqlalchemy.url`` in alembic.ini only when it
  is unset), so no password is kept in the repository.
- The models' MetaData comes from ``envoxy.target_metadata = module:attribute`` in alembic.ini
  (or replace ``target_metadata`` below with your own import).
- ``autogenerate_plugins`` enables envoxy's Alembic plugin beside Alembic's own comparison: every
  ``alembic revision --autogenerate`` and ``alembic check`` judges what autogenerate found, and a
  revision that breaks rules.yaml is refused with ``FAILED: ...`` and no file is written. A
  ``process_revision_directives`` hook of your own runs after that judgement.
"""

from __future__ import annotations

import importlib
import os
from logging.config import fileConfig

from alembic import context
from alembic.util import CommandError
from sqlalchemy import MetaData, create_engine, pool

from envoxy.errors import EnvoxyError

config = context.config

if config.config_file_name is not None:
    fileConfig(config.config_file_name)


def _target_metadata() -> MetaData | None:
    spec = (config.get_main_option("envoxy.target_metadata") or "").strip()
    if not spec:
        return None
    module_name, _, attribute = spec.partition(":")
    try:
        target: object = importlib.import_module(module_name)
    except ModuleNotFoundError as e:
        if e.name != module_name:  # an import inside the models failed: show it whole
            raise
        raise CommandError(
            f"envoxy.target_metadata = {spec}: no module {module_name!r} "
            "(prepend_sys_path in alembic.ini sets where it is looked for)"
        ) from e
    except EnvoxyError as e:  # EnvoxyMixin reads rules.yaml as the models import it
        raise CommandError(f"envoxy: cannot import the models ({spec}): {e}") from e
    for part in filter(None, attribute.split(".")):
        try:
            target = getattr(target, part)
        except AttributeError as e:
            raise CommandError(f"envoxy.target_metadata = {spec}: {e}") from e
    if not isinstance(target, MetaData):
        raise CommandError(
            f"envoxy.target_metadata = {spec} is a {type(target).__name__}, not a sqlalchemy MetaData"
        )
    return target


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise CommandError(
            "set DATABASE_URL to the database to migrate (e.g. postgresql+psycopg://user@localhost/dbname)"
        )
    if url.startswith("postgres://"):  # the spelling some hosts use; SQLAlchemy wants postgresql
        url = "postgresql://" + url[len("postgres://") :]
    return url


target_metadata = _target_metadata()


def run_migrations_offline() -> None:
    """Emit SQL for the migrations without connecting (``alembic upgrade --sql``)."""
    context.configure(
        url=_database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations (or autogenerate a revision) against the database."""
    engine = create_engine(_database_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            autogenerate_plugins=["alembic.autogenerate.*", "envoxy.*"],
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
