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


def _plain(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    name = type(value).__name__
    if _CLASSES.get(name) is type(value):
        fields = {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {_KIND: name, **fields}
    raise TypeError(f"cannot send a {name}")


def encode(message: dict[str, Any]) -> bytes:
    """One message as a line of JSON (sequences become lists, the dataclasses tagged objects)."""
    return json.dumps(_plain(message), ensure_ascii=True, separators=(",", ":")).encode("ascii") + b"\n"


def _value(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_value(v) for v in value)
    if isinstance(value, dict):
        name = value.get(_KIND)
        if name is None:
            return {k: _value(v) for k, v in value.items()}
        cls = _CLASSES.get(name) if isinstance(name, str) else None
        fields = {k: v for k, v in value.items() if k != _KIND}
        if cls is None or not set(fields) <= _FIELDS[name]:
            raise WireError(f"unexpected object {str(name)[:40]!r}")
        try:
            return cls(**{k: _value(v) for k, v in fields.items()})
        except TypeError as e:
            raise WireError(str(e)) from e
    return value


def decode(line: bytes) -> dict[str, Any]:
    """A message :func:`encode` wrote (sequences come back as tuples). Raises
    :class:`WireError` for anything else."""
    try:
        raw = json.loads(line)
    except (ValueError, RecursionError) as e:
        raise WireError("not JSON") from e
    if not isinstance(raw, dict):
        raise WireError("not an object")
    decoded = _value(raw)
    assert isinstance(decoded, dict)
    return decoded
