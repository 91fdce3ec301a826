"""Every rule id envoxy can report, and everything a person needs to know about each one.

:data:`RuleId` names the ids as one ``Literal``: the emitters (``make_finding``, the validator's
issues, the migration scanner) take a ``RuleId``, so a misspelt id fails ``mypy --strict``.
:data:`RULES` says, per id, its default severity, a one-line description, what it checks, why it
matters, how to fix it in each place it can appear, whether an exemption or the baseline covers it,
and a bad and a good example (``tests/rules/test_catalog.py`` runs each example through the real
validator, scanner or database check). ``envoxy explain``, SARIF's ``tool.driver.rules``, the
``severity:`` section of ``rules.yaml`` and the rule table of ``docs/RULES.md`` all read this table;
adding a rule is one id in :data:`RuleId`, one entry here, plus the code that emits it.

Prose uses backticks for code, which the renderers (:mod:`envoxy.report.rule_help`) keep whole.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

__all__ = ["RULES", "Command", "Example", "Fix", "Place", "RuleId", "RuleInfo", "SeveritySetting"]

SeveritySetting = Literal["error", "warning", "off"]

RuleId = Literal[
    "missing-field",
    "wrong-type",
    "nullable-field",
    "missing-primary-key",
    "dropped-field",
    "altered-field",
    "parse-error",
    "duplicate-key",
    "invalid-model",
    "invalid-declaration",
    "unused-exemption",
    "expired-exemption",
    "unanalysable-revision",
    "unanalysed-sql",
    "stale-baseline",
]

# Where a finding of a rule can point, and so where it is fixed.
Place = Literal["model file", "revision script", "live database", "mixin", "rules file", "baseline file"]
# The commands that report findings (and so take ``--write-baseline``).
Command = Literal["validate", "check-migrations", "check-db"]


# NamedTuples rather than frozen dataclasses: every `python -m envoxy.validate` imports this module,
# and defining these three as dataclasses costs about 1 ms there, as NamedTuples a sixth of that.


class Fix(NamedTuple):
    """How to fix a finding of the rule where it appears."""

    place: Place
    text: str


class Example(NamedTuple):
    """A snippet that yields exactly one finding of the rule (``bad``) and its fixed form, which
    yields none (``good``). ``context``: what else the example is checked with, for a reader."""

    place: Place
    bad: str
    good: str
    context: str = ""
    rules: str = ""
    """The ``rules.yaml`` the example is checked with (empty: the shipped default)."""


class RuleInfo(NamedTuple):
    id: RuleId
    severity: Literal["error", "warning"]
    short: str
    checks: str
    why: str
    fixes: tuple[Fix, ...]
    commands: tuple[Command, ...]
    """The commands that report it; each records it with ``--write-baseline``."""
    exemptible: bool = False
    """Whether an exemption (or ``scope: exclude``) of ``rules.yaml`` lifts it for a table."""
    not_baselined: str = ""
    """Why a baseline never accepts it (empty: ``--write-baseline`` records it)."""
    examples: tuple[Example, ...] = ()

    @property
    def help(self) -> str:
        """What it checks and why, in one paragraph (SARIF's ``fullDescription``)."""
        return f"{self.checks} {self.why}"


# -- shared snippets -----------------------------------------------------------------------------

_COMPLETE = '"id": {}, "created": {}, "updated": {}, "href": {}'
_DATUM = '{"table": "products",\n "fields": {%s}}'
_REVISION_CONTEXT = (
    "A revision after one that created `users` with every required column and a `nickname` column."
)
# A fix in a later revision leaves the per-op finding at the earlier one.
_LATER_REVISION = (
    "A later revision that fixes the table clears the finding under `envoxy check-migrations "
    "--head-state`, which judges the tables as the whole history leaves them."
)
_DATABASE_CONTEXT = "PostgreSQL, the shipped rules (`profile: legacy`)."
_RULES_CONTEXT = (
    "Checked with a model directory whose datums are `orders` (every required field declared) "
    "and `audit_log` (declares `id`, `created` and `href`, not `updated`)."
)


def _create_products(*columns: str) -> str:
    body = "".join(f"        {c},\n" for c in columns)
    return f'def upgrade() -> None:\n    op.create_table(\n        "products",\n{body}    )\n'


_ID = 'sa.Column("id", sa.String(36), primary_key=True)'
_CREATED = 'sa.Column("created", sa.DateTime(), nullable=False)'
_UPDATED = 'sa.Column("updated", sa.DateTime(), nullable=False)'
_HREF = 'sa.Column("href", sa.Text(), nullable=False)'


def _create_sql(*columns: str) -> str:
    return "CREATE TABLE products (\n" + ",\n".join(f"    {c}" for c in columns) + "\n);\n"


def _baseline_file(*models: str) -> str:
    entries = "[]" if not models else "[\n" + ",\n".join(f"    {m}" for m in models) + "\n  ]"
    rest = '  "migrations": [],\n  "head_state": [],\n  "db": []\n'
    return f'{{\n  "version": 1,\n  "models": {entries},\n{rest}}}\n'


_SQL_ID = "id VARCHAR(36) PRIMARY KEY"
_SQL_CREATED = "created TIMESTAMP NOT NULL"
_SQL_UPDATED = "updated TIMESTAMP NOT NULL"
_SQL_HREF = "href TEXT NOT NULL"

_MIGRATIONS_AND_DB: tuple[Command, ...] = ("check-migrations", "check-db")
_ALL: tuple[Command, ...] = ("validate", "check-migrations", "check-db")

_RULES: tuple[RuleInfo, ...] = (
    RuleInfo(
        id="missing-field",
        severity="error",
        short="A required field or column is missing.",
        checks="Every in-scope model datum must declare, in its `fields`, each field rules.yaml "
        "requires (by default `id`, `created`, `updated` and `href`), and every in-scope table, "
        "whether a revision creates it or a live database holds it, must have each required column.",
        why="Code shared across services relies on every record having an identity (`id`), an audit "
        "trail (`created`, `updated`) and a canonical address (`href`). A table without them breaks "
        "that code (sync, caches, links) only when the code meets the table, usually in production.",
        fixes=(
            Fix(
                place="model file",
                text='Add the declaration the profile asks for to the datum\'s `fields`, such as `"href": '
                '{"type": "string"}` or `"id": {"type": "string", "format": "uuid"}`. `envoxy validate '
                "--fix` adds every missing declaration and leaves the rest of the file as it was.",
            ),
            Fix(
                place="revision script",
                text="Create the table with every required column, or add the missing one in a new "
                'revision: `op.add_column("products", sa.Column("href", sa.Text(), nullable=False))`. '
                "Alembic's autogenerate writes these columns for a model that inherits `EnvoxyMixin`. "
                + _LATER_REVISION,
            ),
            Fix(
                place="live database",
                text="Add the column through a new Alembic revision (fill existing rows, then make it NOT "
                "NULL), so that the history and the database agree: `ALTER TABLE products ADD COLUMN "
                "href TEXT NOT NULL`.",
            ),
            Fix(
                place="mixin",
                text="Make the model inherit `EnvoxyMixin` (or the module `envoxy generate-mixin` writes): "
                "it declares every required column with the profile's type and fills it on every write.",
            ),
        ),
        commands=_ALL,
        exemptible=True,
        examples=(
            Example(
                place="model file",
                bad=_DATUM % '"id": {}, "created": {}, "updated": {}',
                good=_DATUM % '"id": {}, "created": {}, "updated": {}, "href": {"type": "string"}',
            ),
            Example(
                place="revision script",
                bad=_create_products(_ID, _CREATED, _UPDATED),
                good=_create_products(_ID, _CREATED, _UPDATED, _HREF),
            ),
            Example(
                place="live database",
                bad=_create_sql(_SQL_ID, _SQL_CREATED, _SQL_UPDATED),
                good=_create_sql(_SQL_ID, _SQL_CREATED, _SQL_UPDATED, _SQL_HREF),
                context=_DATABASE_CONTEXT,
            ),
        ),
    ),
    RuleInfo(
        id="wrong-type",
        severity="error",
        short="A required field or column has an incompatible type.",
        checks="A required field's declaration in a model file must be `{}` or carry the profile's JSON "
        "type (and, where the profile names formats, one of them); a required column must have the "
        "profile's SQL type (for `id`: `VARCHAR(36)` under `profile: legacy`, `UUID` under `profile: "
        "native`). Types are compared as the database stores them: `String(36)` and `VARCHAR(36)` are one "
        "type.",
        why="Code that reads a required field by its agreed type breaks on a table that stores it "
        "differently: an integer id cannot hold a UUID, a timestamp kept as text sorts wrongly, and joins "
        "and comparisons across tables fail or cast silently.",
        fixes=(
            Fix(
                place="model file",
                text='Declare the field with the profile\'s type: `"id": {"type": "string", "format": '
                '"uuid"}`. `envoxy validate --fix` rewrites a wrong `type` or `format` in place, keeping '
                "the declaration's other keys.",
            ),
            Fix(
                place="revision script",
                text="Use the profile's type in the op (`sa.String(36)` for `id` under the legacy "
                "profile, `sa.Uuid()` under native), or change it in a new revision with "
                '`op.alter_column("products", "id", type_=sa.String(36))`. ' + _LATER_REVISION,
            ),
            Fix(
                place="live database",
                text="Change the column's type in a new revision, converting the values: `ALTER TABLE "
                "products ALTER COLUMN id TYPE VARCHAR(36)`.",
            ),
            Fix(
                place="mixin",
                text="Do not redeclare a required column on a model that inherits `EnvoxyMixin`: the mixin "
                "declares it with the profile's type.",
            ),
        ),
        commands=_ALL,
        exemptible=True,
        examples=(
            Example(
                place="model file",
                bad=_DATUM % '"id": {"type": "integer"}, "created": {}, "updated": {}, "href": {}',
                good=_DATUM % '"id": {"type": "string", "format": "uuid"},\n'
                '            "created": {}, "updated": {}, "href": {}',
            ),
            Example(
                place="revision script",
                bad=_create_products(
                    'sa.Column("id", sa.Integer(), primary_key=True)', _CREATED, _UPDATED, _HREF
                ),
                good=_create_products(_ID, _CREATED, _UPDATED, _HREF),
            ),
            Example(
                place="live database",
                bad=_create_sql("id INTEGER PRIMARY KEY", _SQL_CREATED, _SQL_UPDATED, _SQL_HREF),
                good=_create_sql(_SQL_ID, _SQL_CREATED, _SQL_UPDATED, _SQL_HREF),
                context=_DATABASE_CONTEXT,
            ),
        ),
    ),
    RuleInfo(
        id="nullable-field",
        severity="error",
        short="A required column is nullable.",
        checks="Every required column of an in-scope table must be NOT NULL, unless rules.yaml gives the "
        "field `nullable: true`.",
        why="A required field that may be NULL is not required: rows without an id, a timestamp or an "
        "href slip in, and every reader has to handle the missing value.",
        fixes=(
            Fix(
                place="revision script",
                text="Pass `nullable=False` to the column in `op.create_table` or `op.add_column` "
                "(a `sa.Column` is nullable unless it says otherwise or is the primary key), or "
                '`op.alter_column("products", "href", nullable=False)` in a new revision. ' + _LATER_REVISION,
            ),
            Fix(
                place="live database",
                text="Fill the NULLs, then `ALTER TABLE products ALTER COLUMN href SET NOT NULL`, in a new "
                "revision.",
            ),
            Fix(
                place="mixin",
                text="Keep the columns `EnvoxyMixin` declares; do not override one with `nullable=True`.",
            ),
        ),
        commands=_MIGRATIONS_AND_DB,
        exemptible=True,
        examples=(
            Example(
                place="revision script",
                bad=_create_products(_ID, _CREATED, _UPDATED, 'sa.Column("href", sa.Text())'),
                good=_create_products(_ID, _CREATED, _UPDATED, _HREF),
            ),
            Example(
                place="live database",
                bad=_create_sql(_SQL_ID, _SQL_CREATED, _SQL_UPDATED, "href TEXT"),
                good=_create_sql(_SQL_ID, _SQL_CREATED, _SQL_UPDATED, _SQL_HREF),
                context=_DATABASE_CONTEXT,
            ),
        ),
    ),
    RuleInfo(
        id="missing-primary-key",
        severity="error",
        short="The primary-key field is not the table's primary key.",
        checks="The field rules.yaml marks `primary_key: true` (`id` by default) must be in the table's "
        "primary key.",
        why="The id is how other tables, caches and URLs (`href`) point at a row. Without a primary key "
        "on it nothing stops two rows from sharing an id, and lookups by id are not indexed.",
        fixes=(
            Fix(
                place="revision script",
                text='Declare the column with `primary_key=True` (`sa.Column("id", sa.String(36), '
                "primary_key=True)`), or add the constraint in a new revision with "
                '`op.create_primary_key("products_pkey", "products", ["id"])`. ' + _LATER_REVISION,
            ),
            Fix(
                place="live database",
                text="Remove duplicate ids, then `ALTER TABLE products ADD PRIMARY KEY (id)`, in a new "
                "revision.",
            ),
            Fix(
                place="mixin",
                text="`EnvoxyMixin` makes `id` the primary key; do not declare it again on the model.",
            ),
        ),
        commands=_MIGRATIONS_AND_DB,
        exemptible=True,
        examples=(
            Example(
                place="revision script",
                bad=_create_products(
                    'sa.Column("id", sa.String(36), nullable=False)', _CREATED, _UPDATED, _HREF
                ),
                good=_create_products(_ID, _CREATED, _UPDATED, _HREF),
            ),
            Example(
                place="live database",
                bad=_create_sql("id VARCHAR(36) NOT NULL", _SQL_CREATED, _SQL_UPDATED, _SQL_HREF),
                good=_create_sql(_SQL_ID, _SQL_CREATED, _SQL_UPDATED, _SQL_HREF),
                context=_DATABASE_CONTEXT,
            ),
        ),
    ),
    RuleInfo(
        id="dropped-field",
        severity="error",
        short="A migration drops a required column.",
        checks="A revision must not drop (`op.drop_column`) a column that rules.yaml requires on an "
        "in-scope table.",
        why="The revision takes the table off the pattern in every environment it reaches, and the data "
        "in the column is gone; a check of the live database would notice only after the deployment.",
        fixes=(
            Fix(
                place="revision script",
                text="Remove the `op.drop_column`. If the table really leaves the pattern, exempt it in "
                "rules.yaml first (with a reason), in the same change, so that reviewers see why.",
            ),
        ),
        commands=("check-migrations",),
        exemptible=True,
        examples=(
            Example(
                place="revision script",
                bad='def upgrade() -> None:\n    op.drop_column("users", "href")\n',
                good='def upgrade() -> None:\n    op.drop_column("users", "nickname")\n',
                context=_REVISION_CONTEXT,
            ),
        ),
    ),
    RuleInfo(
        id="altered-field",
        severity="error",
        short="A migration renames, retypes or makes nullable a required column.",
        checks="A revision must not rename a required column, change its type away from the profile's, "
        "or make it nullable (`op.alter_column` with `new_column_name`, `type_` or `nullable=True`).",
        why="After the revision the table no longer carries the field the pattern promises, under the "
        "name, type and NOT NULL that every reader expects.",
        fixes=(
            Fix(
                place="revision script",
                text="Leave the required column as it is. To change the type of a required field for "
                "every table, change the profile in rules.yaml (which every check follows) rather than "
                "one table in one revision.",
            ),
        ),
        commands=("check-migrations",),
        exemptible=True,
        examples=(
            Example(
                place="revision script",
                bad='def upgrade() -> None:\n    op.alter_column("users", "href", nullable=True)\n',
                good='def upgrade() -> None:\n    op.alter_column("users", "nickname", nullable=True)\n',
                context=_REVISION_CONTEXT,
            ),
        ),
    ),
    RuleInfo(
        id="parse-error",
        severity="error",
        short="The input could not be read or parsed.",
        checks="Every input must be readable and parse: a model file must be UTF-8 JSON (a BOM allowed) "
        "nesting at most 256 levels deep; a revision script must import; a path that is walked must be "
        "a regular file (not a broken link, a FIFO or a directory named `*.json`), and the revisions must "
        "form one history.",
        why="A file envoxy cannot read is a file nobody checked; reporting it as an error keeps it from "
        "passing CI silently. Every other file is still checked.",
        fixes=(
            Fix(
                place="model file",
                text="Fix the JSON at the line and column shown: a trailing comma, a comment, single "
                "quotes and `NaN` are not JSON.",
            ),
            Fix(
                place="revision script",
                text="Make the script importable: fix the syntax error or the failing import at the line "
                "shown. Revision scripts are imported with the project's directory on `sys.path`, as "
                "Alembic does.",
            ),
        ),
        commands=("validate", "check-migrations"),
        not_baselined="a file that cannot be read hides every finding it would have, now and later",
        examples=(
            Example(
                place="model file",
                bad=_DATUM % (_COMPLETE + ","),
                good=_DATUM % _COMPLETE,
            ),
            Example(
                place="revision script",
                bad='def upgrade() -> None:\n    op.add_column("users", sa.Column("note", sa.Text())\n',
                good='def upgrade() -> None:\n    op.add_column("users", sa.Column("note", sa.Text()))\n',
                context=_REVISION_CONTEXT,
            ),
        ),
    ),
    RuleInfo(
        id="duplicate-key",
        severity="error",
        short="A key is repeated inside a datum's fields.",
        checks="A key must appear at most once inside a datum's `fields` object.",
        why="JSON parsers keep only the last of repeated keys, so one declaration silently hides the "
        "other: a reviewer reads the first, every tool uses the last.",
        fixes=(
            Fix(
                place="model file",
                text="Keep exactly one declaration of the field, merging what the two said. `envoxy "
                "validate --fix` leaves a file with repeated keys untouched.",
            ),
        ),
        commands=("validate",),
        examples=(
            Example(
                place="model file",
                bad=_DATUM % f'"id": {{"type": "integer"}}, {_COMPLETE}',
                good=_DATUM % _COMPLETE,
            ),
        ),
    ),
    RuleInfo(
        id="invalid-model",
        severity="error",
        short="The model file does not have the model structure.",
        checks="A model file's top level must be an object (a datum, or an object with a `datums` array), "
        "the items of `datums` must be objects, and a datum's `fields`, when present, must be an object "
        "(`null` is not).",
        why="envoxy finds datums by this structure: a file shaped otherwise would have nothing in it "
        "checked, and so could never fail.",
        fixes=(
            Fix(
                place="model file",
                text='Give the file the model structure: `{"table": ..., "fields": {...}}`, or `{"datums": '
                "[...]}` with one such object per datum.",
            ),
        ),
        commands=("validate",),
        examples=(
            Example(
                place="model file",
                bad=f'{{"datums": {{"table": "products",\n            "fields": {{{_COMPLETE}}}}}}}',
                good=f'{{"datums": [{{"table": "products",\n             "fields": {{{_COMPLETE}}}}}]}}',
            ),
        ),
    ),
    RuleInfo(
        id="invalid-declaration",
        severity="error",
        short="A required field's declaration breaks a constraint of rules.yaml.",
        checks="A required field's declaration in a model file must satisfy the JSON Schema that "
        "rules.yaml adds under the field's `declaration:` key. The message is jsonschema's best match "
        "of what is wrong.",
        why="Those constraints are the organisation's own, such as a maximum length for `href` that the "
        "column can hold; a declaration that breaks them promises data the tables will not take.",
        fixes=(
            Fix(
                place="model file",
                text="Change the declaration as the message says. `envoxy validate --fix` does not touch "
                "these: the constraint is the organisation's, and so is the fix.",
            ),
        ),
        commands=("validate",),
        exemptible=True,
        examples=(
            Example(
                place="model file",
                bad=_DATUM % '"href": {"type": "string", "maxLength": 2000}',
                good=_DATUM % '"href": {"type": "string", "maxLength": 512}',
                rules="version: 1\nfields:\n  href:\n    type: text\n    declaration:\n      required: "
                "[maxLength]\n      properties: {maxLength: {maximum: 512}}\n",
            ),
        ),
    ),
    RuleInfo(
        id="unused-exemption",
        severity="warning",
        short="An exemption in rules.yaml matches nothing.",
        checks="Every exemption in rules.yaml must name a table or datum that was checked. `envoxy "
        "validate` judges it when it walks whole directories (not a list of files), `envoxy check-db` "
        "on every run.",
        why="An exemption outlives its reason: once its table is gone or renamed, it would silently "
        "excuse the next table that takes the name.",
        fixes=(
            Fix(
                place="rules file",
                text="Remove the exemption, or correct the table name it is keyed by.",
            ),
        ),
        commands=("validate", "check-migrations", "check-db"),
        not_baselined="it is about rules.yaml: remove the exemption there",
        examples=(
            Example(
                place="rules file",
                bad="version: 1\nexemptions:\n  audit_log: {fields: [updated], reason: append-only log}\n"
                "  legacy_orders: {fields: [href], reason: moved to the billing service}\n",
                good="version: 1\nexemptions:\n  audit_log: {fields: [updated], reason: append-only log}\n",
                context=_RULES_CONTEXT,
            ),
        ),
    ),
    RuleInfo(
        id="expired-exemption",
        severity="error",
        short="An exemption in rules.yaml is past its `until` date.",
        checks="An exemption whose `until` date has passed. The exemption still applies (its table does "
        "not suddenly fail for the fields it names), but the expiry itself is an error.",
        why="`until` turns a temporary excuse into a deadline; without one, temporary exemptions stay "
        "forever.",
        fixes=(
            Fix(
                place="rules file",
                text="Bring the table onto the pattern and remove the exemption, or renew it: a new "
                "`until` date and a reason that says why.",
            ),
        ),
        commands=("validate", "check-migrations", "check-db"),
        not_baselined="it is about rules.yaml: renew or remove the exemption there",
        examples=(
            Example(
                place="rules file",
                bad="version: 1\nexemptions:\n  audit_log:\n    fields: [updated]\n    reason: append-only "
                "log\n    until: 2024-06-30\n",
                good="version: 1\nexemptions:\n  audit_log:\n    fields: [updated]\n    reason: append-only "
                "log; its rows are never updated\n",
                context=_RULES_CONTEXT,
            ),
        ),
    ),
    RuleInfo(
        id="unanalysable-revision",
        severity="warning",
        short="A revision's upgrade() could not be followed to its end.",
        checks="envoxy runs each revision's `upgrade()` against a recording `op`, with no database. A "
        "revision whose `upgrade()` stops early (it raises, needs what only the real environment has, "
        "or runs past the time limit) was checked only up to that point.",
        why="The ops after the point where it stopped could break the rules unseen.",
        fixes=(
            Fix(
                place="revision script",
                text="Keep schema changes in `op.*` calls that do not depend on the environment or on "
                "query results; move data work into a revision of its own, or guard it so that "
                "`upgrade()` runs to its end without it.",
            ),
        ),
        commands=("check-migrations",),
        examples=(
            Example(
                place="revision script",
                bad='def upgrade() -> None:\n    source = os.environ["LEGACY_DSN"]  # set in production '
                'only\n    op.add_column("users", sa.Column("note", sa.Text()))\n',
                good='def upgrade() -> None:\n    source = os.environ.get("LEGACY_DSN")\n'
                '    op.add_column("users", sa.Column("note", sa.Text()))\n',
                context=_REVISION_CONTEXT + " The script imports `os`.",
            ),
        ),
    ),
    RuleInfo(
        id="unanalysed-sql",
        severity="warning",
        short="A revision runs raw SQL that was not analysed.",
        checks="`op.execute()` (or `op.get_bind().execute()`) with raw DDL text that envoxy cannot "
        "follow. Plain PostgreSQL DDL (`CREATE TABLE`, `ALTER TABLE ... ADD/DROP/ALTER/RENAME COLUMN`, "
        "`RENAME TO`, `ADD PRIMARY KEY`, `DROP TABLE`, `IF NOT EXISTS`) is read with PostgreSQL's own "
        "parser and applied like the `op.*` call it stands for; what is left is this finding: `DO` "
        "blocks and other dynamic SQL, `CREATE TABLE ... AS/LIKE/INHERITS`, `RENAME CONSTRAINT`, "
        "`DROP SCHEMA ... CASCADE`, and raw DDL on MySQL or SQLite.",
        why="Raw DDL can drop or retype a required column where no check sees it.",
        fixes=(
            Fix(
                place="revision script",
                text="Express the change with `op.*` calls (`op.add_column`, `op.alter_column`, "
                "`op.create_table`), which envoxy checks; or check the statement by hand against "
                "rules.yaml.",
            ),
        ),
        commands=("check-migrations",),
        examples=(
            Example(
                place="revision script",
                bad="def upgrade() -> None:\n"
                '    op.execute("DO $$ BEGIN ALTER TABLE users ADD COLUMN note TEXT; END $$")\n',
                good='def upgrade() -> None:\n    op.add_column("users", sa.Column("note", sa.Text()))\n',
                context=_REVISION_CONTEXT,
            ),
        ),
    ),
    RuleInfo(
        id="stale-baseline",
        severity="error",
        short="A baseline entry no longer matches any finding.",
        checks="Every entry of the baseline file must match a finding, in a run that checked the entry's "
        "whole surface (a run over a list of files does not judge it). The finding is at the entry's "
        "line in the baseline file.",
        why="The baseline records debt accepted for now. Once a finding is fixed its entry must go, or a "
        "new violation with the same key would be accepted silently: the baseline only shrinks, unless "
        "someone rewrites it on purpose.",
        fixes=(
            Fix(
                place="baseline file",
                text="Run the command that reported it with `--write-baseline` (`envoxy validate "
                "--write-baseline`, `envoxy check-migrations --write-baseline` or `envoxy check-db URL "
                "--write-baseline`): it drops the entries that no longer occur. Commit the file.",
            ),
        ),
        examples=(
            Example(
                place="baseline file",
                bad=_baseline_file(
                    '{"rule": "missing-field", "file": "models/products.json", "table": "products", '
                    '"field": "href", "count": 1}'
                ),
                good=_baseline_file(),
                context="With `baseline: envoxy-baseline.json` in rules.yaml, beside a `models` directory "
                "whose `products.json` now declares every required field; `envoxy validate models`.",
            ),
        ),
        commands=_ALL,
        not_baselined="it is about the baseline file itself",
    ),
)

RULES: dict[str, RuleInfo] = {r.id: r for r in _RULES}
