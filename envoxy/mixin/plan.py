"""From column specs to a mixin plan: per field, its Python type, SQLAlchemy type and value maker.

The plan is what both the generated module and the runtime mixin are made from (the runtime mixin
is the generated source, executed), so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from envoxy.errors import EnvoxyError
from envoxy.rules.model import ColumnSpec, RuleSet
from envoxy.rules.names import field_name_problem, template_cycles, template_fields
from envoxy.rules.values import Shape

__all__ = ["FieldPlan", "MixinError", "plan_fields"]


class MixinError(EnvoxyError):
    """The rules ask for a column the mixin cannot declare or fill."""


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldPlan:
    """One column of the mixin.

    ``maker`` names the generated function that produces a fresh value (``None`` when the rules
    leave the value to the caller), ``batch`` the one that serves a whole statement (see
    :mod:`envoxy.rules.values` for what each shape's pair does); ``needs`` lists the fields a
    template reads.
    """

    spec: ColumnSpec
    annotation: str
    sa_type: str
    maker: str | None
    batch: str | None = None
    needs: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def shape(self) -> Shape:
        return self.spec.value.kind_info.shape


def _plan_one(spec: ColumnSpec) -> FieldPlan:
    # The compiler refuses these; a RuleSet made by hand is checked here too.
    problem = field_name_problem(spec.name)
    if problem:
        raise MixinError(f"field {spec.name!r} {problem}; rename it in rules.yaml")
    python_type = spec.sql_type.python_type
    annotation = f"{python_type} | None" if spec.nullable else python_type
    kind = spec.value.kind_info
    maker = batch = None
    needs: tuple[str, ...] = ()
    if kind.shape == "template":
        maker, batch = f"_render_{spec.name}", f"_render_{spec.name}_rows"
        needs = template_fields(spec.value.template or "")
    elif kind.makers:
        made = kind.maker_for(spec.sql_type)
        if made is None:
            raise MixinError(
                f"field {spec.name!r} of type {spec.sql_type.ddl()} cannot hold {kind.noun} "
                f"(needs {kind.needs()})"
            )
        maker, batch = made.one, made.batch
    return FieldPlan(
        spec=spec,
        annotation=annotation,
        sa_type=spec.sql_type.sqlalchemy_source(),
        maker=maker,
        batch=batch,
        needs=needs,
    )


def plan_fields(rules: RuleSet) -> tuple[FieldPlan, ...]:
    """The mixin's columns in ``rules.yaml`` order, except that the fields a template reads are
    moved before it: column defaults run in column order, so ``href`` then sees the ``id``."""
    plans = {spec.name: _plan_one(spec) for spec in rules.columns}
    cycles = template_cycles({name: p.needs for name, p in plans.items() if p.needs})
    if cycles:
        raise MixinError(f"templates refer to each other in a cycle: {' -> '.join(cycles[0])}")
    ordered: dict[str, FieldPlan] = {}

    def visit(name: str) -> None:
        if name not in ordered:
            for need in plans[name].needs:
                visit(need)
            ordered[name] = plans[name]

    for name in plans:
        visit(name)
    return tuple(ordered.values())
