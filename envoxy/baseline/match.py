"""Judge a run's findings against a baseline: which are accepted, which entries are stale.

Pure functions of findings, keys and entries; nothing here reads or writes a file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from envoxy.baseline.keys import Coverage, Key, Keyer, Surface
from envoxy.baseline.store import Baseline, Entry
from envoxy.findings import Finding
from envoxy.rules.model import RuleSet
from envoxy.tables import make_finding

__all__ = ["Judged", "error_counts", "judge", "keyed"]


@dataclass(frozen=True, slots=True)
class Judged:
    findings: tuple[Finding, ...]
    """The findings that count, ``stale-baseline`` ones included."""
    baselined: tuple[Finding, ...]
    """The findings an entry accepts."""


def keyed(findings: Sequence[Finding], keyer: Keyer) -> list[tuple[Finding, Key | None]]:
    """Each finding with its key attached (``Finding.key``), and the key."""
    out: list[tuple[Finding, Key | None]] = []
    for f in findings:
        key = keyer(f)
        out.append((f if key is None else replace(f, key=key.text()), key))
    return out


def error_counts(findings: Sequence[Finding], keyer: Keyer) -> dict[Key, int]:
    """How many error findings share each key: what ``--write-baseline`` records."""
    counts: dict[Key, int] = {}
    for f in findings:
        if f.severity != "error":
            continue
        key = keyer(f)
        if key is not None:
            counts[key] = counts.get(key, 0) + 1
    return counts


def _where(entry: Entry) -> str:
    key = entry.key
    what = f"'{key.table}.{key.field}'" if key.field else (f"'{key.table}'" if key.table else "")
    place = {
        "models": f"in {key.where}",
        "migrations": f"in revision {key.where}",
        "head_state": "at head",
        "db": f"in schema {key.where}" if key.where else "in the default schema",
    }[key.surface]
    return " ".join(p for p in (f"'{key.rule}'", f"for {what}" if what else "", place) if p)


def _stale(
    rules: RuleSet, baseline: Baseline, entry: Entry, command: str, spot: tuple[int, int] | None
) -> Finding | None:
    found = make_finding(
        rules,
        "stale-baseline",
        f"baseline entry {_where(entry)} matches no finding any more; run "
        f"'envoxy {command} --write-baseline' to drop it",
        table=entry.key.table,
        field=entry.key.field,
        path=baseline.path,
        line=spot[0] if spot else None,
        column=spot[1] if spot else None,
        pointer=entry.pointer or None,
    )
    return None if found is None else replace(found, key="stale-baseline " + entry.key.text())


def judge(
    findings: Sequence[Finding],
    keyer: Keyer,
    *,
    surface: Surface,
    baseline: Baseline | None,
    coverage: Coverage,
    rules: RuleSet,
    command: str,
) -> Judged:
    """Split ``findings`` into those that count and those ``baseline`` accepts.

    An entry accepts the error findings of its key when there are at most ``count`` of them;
    when there are more, it accepts none (one more violation of the same kind is new). An entry
    of ``surface`` that no finding matches, in a run that ``coverage`` says judges it, is a
    ``stale-baseline`` finding at its line in the baseline file. Every finding comes back with
    its key attached.
    """
    pairs = keyed(findings, keyer)
    groups: dict[Key, list[int]] = {}
    for i, (f, key) in enumerate(pairs):
        if key is not None and f.severity == "error":
            groups.setdefault(key, []).append(i)
    entries = baseline.section(surface) if baseline is not None else ()
    allowed = {e.key: e.count for e in entries}
    accepted: set[int] = set()
    for key, indexes in groups.items():
        if len(indexes) <= allowed.get(key, 0):
            accepted.update(indexes)
    counted = [f for i, (f, _) in enumerate(pairs) if i not in accepted]
    if baseline is not None:
        unmatched = [e for e in entries if e.key not in groups and coverage.judges(e.key)]
        spots = baseline.positions(unmatched) if unmatched else {}
        for entry in unmatched:
            stale = _stale(rules, baseline, entry, command, spots.get(entry.where))
            if stale is not None:
                counted.append(stale)
    return Judged(
        findings=tuple(counted),
        baselined=tuple(pairs[i][0] for i in sorted(accepted)),
    )
