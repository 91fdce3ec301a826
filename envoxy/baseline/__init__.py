"""Baselines: the findings a repository accepts for now, keyed by what they are, never by line.

:mod:`~envoxy.baseline.keys` says what a finding is (its :class:`Key`), :mod:`~envoxy.baseline.store`
reads and writes the file, :mod:`~envoxy.baseline.match` judges a run against it. The commands
(``validate``, ``check-migrations``, ``check-db``) stay thin: see :mod:`envoxy.commands._baseline`.
"""

from __future__ import annotations

from envoxy.baseline.keys import NOT_BASELINED, SURFACES, Coverage, Key, Keyer, Surface
from envoxy.baseline.match import Judged, error_counts, judge
from envoxy.baseline.store import (
    Baseline,
    BaselineError,
    Entry,
    parse_baseline,
    read_baseline,
    render_baseline,
    rewrite,
    update_baseline,
)

__all__ = [
    "NOT_BASELINED",
    "SURFACES",
    "Baseline",
    "BaselineError",
    "Coverage",
    "Entry",
    "Judged",
    "Key",
    "Keyer",
    "Surface",
    "error_counts",
    "judge",
    "parse_baseline",
    "read_baseline",
    "render_baseline",
    "rewrite",
    "update_baseline",
]
