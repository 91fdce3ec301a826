"""The model validator: checks JSON model files against the compiled rules.

Run as ``python -m envoxy.validate [PATH ...]``. Importing this package must stay cheap and must
never import SQLAlchemy or Alembic (pre-commit runs it on every commit).
"""
