# Alembic configuration made by envoxy (envoxy init-alembic). See docs/ALEMBIC.md.

[alembic]
# path to migration scripts, relative to %(here)s (the directory of this file)
script_location = ${script_location}

# sys.path entries prepended before env.py runs, so the models below can be imported
prepend_sys_path = .
path_separator = os

# The models' MetaData, as module:attribute (for autogenerate). env.py imports it.
# envoxy.target_metadata = myapp.models:Base.metadata
envoxy.target_metadata =

# The database URL is read from the DATABASE_URL environment variable, so no password is
# kept here. sqlalchemy.url is used only when DATABASE_URL is not set.
# sqlalchemy.url = postgresql+psycopg://user@localhost/dbname

[post_write_hooks]

[loggers]
keys = root,sqlalchemy,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console
qualname =

[logger_sqlalchemy]
level = WARNING
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = INFO
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
datefmt = %H:%M:%S
