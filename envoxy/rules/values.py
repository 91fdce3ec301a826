"""The ways a required field's value is produced (``value:`` in rules.yaml), in one table.

Each :class:`ValueKind` says how rules.yaml spells it, which SQL types it can fill (through its
:class:`Maker` entries: the first that fits a column's type makes its values), and how the
compiled artifacts and the generated mixin describe it. The compiler, the JSON Schema and
``columns.json`` writers, the rules meta-schema and the mixin generator all read this table;
adding a kind is one entry here plus the code of its makers in the mixin's templates.

A kind's ``shape`` is how the generated mixin produces it, one of four:

- ``id``: a fresh value per row, made one at a time (``Maker.one()``, the ORM listener) or for
  a whole statement at once (``Maker.batch(count)`` returning the values and their text);
- ``clock``: one reading per statement (``Maker.one()``; ``Maker.batch`` names the column
  default that shares it between the statement's rows);
- ``template``: text rendered from the table's name and other fields of the row;
- ``caller``: nothing generated; the caller sets the value.

Nothing here imports SQLAlchemy: the model validator reads this module too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from envoxy.sqltypes import SqlType
from envoxy.sqltypes.registry import TYPES, UUID_HEX_LENGTH, UUID_TEXT_LENGTH

if TYPE_CHECKING:
    from envoxy.rules.model import ValueSpec

__all__ = ["TEXT_TYPES", "VALUE_KINDS", "Maker", "Shape", "ValueKind", "value_kind"]

Shape = Literal["id", "clock", "template", "caller"]

# The SQL types holding text (from the type registry): templates render into them, and ids fit
# them in text form.
TEXT_TYPES = frozenset(t.name for t in TYPES.values() if t.holds_text)


@dataclass(frozen=True, slots=True, kw_only=True)
class Maker:
    """The generated functions that make a kind's values for columns of some SQL types.

    ``types`` names the SQL types it fills; a sized type (``VARCHAR(n)``, ``CHAR(n)``) also needs
    ``n >= min_length``. ``timezone``, when set, limits it to timestamps with (or without) a
    time zone. ``one`` makes one value, ``batch`` serves a statement (see the shapes above).
    """

    types: frozenset[str]
    one: str
    batch: str | None = None
    min_length: int | None = None
    timezone: bool | None = None

    def fits(self, sql: SqlType) -> bool:
        if sql.name not in self.types:
            return False
        if self.timezone is not None and sql.timezone != self.timezone:
            return False
        return self.min_length is None or sql.length is None or sql.length >= self.min_length


@dataclass(frozen=True, slots=True, kw_only=True)
class ValueKind:
    """One way of producing a field's value; see the module docstring."""

    name: str
    shape: Shape
    how: str  # what the generated module's docstring says the column gets
    noun: str = ""  # what a maker makes, in messages ("a UUID4")
    makers: tuple[Maker, ...] = ()
    # The keys of its mapping form in rules.yaml (a template: ``{template: ..., strip_prefix: ...}``);
    # empty for a kind written as a bare word (``value: uuid4``).
    options: tuple[str, ...] = ()
    # Which SQL types the kind can fill at all, by name; a kind with makers fits their types.
    text_only: bool = False

    @property
    def spelled_as_word(self) -> bool:
        return not self.options

    def fits_type_name(self, sql: SqlType) -> bool:
        """Whether the kind can fill a column of this type's name, whatever its length."""
        if self.shape == "caller":
            return True
        if self.text_only:
            return sql.name in TEXT_TYPES
        return any(sql.name in m.types for m in self.makers)

    def maker_for(self, sql: SqlType) -> Maker | None:
        """The maker of values for a column of type ``sql``; None when none fits."""
        return next((m for m in self.makers if m.fits(sql)), None)

    def needs(self) -> str:
        """The column types its makers fill, as a person reads them: "UUID, or text of at
        least 32 characters"."""
        others = [t for m in self.makers for t in sorted(m.types - TEXT_TYPES)]
        lengths = [m.min_length or 1 for m in self.makers if m.types & TEXT_TYPES]
        text = [f"text of at least {min(lengths)} characters"] if lengths else []
        return ", or ".join([*dict.fromkeys(others), *text])

    def label(self, value: ValueSpec) -> str:
        """How the compiled model schema names a value (``x-envoxy-column.value``)."""
        return self.name if not self.options else f"{self.name} {value.template}"

    def describe(self, value: ValueSpec) -> dict[str, Any]:
        """The value as ``columns.json`` writes it."""
        out: dict[str, Any] = {"kind": self.name, "on_update": "now" if value.on_update else None}
        for option in self.options:
            given = getattr(value, option)
            out[option] = list(given) if isinstance(given, tuple) else given
        return out


VALUE_KINDS: dict[str, ValueKind] = {
    kind.name: kind
    for kind in (
        ValueKind(
            name="uuid4",
            shape="id",
            how="a fresh UUID4 on insert",
            noun="a UUID4",
            makers=(
                Maker(types=frozenset({"UUID"}), one="_new_uuid", batch="_new_uuid_batch"),
                Maker(
                    types=TEXT_TYPES,
                    min_length=UUID_TEXT_LENGTH,
                    one="_new_uuid_text",
                    batch="_new_uuid_text_batch",
                ),
                Maker(
                    types=TEXT_TYPES,
                    min_length=UUID_HEX_LENGTH,
                    one="_new_uuid_hex",
                    batch="_new_uuid_hex_batch",
                ),
            ),
        ),
        ValueKind(
            name="uuid7",
            shape="id",
            how="a fresh UUIDv7 (time-ordered) on insert",
            noun="a UUIDv7",
            makers=(
                Maker(types=frozenset({"UUID"}), one="_new_uuid7", batch="_new_uuid7_batch"),
                Maker(
                    types=TEXT_TYPES,
                    min_length=UUID_TEXT_LENGTH,
                    one="_new_uuid7_text",
                    batch="_new_uuid7_text_batch",
                ),
                Maker(
                    types=TEXT_TYPES,
                    min_length=UUID_HEX_LENGTH,
                    one="_new_uuid7_hex",
                    batch="_new_uuid7_hex_batch",
                ),
            ),
        ),
        ValueKind(
            name="now",
            shape="clock",
            how="the UTC time on insert",
            makers=(
                # Aware values only for WITH TIME ZONE: PostgreSQL converts an aware value written
                # into TIMESTAMP WITHOUT TIME ZONE to the session's TimeZone, shifting the time.
                Maker(
                    types=frozenset({"TIMESTAMP"}),
                    timezone=True,
                    one="_utc_now_aware",
                    batch="_statement_now_aware",
                ),
                Maker(
                    types=frozenset({"TIMESTAMP"}),
                    timezone=False,
                    one="_utc_now_naive",
                    batch="_statement_now_naive",
                ),
            ),
        ),
        ValueKind(name="none", shape="caller", how="set by the caller"),
        ValueKind(
            name="template",
            shape="template",
            how="{template} on insert",
            options=("template", "strip_prefix"),
            text_only=True,
        ),
    )
}


def value_kind(name: str) -> ValueKind:
    return VALUE_KINDS[name]


def value_schema() -> dict[str, Any]:
    """The rules meta-schema's ``fields.<name>.value``: a kind's word, or the mapping form of a
    kind with options (defined as ``$defs.<kind>`` in ``meta.schema.json``)."""
    words = [k.name for k in VALUE_KINDS.values() if k.spelled_as_word]
    mappings = [k for k in VALUE_KINDS.values() if not k.spelled_as_word]
    expected = [
        f"a mapping with {k.options[0]!r}"
        + (f" (and optional {' and '.join(repr(o) for o in k.options[1:])})" if k.options[1:] else "")
        for k in mappings
    ]
    return {
        "x-expected": ", ".join(words) + ", or " + " or ".join(expected),
        "anyOf": [{"enum": words}, *({"$ref": f"#/$defs/{k.name}"} for k in mappings)],
    }
