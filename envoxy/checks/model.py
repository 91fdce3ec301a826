"""The compiled form of one ``checks:`` entry, and the facts each place knows.

A :class:`Check` is plain, picklable data (the rules cache stores it); its predicates are built
from it on first use in each process (:mod:`envoxy.checks.engine`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

# (not imported from envoxy.rules.catalog: envoxy.rules imports this module)
SeveritySetting = Literal["error", "warning", "off"]

__all__ = [
    "BUILTIN_NAMES",
    "COLUMN_FACTS",
    "KNOWN_FACTS",
    "PLACEHOLDERS",
    "TABLE_FACTS",
    "TARGETS",
    "Check",
    "CheckScope",
    "Target",
]

Target = Literal["models", "migrations", "db"]
CheckScope = Literal["table", "column"]

TARGETS: tuple[Target, ...] = ("models", "migrations", "db")

TABLE_FACTS = ("name", "schema", "columns", "primary_key", "indexes", "foreign_keys")
COLUMN_FACTS = ("name", "table", "logical_type", "sql_type", "nullable", "primary_key")

# What each place can know, table facts then column facts. ``logical_type`` is known everywhere:
# absent means "no logical type of the profile matches", never "unknown".
KNOWN_FACTS: dict[Target, tuple[frozenset[str], frozenset[str]]] = {
    "models": (frozenset({"name", "columns"}), frozenset({"name", "table", "logical_type"})),
    "migrations": (frozenset(TABLE_FACTS), frozenset(COLUMN_FACTS)),
    "db": (frozenset(TABLE_FACTS), frozenset(COLUMN_FACTS)),
}

# The built-in checks, by the name ``builtin:`` gives them (the code is in envoxy.checks.builtins).
BUILTIN_NAMES = ("foreign-key-index", "unique-table-names-casefold")

# The placeholders a message template may use, per scope; built-ins add their own.
PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "table": ("table", "schema", "reason"),
    "column": ("table", "column", "schema", "reason"),
    "foreign-key-index": ("table", "schema", "columns", "referred_table"),
    "unique-table-names-casefold": ("table", "schema", "other"),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Check:
    """One check of ``rules.yaml``, compiled.

    ``where_json``/``require_json`` are canonical JSON texts of the two JSON Schemas (so the
    dataclass stays hashable); ``needs`` the facts of the document they read (a document without
    one of them is skipped, not failed) and ``column_needs`` the column facts a table check reads
    through ``columns``. ``builtin``: the name of a built-in check (``require`` is then ``true``)
    with its ``parameters``.
    """

    id: str
    scope: CheckScope
    require_json: str = "true"
    where_json: str | None = None
    message: str
    severity: SeveritySetting = "error"
    description: str = ""
    targets: tuple[Target, ...] = TARGETS
    builtin: str | None = None
    parameters: tuple[tuple[str, Any], ...] = ()
    needs: frozenset[str] = frozenset()
    column_needs: frozenset[str] = frozenset()
    path: str | None = None  # the rules file that declared it, as shown
    line: int | None = None
    column: int | None = None

    @property
    def require(self) -> Any:
        return json.loads(self.require_json)

    @property
    def where(self) -> Any:
        return None if self.where_json is None else json.loads(self.where_json)

    def parameter(self, name: str, default: Any) -> Any:
        for key, value in self.parameters:
            if key == name:
                return value
        return default

    def skipped_in(self) -> dict[Target, tuple[str, ...]]:
        """The targets where the check never runs because it reads facts the place cannot know,
        with those facts (``columns.sql_type`` for a column fact a table check reads)."""
        out: dict[Target, tuple[str, ...]] = {}
        for target in self.targets:
            table_known, column_known = KNOWN_FACTS[target]
            known = column_known if self.scope == "column" else table_known
            missing = sorted(self.needs - known)
            if self.scope == "table":
                missing += [f"columns.{f}" for f in sorted(self.column_needs - column_known)]
            if missing:
                out[target] = tuple(missing)
        return out

    def runs_in(self, target: Target) -> bool:
        """Whether the check is judged at all in ``target``."""
        return target in self.targets and target not in self.skipped_in()
