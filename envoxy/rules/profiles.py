"""The built-in profiles: logical type -> SQL type and the JSON declaration model files use.

A profile in ``rules.yaml`` has the same shape (``types: {uuid: {sql: ..., json: ...}}``) and may
start from another with ``base:``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["BUILTIN_PROFILES", "DEFAULT_FIELDS", "MADE_FOR"]

_TEXT = {"sql": "TEXT", "json": {"type": "string"}}

BUILTIN_PROFILES: dict[str, dict[str, Any]] = {
    "legacy": {
        "types": {
            "uuid": {"sql": "VARCHAR(36)", "json": {"type": "string", "format": "uuid"}},
            "timestamp": {
                "sql": "TIMESTAMP WITHOUT TIME ZONE",
                "json": {"type": "string", "format": "date-time"},
            },
            "text": _TEXT,
        }
    },
    # For MySQL and MariaDB, which have no native UUID (MySQL) and keep no time zone (see
    # docs/RULES.md): DATETIME(6) keeps the microseconds the mixin writes, where DATETIME
    # keeps none. Written as PostgreSQL names the types, so it works there too.
    "mysql": {
        "types": {
            "uuid": {"sql": "CHAR(36)", "json": {"type": "string", "format": "uuid"}},
            "timestamp": {
                "sql": "TIMESTAMP(6) WITHOUT TIME ZONE",
                "json": {"type": "string", "format": "date-time"},
            },
            "text": _TEXT,
        }
    },
    "native": {
        "types": {
            "uuid": {"sql": "UUID", "json": {"type": "string", "format": "uuid"}},
            "timestamp": {
                "sql": "TIMESTAMP WITH TIME ZONE",
                "json": {"type": "string", "format": "date-time"},
            },
            "text": _TEXT,
        }
    },
}

# The dialects a built-in profile is made for, where it is not made for every one: `envoxy init`
# proposes it only for databases and histories of these.
MADE_FOR: dict[str, tuple[str, ...]] = {"mysql": ("mysql", "mariadb")}

# What ``fields:`` means when rules.yaml leaves it out (the contract's four fields).
DEFAULT_FIELDS: dict[str, dict[str, Any]] = {
    "id": {
        "type": "uuid",
        "nullable": False,
        "primary_key": True,
        "value": "uuid4",
        "description": "Primary key: a UUID4 assigned when the row is created.",
    },
    "created": {
        "type": "timestamp",
        "nullable": False,
        "value": "now",
        "description": "When the row was created (UTC); never changes afterwards.",
    },
    "updated": {
        "type": "timestamp",
        "nullable": False,
        "value": "now",
        "on_update": "now",
        "description": "When the row was last written (UTC); changes on every update.",
    },
    "href": {
        "type": "text",
        "nullable": False,
        "value": {"template": "/v3/data-layer/{table}/{id}"},
        "description": "The row's canonical API path.",
    },
}
