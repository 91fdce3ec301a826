"""The model validator: checks JSON model files against the compiled rules.

Run as ``python -m envoxy.validate [PATH ...]``. Importing this package must stay cheap and must
never import SQLAlchemy or Alembic (pre-commit runs it on every commit).

Stages, one module each: :mod:`~envoxy.validate.discovery` (which files),
:mod:`~envoxy.validate.loader` (bytes to JSON values, or a parse error),
:mod:`~envoxy.validate.checker` with :mod:`~envoxy.validate.judge` (the fast verdict) and
:mod:`~envoxy.validate.explain` (jsonschema's reasons), :mod:`~envoxy.validate.positions`
(line and column of a pointer), :mod:`~envoxy.validate.runner` (all of it, to a report).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from envoxy.validate.runner import validate

__all__ = ["validate"]


def __getattr__(name: str) -> Any:
    if name == "validate":
        from envoxy.validate.runner import validate

        return validate
    raise AttributeError(name)
