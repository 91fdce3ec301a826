"""envoxy: keep every table and model on the Envoxy table pattern.

One ``rules.yaml`` is compiled into JSON Schemas and column specs; the model validator, the Alembic
op inspector, the live-database check and the mixin generator all read that compiled form.

This module stays import-light: ``python -m envoxy.validate`` must start without SQLAlchemy.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
