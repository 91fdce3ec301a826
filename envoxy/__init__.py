"""envoxy: keep every table and model on the Envoxy table pattern.

One ``rules.yaml`` is compiled into JSON Schemas and column specs; the model validator, the Alembic
op inspector, the live-database check and the mixin generator all read that compiled form.

This module stays import-light (``python -m envoxy.validate`` must start without SQLAlchemy), so
the names below are imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["Finding", "Report", "RuleSet", "RulesError", "__version__", "load_rules"]

if TYPE_CHECKING:
    from envoxy.errors import RulesError
    from envoxy.findings import Finding, Report
    from envoxy.rules import RuleSet, load_rules

_LAZY = {
    "Finding": "envoxy.findings",
    "Report": "envoxy.findings",
    "RuleSet": "envoxy.rules",
    "RulesError": "envoxy.errors",
    "load_rules": "envoxy.rules",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'envoxy' has no attribute {name!r}")
