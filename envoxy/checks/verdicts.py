"""What the places (migrations, the autogenerate gate, ``check-db``) share about checks: whether
any is judged there, and a verdict as a finding."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from envoxy.findings import Finding

if TYPE_CHECKING:
    from envoxy.checks.engine import Target, Verdict
    from envoxy.rules.model import RuleSet

__all__ = ["checks_for", "compares_tables", "verdict_finding"]

# The built-ins whose verdict on a table depends on the other tables.
_COMPARING = frozenset({"unique-table-names-casefold"})


def checks_for(rules: RuleSet, target: Target) -> bool:
    """Whether any check of ``rules`` is judged in ``target`` (none: the place does nothing more
    than before checks existed)."""
    return any(c.runs_in(target) for c in rules.checks)


def compares_tables(rules: RuleSet, target: Target) -> bool:
    """Whether a check judged in ``target`` compares tables, so that each table must be judged
    with the whole schema in view."""
    return any(c.builtin in _COMPARING and c.runs_in(target) for c in rules.checks)


def verdict_finding(v: Verdict, **where: Any) -> Finding:
    """A check's verdict as a finding, naming its table as the other findings of migrations and
    ``check-db`` do (``schema.name`` outside the default schema); ``where`` locates it."""
    return Finding(
        rule=v.check,
        severity=v.severity,
        message=v.message,
        table=v.table if v.schema is None else f"{v.schema}.{v.table}",
        field=v.column,
        **where,
    )
