"""What the template blocks use from the code the generator writes for each rules file.

Only the type checker reads this module (the templates import it under ``TYPE_CHECKING``); the
generated module defines these names itself.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import InstanceState, Mapper

__all__ = ["_MIXIN_DEFAULTS", "EnvoxyMixin", "_fill_on_insert", "_filled_rows"]


class EnvoxyMixin:
    """The mixin class: its columns depend on the rules."""


_MIXIN_DEFAULTS: dict[str, Any] = {}


def _filled_rows(table: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    raise NotImplementedError


def _fill_on_insert(mapper: Mapper[Any], connection: Any, state: InstanceState[Any]) -> None:
    raise NotImplementedError
