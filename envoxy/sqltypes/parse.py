"""Read a type from text: a DDL spelling (``character varying(36)``, what PostgreSQL's
``format_type()`` prints, what SQLAlchemy compiles) or a SQLAlchemy constructor as source
(``sa.String(length=36)``). Needs no SQLAlchemy: the model validator must not import it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from envoxy.sqltypes.dialects import DEFAULT_DIALECT, DialectDef, dialect_of
from envoxy.sqltypes.registry import Kind, TypeDef, type_named
from envoxy.sqltypes.sqltype import SqlType, SqlTypeError

__all__ = ["parse_sql_type", "sql_type_named"]

_PREFIX = re.compile(r"^(?:(?:SQLALCHEMY|DIALECTS|SA|POSTGRESQL|MYSQL|SQLITE|PG|TYPES)\.)+", re.IGNORECASE)
_CALL = re.compile(
    r"^(?P<name>[A-Z_][A-Z0-9_]*(?: [A-Z_][A-Z0-9_]*)*)\s*(?:\((?P<args>[^()]*)\))?\s*(?P<tail>.*)$"
)
_ARRAY_CALL = re.compile(r"^ARRAY\s*\((?P<args>.*)\)$", re.IGNORECASE)
_ENUM_CALL = re.compile(r"^ENUM\s*\((?P<labels>.*)\)$", re.IGNORECASE)
_LABEL = re.compile(r"\s*'((?:[^']|'')*)'\s*(?:,|$)")
# A column's own attribute, at the end of its type's text (one at a time: linear in the text).
_ATTRIBUTE = re.compile(r"\s+(?:COLLATE|CHARACTER SET|CHARSET)\s+(?:\"(?:[^\"]|\"\")*\"|\S+)$", re.IGNORECASE)
_MAX_NESTING = 8  # ARRAY(ARRAY(...)): deeper is no type, and must not exhaust the stack
_ZONES = {" WITH TIME ZONE": True, " WITHOUT TIME ZONE": False}
_INTERVAL_FIELDS = frozenset(
    {
        "YEAR",
        "MONTH",
        "DAY",
        "HOUR",
        "MINUTE",
        "SECOND",
        "YEAR TO MONTH",
        "DAY TO HOUR",
        "DAY TO MINUTE",
        "DAY TO SECOND",
        "HOUR TO MINUTE",
        "HOUR TO SECOND",
        "MINUTE TO SECOND",
    }
)


@dataclass(frozen=True, slots=True)
class _Call:
    """A spelling taken apart: ``TIMESTAMP(3) WITH TIME ZONE`` is positional ``["3"]`` and
    timezone ``True``; ``INTERVAL DAY TO SECOND(2)`` has qualifier ``DAY TO SECOND``."""

    text: str
    positional: list[str]
    keywords: dict[str, str]
    timezone: bool | None
    qualifier: str
    facts: DialectDef

    def fail(self, why: str = "") -> SqlTypeError:
        return SqlTypeError(f"not a SQL type: {self.text!r}{why}")

    def number(self, *names: str) -> int | None:
        """The first positional argument or the first of the keywords ``names``, as a whole
        number (``None`` when absent)."""
        found = next((self.keywords[n] for n in names if n in self.keywords), None)
        if found is None and self.positional:
            found = self.positional[0]
        if found is None:
            return None
        if not found.isdigit():
            raise self.fail(f" ({found} must be a whole number)")
        return int(found)


def parse_sql_type(text: str, dialect: str = DEFAULT_DIALECT) -> SqlType:
    """Canonical type for a DDL spelling or a SQLAlchemy constructor as source text, read as
    ``dialect`` means it (``rules.yaml`` names types as PostgreSQL does); a
    :class:`SqlTypeError` for a type envoxy does not know.

    >>> parse_sql_type("sa.String(length=36)") == parse_sql_type("VARCHAR(36)")
    True
    """
    return _parse(text, dialect_of(dialect), strict=True)


def sql_type_named(text: str, dialect: str = DEFAULT_DIALECT) -> SqlType:
    """The type a database or SQLAlchemy names with ``text`` (a catalog's ``format_type()``,
    a compiled type, ``alter_column(type_="...")``): canonical where envoxy knows the type,
    else carried by that name in upper case (``xml`` is ``XML``)."""
    key = (text, dialect)
    found = _named_memo.get(key)
    if found is None:
        found = _parse(text, dialect_of(dialect), strict=False)
        if len(_named_memo) >= _MEMO_LIMIT:
            _named_memo.clear()
        _named_memo[key] = found
    return found


# What sql_type_named() read, by (text, dialect): the same few spellings come back for every
# column of a history or a database (SqlType is immutable, so one value serves them all).
_named_memo: dict[tuple[str, str], SqlType] = {}
_MEMO_LIMIT = 4096


def _parse(text: str, facts: DialectDef, *, strict: bool, depth: int = 0) -> SqlType:
    spaced = _without_attributes(_PREFIX.sub("", " ".join(text.split())))
    try:
        enum = _ENUM_CALL.match(spaced)
        if enum is not None:
            return _enum_labels(text, enum["labels"])
        array = _array_item(spaced)
        if array is not None:
            if depth >= _MAX_NESTING:
                raise SqlTypeError(f"not a SQL type: {text[:80]!r}... (arrays nested too deeply)")
            return SqlType(name="ARRAY", item=_parse(array, facts, strict=strict, depth=depth + 1))
        return _named(text, spaced.upper(), facts)
    except SqlTypeError:
        if strict or not spaced:
            raise
        return SqlType(name=_upper_unquoted(spaced))


def _without_attributes(text: str) -> str:
    """``text`` without the collation and character set that end it: they belong to the column,
    not to its type (SQLAlchemy compiles them in: MySQL's ``VARCHAR(36) CHARACTER SET utf8mb4
    COLLATE utf8mb4_bin``)."""
    for _ in range(3):  # a collation, a character set, in either order
        text, cut = _ATTRIBUTE.subn("", text)
        if not cut:
            break
    return text


_QUOTED = re.compile(r"(\"[^\"]*\"?|'[^']*'?)")


def _upper_unquoted(text: str) -> str:
    """``text`` in upper case but for its quoted identifiers and strings (``"Mood Q"[]`` and
    MySQL's ``SET('x','y')`` stay so)."""
    parts = _QUOTED.split(text)
    return "".join(part if i % 2 else part.upper() for i, part in enumerate(parts))


def _array_item(raw: str) -> str | None:
    """The item type's text of an array spelling (``TEXT[]``, ``INTEGER ARRAY[4]``,
    ``ARRAY(TEXT)``); ``None`` for any other. Linear in the text, whatever it holds."""
    end, brackets = len(raw), 0
    while end and raw[end - 1] == "]":
        start = raw.rfind("[", 0, end)
        inside = raw[start + 1 : end - 1].strip(" ")
        if start < 0 or (inside and not inside.isdigit()):
            return None
        end, brackets = start, brackets + 1
        while end and raw[end - 1] == " ":
            end -= 1
    item = raw[:end]
    if item.upper().endswith(" ARRAY"):
        return item[: -len(" ARRAY")].rstrip(" ") or None
    if brackets:
        return item or None
    call = _ARRAY_CALL.match(raw)
    if call is None:
        return None
    depth, args = 0, call["args"]
    for i, char in enumerate(args):  # the first argument, at the top level
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            return args[:i]
    return args


def _enum_labels(text: str, labels: str) -> SqlType:
    """``ENUM('a','b')``, as MySQL writes an enum: its labels are its type."""
    found, end = [], 0
    for match in _LABEL.finditer(labels):
        if match.start() != end:
            break
        found.append(match[1].replace("''", "'"))
        end = match.end()
    if end != len(labels) or not found:
        raise SqlTypeError(f"not a SQL type: {text!r}")
    return SqlType(name="ENUM", labels=tuple(found))


def _named(text: str, raw: str, facts: DialectDef) -> SqlType:
    raw = facts.synonyms.get(raw, raw)
    match = _CALL.match(raw)
    if match is None:
        raise SqlTypeError(f"not a SQL type: {text!r}")
    name, zone = _split_zone(facts.synonyms.get(match["name"], match["name"]))
    tail = match["tail"].strip()
    if zone is None and " " + tail in _ZONES:
        zone, tail = _ZONES[" " + tail], ""
    definition, qualifier = _lookup(name)
    args = [a.strip() for a in (match["args"] or "").split(",") if a.strip()]
    pairs = (a.split("=", 1) for a in args if "=" in a)
    call = _Call(
        text=text,
        positional=[a for a in args if "=" not in a],
        keywords={k.strip(): v.strip() for k, v in pairs},
        timezone=zone,
        qualifier=qualifier,
        facts=facts,
    )
    if tail or definition is None or (zone is not None and definition.kind != "datetime"):
        raise call.fail()
    return _READERS[definition.kind](definition, call)


def _split_zone(name: str) -> tuple[str, bool | None]:
    for suffix, zone in _ZONES.items():
        if name.endswith(suffix):
            return name[: -len(suffix)], zone
    return name, None


def _lookup(name: str) -> tuple[TypeDef | None, str]:
    """The type a name means, and what follows the type's own name (``INTERVAL DAY`` is
    ``INTERVAL`` qualified by ``DAY``; only an interval takes a qualifier)."""
    definition = type_named(name)
    if definition is not None:
        return definition, ""
    head, _, qualifier = name.partition(" ")
    definition = type_named(head)
    if definition is not None and definition.kind == "interval":
        return definition, qualifier
    return None, ""


def _plain(definition: TypeDef, call: _Call) -> SqlType:
    return SqlType(name=definition.name)


def _length(definition: TypeDef, call: _Call) -> SqlType:
    length = call.number("LENGTH")
    if length is None and definition.unsized is None:
        length = definition.default_length
    return SqlType(name=definition.name, length=length)


def _numeric(definition: TypeDef, call: _Call) -> SqlType:
    precision = call.number("PRECISION")
    if precision is None:
        return SqlType(name=definition.name)
    scale = call.keywords.get("SCALE", call.positional[1] if len(call.positional) > 1 else "0")
    if not scale.isdigit():
        raise call.fail(f" ({scale} must be a whole number)")
    return SqlType(name=definition.name, precision=precision, scale=int(scale))


def _float(definition: TypeDef, call: _Call) -> SqlType:
    """``FLOAT(p)``: single precision up to 24 binary digits, double above (SQL standard, as
    PostgreSQL and MySQL read it)."""
    bits = call.number("PRECISION")
    bits = call.facts.float_bits if bits is None else bits
    return SqlType(name="REAL" if bits <= 24 else "DOUBLE PRECISION")


def _datetime(definition: TypeDef, call: _Call) -> SqlType:
    keyword = call.keywords.get("TIMEZONE")
    if call.positional[:1] in (["TRUE"], ["FALSE"]):  # sa.DateTime(True)
        keyword, call = call.positional[0], replace(call, positional=call.positional[1:])
    return SqlType(
        name=definition.name,
        precision=call.number("PRECISION", "FSP"),
        timezone=bool(call.timezone) or keyword == "TRUE",
    )


def _interval(definition: TypeDef, call: _Call) -> SqlType:
    fields = call.qualifier or call.keywords.get("FIELDS", "").strip("'\"").upper()
    fields = " ".join(fields.split())
    if fields and fields not in _INTERVAL_FIELDS:
        raise call.fail(f" ({fields} are not interval fields)")
    return SqlType(name=definition.name, fields=fields or None, precision=call.number("PRECISION"))


def _enum(definition: TypeDef, call: _Call) -> SqlType:
    return SqlType(name=definition.name)


def _array(definition: TypeDef, call: _Call) -> SqlType:
    raise call.fail(" (an array needs its item type, as in TEXT[])")


# How the arguments of each kind of type are read (an array is read before, by its item).
_READERS: dict[Kind, Callable[[TypeDef, _Call], SqlType]] = {
    "plain": _plain,
    "length": _length,
    "numeric": _numeric,
    "float": _float,
    "datetime": _datetime,
    "interval": _interval,
    "array": _array,
    "enum": _enum,
}
