"""`profile: native` is a one-line switch: UUID and TIMESTAMPTZ, and nothing else changes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from envoxy.rules import load_rules
from envoxy.rules.artifacts import compiled_artifacts
from tests.conftest import REPO


def _diff(a: Any, b: Any, path: str = "") -> dict[str, tuple[Any, Any]]:
    """Every leaf path where ``a`` and ``b`` differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        out: dict[str, tuple[Any, Any]] = {}
        for key in sorted(set(a) | set(b)):
            out.update(_diff(a.get(key), b.get(key), f"{path}/{key}"))
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        out = {}
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            out.update(_diff(x, y, f"{path}/{i}"))
        return out
    return {} if a == b else {path: (a, b)}


def test_switching_to_native_changes_only_the_types(native_rules: Path) -> None:
    legacy = compiled_artifacts(load_rules(REPO / "rules.yaml"))
    native = compiled_artifacts(load_rules(native_rules))

    columns = _diff(json.loads(legacy["columns.json"]), json.loads(native["columns.json"]))
    tz_ddl = {"postgresql": ("TIMESTAMP WITHOUT TIME ZONE", "TIMESTAMP WITH TIME ZONE")}
    expected_columns = {
        "/profile": ("legacy", "native"),
        "/columns/0/sql": ("VARCHAR(36)", "UUID"),
        "/columns/0/ddl/postgresql": ("VARCHAR(36)", "UUID"),
        "/columns/0/ddl/sqlite": ("VARCHAR(36)", "CHAR(32)"),
        "/columns/0/ddl/mysql": ("VARCHAR(36)", "CHAR(32)"),
        "/columns/0/sqlalchemy": ("sa.String(36)", "sa.Uuid()"),
    }
    for i in (1, 2):
        expected_columns[f"/columns/{i}/sql"] = tz_ddl["postgresql"]
        expected_columns[f"/columns/{i}/ddl/postgresql"] = tz_ddl["postgresql"]
        # MySQL's time-zone-converting TIMESTAMP (which native cannot use there: docs/RULES.md)
        expected_columns[f"/columns/{i}/ddl/mysql"] = ("DATETIME", "TIMESTAMP")
        expected_columns[f"/columns/{i}/sqlalchemy"] = (
            "sa.DateTime(timezone=False)",
            "sa.DateTime(timezone=True)",
        )
    assert columns == expected_columns

    schema = _diff(json.loads(legacy["model.schema.json"]), json.loads(native["model.schema.json"]))
    assert set(schema) == {
        "/description",
        "/x-envoxy/profile",
        "/$defs/field-id/description",
        "/$defs/field-id/x-envoxy-column/sql",
        "/$defs/field-created/description",
        "/$defs/field-created/x-envoxy-column/sql",
        "/$defs/field-updated/description",
        "/$defs/field-updated/x-envoxy-column/sql",
    }
    assert schema["/$defs/field-id/x-envoxy-column/sql"] == ("VARCHAR(36)", "UUID")
    assert schema["/$defs/field-created/x-envoxy-column/sql"] == (
        "TIMESTAMP WITHOUT TIME ZONE",
        "TIMESTAMP WITH TIME ZONE",
    )
    assert "Column id UUID NOT NULL, primary key" in schema["/$defs/field-id/description"][1]
    assert schema["/x-envoxy/profile"] == ("legacy", "native")


def test_native_column_specs(native_rules: Path) -> None:
    rules = load_rules(native_rules)
    assert [(c.name, c.sql_type.ddl(), c.nullable, c.primary_key) for c in rules.columns] == [
        ("id", "UUID", False, True),
        ("created", "TIMESTAMP WITH TIME ZONE", False, False),
        ("updated", "TIMESTAMP WITH TIME ZONE", False, False),
        ("href", "TEXT", False, False),
    ]
    assert rules.column("updated").value.on_update
    assert rules.column("href").value.template == "/v3/data-layer/{table}/{id}"
