"""rules.yaml: locate, load, check and compile it into a :class:`RuleSet`."""

from __future__ import annotations

import os
from pathlib import Path

from envoxy.rules.model import ColumnSpec, Exemption, RuleSet, Scope, ValueSpec

__all__ = ["ColumnSpec", "Exemption", "RuleSet", "Scope", "ValueSpec", "load_rules"]


def load_rules(path: str | os.PathLike[str] | None = None, *, cwd: Path | None = None) -> RuleSet:
    """The rules in force: ``path`` if given, else ``$ENVOXY_RULES``, else the nearest
    ``rules.yaml`` from ``cwd`` upward, else the default shipped with envoxy.

    Raises :class:`envoxy.errors.RulesError` listing every problem of a bad file.
    """
    from envoxy.rules.compiler import compile_rules
    from envoxy.rules.loader import locate_rules, read_rules

    source = locate_rules(path, cwd=cwd)
    return compile_rules(read_rules(source.path, source.shown, pipe_allowed=source.pipe_allowed))
