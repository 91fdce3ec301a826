"""Lay out the generated code the way ``ruff format`` does at line length 100.

The generated module must pass ``ruff format --check`` and ``ruff check`` (no line over 100) for
any rules that compile, however long a template, a description or a list of fields. The parts
that depend on the rules are written through these helpers, each of which produces ruff's own
layout for its construct: a call on one line, with its arguments on one line of their own, or
one per line with a trailing comma; a collection or a ``def`` on one line or one item per line;
a long string as implicitly concatenated pieces that each fit.
"""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "WIDTH",
    "Call",
    "Items",
    "Node",
    "fstring_pieces",
    "lay",
    "quote",
    "signature",
    "string_pieces",
    "width",
]

WIDTH = 100


def width(text: str) -> int:
    """Columns ``text`` takes, as ruff counts them: East Asian wide characters take two,
    combining marks none."""
    total = 0
    for c in text:
        if unicodedata.combining(c):
            continue
        total += 2 if unicodedata.east_asian_width(c) in "WF" else 1
    return total


def quote(text: str, prefix: str = "") -> str:
    """``text`` as a string literal with ruff's quotes: double unless that needs more escapes."""
    body = repr(text)[1:-1]
    if repr(text).startswith('"'):  # repr chose double quotes: the text has a ' and no "
        return f'{prefix}"{body}"'
    if text.count('"') > text.count("'"):
        return f"{prefix}'{body}'"
    return prefix + '"' + body.replace("\\'", "'").replace('"', '\\"') + '"'


@dataclass(frozen=True, slots=True)
class Call:
    """``head(args)``: ruff puts it on one line, or its arguments on one line of their own, or
    one argument per line with a trailing comma."""

    head: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Items:
    """A collection literal (``open`` is ``(``, ``[`` or ``{``): one line, or one item per line
    with a trailing comma."""

    open: str
    items: tuple[Node, ...]


Node = str | Call | Items
_CLOSE = {"(": ")", "[": "]", "{": "}"}


def _flat(node: Node) -> str:
    if isinstance(node, str):
        return node
    if isinstance(node, Call):
        return f"{node.head}({', '.join(_flat(a) for a in node.args)})"
    inner = ", ".join(_flat(i) for i in node.items)
    if node.open == "(" and len(node.items) == 1:
        inner += ","
    return f"{node.open}{inner}{_CLOSE[node.open]}"


def lay(node: Node, indent: int, before: str = "", after: str = "") -> list[str]:
    """The lines of ``before + node + after`` at ``indent`` spaces."""
    pad = " " * indent
    one = f"{pad}{before}{_flat(node)}{after}"
    if width(one) <= WIDTH or isinstance(node, str):
        return [one]
    inner = " " * (indent + 4)
    if isinstance(node, Call):
        hugged = inner + ", ".join(_flat(a) for a in node.args)
        if node.args and width(hugged) <= WIDTH:
            return [f"{pad}{before}{node.head}(", hugged, f"{pad}){after}"]
        if len(node.args) == 1:  # a sole argument breaks inside its own brackets
            return [f"{pad}{before}{node.head}(", *lay(node.args[0], indent + 4), f"{pad}){after}"]
        head, items, close = f"{node.head}(", node.args, ")"
    else:
        head, items, close = node.open, node.items, _CLOSE[node.open]
    lines = [f"{pad}{before}{head}"]
    for item in items:
        lines += lay(item, indent + 4, "", ",")
    return [*lines, f"{pad}{close}{after}"]


def signature(name: str, params: Sequence[str], returns: str) -> list[str]:
    """A ``def`` line: one line, or one parameter per line with a trailing comma."""
    line = f"def {name}({', '.join(params)}) -> {returns}:"
    if width(line) <= WIDTH:
        return [line]
    return [f"def {name}(", *(f"    {p}," for p in params), f") -> {returns}:"]


def _pack(atoms: Sequence[tuple[str, bool]], room: int, prefix: str) -> list[str]:
    """Greedy pieces of ``atoms`` (text, is a placeholder) that each fit in ``room`` columns once
    quoted; a piece with no placeholder is a plain string (an f-string without one is flagged)."""
    pieces: list[list[tuple[str, bool]]] = [[]]
    for atom in atoms:
        trial = [*pieces[-1], atom]
        if pieces[-1] and width(_literal(trial, prefix)) > room:
            pieces.append([atom])
        else:
            pieces[-1] = trial
    return [_literal(p, prefix) for p in pieces]


def _literal(atoms: Sequence[tuple[str, bool]], prefix: str) -> str:
    if prefix and any(placeholder for _, placeholder in atoms):
        return quote("".join(a if p else a.replace("{", "{{").replace("}", "}}") for a, p in atoms), prefix)
    return quote("".join(a for a, _ in atoms))


def fstring_atoms(template: str, names: Mapping[str, str]) -> list[tuple[str, bool]]:
    """A template as atoms: each literal character, and each placeholder as ``{local}`` with the
    local name ``names`` gives its field (``{table}`` stays)."""
    atoms: list[tuple[str, bool]] = []
    for text, field, _, _ in string.Formatter().parse(template):
        atoms += [(c, False) for c in text]
        if field is not None:
            atoms.append((f"{{{names.get(field, field)}}}", True))
    return atoms


def fstring_pieces(template: str, names: Mapping[str, str], room: int) -> list[str]:
    """The template as one f-string literal, or as pieces that each fit in ``room`` columns."""
    return _pack(fstring_atoms(template, names), room, "f")


def string_pieces(text: str, room: int) -> list[str]:
    """``text`` as one string literal, or as pieces that each fit in ``room`` columns."""
    return _pack([(c, False) for c in text], room, "")
