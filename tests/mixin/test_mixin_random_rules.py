"""Random rules files: each is refused at its place, or gives a module that is clean and works.

Hypothesis writes rules.yaml files with random field names (odd ones included), every type of a
profile, every value kind, templates of any length and character (quotes, backslashes, braces,
non-ASCII) reading any fields, prefixes to strip, nullable and on_update fields. The compiler
accepts each or refuses it with located problems. Every accepted one generates a module that
passes ``ruff check`` and ``ruff format --check`` (line length 100) and, all of them in one run,
``mypy --strict``; and that imports and fills rows on SQLite through the ORM listener, the
bulk-insert hook and the column defaults, templates rendering as ``str.format`` would.
"""

from __future__ import annotations

import datetime as dt
import decimal
import os
import string
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from envoxy.errors import RulesError
from envoxy.mixin import build_mixin_module, mixin_source
from envoxy.rules import load_rules
from envoxy.rules.model import ColumnSpec, RuleSet
from tests.mixin.test_generate_mixin_cli import RUFF_FORMAT

pytestmark = pytest.mark.slow

# Bounded for the suite's time (mypy over the modules is most of it); raise it to hunt.
EXAMPLES = int(os.environ.get("ENVOXY_RANDOM_RULES_EXAMPLES", "30"))

# Names a generated module uses for its own locals and helpers, and other odd but valid ones.
ODD_NAMES = [
    "id", "table", "count", "row", "rows", "values", "value", "now", "new", "filled", "ctx",
    "context", "mapper", "connection", "state", "x", "self", "cls", "query", "type", "time", "os",
    "struct", "threading", "event", "Mapper", "Callable", "TYPE_CHECKING", "EnvoxyMixin", "match",
    "register_envoxy_listeners", "id_values", "new_id", "next_id", "id_texts", "href_values", "name",
    "print", "list", "dict", "annotations", "A", "Zz9",
]  # fmt: skip
TYPES = {
    "uuid": "UUID",
    "uuid_text": "VARCHAR(36)",
    "uuid_hex": "CHAR(32)",
    "short": "VARCHAR(20)",
    "text": "TEXT",
    "label": "VARCHAR(200)",
    "naive": "TIMESTAMP WITHOUT TIME ZONE",
    "aware": "TIMESTAMP WITH TIME ZONE",
    "day": "DATE",
    "count": "INTEGER",
    "big": "BIGINT",
    "flag": "BOOLEAN",
    "money": "NUMERIC",
    "ratio": "FLOAT",
    "doc": "JSON",
}
VALUES = {
    "uuid": ["uuid4", "uuid7", "none"],
    "uuid_text": ["uuid4", "uuid7", "none", "template"],
    "uuid_hex": ["uuid4", "uuid7", "none", "template"],
    "short": ["uuid4", "none", "template"],  # uuid4 into VARCHAR(20) is refused
    "text": ["uuid7", "none", "template", "template"],
    "label": ["none", "template", "template"],
    "naive": ["now", "none"],
    "aware": ["now", "none"],
}
TEXT = st.lists(
    st.sampled_from(
        [*"abc xyz/-_.:#?&=%", "'", '"', '"""', "\\", "\\n", "{{", "}}", "é", "✓", "𝄞", "语", "\t"]
    ),
    max_size=40,
).map("".join)
KEY_TYPES = ["uuid", "uuid_text", "uuid_hex", "short", "text", "label", "count", "big"]
names = st.one_of(st.sampled_from(ODD_NAMES), st.from_regex(r"[a-z][a-z0-9_]{0,44}", fullmatch=True))


@st.composite
def templates(draw: st.DrawFn, fields: list[str]) -> str:
    parts = draw(
        st.lists(
            st.one_of(TEXT, st.just("{table}"), st.sampled_from(fields).map(lambda n: "{" + n + "}")),
            max_size=draw(st.sampled_from([3, 6, 20])),
        )
    )
    return "".join(parts) or "/"


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar for any text."""
    return '"' + "".join(c if c.isprintable() and c not in '"\\' else f"\\U{ord(c):08x}" for c in text) + '"'


@st.composite
def rules_texts(draw: st.DrawFn) -> str:
    fields = draw(st.lists(names, min_size=1, max_size=12, unique=True))
    lines = ["version: 1", "profile: mix", "profiles:", "  mix:", "    types:"]
    lines += [
        f"      {logical}: {{sql: {_quoted(sql)}, json: {{type: string}}}}" for logical, sql in TYPES.items()
    ]
    lines.append("fields:")
    primary = draw(st.sampled_from([None, *fields]))
    for name in fields:
        logical = draw(st.sampled_from(KEY_TYPES if name == primary else sorted(TYPES)))
        kinds = VALUES.get(logical, ["none"])
        # A primary key from a template repeats across rows unless it reads an id: not drawn.
        kind = draw(st.sampled_from([k for k in kinds if k != "template" or name != primary]))
        spec = [f"type: {logical}"]
        if name == primary:
            spec.append("primary_key: true")
        elif draw(st.booleans()):
            spec.append("nullable: true")
        if kind == "template":
            spec.append(f"value: {{template: {_quoted(draw(templates(fields)))}")
            prefixes = draw(st.lists(st.sampled_from(["t_", "app_", "aux_", "a", "é_"]), max_size=3))
            spec[-1] += f", strip_prefix: [{', '.join(map(_quoted, prefixes))}]}}" if prefixes else "}"
        elif kind != "none":
            spec.append(f"value: {kind}")
        if kind == "now" and draw(st.booleans()):
            spec.append("on_update: now")
        if draw(st.integers(0, 4)) == 0:
            spec.append(f"description: {_quoted(draw(TEXT) * draw(st.sampled_from([1, 5])))}")
        lines.append(f"  {name}: {{{', '.join(spec)}}}")
    return "\n".join(lines) + "\n"


# -- running an accepted module ---------------------------------------------------------------------

_GIVEN: dict[str, Any] = {
    "str": "given",
    "uuid.UUID": uuid.UUID(int=1),
    "datetime.datetime": dt.datetime(2001, 2, 3, 4, 5, 6),
    "datetime.date": dt.date(2001, 2, 3),
    "int": 7,
    "bool": True,
    "decimal.Decimal": decimal.Decimal("1.5"),
    "float": 0.5,
    "Any": {"a": [1]},
}


def _caller_values(rules: RuleSet, row: int) -> dict[str, Any]:
    """A value for each field the caller must set (not null, nothing generated); a primary key
    differs from row to row."""
    values = {}
    for c in rules.columns:
        if c.value.kind == "none" and not c.nullable:
            value = _GIVEN[c.sql_type.python_type]
            if c.primary_key:
                value = uuid.UUID(int=row) if isinstance(value, uuid.UUID) else type(value)(row)
            values[c.name] = value
    return values


def _rendered(column: ColumnSpec, table: str, values: dict[str, Any]) -> str:
    template, prefixes = column.value.template or "", column.value.strip_prefix
    shown = next((table[len(p) :] for p in prefixes if table.startswith(p)), table)
    return template.format_map({**values, "table": shown})


def _insert_and_check(rules: RuleSet, module: Any) -> None:
    class Base(DeclarativeBase):
        pass

    namespace: dict[str, Any] = {"__tablename__": "app_things", "__annotations__": {}}
    if not rules.primary_key:
        namespace["__annotations__"]["Zpk"] = Mapped[int]
        namespace["Zpk"] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    model: Any = type("Thing", (module.EnvoxyMixin, Base), namespace)
    engine = sa.create_engine("sqlite://")
    Base.metadata.create_all(engine)
    module.register_envoxy_listeners()
    try:
        with Session(engine) as session:
            obj = model(**_caller_values(rules, 100))
            session.add(obj)
            session.flush()
            values = {c.name: getattr(obj, c.name) for c in rules.columns}
            for column in rules.columns:
                if column.value.kind == "template":
                    assert values[column.name] == _rendered(column, "app_things", values)
                elif column.value.kind != "none":
                    assert values[column.name] is not None, column.name
            table = model.__table__
            many = [_caller_values(rules, row) for row in range(9)]  # the bulk-insert hook's path
            session.connection().execute(table.insert(), many)
            one = [_caller_values(rules, 9)]  # the column defaults' path
            session.connection().execute(table.insert(), one)
            others = {k: v for k, v in one[0].items() if not rules.column(k).primary_key}
            if others:
                session.connection().execute(table.update().values(**others))
            session.commit()
            rows = session.connection().execute(sa.select(table)).mappings().all()
        assert len(rows) == 11
        for row in rows:
            for column in rules.columns:
                if column.value.kind != "none":
                    assert row[column.name] is not None, column.name
    finally:
        module.register_envoxy_listeners(bulk_inserts=False)  # no Engine hook left behind
        engine.dispose()


def _ruff(path: Path) -> None:
    check = subprocess.run(
        [
            *(sys.executable, "-m", "ruff", "check", "--no-cache", "--isolated", "--line-length", "100"),
            *("--select", "E,F,W,I,B,UP,SIM", "--target-version", "py310", str(path)),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    formatted = subprocess.run([*RUFF_FORMAT, str(path)], capture_output=True, text=True, check=False)
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr


def test_random_rules_compile_to_clean_working_modules(tmp_path: Path) -> None:
    modules: list[Path] = []
    refused: list[str] = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
    )
    @given(rules_texts())
    def check(text: str) -> None:
        path = tmp_path / "rules.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            rules = load_rules(path)
        except RulesError as e:
            assert e.problems and all(p.line is not None for p in e.problems), str(e)
            refused.append(str(e))
            return
        source = mixin_source(rules)
        target = tmp_path / f"mixin_{len(modules)}.py"
        target.write_text(source, encoding="utf-8")
        _ruff(target)
        _insert_and_check(rules, build_mixin_module(rules))
        modules.append(target)

    check()
    assert len(modules) >= EXAMPLES // 4, (len(modules), refused[:3])
    mypy = subprocess.run(
        [
            *(sys.executable, "-m", "mypy", "--strict", "--no-incremental"),
            *("--cache-dir", str(tmp_path / "mypy-cache"), *map(str, modules)),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert mypy.returncode == 0, mypy.stdout[-5000:] + mypy.stderr
    assert string.capwords(mypy.stdout.split(":")[0]) == "Success", mypy.stdout


def test_template_text_survives_as_a_python_string() -> None:
    """The YAML quoting this test writes reads back as the text it was given."""
    import yaml

    for text in ['a"b\\c', "{{x}} é ✓ 𝄞\t語", '"""', "\\n"]:
        assert yaml.safe_load(f"v: {_quoted(text)}")["v"] == text
