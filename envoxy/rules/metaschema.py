"""What ``rules.yaml`` embeds as JSON Schema (field declarations, checks' ``where`` and
``require``) must be: valid Draft 2020-12 and self-contained. One place for both tests, and for
how a problem's place in the file is shown."""

from __future__ import annotations

from functools import cache
from typing import Any

from envoxy.errors import clip

__all__ = ["KeyPath", "dotted", "references", "schema_error"]

KeyPath = tuple[str | int, ...]

_REFERENCE_KEYS = ("$ref", "$dynamicRef")


def dotted(at: KeyPath) -> str:
    """A place in the rules file as messages show it: ``checks.snake.require.type``."""
    return clip(".".join(str(p) for p in at))


def references(node: Any, where: KeyPath) -> list[KeyPath]:
    """Where ``node`` (a JSON Schema at ``where``) uses ``$ref`` or ``$dynamicRef``."""
    found: list[KeyPath] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _REFERENCE_KEYS and isinstance(value, str):
                found.append((*where, key))
            else:
                found.extend(references(value, (*where, key)))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            found.extend(references(item, (*where, i)))
    return found


@cache
def _meta() -> Any:
    from jsonschema import Draft202012Validator

    # The format checker makes an invalid regex ("pattern", "patternProperties") an error here
    # rather than when a validator first meets it.
    return Draft202012Validator(
        Draft202012Validator.META_SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def schema_error(schema: Any, where: KeyPath) -> tuple[KeyPath, str] | None:
    """Where ``schema`` (at ``where``) breaks the Draft 2020-12 meta-schema, and jsonschema's
    words for it (``best_match``, clipped); ``None`` when it is a valid schema."""
    from jsonschema.exceptions import best_match

    error = best_match(_meta().iter_errors(schema))
    if error is None:
        return None
    return (*where, *error.absolute_path), clip(error.message)
