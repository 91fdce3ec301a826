"""Checks with a bad and a good table each, as the place tests build them: the six kinds of
docs/CHECKS.md (naming, identifier length, money types, soft delete, JSONB, primary key) and the
peers' rule sets (schemalint, squawk) written as checks, in the ``native`` profile.

``expected`` is (table, column) of every finding the check gives on its bad tables; its good
tables give none. Every table passes every other check of the same list, so one schema can hold
them all.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.checks_places.places import Col, Table

__all__ = ["DOCS", "PEERS", "Example", "checks_yaml"]


@dataclass(frozen=True)
class Example:
    id: str
    yaml: str  # the check's entry under `checks:`, indented by two
    bad: tuple[Table, ...]
    good: tuple[Table, ...]
    expected: frozenset[tuple[str, str | None]]
    places: frozenset[str] = frozenset({"models", "migrations", "db"})
    """Where the check is judged (it reads facts only these know)."""


def checks_yaml(examples: tuple[Example, ...]) -> str:
    return "\nchecks:\n" + "".join(e.yaml for e in examples)


SQL_PLACES = frozenset({"migrations", "db"})

DOCS: tuple[Example, ...] = (
    Example(
        "snake-case-names",
        """  snake-case-names:
    scope: column
    require: {properties: {name: {pattern: "^[a-z][a-z0-9_]*$"}}}
    message: "column {column} of {table} is not snake_case"
    description: "Column names are snake_case: no quoting needed anywhere."
""",
        bad=(Table("naming_bad", (Col("OrderNo", "sa.Text()"),)),),
        good=(Table("naming_good", (Col("order_no", "sa.Text()"),)),),
        expected=frozenset({("naming_bad", "OrderNo")}),
    ),
    Example(
        "short-table-names",
        """  short-table-names:
    scope: table
    require: {properties: {name: {maxLength: 24}}}
    message: "table {table} has a name longer than 24 characters"
    description: "Table names leave room for the indexes and constraints named after them."
""",
        bad=(Table("identifier_length_is_too_bad"),),
        good=(Table("identifier_ok"),),
        expected=frozenset({("identifier_length_is_too_bad", None)}),
    ),
    Example(
        "no-float-money",
        """  no-float-money:
    scope: column
    where: {properties: {name: {pattern: "(price|amount|cost|total)$"}}}
    require: {properties: {sql_type: {not: {enum: ["REAL", "DOUBLE PRECISION"]}}}}
    message: "money column {column} of {table} is a float ({reason})"
    description: "Money is exact: NUMERIC, never a binary float."
""",
        bad=(Table("money_bad", (Col("price", "sa.Float()"), Col("total", "sa.REAL()"))),),
        good=(Table("money_good", (Col("price", "sa.Numeric(12, 2)"), Col("total", "sa.Numeric(12, 2)"))),),
        expected=frozenset({("money_bad", "price"), ("money_bad", "total")}),
        places=SQL_PLACES,
    ),
    Example(
        "soft-delete-nullable",
        """  soft-delete-nullable:
    scope: column
    where: {properties: {name: {const: deleted_at}}}
    require: {properties: {nullable: {const: true}}}
    message: "{table}.{column} must be nullable: NULL is a row not deleted"
    description: "A soft-delete column is NULL until the row is deleted."
""",
        bad=(Table("soft_bad", (Col("deleted_at", "sa.DateTime(timezone=True)", nullable=False),)),),
        good=(Table("soft_good", (Col("deleted_at", "sa.DateTime(timezone=True)"),)),),
        expected=frozenset({("soft_bad", "deleted_at")}),
        places=SQL_PLACES,
    ),
    Example(
        "json-as-jsonb",
        """  json-as-jsonb:
    scope: column
    require: {properties: {sql_type: {not: {const: JSON}}}}
    message: "column {column} of {table} is JSON; store JSONB"
    description: "JSONB is indexable and compares by value."
""",
        bad=(Table("json_bad", (Col("payload", "sa.JSON()"),)),),
        good=(Table("json_good", (Col("payload", "postgresql.JSONB()"),)),),
        expected=frozenset({("json_bad", "payload")}),
        places=SQL_PLACES,
    ),
    Example(
        "primary-key-present",
        """  primary-key-present:
    scope: table
    require: {properties: {primary_key: {minItems: 1}}}
    message: "table {table} has no primary key"
    description: "Every table has a primary key (replication and ORMs need one)."
""",
        bad=(
            Table(
                "keyless_bad",
                (
                    Col("id", "sa.Uuid()", nullable=False),
                    Col("created", "sa.DateTime(timezone=True)", nullable=False),
                    Col("updated", "sa.DateTime(timezone=True)", nullable=False),
                    Col("href", "sa.Text()", nullable=False),
                ),
                required=False,
            ),
        ),
        good=(Table("keyed_good"),),
        expected=frozenset({("keyless_bad", None)}),
        places=SQL_PLACES,
    ),
)
"""The six kinds of check of docs/CHECKS.md ``keyless_bad`` needs ``KEYLESS_EXEMPTION``."""

KEYLESS_EXEMPTION = """keyless_bad:
  fields: [id]
  reason: "the primary-key-present example: no key, on purpose"
"""

PEERS: tuple[Example, ...] = (
    Example(
        "name-casing",
        """  name-casing:
    scope: column
    require: {properties: {name: {pattern: "^[a-z][a-z0-9_]*$"}}}
    message: "column {column} of {table} is not snake_case"
""",
        bad=(Table("casing_bad", (Col("MixedCase", "sa.Text()"),)),),
        good=(Table("casing_good", (Col("mixed_case", "sa.Text()"),)),),
        expected=frozenset({("casing_bad", "MixedCase")}),
    ),
    Example(
        "prefer-jsonb-to-json",
        """  prefer-jsonb-to-json:
    scope: column
    require: {properties: {sql_type: {not: {const: JSON}}}}
    message: "column {column} of {table} is JSON, prefer JSONB"
""",
        bad=(Table("doc_bad", (Col("body", "sa.JSON()"),)),),
        good=(Table("doc_good", (Col("body", "postgresql.JSONB()"),)),),
        expected=frozenset({("doc_bad", "body")}),
        places=SQL_PLACES,
    ),
    Example(
        "prefer-text-to-varchar",
        """  prefer-text-to-varchar:
    scope: column
    require: {properties: {sql_type: {not: {pattern: "^(VARCHAR|CHARACTER VARYING)"}}}}
    message: "column {column} of {table} is {reason}; prefer TEXT"
""",
        bad=(Table("label_bad", (Col("label", "sa.String(80)"),)),),
        good=(Table("label_good", (Col("label", "sa.Text()"),)),),
        expected=frozenset({("label_bad", "label")}),
        places=SQL_PLACES,
    ),
    Example(
        "prefer-timestamptz-to-timestamp",
        """  prefer-timestamptz-to-timestamp:
    scope: column
    require: {properties: {sql_type: {not: {pattern: "^TIMESTAMP(\\\\(\\\\d+\\\\))? WITHOUT TIME ZONE$"}}}}
    message: "column {column} of {table} is a TIMESTAMP without time zone; prefer TIMESTAMPTZ"
""",
        bad=(Table("event_bad", (Col("happened", "sa.DateTime()"),)),),
        good=(Table("event_good", (Col("happened", "sa.DateTime(timezone=True)"),)),),
        expected=frozenset({("event_bad", "happened")}),
        places=SQL_PLACES,
    ),
    Example(
        "index-referencing-column",
        """  index-referencing-column:
    builtin: foreign-key-index
    message: "foreign key ({columns}) of {table} to {referred_table} has no index"
""",
        bad=(
            Table("keyed_target"),
            Table(
                "line_bad",
                (Col("order_id", "sa.Uuid()"),),
                foreign_keys=((("order_id",), "keyed_target", ("id",)),),
            ),
        ),
        good=(
            Table(
                "line_good",
                (Col("order_id", "sa.Uuid()"),),
                indexes=(("ix_line_good_order_id", ("order_id",)),),
                foreign_keys=((("order_id",), "keyed_target", ("id",)),),
            ),
        ),
        expected=frozenset({("line_bad", "order_id")}),
        places=SQL_PLACES,
    ),
    Example(
        "prefer-bigint-over-int",
        """  prefer-bigint-over-int:
    scope: column
    require: {properties: {sql_type: {not: {enum: [INTEGER, SMALLINT]}}}}
    message: "column {column} of {table} is {reason}; prefer BIGINT"
""",
        bad=(Table("count_bad", (Col("hits", "sa.Integer()"), Col("tries", "sa.SmallInteger()"))),),
        good=(Table("count_good", (Col("hits", "sa.BigInteger()"), Col("tries", "sa.BigInteger()"))),),
        expected=frozenset({("count_bad", "hits"), ("count_bad", "tries")}),
        places=SQL_PLACES,
    ),
    Example(
        "ban-char-field",
        """  ban-char-field:
    scope: column
    require: {properties: {sql_type: {not: {pattern: "^(CHAR|CHARACTER)(\\\\(|$)"}}}}
    message: "column {column} of {table} is {reason}; CHAR pads with spaces, use TEXT"
""",
        bad=(Table("code_bad", (Col("code", "sa.CHAR(2)"),)),),
        good=(Table("code_good", (Col("code", "sa.Text()"),)),),
        expected=frozenset({("code_bad", "code")}),
        places=SQL_PLACES,
    ),
)
"""schemalint's and squawk's rules as checks (prefer-identity-to-serial is not here: the
documents carry no column default or identity, see the report)."""
