"""The files ``envoxy compile`` writes to ``schemas/``, as ``{name: text}``."""

from __future__ import annotations

import json
from typing import Any

from envoxy.rules.model import ColumnSpec, RuleSet
from envoxy.sqltypes import DIALECTS as _ALL_DIALECTS

__all__ = ["DIALECTS", "column_ddl", "column_specs", "compiled_artifacts"]

DIALECTS = tuple(d.name for d in _ALL_DIALECTS.values() if d.column_specs)
"""The dialects whose DDL ``columns.json`` lists."""


def column_ddl(column: ColumnSpec, dialect: str) -> str:
    """The column's type as ``dialect`` spells it in ``CREATE TABLE``."""
    return column.sql_type.ddl(dialect)


def column_specs(rules: RuleSet) -> dict[str, Any]:
    """Column specs for programs that are not Python: names, types per dialect, value sources."""
    return {
        "profile": rules.profile,
        "scope": {"include": list(rules.scope.include), "exclude": list(rules.scope.exclude)},
        "exemptions": {
            e.table: {
                "fields": sorted(e.fields),
                "reason": e.reason,
                "until": e.until.isoformat() if e.until else None,
            }
            for e in rules.exemptions
        },
        "columns": [
            {
                "name": c.name,
                "logical_type": c.logical_type,
                "sql": c.sql_type.ddl(),
                "ddl": {d: column_ddl(c, d) for d in DIALECTS},
                "sqlalchemy": c.sql_type.sqlalchemy_source(),
                "nullable": c.nullable,
                "primary_key": c.primary_key,
                "value": c.value.kind_info.describe(c.value),
            }
            for c in rules.columns
        ],
    }


def compiled_artifacts(rules: RuleSet) -> dict[str, str]:
    """The files of ``schemas/``; the schema of the check documents only when ``rules.yaml`` has
    checks (so that a project without them keeps the files it has)."""
    out = {
        "model.schema.json": rules.model_schema_json,
        "columns.json": json.dumps(column_specs(rules), indent=2) + "\n",
    }
    if rules.checks:
        from envoxy.checks.documents_schema import FILENAME, documents_schema_text

        out[FILENAME] = documents_schema_text([t.name for t in rules.logical_types])
    return out
