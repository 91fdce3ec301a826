"""Made-up rows for a revision that needs a row where the offline stand-in has none.

A :class:`PlaceholderRow` answers every position, key and attribute with a :class:`Placeholder`,
so ``row[0]``, ``row.id``, ``row._mapping["name"]`` and ``a, b = row`` all work.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["AnyKey", "Placeholder", "PlaceholderRow"]


class Placeholder(str):
    """A stand-in value: a string ``"0"`` that also adds, compares and converts like the number 0.

    Revision code uses looked-up values as ids in ``WHERE`` clauses, as strings, as counts; this
    one value serves all three well enough for the ops that follow to be recorded.
    """

    __slots__ = ()

    def __new__(cls) -> Placeholder:
        return super().__new__(cls, "0")

    def __int__(self) -> int:
        return 0

    def __float__(self) -> float:
        return 0.0

    def __index__(self) -> int:
        return 0

    def __bool__(self) -> bool:
        return True

    def __hash__(self) -> int:
        return str.__hash__(self)

    def __eq__(self, other: object) -> bool:
        return other == 0 if isinstance(other, (int, float)) else str.__eq__(self, other)

    def __lt__(self, other: Any) -> bool:
        return other > 0 if isinstance(other, (int, float)) else str.__lt__(self, other)

    def __le__(self, other: Any) -> bool:
        return other >= 0 if isinstance(other, (int, float)) else str.__le__(self, other)

    def __gt__(self, other: Any) -> bool:
        return other < 0 if isinstance(other, (int, float)) else str.__gt__(self, other)

    def __ge__(self, other: Any) -> bool:
        return other <= 0 if isinstance(other, (int, float)) else str.__ge__(self, other)

    def _arith(self, other: Any) -> Any:
        return other if isinstance(other, (int, float)) else self

    __add__ = __radd__ = __sub__ = __rsub__ = _arith
    __mul__ = __rmul__ = __truediv__ = __floordiv__ = _arith

    def __getattr__(self, name: str) -> Any:  # row.attr.attr: still a placeholder
        if name.startswith("__"):
            raise AttributeError(name)
        return Placeholder()


class PlaceholderRow(tuple):  # type: ignore[type-arg]
    """A row whose every column, by position, key or attribute, is a :class:`Placeholder`.

    ``names`` are the selected columns when the statement says (a Core ``select``); a raw
    string's row has one unnamed column and still answers any key or attribute.
    """

    _names: tuple[str, ...]

    def __new__(cls, names: Sequence[str]) -> PlaceholderRow:
        row = super().__new__(cls, [Placeholder() for _ in names or ("",)])
        row._names = tuple(names)
        return row

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, int) and -len(self) <= key < len(self):
            return tuple.__getitem__(self, key)
        if isinstance(key, slice):
            return tuple.__getitem__(self, key)
        return Placeholder()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return Placeholder()

    def keys(self) -> list[str]:
        """So that ``dict(row)`` (SQLAlchemy 1.x) gives the named columns."""
        return list(self._names)

    @property
    def _mapping(self) -> AnyKey:
        return AnyKey({name: Placeholder() for name in self._names})

    def _asdict(self) -> dict[str, Any]:
        return {name: Placeholder() for name in self._names}

    @property
    def _t(self) -> tuple[Any, ...]:
        return tuple(self)


class AnyKey(dict):  # type: ignore[type-arg]
    def __missing__(self, key: Any) -> Any:
        return Placeholder()
