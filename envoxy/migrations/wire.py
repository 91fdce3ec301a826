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
from typing import Any

from envoxy.findings import Finding
from envoxy.migrations.schema import Origin
from envoxy.sqltypes import SqlType
from envoxy.tables import ColumnState, ForeignKeyState, IndexState, TableState

__all__ = ["WireError", "decode", "encode"]

_CLASSES: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (Finding, Origin, SqlType, ColumnState, IndexState, ForeignKeyState, TableState)
}
_FIELDS = {name: {f.name for f in dataclasses.fields(cls)} for name, cls in _CLASSES.items()}
_KIND = "$"


class WireError(ValueError):
    """Bytes that are not a message this module wrote."""


def _tagged(value: Any) -> dict[str, Any]:
    name = type(value).__name__
    if _CLASSES.get(name) is not type(value):
        raise TypeError(f"cannot send a {name}")
    return {_KIND: name, **{f: getattr(value, f) for f in _ORDER[name]}}


def encode(message: dict[str, Any]) -> bytes:
    """One message as a line of JSON (sequences become lists, the dataclasses tagged objects)."""
    return _ENCODER.encode(message).encode("ascii") + b"\n"


def _hook(value: dict[str, Any]) -> Any:
    """A JSON object as it is decoded (its members already are): a tagged one becomes its
    dataclass, lists inside it tuples."""
    name = value.pop(_KIND, None)
    if name is None:
        return value
    cls = _CLASSES.get(name) if isinstance(name, str) else None
    if cls is None or not value.keys() <= _FIELDS[name]:
        raise WireError(f"unexpected object {str(name)[:40]!r}")
    try:
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in value.items()})
    except TypeError as e:
        raise WireError(str(e)) from e


def _tuples(value: Any) -> Any:
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def decode(line: bytes) -> dict[str, Any]:
    """A message :func:`encode` wrote (its lists come back as tuples). Raises
    :class:`WireError` for anything else."""
    try:
        raw = json.loads(line, object_hook=_hook)
    except (ValueError, RecursionError) as e:
        raise WireError("not a message") from e
    if not isinstance(raw, dict):
        raise WireError("not an object")
    try:
        return {k: _tuples(v) for k, v in raw.items()}
    except RecursionError as e:
        raise WireError("nested too deeply") from e


_ORDER = {name: tuple(f.name for f in dataclasses.fields(cls)) for name, cls in _CLASSES.items()}
_ENCODER = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"), default=_tagged)
