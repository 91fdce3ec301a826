"""The checks JSON Schema cannot express across objects, enabled by ``builtin:`` with
``parameters:``. Each takes the check and the table documents selected for it and yields
``(table document, column or None, placeholder values)`` per failure.

- ``foreign-key-index``: every foreign key's columns are the leading columns (in any order) of
  some index, or of the primary key (parameter ``primary_key``, default ``true``: the primary
  key counts as an index);
- ``unique-table-names-casefold``: no two tables' names are equal after Unicode case folding
  (parameter ``across_schemas``, default ``false``: only tables of one schema are compared).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from envoxy.checks.model import Check

__all__ = ["BUILTINS", "BUILTIN_DESCRIPTIONS", "BUILTIN_MESSAGES", "BUILTIN_NEEDS", "BUILTIN_PARAMETERS"]

Failure = tuple[dict[str, Any], str | None, dict[str, str]]
Builtin = Callable[[Check, Sequence[dict[str, Any]]], Iterator[Failure]]


def _covered(columns: list[str], leading: list[str]) -> bool:
    n = len(columns)
    return n > 0 and len(leading) >= n and set(leading[:n]) == set(columns)


def foreign_key_index(check: Check, tables: Sequence[dict[str, Any]]) -> Iterator[Failure]:
    use_pk = check.parameter("primary_key", True)
    for doc in tables:
        keys = [list(i.get("columns", ())) for i in doc.get("indexes", ())]
        if use_pk and doc.get("primary_key"):
            keys.append(list(doc["primary_key"]))
        for fk in doc.get("foreign_keys", ()):
            columns = [str(c) for c in fk.get("columns", ())]
            if not columns or any(_covered(columns, k) for k in keys):
                continue
            yield (
                doc,
                ", ".join(columns),
                {"columns": ", ".join(columns), "referred_table": str(fk.get("referred_table", ""))},
            )


def unique_table_names_casefold(check: Check, tables: Sequence[dict[str, Any]]) -> Iterator[Failure]:
    across = check.parameter("across_schemas", False)
    groups: dict[tuple[Any, str], list[dict[str, Any]]] = {}
    for doc in tables:
        key = (None if across else doc.get("schema"), doc["name"].casefold())
        groups.setdefault(key, []).append(doc)
    for doc in tables:
        group = groups[(None if across else doc.get("schema"), doc["name"].casefold())]
        others = sorted(
            {
                _shown(o)
                for o in group
                if o is not doc and (o["name"], o.get("schema")) != (doc["name"], doc.get("schema"))
            }
        )
        if others:
            yield doc, None, {"other": ", ".join(others)}


def _shown(doc: dict[str, Any]) -> str:
    schema = doc.get("schema")
    return str(doc["name"]) if schema is None else f"{schema}.{doc['name']}"


BUILTINS: dict[str, Builtin] = {
    "foreign-key-index": foreign_key_index,
    "unique-table-names-casefold": unique_table_names_casefold,
}
# The table facts each reads (a place that cannot know one skips it).
BUILTIN_NEEDS: dict[str, frozenset[str]] = {
    "foreign-key-index": frozenset({"foreign_keys", "indexes", "primary_key"}),
    "unique-table-names-casefold": frozenset({"name"}),
}
# Parameter name -> (JSON type, default).
BUILTIN_PARAMETERS: dict[str, dict[str, tuple[str, Any]]] = {
    "foreign-key-index": {"primary_key": ("boolean", True)},
    "unique-table-names-casefold": {"across_schemas": ("boolean", False)},
}
BUILTIN_MESSAGES: dict[str, str] = {
    "foreign-key-index": "foreign key ({columns}) of {table} to {referred_table} is not covered by an index",
    "unique-table-names-casefold": "table {table} differs from {other} only in case",
}
BUILTIN_DESCRIPTIONS: dict[str, str] = {
    "foreign-key-index": (
        "Every foreign key's columns lead some index (in any order) or the primary key, so that "
        "deleting or updating a referred row does not scan the referring table."
    ),
    "unique-table-names-casefold": (
        "No two table names are equal after Unicode case folding: MySQL on case-insensitive file "
        "systems, and any tool that folds unquoted identifiers, would take one for the other."
    ),
}
