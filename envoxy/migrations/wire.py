"""What the process that runs revision scripts tells the scanner, as JSON.

A report of one revision holds findings and the tables it changed; both are frozen dataclasses
of envoxy's own (:class:`~envoxy.findings.Finding`, :class:`~envoxy.tables.TableState` and the
states and types inside it, :class:`~envoxy.migrations.schema.Origin`). Each is encoded as an
object naming its class; decoding accepts only those classes and their declared fields, so the
bytes another process wrote can make nothing else (unlike ``pickle``).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

from envoxy.findings import Finding
from envoxy.migrations.schema import Origin
from envoxy.sqltypes import SqlType
from envoxy.tables import ColumnState, ForeignKeyState, IndexState, TableState

__all__ = ["WireError", "decode", "encode", "materialize"]

_CLASSES: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (Finding, Origin, SqlType, ColumnState, IndexState, ForeignKeyState, TableState)
}
_FIELDS = {name: {f.name for f in dataclasses.fields(cls)} for name, cls in _CLASSES.items()}
_KIND = "$"


_loads: Callable[[bytes], Any]
try:  # three times faster at reading the reports; json where it is not installed
    from orjson import loads as _loads
except ImportError:  # pragma: no cover - orjson is a dependency
    _loads = json.loads


class WireError(ValueError):
    """Bytes that are not a message this module wrote."""


def _fragment(value: Any) -> str:
    """``value`` as JSON text. The states inside a table are immutable values that repeat
    (a table's versions share most columns, tables share types), so each distinct one is written
    once and its text reused."""
    if value is None:
        return "null"
    kind = type(value)
    if kind is str:
        return _string(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return repr(value)
    if kind is tuple or kind is list:
        return "[" + ",".join(map(_fragment, value)) + "]"
    if kind is dict:
        return "{" + ",".join(_string(str(k)) + ":" + _fragment(v) for k, v in value.items()) + "}"
    if isinstance(value, str):  # SQLAlchemy's quoted_name, say: sent as the text it is
        return _string(str.__str__(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return repr(int(value))
    name = kind.__name__
    if _CLASSES.get(name) is not kind:
        raise TypeError(f"cannot send a {name}")
    shared = kind in _SHARED
    if shared:
        known = _written.get(value)
        if known is not None:
            return known
    text = (
        '{"$":'
        + _string(name)
        + "".join(f",{label}:{_fragment(getattr(value, f))}" for f, label in _LABELS[name])
        + "}"
    )
    if shared:
        if len(_written) > _WRITTEN_LIMIT:
            _written.clear()
        _written[value] = text
    return text


def encode(message: dict[str, Any]) -> bytes:
    """One message as a line of JSON (sequences become lists, the dataclasses tagged objects)."""
    return _fragment(message).encode("ascii") + b"\n"


def decode(line: bytes) -> dict[str, Any]:
    """A message :func:`encode` wrote, as plain JSON values (lists, tagged objects): what it
    carries becomes envoxy's own values through :func:`materialize`. Raises :class:`WireError`
    for what is not an object."""
    try:
        raw = _loads(line)
    except (ValueError, RecursionError) as e:  # orjson's JSONDecodeError is a ValueError
        raise WireError("not a message") from e
    if not isinstance(raw, dict):
        raise WireError("not an object")
    return raw


def materialize(value: Any) -> Any:
    """A decoded value as envoxy's own: tagged objects become their dataclasses (only those
    :data:`_CLASSES` names, with their declared fields), lists tuples. Raises
    :class:`WireError` for anything else."""
    try:
        return _value(value)
    except RecursionError as e:
        raise WireError("nested too deeply") from e


def _value(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(map(_value, value))
    if not isinstance(value, dict):
        return value
    name = value.get(_KIND)
    cls = _CLASSES.get(name) if isinstance(name, str) else None
    if cls is None or not value.keys() - {_KIND} <= _FIELDS[cls.__name__]:
        raise WireError(f"unexpected object {str(name)[:40]!r}")
    shared = cls in _SHARED
    if shared:  # the same column or type comes back in every version of a table
        key = repr(value)
        known = _read.get(key)
        if known is not None:
            return known
    try:
        made = cls(**{k: _value(v) for k, v in value.items() if k != _KIND})
    except TypeError as e:
        raise WireError(str(e)) from e
    if shared:
        if len(_read) > _WRITTEN_LIMIT:
            _read.clear()
        _read[key] = made
    return made


_string = json.encoder.encode_basestring_ascii
_SHARED = (SqlType, ColumnState, IndexState, ForeignKeyState)
_written: dict[Any, str] = {}
_read: dict[str, Any] = {}
_WRITTEN_LIMIT = 100_000
_LABELS = {
    name: tuple((f.name, _string(f.name)) for f in dataclasses.fields(cls)) for name, cls in _CLASSES.items()
}
