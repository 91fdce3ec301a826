"""Judge a live database's tables against the rules."""

from __future__ import annotations

from envoxy.findings import Finding, Report
from envoxy.live.reflect import Reflection, reflect_tables
from envoxy.rules.dialect_fit import check_rules_fit
from envoxy.rules.model import RuleSet
from envoxy.tables import exemption_findings, judge_table

__all__ = ["check_database", "judge_reflection"]


def check_database(url: str, rules: RuleSet, *, schema: str | None = None) -> Report:
    """Every way the in-scope tables of ``schema`` break ``rules``, plus unused and expired
    exemptions. Findings have no path and name their table; ``files`` counts the tables checked.

    Raises :class:`envoxy.live.reflect.DatabaseError` when the database cannot be reached, and
    :class:`envoxy.rules.dialect_fit.RulesUnfitError` when its dialect cannot keep a type the rules
    ask for (``profile: native`` on MySQL).
    """
    return judge_reflection(reflect_tables(url, schema), rules)


def judge_reflection(reflection: Reflection, rules: RuleSet) -> Report:
    """:func:`check_database` on tables already reflected."""
    check_rules_fit(rules, reflection.dialect)
    checked = [t for t in reflection.tables if rules.in_scope(t.name)]
    findings = [f for t in checked for f in judge_table(rules, t, reflection.dialect)]
    findings.extend(_checks(rules, reflection))
    findings.extend(exemption_findings(rules, (t.name for t in reflection.tables)))
    return Report.build(findings, files=len(checked), unit="table")


def _checks(rules: RuleSet, reflection: Reflection) -> list[Finding]:
    """The checks of ``rules`` judged on every reflected table (they apply scope and exemptions
    themselves, and see every table, for the built-ins that compare tables)."""
    from envoxy.checks.verdicts import checks_for, verdict_finding

    if not checks_for(rules, "db"):
        return []
    from envoxy.checks.documents import Documents
    from envoxy.checks.engine import judge_tables

    documents = Documents(rules, reflection.dialect).all(reflection.tables)
    return [verdict_finding(v) for v in judge_tables(rules, "db", documents)]
