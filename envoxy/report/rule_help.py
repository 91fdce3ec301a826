"""The rule catalog (:mod:`envoxy.rules.catalog`) as people read it: plain text for ``envoxy
explain``, Markdown for SARIF's ``help.markdown``, and the rule table of ``docs/RULES.md``.

Pure functions of the catalog; code spans (backticks) are never broken across lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from envoxy.checks.model import Check
from envoxy.rules.catalog import RULES, Command, Example, Place, RuleInfo

__all__ = ["WIDTH", "exempt_text", "list_text", "markdown", "rules_table", "suggestions", "text"]

WIDTH = 100

# The language of each place's snippets, for Markdown code fences.
_FENCE: dict[Place, str] = {
    "model file": "json",
    "revision script": "python",
    "live database": "sql",
    "mixin": "python",
    "rules file": "yaml",
    "baseline file": "json",
}
# How a place is named in a sentence: "In a model file: ...", "Example in rules.yaml".
_WHERE: dict[Place, str] = {
    "model file": "in a model file",
    "revision script": "in a revision script",
    "live database": "in a live database",
    "mixin": "with the mixin (SQLAlchemy models)",
    "rules file": "in rules.yaml",
    "baseline file": "in the baseline file",
}
_BASELINE_CALL: dict[Command, str] = {
    "validate": "`envoxy validate --write-baseline`",
    "check-migrations": "`envoxy check-migrations --write-baseline`",
    "check-db": "`envoxy check-db URL --write-baseline`",
}
_CODE = re.compile(r"`[^`]*`")
_KEEP = "\x00"  # stands for a space inside a code span while wrapping


def _wrap(paragraph: str, indent: str, hang: str | None = None) -> list[str]:
    import textwrap  # explain and SARIF only: kept off the validator's start-up

    protected = _CODE.sub(lambda m: m.group(0).replace(" ", _KEEP), paragraph)
    lines = textwrap.wrap(
        protected,
        WIDTH,
        initial_indent=indent,
        subsequent_indent=indent if hang is None else hang,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return [line.replace(_KEEP, " ") for line in lines]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _commands(commands: Iterable[str]) -> str:
    names = [f"envoxy {c}" for c in commands]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def exempt_text(info: RuleInfo) -> list[str]:
    """How to exempt, silence or baseline a rule: one paragraph per way that applies."""
    out = []
    if info.exemptible:
        out.append(
            "To let one table go without a field, give it an exemption in rules.yaml, with a reason "
            "(and an `until` date if it is temporary): `exemptions: {audit_log: {fields: [updated], "
            "reason: append-only log}}`. A `scope: exclude:` glob leaves tables out of the rules "
            "altogether."
        )
    if info.severity == "error":
        out.append(
            f"To change its severity everywhere: `severity: {{{info.id}: warning}}` (or `off`) in rules.yaml."
        )
    else:
        out.append(
            f"It is a warning: it never fails a run. `severity: {{{info.id}: error}}` in rules.yaml makes "
            "it fail one, `off` silences it."
        )
    if not info.not_baselined:
        calls = " or ".join(_BASELINE_CALL[c] for c in info.commands)
        out.append(
            f"To accept today's findings and fail only on new ones, record them in the baseline with "
            f"{calls} (error findings only; see docs/ADOPTING.md)."
        )
    else:
        out.append(f"A baseline never accepts it: {info.not_baselined}.")
    return out


def _example_text(example: Example) -> list[str]:
    lines = ["", f"Example {_WHERE[example.place]}"]
    if example.context:
        lines += _wrap(example.context, "  ")
    if example.rules:
        lines.append("  With this rules.yaml:")
        lines += ["    " + line for line in example.rules.splitlines()]
    for label, snippet in (("Reported:", example.bad), ("Not reported:", example.good)):
        lines.append(f"  {label}")
        lines += [("    " + line).rstrip() for line in snippet.splitlines()]
    return lines


def text(info: RuleInfo) -> str:
    """What ``envoxy explain RULE`` prints: every section, wrapped at :data:`WIDTH` columns."""
    lines = _wrap(f"{info.id} ({info.severity} by default): {info.short}", "", "  ")
    lines += _wrap(f"Reported by {_commands(info.commands)}.", "")
    lines += ["", "What it checks", *_wrap(info.checks, "  ")]
    lines += ["", "Why it matters", *_wrap(info.why, "  ")]
    lines += ["", "How to fix it"]
    for fix in info.fixes:
        lines += _wrap(f"{_capital(_WHERE[fix.place])}: {fix.text}", "  ", "    ")
    lines += ["", "How to exempt or baseline it"]
    for paragraph in exempt_text(info):
        lines += _wrap(paragraph, "  - ", "    ")
    for example in info.examples:
        lines += _example_text(example)
    return "\n".join(lines) + "\n"


def _fenced(snippet: str, place: Place) -> list[str]:
    return [f"```{_FENCE[place]}", *snippet.rstrip("\n").splitlines(), "```"]


def markdown(info: RuleInfo) -> str:
    """The same sections as :func:`text`, as Markdown (SARIF ``help.markdown``)."""
    lines = [f"**{info.id}** ({info.severity} by default): {info.short}"]
    lines += ["", f"Reported by {_commands(f'`{c}`' for c in info.commands)}."]
    lines += ["", "**What it checks.** " + info.checks, "", "**Why it matters.** " + info.why]
    lines += ["", "**How to fix it**", ""]
    lines += [f"- *{_capital(_WHERE[fix.place])}:* {fix.text}" for fix in info.fixes]
    lines += ["", "**How to exempt or baseline it**", ""]
    lines += [f"- {paragraph}" for paragraph in exempt_text(info)]
    for example in info.examples:
        lines += ["", f"**Example {_WHERE[example.place]}**"]
        if example.context:
            lines += ["", example.context]
        if example.rules:
            lines += ["", "With this rules.yaml:", "", *_fenced(example.rules, "rules file")]
        lines += ["", "Reported:", "", *_fenced(example.bad, example.place)]
        lines += ["", "Not reported:", "", *_fenced(example.good, example.place)]
    return "\n".join(lines) + "\n"


def list_text(checks: Iterable[Check] = ()) -> str:
    """``envoxy explain --list``: one rule id per line, first on its line, then its summary; then
    the checks of ``rules.yaml``, likewise."""
    from envoxy.checks.help import check_short

    shorts = {rid: info.short for rid, info in RULES.items()}
    shorts.update({c.id: "(rules.yaml check) " + check_short(c) for c in checks})
    width = max(len(rid) for rid in shorts)
    return "".join(f"{rid:<{width}}  {short}\n" for rid, short in sorted(shorts.items()))


def rules_table() -> str:
    """The rule table of ``docs/RULES.md`` (a test keeps the page equal to it)."""
    lines = ["| id | default | reported by | what |", "| --- | --- | --- | --- |"]
    for rid, info in RULES.items():
        by = ", ".join(f"`{c}`" for c in info.commands)
        lines.append(f"| `{rid}` | {info.severity} | {by} | {info.short} |")
    return "\n".join(lines) + "\n"


def suggestions(name: str, checks: Iterable[str] = ()) -> list[str]:
    """Rule (and check) ids close to ``name`` (a mistyped id), best first."""
    import difflib

    key = name.strip().lower().replace("_", "-")
    return difflib.get_close_matches(key, [*RULES, *checks], n=3, cutoff=0.6)
