"""Read a type from text: a DDL spelling (``character varying(36)``) or a SQLAlchemy constructor
as source (``sa.String(length=36)``). Needs no SQLAlchemy: the model validator must not import it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from envoxy.sqltypes.dialects import DEFAULT_DIALECT, DialectDef, dialect_of
from envoxy.sqltypes.registry import Kind, TypeDef, type_named
from envoxy.sqltypes.sqltype import SqlType, SqlTypeError

__all__ = ["parse_sql_type"]

_PREFIX = re.compile(r"^(?:(?:SQLALCHEMY|DIALECTS|SA|POSTGRESQL|MYSQL|SQLITE|PG|TYPES)\.)+")
_CALL = re.compile(
    r"^(?P<name>[A-Z_][A-Z0-9_]*(?: [A-Z_][A-Z0-9_]*)*)\s*(?:\((?P<args>[^()]*)\))?\s*(?P<tail>.*)$"
)
_ZONES = {" WITH TIME ZONE": True, " WITHOUT TIME ZONE": False}


@dataclass(frozen=True, slots=True)
class _Call:
    """A spelling taken apart: ``TIMESTAMP(3) WITH TIME ZONE`` is name ``TIMESTAMP``, positional
    ``["3"]``, timezone ``True``."""

    text: str
    positional: list[str]
    keywords: dict[str, str]
    timezone: bool | None

    def fail(self, why: str = "") -> SqlTypeError:
        return SqlTypeError(f"not a SQL type: {self.text!r}{why}")


def parse_sql_type(text: str, dialect: str = DEFAULT_DIALECT) -> SqlType:
    """Canonical type for a DDL spelling or a SQLAlchemy constructor as source text, read as
    ``dialect`` means it (``rules.yaml`` names types as PostgreSQL does).

    >>> parse_sql_type("sa.String(length=36)") == parse_sql_type("VARCHAR(36)")
    True
    """
    facts = dialect_of(dialect)
    raw = _PREFIX.sub("", " ".join(text.strip().upper().split()))
    raw = facts.synonyms.get(raw, raw)
    match = _CALL.match(raw)
    if match is None:
        raise SqlTypeError(f"not a SQL type: {text!r}")
    name, zone = _split_zone(facts.synonyms.get(match["name"], match["name"]))
    tail = match["tail"].strip()
    if zone is None and " " + tail in _ZONES:
        zone, tail = _ZONES[" " + tail], ""
    args = [a.strip() for a in (match["args"] or "").split(",") if a.strip()]
    pairs = (a.split("=", 1) for a in args if "=" in a)
    call = _Call(
        text=text,
        positional=[a for a in args if "=" not in a],
        keywords={k.strip(): v.strip() for k, v in pairs},
        timezone=zone,
    )
    definition = type_named(name)
    if tail or definition is None or (zone is not None and definition.kind != "datetime"):
        raise call.fail()
    return _READERS[definition.kind](definition, call, facts)


def _split_zone(name: str) -> tuple[str, bool | None]:
    for suffix, zone in _ZONES.items():
        if name.endswith(suffix):
            return name[: -len(suffix)], zone
    return name, None


def _plain(definition: TypeDef, call: _Call, facts: DialectDef) -> SqlType:
    return SqlType(name=definition.name)


def _length(definition: TypeDef, call: _Call, facts: DialectDef) -> SqlType:
    length = call.keywords.get("LENGTH", call.positional[0] if call.positional else None)
    if length is None:
        if definition.unsized is not None:  # unbounded VARCHAR is TEXT in every dialect we target
            return SqlType(name=definition.unsized)
        return SqlType(name=definition.name, length=definition.default_length)
    if not length.isdigit():
        raise call.fail(" (length must be a whole number)")
    return SqlType(name=definition.name, length=int(length))


def _datetime(definition: TypeDef, call: _Call, facts: DialectDef) -> SqlType:
    timezone = call.timezone or call.keywords.get("TIMEZONE", "FALSE") == "TRUE"
    return SqlType(name=definition.name, timezone=timezone)


# How the arguments of each kind of type are read.
_READERS: dict[Kind, Callable[[TypeDef, _Call, DialectDef], SqlType]] = {
    "plain": _plain,
    "length": _length,
    "datetime": _datetime,
}
