"""The JSON Schema (Draft 2020-12) of the documents checks judge: one per table, one per column.

``envoxy compile`` writes it to ``schemas/checks-documents.schema.json`` when ``rules.yaml`` has
checks (``compile --check`` fails on drift), with the profile's logical types as the values
``logical_type`` takes; editors use it to help write ``where`` and ``require``, and every place's
documents are tested against it. Keys a place cannot know are absent, so none but ``name`` (and
``table`` of a column) is required.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

__all__ = ["FILENAME", "documents_schema", "documents_schema_text"]

FILENAME = "checks-documents.schema.json"

_NAMES = {"type": "array", "items": {"type": "string"}}


def documents_schema(logical_types: Sequence[str]) -> dict[str, Any]:
    """The schema, ``logical_type`` taking one of ``logical_types``."""
    column = {
        "type": "object",
        "description": "A column. A fact the place cannot know is absent (model files state only "
        "name, table and logical_type).",
        "additionalProperties": False,
        "required": ["name", "table"],
        "properties": {
            "name": {"type": "string"},
            "table": {"type": "string", "description": "The name of the column's table."},
            "logical_type": {
                "enum": list(logical_types),
                "description": "The profile's logical type whose SQL type (model files: whose "
                "declaration) matches; absent when none does.",
            },
            "sql_type": {
                "type": "string",
                "description": "The type as the dialect's DDL writes it: VARCHAR(36), TIMESTAMP "
                "WITHOUT TIME ZONE, JSONB, DOUBLE PRECISION, NUMERIC(12, 2).",
            },
            "nullable": {"type": "boolean"},
            "primary_key": {"type": "boolean"},
        },
    }
    table = {
        "type": "object",
        "description": "A table, with its columns in table order.",
        "additionalProperties": False,
        "required": ["name"],
        "properties": {
            "name": {"type": "string"},
            "schema": {
                "type": ["string", "null"],
                "description": "The table's schema; null for the database's default one.",
            },
            "columns": {"type": "array", "items": {"$ref": "#/$defs/column"}},
            "primary_key": {**_NAMES, "description": "The primary key's columns in key order; [] for none."},
            "indexes": {"type": "array", "items": {"$ref": "#/$defs/index"}},
            "foreign_keys": {"type": "array", "items": {"$ref": "#/$defs/foreign_key"}},
        },
    }
    index = {
        "type": "object",
        "description": "An index or a unique constraint.",
        "additionalProperties": False,
        "required": ["name", "columns", "unique"],
        "properties": {
            "name": {"type": ["string", "null"]},
            "columns": _NAMES,
            "unique": {"type": "boolean"},
        },
    }
    foreign_key = {
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "columns", "referred_schema", "referred_table", "referred_columns"],
        "properties": {
            "name": {"type": ["string", "null"]},
            "columns": _NAMES,
            "referred_schema": {"type": ["string", "null"]},
            "referred_table": {"type": "string"},
            "referred_columns": _NAMES,
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://envoxy.dev/schemas/checks-documents.schema.json",
        "title": "envoxy check documents",
        "description": "What the 'where' and 'require' of a check in rules.yaml judge: a table "
        "document (scope: table) or a column document (scope: column). See docs/CHECKS.md.",
        "anyOf": [{"$ref": "#/$defs/table"}, {"$ref": "#/$defs/column"}],
        "$defs": {"table": table, "column": column, "index": index, "foreign_key": foreign_key},
    }


def documents_schema_text(logical_types: Sequence[str]) -> str:
    return json.dumps(documents_schema(logical_types), indent=2) + "\n"
