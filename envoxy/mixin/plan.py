"""From column specs to a mixin plan: per field, its Python type, SQLAlchemy type and value maker.

The plan is what both the generated module and the runtime mixin are made from (the runtime mixin
is the generated source, executed), so the two cannot drift apart.
"""

from __future__ import annotations

import keyword
import string
from dataclasses import dataclass

from envoxy.errors import EnvoxyError
from envoxy.rules.model import ColumnSpec, RuleSet
from envoxy.sqltypes.registry import UUID_HEX_LENGTH, UUID_TEXT_LENGTH

__all__ = ["FieldPlan", "MixinError", "plan_fields"]

_DECLARATIVE_NAMES = frozenset({"metadata", "registry"})


class MixinError(EnvoxyError):
    """The rules ask for a column the mixin cannot declare or fill."""


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldPlan:
    """One column of the mixin.

    ``maker`` names the generated function that produces a fresh value (``None`` when the rules
    leave the value to the caller); ``needs`` lists the fields a template reads.
    """

    spec: ColumnSpec
    annotation: str
    sa_type: str
    maker: str | None
    needs: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def kind(self) -> str:
        return self.spec.value.kind


def _uuid_maker(spec: ColumnSpec) -> str:
    sql = spec.sql_type
    if sql.name == "UUID":
        return "_new_uuid"
    if sql.holds_text:
        if sql.length is None or sql.length >= UUID_TEXT_LENGTH:
            return "_new_uuid_text"
        if sql.length >= UUID_HEX_LENGTH:
            return "_new_uuid_hex"
    raise MixinError(
        f"field {spec.name!r} of type {sql.ddl()} cannot hold a UUID4 "
        f"(needs UUID, or text of at least {UUID_HEX_LENGTH} characters)"
    )


def _now_maker(spec: ColumnSpec) -> str:
    # Aware values only for WITH TIME ZONE: PostgreSQL converts an aware value written into
    # TIMESTAMP WITHOUT TIME ZONE to the session's TimeZone, shifting the stored time.
    return "_utc_now_aware" if spec.sql_type.timezone else "_utc_now_naive"


def _template_needs(spec: ColumnSpec) -> tuple[str, ...]:
    assert spec.value.template is not None
    names = [p for _, p, _, _ in string.Formatter().parse(spec.value.template) if p]
    return tuple(dict.fromkeys(n for n in names if n != "table"))


def _plan_one(spec: ColumnSpec) -> FieldPlan:
    problem = None
    if not spec.name.isidentifier():
        problem = "is not a Python identifier"
    elif keyword.iskeyword(spec.name):
        problem = "is a Python keyword"
    elif spec.name in _DECLARATIVE_NAMES or spec.name.startswith("_sa_"):
        problem = "is reserved by SQLAlchemy's declarative mapping"
    if problem:
        raise MixinError(
            f"field {spec.name!r} {problem}, so the mixin cannot declare it as an "
            "attribute; rename it in rules.yaml"
        )
    python_type = spec.sql_type.python_type
    annotation = f"{python_type} | None" if spec.nullable else python_type
    kind = spec.value.kind
    maker: str | None = None
    needs: tuple[str, ...] = ()
    if kind == "uuid4":
        maker = _uuid_maker(spec)
    elif kind == "now":
        maker = _now_maker(spec)
    elif kind == "template":
        maker = f"_render_{spec.name}"
        needs = _template_needs(spec)
    return FieldPlan(
        spec=spec, annotation=annotation, sa_type=spec.sql_type.sqlalchemy_source(), maker=maker, needs=needs
    )


def plan_fields(rules: RuleSet) -> tuple[FieldPlan, ...]:
    """The mixin's columns in ``rules.yaml`` order, except that the fields a template reads are
    moved before it: column defaults run in column order, so ``href`` then sees the ``id``."""
    plans = {spec.name: _plan_one(spec) for spec in rules.columns}
    ordered: list[FieldPlan] = []
    state: dict[str, str] = {}

    def visit(name: str, chain: tuple[str, ...]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            raise MixinError(f"templates refer to each other in a cycle: {' -> '.join(chain)}")
        state[name] = "visiting"
        for need in plans[name].needs:
            visit(need, (*chain, need))
        state[name] = "done"
        ordered.append(plans[name])

    for name in plans:
        visit(name, (name,))
    return tuple(ordered)
