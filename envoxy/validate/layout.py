"""How a JSON text is laid out, read from the text itself, so that ``validate --fix`` writes new
members the way the file writes its own.

:class:`Layout` is the whitespace of one object or array: after the opening bracket, around each
comma, before the closing bracket, and (objects) between a key and its value. :class:`TextLayout`
reads it for the containers of a file the caller names, and answers the questions a writer has
(how are members joined on one line, what is one level of indentation) from the nearest container
that shows it: the one being written first, then the ones the caller prefers, then the others.
Offsets come from :func:`envoxy.validate.positions.spans`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from envoxy.validate.positions import Pointer, spans

__all__ = ["Layout", "TextLayout", "dumps"]

_WS = " \t\r\n"


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _ws_after(text: str, i: int) -> int:
    while i < len(text) and text[i] in _WS:
        i += 1
    return i


def _ws_before(text: str, i: int) -> int:
    while i > 0 and text[i - 1] in _WS:
        i -= 1
    return i


@dataclass(frozen=True, slots=True)
class Layout:
    """The whitespace of one container. ``joint`` (before and after a comma) is ``None`` with
    fewer than two members; ``colon`` (a key's end to its value, such as ``": "``) is ``None``
    for an array or an empty object."""

    open: str
    close: str
    joint: tuple[str, str] | None
    colon: str | None
    line_indent: str  # the indentation of the line the container starts on

    @property
    def expanded(self) -> bool:
        """Whether its first member starts on a line of its own."""
        return "\n" in self.open

    @property
    def member_indent(self) -> str:
        return self.open.rsplit("\n", 1)[-1] if self.expanded else ""

    @property
    def newline(self) -> str:
        return "\r\n" if "\r\n" in self.open else "\n"

    def unit(self) -> str | None:
        """One level of indentation: how much deeper its members are than its line (``""`` in
        a file that does not indent); ``None`` when it does not tell."""
        inner = self.member_indent
        if self.expanded and inner.startswith(self.line_indent):
            return inner[len(self.line_indent) :]
        return None


@dataclass(frozen=True, slots=True)
class Writing:
    """How to write the members of one object: what opens and closes it, what joins members,
    and the colon."""

    open: str
    close: str
    joint: tuple[str, str]
    colon: str

    def members(self, pairs: Sequence[tuple[str, str]]) -> str:
        """``"key": value`` pairs (values already JSON text) joined as the members are."""
        before, after = self.joint
        return f"{before},{after}".join(f"{dumps(k)}{self.colon}{v}" for k, v in pairs)

    def object(self, value: dict[str, Any]) -> str:
        return "{" + self.open + self.members([(k, dumps(v)) for k, v in value.items()]) + self.close + "}"


class TextLayout:
    """The layout of the containers of one valid JSON text (no repeated keys) that the caller
    names: ``{pointer: its members' keys}``, each non-empty, outer ones first (the order in which
    they serve as evidence)."""

    def __init__(self, text: str, containers: Mapping[Pointer, Sequence[str | int]]) -> None:
        self.text = text
        self.members = dict(containers)
        wanted = [*self.members, *((*at, k) for at, keys in self.members.items() for k in keys)]
        self.where = spans(text, wanted)
        self._cache: dict[Pointer, Layout] = {}

    def span(self, at: Pointer) -> tuple[int, int]:
        return self.where[at]

    def of(self, at: Pointer) -> Layout:
        """The layout of the non-empty container at ``at``."""
        found = self._cache.get(at)
        if found is None:
            found = self._cache[at] = self._read(at)
        return found

    def _read(self, at: Pointer) -> Layout:
        text, keys = self.text, self.members[at]
        start, end = self.where[at]
        values = [self.where[(*at, k)] for k in keys]
        joint = None
        if len(values) > 1:
            comma = _ws_after(text, values[-2][1])
            joint = (text[values[-2][1] : comma], text[comma + 1 : _ws_after(text, comma + 1)])
        colon = None
        if type(keys[0]) is str:
            at_colon = _ws_before(text, values[-1][0]) - 1
            colon = text[_ws_before(text, at_colon) : values[-1][0]]
        line_start = text.rfind("\n", 0, start) + 1
        indent = text[line_start : _ws_after(text, line_start)].replace("\r", "").replace("\n", "")
        return Layout(
            text[start + 1 : _ws_after(text, start + 1)], text[values[-1][1] : end - 1], joint, colon, indent
        )

    def _nearest(self, prefer: Sequence[Pointer]) -> Iterator[Layout]:
        """The layouts of the preferred containers that exist, then of all the others."""
        for at in [*(p for p in prefer if p in self.members), *self.members]:
            yield self.of(at)

    def one_line_joint(self, prefer: Sequence[Pointer]) -> tuple[str, str]:
        """What joins two members of a one-line container (``("", " ")`` for ``, ``)."""
        for layout in self._nearest(prefer):
            if layout.joint is not None and "\n" not in "".join(layout.joint):
                return layout.joint
        colon = next((lo.colon for lo in self._nearest(prefer) if lo.colon is not None), ": ")
        return ("", " ") if colon.endswith(" ") else ("", "")  # as json.dumps spaces them

    def pad(self, prefer: Sequence[Pointer]) -> str:
        """The space inside the brackets of a one-line container (``{ "a": 1 }``)."""
        return next((lo.open for lo in self._nearest(prefer) if not lo.expanded), "")

    def unit(self, prefer: Sequence[Pointer]) -> str:
        """One level of indentation."""
        return next((u for lo in self._nearest(prefer) if (u := lo.unit()) is not None), "  ")

    def template(self, inside: Pointer) -> Pointer | None:
        """A non-empty object among the members of ``inside``, else of another container at the
        same depth whose key is the same (another datum's ``fields``): new objects are written
        as it is. The last one of ``inside``; the first elsewhere."""
        for key in reversed(self.members.get(inside, [])):
            at = (*inside, key)
            if at in self.members and type(self.members[at][0]) is str:
                return at
        for at, keys in self.members.items():
            if len(at) == len(inside) and at[-1:] == inside[-1:] and type(keys[0]) is str:
                for key in keys:
                    child = (*at, key)
                    if child in self.members and type(self.members[child][0]) is str:
                        return child
        return None

    def writing_like(self, at: Pointer, prefer: Sequence[Pointer]) -> Writing:
        """How to write an object laid out as the one at ``at``."""
        layout = self.of(at)
        if layout.joint is not None:
            joint = layout.joint
        elif layout.expanded:
            joint = ("", layout.open)
        else:
            joint = self.one_line_joint([at, *prefer])
        return Writing(layout.open, layout.close, joint, layout.colon or ": ")

    def writing_inside(
        self, expanded_at: str | None, newline: str, colon: str, prefer: Sequence[Pointer]
    ) -> Writing:
        """How to write a new object with nothing to copy: one member a line indented one level
        past ``expanded_at`` when given, else on one line."""
        if expanded_at is None:
            pad = self.pad(prefer)
            return Writing(pad, pad, self.one_line_joint(prefer), colon)
        inner = newline + expanded_at + self.unit(prefer)
        return Writing(inner, newline + expanded_at, ("", inner), colon)
