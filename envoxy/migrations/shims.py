"""SQLAlchemy 1.x idioms that old revision scripts use, kept working while a revision runs.

``select([cols], whereclause)``, ``Table.select(whereclause)``, ``Select.with_only_columns([...])``,
``case([(cond, value), ...])``, ``table.update(whereclause, values)``, ``MetaData(bind=conn)``
and ``Table(name, metadata, autoload=True)`` were removed in
SQLAlchemy 2.0. :func:`legacy_idioms` swaps in wrappers that accept both spellings and hands every
2.x call straight through; on exit the originals are back, so nobody else sees a change.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql import selectable

__all__ = ["legacy_idioms"]

# Modules whose ``select``/``case`` attribute revision code may import.
_FUNCTION_HOMES = (
    "sqlalchemy",
    "sqlalchemy.sql",
    "sqlalchemy.sql.expression",
    "sqlalchemy.future",
    "sqlalchemy.sql._selectable_constructors",
    "sqlalchemy.sql._elements_constructors",
)

# 1.x ``select()`` keyword -> the 2.x generative method that does the same.
_SELECT_KEYWORDS: dict[str, Callable[[Any, Any], Any]] = {
    "whereclause": lambda s, v: s.where(v),
    "from_obj": lambda s, v: s.select_from(*_listed(v)),
    "order_by": lambda s, v: s.order_by(*_listed(v)),
    "group_by": lambda s, v: s.group_by(*_listed(v)),
    "having": lambda s, v: s.having(v),
    "limit": lambda s, v: s.limit(v),
    "offset": lambda s, v: s.offset(v),
    "distinct": lambda s, v: s.distinct() if v is True else s.distinct(*_listed(v)) if v else s,
    "correlate": lambda s, v: s if v else s.correlate(None),
    "use_labels": lambda s, v: s.set_label_style(sa.LABEL_STYLE_TABLENAME_PLUS_COL) if v else s,
}


def _listed(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple, set)) else [value]


def _is_legacy_list(args: tuple[Any, ...]) -> bool:
    return bool(args) and isinstance(args[0], (list, tuple))


def _select_wrapper(original: Callable[..., Any]) -> Callable[..., Any]:
    def select(*args: Any, **kw: Any) -> Any:
        if not _is_legacy_list(args) and not (set(kw) & set(_SELECT_KEYWORDS)):
            return original(*args, **kw)
        columns = list(args[0]) if _is_legacy_list(args) else list(args)
        rest = args[1:] if _is_legacy_list(args) else ()
        if rest:
            kw.setdefault("whereclause", rest[0])
        statement = original(*columns)
        for name, apply in _SELECT_KEYWORDS.items():
            if name in kw and kw[name] is not None:
                statement = apply(statement, kw.pop(name))
        return statement

    return select


def _case_wrapper(original: Callable[..., Any]) -> Callable[..., Any]:
    def case(*whens: Any, **kw: Any) -> Any:
        if len(whens) == 1 and isinstance(whens[0], list):
            return original(*whens[0], **kw)
        if "whens" in kw:
            return original(*_listed(kw.pop("whens")), **kw)
        return original(*whens, **kw)

    return case


def _from_select(original: Callable[..., Any]) -> Callable[..., Any]:
    def select(self: Any, whereclause: Any = None, **kw: Any) -> Any:
        statement = original(self)
        if whereclause is not None:
            statement = statement.where(whereclause)
        for name, apply in _SELECT_KEYWORDS.items():
            if kw.get(name) is not None:
                statement = apply(statement, kw[name])
        return statement

    return select


def _with_only_columns(original: Callable[..., Any]) -> Callable[..., Any]:
    def with_only_columns(self: Any, *entities: Any, **kw: Any) -> Any:
        if _is_legacy_list(entities):
            entities = (*entities[0], *entities[1:])
        return original(self, *entities, **kw)

    return with_only_columns


def _dml(original: Callable[..., Any], *names: str) -> Callable[..., Any]:
    """``table.update(whereclause, values)``, ``table.delete(whereclause)``, ``insert(values)``."""

    def method(self: Any, *args: Any, **kw: Any) -> Any:
        given = dict(zip(names, args, strict=False)) | {k: kw.pop(k) for k in names if k in kw}
        statement = original(self, **kw)
        if given.get("whereclause") is not None:
            statement = statement.where(given["whereclause"])
        if given.get("values") is not None:
            statement = statement.values(given["values"])
        return statement

    return method


def _metadata_init(original: Callable[..., Any]) -> Callable[..., Any]:
    """``MetaData(bind=conn)``: the bind is kept for ``Table(..., autoload=True)``."""

    def __init__(self: Any, *args: Any, bind: Any = None, **kw: Any) -> None:
        original(self, *args, **kw)
        if bind is not None:
            self._envoxy_bind = bind

    return __init__


def _table_new(original: Any) -> Any:
    """``Table(name, metadata, autoload=True)``: reflect through the metadata's bind."""
    function = original.__func__

    def _new(cls: Any, *args: Any, **kw: Any) -> Any:
        if kw.pop("autoload", False) and "autoload_with" not in kw:
            metadata = args[1] if len(args) > 1 else kw.get("metadata")
            bind = getattr(metadata, "_envoxy_bind", None)
            if bind is not None:
                kw["autoload_with"] = bind
        return function(cls, *args, **kw)

    return classmethod(_new)


# (owner, attribute, wrapper factory): methods patched on the class that defines them.
_METHODS: tuple[tuple[type[Any], str, Callable[..., Callable[..., Any]]], ...] = (
    (selectable.FromClause, "select", _from_select),
    (selectable.Join, "select", _from_select),
    (selectable.Select, "with_only_columns", _with_only_columns),
    (selectable.TableClause, "update", lambda o: _dml(o, "whereclause", "values")),
    (selectable.TableClause, "delete", lambda o: _dml(o, "whereclause")),
    (selectable.TableClause, "insert", lambda o: _dml(o, "values")),
    (sa.MetaData, "__init__", _metadata_init),
    (sa.Table, "_new", _table_new),
)
_FUNCTIONS: dict[str, Callable[..., Callable[..., Any]]] = {
    "select": _select_wrapper,
    "case": _case_wrapper,
}


@contextmanager
def legacy_idioms() -> Iterator[None]:
    """Accept the SQLAlchemy 1.x spellings inside the block; restore everything on exit."""
    undo: list[tuple[Any, str, Any]] = []
    try:
        for owner, name, factory in _METHODS:
            original = owner.__dict__[name]
            undo.append((owner, name, original))
            setattr(owner, name, factory(original))
        for name, factory in _FUNCTIONS.items():
            original = getattr(sa, name)
            wrapper = factory(original)
            for home in _FUNCTION_HOMES:
                module = importlib.import_module(home)
                if getattr(module, name, None) is original:
                    undo.append((module, name, original))
                    setattr(module, name, wrapper)
        yield
    finally:
        for owner, name, original in reversed(undo):
            setattr(owner, name, original)
