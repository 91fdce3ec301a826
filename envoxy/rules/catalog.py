"""Every rule id envoxy can report: default severity, a one-line description and help.

The reporters (SARIF in particular) and the ``severity:`` section of ``rules.yaml`` read this
table; adding a rule is one entry here plus the code that emits it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["RULES", "RuleInfo", "SeveritySetting"]

SeveritySetting = Literal["error", "warning", "off"]


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleInfo:
    id: str
    severity: Literal["error", "warning"]
    short: str
    help: str


def _r(id: str, severity: Literal["error", "warning"], short: str, help: str) -> RuleInfo:
    return RuleInfo(id=id, severity=severity, short=short, help=help)


RULES: dict[str, RuleInfo] = {
    r.id: r
    for r in (
        _r(
            "missing-field",
            "error",
            "A required field or column is missing.",
            "Every in-scope table and model datum must carry the fields rules.yaml requires "
            "(by default id, created, updated and href). Add the field, inherit EnvoxyMixin, or "
            "add an exemption with a reason to rules.yaml.",
        ),
        _r(
            "wrong-type",
            "error",
            "A required field or column has an incompatible type.",
            "The field's declaration or column type must match the type the rules.yaml profile "
            "assigns to it (for example VARCHAR(36) or UUID for id).",
        ),
        _r(
            "nullable-field",
            "error",
            "A required column is nullable.",
            "Required columns are NOT NULL unless rules.yaml says otherwise.",
        ),
        _r(
            "missing-primary-key",
            "error",
            "The primary-key field is not the table's primary key.",
            "The field rules.yaml marks primary_key (id by default) must be the table's primary key.",
        ),
        _r(
            "dropped-field",
            "error",
            "A migration drops a required column.",
            "A revision must not drop a column that rules.yaml requires on an in-scope table.",
        ),
        _r(
            "altered-field",
            "error",
            "A migration renames, retypes or makes nullable a required column.",
            "A revision must not change a required column's name, type or nullability away from "
            "what rules.yaml requires.",
        ),
        _r(
            "parse-error",
            "error",
            "The input could not be read or parsed.",
            "The file is unreadable, not valid UTF-8, not valid JSON, nested too deeply, or (for "
            "revision scripts) could not be imported. Fix the file; every other file is still checked.",
        ),
        _r(
            "duplicate-key",
            "error",
            "A key is repeated inside a datum's fields.",
            "One declaration silently hides the other; keep exactly one.",
        ),
        _r(
            "invalid-model",
            "error",
            "The model file does not have the model structure.",
            "A model file's root must be an object; datums must be an array; fields must be an object.",
        ),
        _r(
            "invalid-declaration",
            "error",
            "A required field's declaration breaks a constraint of rules.yaml.",
            "rules.yaml declares extra constraints on this field's declaration (its `declaration:` key).",
        ),
        _r(
            "unused-exemption",
            "warning",
            "An exemption in rules.yaml matches nothing.",
            "No table or datum checked in this run carries the exempted name; remove the exemption "
            "if it is no longer needed.",
        ),
        _r(
            "expired-exemption",
            "error",
            "An exemption in rules.yaml is past its `until` date.",
            "The exemption's grace period is over: bring the table onto the pattern or renew the "
            "exemption with a new reason and date.",
        ),
        _r(
            "stale-baseline",
            "error",
            "A baseline entry matches no finding any more.",
            "The violation the entry accepted was fixed (or its file, revision or table is gone). "
            "Run the same command with --write-baseline to drop the entry, and commit the smaller "
            "baseline: it only shrinks unless someone rewrites it on purpose.",
        ),
        _r(
            "unanalysable-revision",
            "warning",
            "A revision's upgrade() could not be followed to its end.",
            "The ops recorded before the failure were checked; the rest of the revision was not.",
        ),
        _r(
            "unanalysed-sql",
            "warning",
            "A revision runs raw SQL that was not analysed.",
            "op.execute() with a raw statement may change the schema in ways envoxy cannot see; "
            "check it by hand or express it with op.* calls.",
        ),
    )
}
