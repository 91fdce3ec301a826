"""``envoxy validate --fix``: add the missing required field declarations and rewrite the wrong-type
ones, leaving every other byte of the file as it was.

What it writes comes from the compiled rules: a missing field gets the profile's declaration
(``{"type": "string", "format": "uuid"}``: the profile's JSON type and its first format); a wrong
declaration that is an object keeps its other keys and gets the profile's ``type`` (and ``format``)
in place of the wrong ones; any other wrong declaration is replaced by the profile's. A fix is made
only when the result passes the field's whole schema, so a field whose ``declaration:`` constraints
in ``rules.yaml`` the profile's declaration cannot meet is left for a person (as is every
``invalid-declaration``). Only what ``validate`` reports is fixed: out-of-scope and exempt datums,
and rules turned ``off``, get nothing.

Where: new members go after the last member of the datum's ``fields`` object, in the order of
``rules.yaml``; an empty ``fields`` object is filled in the indentation of its datum. The text
between members, around the colon and inside a new declaration is copied from the file itself (the
members of the same ``fields`` object, the last non-empty declaration in it), so indentation, tabs,
line endings, one-line objects and a BOM stay as they were. Offsets come from
:func:`envoxy.validate.positions.spans`. A file that cannot be read or parsed, or that repeats a key
in any object, is left untouched; every rewrite is parsed back and compared with the intended data
before it is kept.
"""

from __future__ import annotations

import copy
import difflib
import re
from dataclasses import dataclass
from typing import Any

from envoxy.report.escape import escape
from envoxy.validate.checker import Checker
from envoxy.validate.discovery import Target
from envoxy.validate.issues import Issue, datum_label
from envoxy.validate.judge import FieldRule
from envoxy.validate.layout import TextLayout, dumps
from envoxy.validate.loader import Parsed, Unparsable, parse, read
from envoxy.validate.positions import Pointer

__all__ = [
    "Edit",
    "FileFix",
    "Unfixed",
    "fix_data",
    "fix_file",
    "profile_declaration",
    "unchanged_since_read",
    "unified_diff",
]

_BOM = b"\xef\xbb\xbf"
_LINES = re.compile(r"[^\n]*\n|[^\n]+")


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace ``text[start:end]`` (offsets in the text after the BOM) with ``new``."""

    start: int
    end: int
    new: str


@dataclass(frozen=True, slots=True)
class Unfixed:
    """A missing or wrong declaration ``--fix`` leaves for a person, and why."""

    issue: Issue
    reason: str

    def __str__(self) -> str:
        issue = self.issue
        datum = issue.pointer[:-1] if issue.rule == "missing-field" else issue.pointer[:-2]
        return f"field {issue.field!r} of {datum_label(datum, issue.table)}: {self.reason}; fix it by hand"


@dataclass(frozen=True, slots=True, kw_only=True)
class FileFix:
    """What ``--fix`` does to one file. ``after`` equals ``before`` when it changes nothing;
    ``skipped`` says why a file was left untouched as a whole."""

    target: Target
    before: bytes
    after: bytes
    edits: tuple[Edit, ...] = ()
    fixed: int = 0
    """How many declarations were added or rewritten."""
    unfixed: tuple[Unfixed, ...] = ()
    skipped: str | None = None

    @property
    def changed(self) -> bool:
        return self.after != self.before

    @property
    def shown(self) -> str:
        """The path for messages and diff headers, escaped as reports escape it (a line break, a
        terminal escape, an undecodable byte)."""
        return escape(self.target.shown)


def profile_declaration(rule: FieldRule) -> dict[str, Any]:
    """The declaration ``--fix`` writes for a missing required field."""
    out: dict[str, Any] = {"type": rule.json_type}
    if rule.formats:
        out["format"] = rule.formats[0]
    return out


def _fixed_declaration(rule: FieldRule, current: Any) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The declaration that replaces ``current`` (``None``: missing), and which of its keys change
    (none: the whole declaration is written)."""
    want = profile_declaration(rule)
    if type(current) is not dict:
        return want, ()
    keys = rule.wrong_keys(current)
    return {**current, **{key: want[key] for key in keys}}, keys


def _at(root: Any, pointer: Pointer) -> Any:
    for token in pointer:
        root = root[token]
    return root


def _skeleton(root: dict[str, Any]) -> dict[Pointer, list[str | int]]:
    """The containers whose layout ``--fix`` reads, with their keys: the root, the ``datums``
    array, each datum, its ``fields`` and their declarations (not what nests deeper: a large
    file costs no more than its datums)."""
    found: dict[Pointer, list[str | int]] = {}

    def note(at: Pointer, value: Any) -> None:
        if type(value) is dict and value:
            found[at] = list(value)
        elif type(value) is list and value:
            found[at] = list(range(len(value)))

    note((), root)
    datums: list[tuple[Pointer, Any]] = [((), root)]
    items = root.get("datums")
    if type(items) is list:
        note(("datums",), items)
        datums += [(("datums", i), item) for i, item in enumerate(items)]
    for at, datum in datums:
        note(at, datum)
        fields = datum.get("fields") if type(datum) is dict else None
        if type(fields) is dict:
            note((*at, "fields"), fields)
            for key, declaration in fields.items():
                note((*at, "fields", key), declaration)
    return found


# -- one file -------------------------------------------------------------------------------------


@dataclass(slots=True)
class _FieldsPlan:
    """The fixes for one ``fields`` object: declarations to add, declarations to rewrite."""

    pointer: Pointer
    add: list[tuple[str, dict[str, Any]]]
    rewrite: list[tuple[str, Any, dict[str, Any], tuple[str, ...]]]  # name, old, new, keys changed


def _plans(checker: Checker, root: Any, issues: list[Issue]) -> tuple[list[_FieldsPlan], list[Unfixed]]:
    rules = {r.name: r for r in checker.judge.fields}
    plans: dict[Pointer, _FieldsPlan] = {}
    unfixed: list[Unfixed] = []
    for issue in issues:
        assert issue.field is not None
        missing = issue.rule == "missing-field"
        fields_at = issue.pointer if missing else issue.pointer[:-1]
        rule = rules[issue.field]
        current = None if missing else _at(root, issue.pointer)
        new, keys = _fixed_declaration(rule, current)
        if not rule.accepts(new):
            reason = f"{dumps(new)} would break the constraints rules.yaml adds to its declaration"
            unfixed.append(Unfixed(issue, reason))
            continue
        plan = plans.setdefault(fields_at, _FieldsPlan(fields_at, [], []))
        if missing:
            plan.add.append((issue.field, new))
        else:
            plan.rewrite.append((issue.field, current, new, keys))
    return list(plans.values()), unfixed


def _edits(layout: TextLayout, root: Any, plan: _FieldsPlan) -> list[Edit]:
    """The edits of one ``fields`` object: each rewrite in place, the additions after its last
    member (or inside it, when it is empty)."""
    at, datum = plan.pointer, plan.pointer[:-1]
    fields = _at(root, at)
    # How the fields object's members, and a new declaration, are written.
    if fields:
        own = layout.of(at)
        members = layout.writing_like(at, [datum])
        expanded_at = own.member_indent if own.expanded else None
        newline = own.newline
    else:
        outer = layout.of(datum)
        expanded_at = outer.member_indent + layout.unit([datum]) if outer.expanded else None
        members = layout.writing_inside(
            outer.member_indent if outer.expanded else None, outer.newline, outer.colon or ": ", [datum]
        )
        newline = outer.newline
    template = layout.template(at)
    declaration = (
        layout.writing_like(template, [at, datum])
        if template is not None
        else layout.writing_inside(expanded_at, newline, members.colon, [at, datum])
    )
    out: list[Edit] = []
    for name, _, new, keys in plan.rewrite:
        if keys:  # only the wrong values change
            out += [Edit(*layout.span((*at, name, k)), dumps(new[k])) for k in keys]
        else:
            out.append(Edit(*layout.span((*at, name)), declaration.object(new)))
    if plan.add:
        pairs = [(name, declaration.object(new)) for name, new in plan.add]
        if fields:  # after the last member, joined as the members are
            last = layout.span((*at, list(fields)[-1]))[1]
            before, after = members.joint
            out.append(Edit(last, last, f"{before},{after}" + members.members(pairs)))
        else:
            start, end = layout.span(at)
            out.append(Edit(start, end, "{" + members.open + members.members(pairs) + members.close + "}"))
    return out


def _apply(text: str, edits: list[Edit]) -> str:
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        text = text[: edit.start] + edit.new + text[edit.end :]
    return text


def _intended(root: Any, plans: list[_FieldsPlan]) -> Any:
    """The data the rewrite must parse back to."""
    out = copy.deepcopy(root)
    for plan in plans:
        fields = _at(out, plan.pointer)
        for name, _, new, _ in plan.rewrite:
            fields[name] = new
        for name, new in plan.add:
            fields[name] = new
    return out


def fix_file(checker: Checker, target: Target) -> FileFix:
    """The fixed text of one model file (nothing is written here)."""
    data = read(target.fs, known_regular=target.known_regular)
    if isinstance(data, Unparsable):
        return FileFix(target=target, before=b"", after=b"", skipped="it cannot be read")
    return fix_data(checker, target, data)


def fix_data(checker: Checker, target: Target, data: bytes) -> FileFix:
    """The fixed form of ``data``, the bytes of ``target``."""
    parsed = parse(data)
    if isinstance(parsed, Unparsable):
        return FileFix(target=target, before=data, after=data, skipped="it is not valid JSON")
    severity = checker.rules.severity
    issues = [
        i
        for i in checker.check(parsed).issues
        if i.rule in ("missing-field", "wrong-type") and severity(i.rule) != "off"
    ]
    if not issues:
        return FileFix(target=target, before=data, after=data)
    if parsed.repeats:
        reason = "it repeats a key in an object, and a rewrite could change which of them counts"
        return FileFix(target=target, before=data, after=data, skipped=reason)
    plans, unfixed = _plans(checker, parsed.root, issues)
    text = parsed.text()
    layout = TextLayout(text, _skeleton(parsed.root))
    edits = [e for plan in plans for e in _edits(layout, parsed.root, plan)]
    text = _apply(text, edits)
    after = (_BOM if data.startswith(_BOM) else b"") + text.encode("utf-8")
    again = parse(after)
    if not isinstance(again, Parsed) or dumps(again.root) != dumps(_intended(parsed.root, plans)):
        # A bug in envoxy, never seen in the tests; better to say so than to write it.
        reason = "envoxy could not rewrite it safely (please report this with the file)"
        return FileFix(target=target, before=data, after=data, unfixed=tuple(unfixed), skipped=reason)
    fixed = sum(len(plan.add) + len(plan.rewrite) for plan in plans)
    return FileFix(
        target=target, before=data, after=after, edits=tuple(edits), fixed=fixed, unfixed=tuple(unfixed)
    )


def unchanged_since_read(fix: FileFix) -> bool:
    """Whether the file still holds what ``fix`` was made from: a file saved meanwhile (an
    editor, a checkout) must not lose that save to a fix of its older content."""
    return read(fix.target.fs) == fix.before


def unified_diff(fix: FileFix) -> str:
    """``--- a/PATH`` / ``+++ b/PATH`` and the hunks, as ``diff -u`` writes them (``patch -p1``
    applies it; a missing final newline is marked)."""
    name = fix.shown
    before = _LINES.findall(fix.before.decode("utf-8"))
    after = _LINES.findall(fix.after.decode("utf-8"))
    out = []
    for line in difflib.unified_diff(before, after, f"a/{name}", f"b/{name}"):
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)
