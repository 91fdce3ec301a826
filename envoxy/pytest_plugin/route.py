"""Which item reports which finding, and what each item's outcome is: pure functions of the
surfaces' outcomes and of the items collection made.

An item is a :data:`Key`: ``(surface, subject)``. The surfaces are ``models`` (subject: a model
file as findings show it), ``migrations`` (a table at the head of the history) and ``db`` (a
table of the database); ``(surface, None)`` is the surface as a whole, which reports what no
subject item of it does (a revision that cannot be imported, a table collection did not see).
``("exemptions", None)`` reports the exemptions of ``rules.yaml`` that expired or match nothing,
once however many surfaces found them, and ``("baseline", None)`` the stale baseline entries.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from envoxy.findings import Finding
    from envoxy.pytest_plugin.state import Outcome, Static

__all__ = ["EXEMPTION_RULES", "Key", "Verdict", "item_name", "verdict"]

Key = tuple[str, "str | None"]

EXEMPTION_RULES = frozenset({"expired-exemption", "unused-exemption"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Verdict:
    """An item's outcome: ``skip`` (not checked, and why), ``error`` (could not be checked),
    else its ``findings`` (it fails when one is an error)."""

    findings: tuple[Finding, ...] = ()
    skip: str | None = None
    error: str | None = None


def item_name(key: Key) -> str:
    """The item's name below ``envoxy``: ``models/shop.json``, ``migrations::orders``,
    ``db::orders``, or the surface alone. Names are escaped as envoxy prints them."""
    from envoxy.report.escape import escape

    surface, subject = key
    if subject is None:
        return surface
    return escape(subject) if surface == "models" else f"{surface}::{escape(subject)}"


def _destination(surface: str, f: Finding, keys: Collection[Key]) -> Key:
    if f.rule == "stale-baseline" and ("baseline", None) in keys:
        return ("baseline", None)
    if f.rule in EXEMPTION_RULES and ("exemptions", None) in keys:
        return ("exemptions", None)
    subject = f.path if surface == "models" else f.table
    if subject is not None and (surface, subject) in keys:
        return (surface, subject)
    return (surface, None)


def _routed(surface: str, outcome: Outcome | None, key: Key, keys: Collection[Key]) -> list[Finding]:
    if outcome is None or outcome.checked is None:
        return []
    return [f for f in outcome.checked.report.findings if _destination(surface, f, keys) == key]


def _once(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Each finding once: every surface judges the exemptions and reports an expired one."""
    seen: dict[tuple[object, ...], Finding] = {}
    for f in findings:
        seen.setdefault((f.rule, f.path, f.line, f.column, f.table, f.message), f)
    return tuple(seen.values())


def verdict(
    key: Key, keys: Collection[Key], *, static: Static, live: Outcome | None, baseline: bool
) -> Verdict:
    """The outcome of the item ``key`` among the items ``keys``; ``live`` is the database's
    outcome (``None`` when the item did not ask for it), ``baseline`` whether the rules name a
    baseline file."""
    surface, subject = key
    outcomes = {"models": static.models, "migrations": static.head, "db": live}
    if surface in ("exemptions", "baseline"):
        found = _once(f for name, outcome in outcomes.items() for f in _routed(name, outcome, key, keys))
        if surface == "baseline" and not baseline and not found:
            return Verdict(skip="the rules name no baseline file")
        return Verdict(findings=found)
    outcome = outcomes[surface]
    assert outcome is not None, f"the {surface} item did not ask for its outcome"
    if outcome.absent is not None:
        return Verdict(skip=outcome.absent)
    if outcome.error is not None:
        if subject is None:
            return Verdict(error=outcome.error)
        return Verdict(skip=f"not checked: envoxy::{surface} says why")
    checked = outcome.checked
    assert checked is not None
    if subject is not None and subject not in checked.subjects:
        return _missing(surface, subject, static)
    return Verdict(findings=tuple(_routed(surface, outcome, key, keys)))


def _missing(surface: str, subject: str, static: Static) -> Verdict:
    """An item whose subject the run did not check (the fixtures name other rules, history or
    database than collection saw), or a table the history makes that the database lacks."""
    from envoxy.report.escape import escape

    name = escape(subject)
    head = static.head.checked
    if surface == "db" and head is not None and subject in head.subjects:
        return Verdict(
            error=f"table '{name}', which the history creates, is not in the database after "
            "'alembic upgrade heads' (does env.py use config.attributes['connection']? see docs/PYTEST.md)"
        )
    what = {
        "models": f"{name} is not among the model files the rules name",
        "migrations": f"no table '{name}' in scope at the head of the history",
        "db": f"no table '{name}' in scope in the database",
    }[surface]
    return Verdict(skip=what)
