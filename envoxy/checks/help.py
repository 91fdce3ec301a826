"""A check of ``rules.yaml`` as people read it: ``envoxy explain ID`` and SARIF's rule help, from
the check's own description, what it selects and requires, and where it is skipped."""

from __future__ import annotations

import json

from envoxy.checks.model import TARGETS, Check, Target

__all__ = ["check_markdown", "check_short", "check_text"]

_PLACE: dict[Target, str] = {
    "models": "model files",
    "migrations": "revision scripts",
    "db": "live databases",
}
_COMMAND: dict[Target, str] = {
    "models": "envoxy validate",
    "migrations": "envoxy check-migrations",
    "db": "envoxy check-db",
}
_WHY_SKIPPED: dict[Target, str] = {
    "models": "a model file does not state (its declarations give names and a logical type, not "
    "SQL types, nullability, keys or indexes)",
    "migrations": "a revision does not state",
    "db": "a database does not state",
}


def check_short(check: Check) -> str:
    """One line: the description's first sentence, else what it judges."""
    text = " ".join(check.description.split())
    if text:
        first = text.split(". ")[0]
        return first if first.endswith(".") else first + "."
    what = f"built-in {check.builtin}" if check.builtin else f"a {check.scope} check"
    return f"{what} of rules.yaml."


def _schema(value: str | None) -> str:
    return "" if value is None else json.dumps(json.loads(value), ensure_ascii=False)


def _sections(check: Check) -> list[tuple[str, list[str]]]:
    runs = [t for t in check.targets if check.runs_in(t)]
    skipped = check.skipped_in()
    where = (
        f"{check.path}:{check.line}:{check.column}"
        if check.path and check.line
        else check.path or "rules.yaml"
    )
    head = [f"Defined in {where}."]
    if runs:
        head.append(
            "Reported by "
            + ", ".join(_COMMAND[t] for t in runs)
            + " (in "
            + ", ".join(_PLACE[t] for t in runs)
            + ")."
        )
    for target, facts in skipped.items():
        head.append(
            f"Skipped in {_PLACE[target]}: it reads {', '.join(facts)}, which {_WHY_SKIPPED[target]}."
        )
    not_targeted = [t for t in TARGETS if t not in check.targets]
    if not_targeted:
        head.append(
            "Not run in "
            + ", ".join(_PLACE[t] for t in not_targeted)
            + " (targets: "
            + ", ".join(check.targets)
            + ")."
        )
    checks: list[str] = []
    if check.description:
        checks.append(" ".join(check.description.split()))
    if check.builtin is not None:
        params = ", ".join(f"{k}: {json.dumps(v)}" for k, v in check.parameters) or "defaults"
        checks.append(f"Built-in check {check.builtin} ({params}), judged on each table.")
    else:
        nodes = "table" if check.scope == "table" else "column"
        if check.where_json is not None:
            checks.append(
                f"Each {nodes} matching `{_schema(check.where_json)}` must satisfy "
                f"`{_schema(check.require_json)}`."
            )
        else:
            checks.append(f"Each {nodes} must satisfy `{_schema(check.require_json)}`.")
    checks.append(f"Message: {check.message}")
    exempt = [
        f"To let one table go unjudged, exempt it in rules.yaml with a reason: `exemptions: {{TABLE: "
        f"{{checks: [{check.id}], reason: ...}}}}`. A `scope: exclude:` glob leaves tables out of "
        "every rule.",
        f"To change its severity: `severity: {{{check.id}: warning}}` (or `off`) in rules.yaml.",
        "To accept today's findings and fail only on new ones, record them in the baseline with "
        "--write-baseline (error findings only; see docs/ADOPTING.md).",
    ]
    return [("", head), ("What it checks", checks), ("How to exempt or baseline it", exempt)]


def check_text(check: Check) -> str:
    """What ``envoxy explain ID`` prints for a check."""
    import textwrap

    lines = textwrap.wrap(
        f"{check.id} ({check.severity} by default): {check_short(check)}", 100, subsequent_indent="  "
    )
    for title, paragraphs in _sections(check):
        if title:
            lines += ["", title]
        for p in paragraphs:
            indent = "  " if title else ""
            lines += textwrap.wrap(
                p,
                100,
                initial_indent=indent,
                subsequent_indent=indent + "  ",
                break_long_words=False,
                break_on_hyphens=False,
            )
    return "\n".join(lines) + "\n"


def check_markdown(check: Check) -> str:
    """The same as :func:`check_text`, as Markdown (SARIF ``help.markdown``)."""
    lines = [f"**{check.id}** ({check.severity} by default): {check_short(check)}"]
    for title, paragraphs in _sections(check):
        lines.append("")
        if title:
            lines += [f"**{title}**", ""]
        lines += [f"- {p}" if title else p for p in paragraphs]
    return "\n".join(lines) + "\n"
