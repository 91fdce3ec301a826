"""``validate --fix`` on generated model files: any valid model file, written in any style (indent
width, tabs, one-line objects at any depth, colon and comma spacing, line endings, BOM, final
newline, escaped keys), fixed, then has no ``missing-field`` or ``wrong-type`` left (but those the
rules' ``declaration:`` constraints keep for a person), parses to exactly the intended data, and
differs from the original only inside the declarations it fixed; fixing again changes nothing.

The generator records where it wrote every value, so the unchanged byte ranges are checked against
positions found independently of the code under test.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from envoxy.rules import load_rules
from envoxy.validate.checker import Checker
from envoxy.validate.discovery import Target
from envoxy.validate.fix import FileFix, fix_data
from envoxy.validate.issues import Issue
from envoxy.validate.loader import Parsed, parse
from tests.conftest import DATA

Pointer = tuple[str | int, ...]
RULE_FILES = {
    "shipped": DATA / "validate" / "rules.yaml",
    # scope excludes, exemptions, and a declaration: constraint on href the profile's
    # declaration cannot meet (it requires a description)
    "exemptions": DATA / "validate" / "exemptions" / "rules.yaml",
}
_CHECKERS: dict[str, Checker] = {}
TARGET = Target("model.json", "model.json")


def checker(name: str) -> Checker:
    if name not in _CHECKERS:
        _CHECKERS[name] = Checker(load_rules(RULE_FILES[name]))
    return _CHECKERS[name]


# -- writing JSON in a given style, recording where each value went --------------------------------


@dataclass(frozen=True)
class Style:
    indent: str
    expand_below: int  # objects and arrays nested less deep than this are written one member a line
    colon: str
    comma: str  # between members on one line
    pad: str  # inside the braces of a one-line object
    newline: str
    ascii: bool
    bom: bool
    final_newline: bool


@dataclass
class Writer:
    style: Style
    parts: list[str] = field(default_factory=list)
    size: int = 0
    spans: dict[Pointer, tuple[int, int]] = field(default_factory=dict)

    def put(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)

    def scalar(self, value: Any) -> str:
        return json.dumps(value, ensure_ascii=self.style.ascii)

    def value(self, value: Any, depth: int, at: Pointer) -> None:
        start = self.size
        if isinstance(value, (dict, list)) and value:
            items = list(value.items()) if isinstance(value, dict) else list(enumerate(value))
            self.container(isinstance(value, dict), items, depth, at)
        else:
            self.put(
                self.scalar(value) if not isinstance(value, (dict, list)) else "{}" if value == {} else "[]"
            )
        self.spans[at] = (start, self.size)

    def container(self, is_object: bool, items: list[tuple[Any, Any]], depth: int, at: Pointer) -> None:
        s = self.style
        opening, closing = ("{", "}") if is_object else ("[", "]")
        expanded = depth < s.expand_below
        self.put(opening + ("" if expanded else s.pad))
        for i, (key, item) in enumerate(items):
            if expanded:
                self.put(("," if i else "") + s.newline + s.indent * (depth + 1))
            elif i:
                self.put(s.comma)
            if is_object:
                self.put(self.scalar(key) + s.colon)
            self.value(item, depth + 1, (*at, key))
        self.put(s.newline + s.indent * depth + closing if expanded else s.pad + closing)

    def text(self) -> str:
        return "".join(self.parts) + (self.style.newline if self.style.final_newline else "")


def write(document: Any, style: Style) -> tuple[bytes, dict[Pointer, tuple[int, int]]]:
    writer = Writer(style)
    writer.value(document, 0, ())
    data = writer.text().encode("utf-8")
    return (b"\xef\xbb\xbf" + data if style.bom else data), writer.spans


styles = st.builds(
    Style,
    indent=st.sampled_from(["  ", "    ", "\t", " ", "\t\t", ""]),
    expand_below=st.integers(0, 5) | st.just(99),
    colon=st.sampled_from([": ", ":", " : "]),
    comma=st.sampled_from([", ", ","]),
    pad=st.sampled_from(["", " "]),
    newline=st.sampled_from(["\n", "\r\n"]),
    ascii=st.booleans(),
    bom=st.booleans(),
    final_newline=st.booleans(),
)

# -- documents: valid model files, datums with and without violations -----------------------------

REQUIRED = ["id", "created", "updated", "href"]
NAMES = ["products", "légumes", "legacy_events", "old_audit", "tmp_scratch", "alembic_version", "a/b~c"]
good_declarations = st.sampled_from(
    [
        {},
        {"type": "string"},
        {"type": "string", "format": "uuid"},
        {"type": "string", "format": "date-time"},
        {"description": "The row's API path.", "type": "string"},
    ]
)
bad_declarations = st.sampled_from(
    [
        {"type": "integer"},
        {"type": "integer", "format": "uuid", "description": "keep me"},
        {"format": "email", "type": "string"},
        {"type": ["string", "null"]},
        {"type": "object", "description": "The row's API path."},
        "uuid",
        5,
        None,
        [],
        ["string"],
        True,
    ]
)
other_declarations = st.sampled_from(
    [{}, {"type": "number", "minimum": 0}, {"type": "string", "maxLength": 9}]
)


@st.composite
def fields_objects(draw: st.DrawFn) -> dict[str, Any]:
    present = draw(st.lists(st.sampled_from(REQUIRED), unique=True))
    members = {name: draw(good_declarations | bad_declarations) for name in present}
    members.update(
        draw(st.dictionaries(st.sampled_from(["price", "naïve", "a\nb", "x/y"]), other_declarations))
    )
    order = draw(st.permutations(list(members)))
    return {key: members[key] for key in order}


@st.composite
def datums(draw: st.DrawFn) -> dict[str, Any]:
    datum: dict[str, Any] = {"fields": draw(fields_objects())}
    if draw(st.booleans()):
        datum["table"] = draw(st.sampled_from(NAMES))
    if draw(st.booleans()):
        datum["description"] = draw(st.sampled_from(["", "line\nbreak", 'quote " and \\ back', "✓"]))
    order = draw(st.permutations(list(datum)))
    return {key: datum[key] for key in order}


documents = datums() | st.builds(
    lambda items, extra: {"datums": items, **extra},
    st.lists(datums() | st.fixed_dictionaries({"table": st.sampled_from(NAMES)}), max_size=4),
    st.fixed_dictionaries(
        {}, optional={"version": st.integers(1, 3), "owner": st.just("team-a"), "fields": fields_objects()}
    ),
)

# -- the property ---------------------------------------------------------------------------------


def _at(root: Any, pointer: Pointer) -> Any:
    for token in pointer:
        root = root[token]
    return root


def _fixable(check: Checker, issues: list[Issue]) -> list[Issue]:
    return [i for i in issues if i.rule in ("missing-field", "wrong-type")]


def _intended(check: Checker, root: Any, issues: list[Issue]) -> tuple[Any, list[Issue]]:
    """What the fixed file must parse to (from the issues and the compiled rules), and the issues
    the fix must leave because the result would break rules.yaml's declaration constraints."""
    out = json.loads(json.dumps(root))
    kept = []
    columns = {c.name: c.declaration for c in check.rules.columns}
    rules = {r.name: r for r in check.judge.fields}
    for issue in issues:
        assert issue.field is not None
        d = columns[issue.field]
        want: dict[str, Any] = {"type": d.json_type, **({"format": d.formats[0]} if d.formats else {})}
        missing = issue.rule == "missing-field"
        fields_at = issue.pointer if missing else issue.pointer[:-1]
        current = None if missing else _at(root, issue.pointer)
        if isinstance(current, dict):
            new = dict(current)
            if "type" in current and current["type"] != d.json_type:
                new["type"] = want["type"]
            if d.formats and "format" in current and current["format"] not in d.formats:
                new["format"] = want["format"]
        else:
            new = want
        if rules[issue.field].accepts(new):
            _at(out, fields_at)[issue.field] = new
        else:
            kept.append(issue)
    return out, kept


def _allowed(fix: FileFix, issues: list[Issue], spans: dict[Pointer, tuple[int, int]], root: Any) -> None:
    """Every edit is inside a declaration it fixes, or adds members at the end of a fields object."""
    regions = []
    for issue in issues:
        if issue.rule == "wrong-type":
            regions.append(("inside", *spans[issue.pointer]))
        else:
            fields = _at(root, issue.pointer)
            if fields:
                end = spans[(*issue.pointer, list(fields)[-1])][1]
                regions.append(("insert", end, end))
            else:
                regions.append(("replace", *spans[issue.pointer]))
    for edit in fix.edits:
        assert any(
            (kind == "inside" and start <= edit.start <= edit.end <= end)
            or (kind == "insert" and edit.start == edit.end == start)
            or (kind == "replace" and (edit.start, edit.end) == (start, end))
            for kind, start, end in regions
        ), (edit, regions)


@pytest.mark.parametrize("rules_name", sorted(RULE_FILES))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=documents, style=styles)
def test_fix_changes_only_the_fixed_declarations(rules_name: str, document: Any, style: Style) -> None:
    check = checker(rules_name)
    data, spans = write(document, style)
    before = parse(data)
    assert isinstance(before, Parsed) and before.root == document
    issues = _fixable(check, check.check(before).issues)

    fix = fix_data(check, TARGET, data)
    assert fix.skipped is None

    # every byte outside the edits is as it was (BOM included), and the edits are where they may be
    bom = b"\xef\xbb\xbf" if style.bom else b""
    assert fix.after.startswith(bom)
    text = data[len(bom) :].decode("utf-8")
    for edit in sorted(fix.edits, key=lambda e: e.start, reverse=True):
        text = text[: edit.start] + edit.new + text[edit.end :]
    assert bom + text.encode("utf-8") == fix.after
    _allowed(fix, issues, spans, document)
    assert fix.after.endswith(style.newline.encode()) == style.final_newline

    # it parses to exactly the intended data, members in the intended order
    after = parse(fix.after)
    assert isinstance(after, Parsed)
    intended, kept = _intended(check, document, issues)
    assert json.dumps(after.root) == json.dumps(intended)
    assert fix.fixed == len(issues) - len(kept)
    assert [u.issue for u in fix.unfixed] == kept

    # nothing left to fix but what the constraints keep; the rest of the findings as they were
    left = _fixable(check, check.check(after).issues)
    assert left == kept
    assert [i for i in check.check(after).issues if i not in left] == [
        i for i in check.check(before).issues if i not in issues
    ]
    assert not (kept and rules_name == "shipped")

    again = fix_data(check, TARGET, fix.after)
    assert again.after == fix.after and again.edits == ()

    # in a file laid out one way throughout, what --fix adds is laid out that way too
    if _uniform(document, style):
        assert fix.after == write(intended, style)[0]


def _containers(value: Any) -> list[Any]:
    if not isinstance(value, (dict, list)) or not value:
        return []
    items = value.values() if isinstance(value, dict) else value
    return [value, *(c for item in items for c in _containers(item))]


def _uniform(document: Any, style: Style) -> bool:
    """Every container on one line, or every one a member a line; on one line, one of them joins
    two members, so that the file shows how it spaces a comma."""
    if style.expand_below == 99:
        return True
    return style.expand_below == 0 and any(len(c) > 1 for c in _containers(document))


def test_the_generator_reaches_every_case() -> None:
    """The strategies above produce what the property needs to be strong."""
    seen: set[str] = set()

    @settings(max_examples=300, deadline=None, database=None)
    @given(document=documents, style=styles)
    def collect(document: Any, style: Style) -> None:
        data, _ = write(document, style)
        parsed = parse(data)
        assert isinstance(parsed, Parsed)
        for issue in checker("exemptions").check(parsed).issues:
            seen.add(issue.rule)
            if issue.rule == "missing-field" and not _at(parsed.root, issue.pointer):
                seen.add("empty-fields")
        text = data.decode("utf-8-sig")
        seen.update(
            k for k, v in (("crlf", "\r\n" in text), ("tab", "\t" in text), ("bom", data[:1] == b"\xef")) if v
        )
        fix = fix_data(checker("exemptions"), TARGET, data)
        if fix.unfixed:
            seen.add("unfixed")

    collect()
    assert {"missing-field", "wrong-type", "empty-fields", "crlf", "tab", "bom", "unfixed"} <= seen
