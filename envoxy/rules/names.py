"""What the generated mixin needs of field names and templates, checked when rules compile.

Every consumer of a compiled rules file must be able to follow it: the mixin declares each
field as a class attribute and renders each template from the fields it reads, so the compiler
refuses what it could not declare or order (and ``generate-mixin`` and ``import
envoxy.db.envoxy_mixin`` never fail on rules that compiled).
"""

from __future__ import annotations

import keyword
import string
from collections.abc import Mapping, Sequence

from envoxy.errors import EXCERPT_LIMIT, clip, excerpt

__all__ = ["MAX_NAME_LENGTH", "field_name_problem", "template_cycles", "template_fields", "template_problems"]

# PostgreSQL keeps the first 63 bytes of an identifier (NAMEDATALEN - 1) and drops the rest; the
# generated mixin declares and reads each field in lines that ruff keeps under 100 characters,
# which holds for names of up to 40.
MAX_NAME_LENGTH = 40

# Names SQLAlchemy's declarative mapping gives a meaning of its own on a mapped class (and
# "self", which its constructor takes as its first argument, so Model(self=...) cannot work).
_DECLARATIVE = frozenset({"metadata", "registry", "self"})

# Names the generated mixin's class body reads after a field may have been declared: its
# imports and the types of the column annotations. A field of that name would hide them.
_CLASS_BODY = frozenset(
    {
        *("sa", "mysql", "Mapped", "mapped_column", "Any"),
        *("str", "int", "float", "bool", "datetime", "decimal", "uuid"),
    }
)


# Single letters pycodestyle (and ruff, E741) refuses as names: the generated module must pass.
_AMBIGUOUS = frozenset({"l", "O", "I"})


def field_name_problem(name: str) -> str | None:
    """Why the mixin cannot declare field ``name`` as an attribute, as the message's middle;
    None when it can. (The rules meta-schema already admits only ASCII identifiers.)"""
    if not name.isidentifier():
        return "is not a Python identifier"
    if keyword.iskeyword(name):
        return "is a Python keyword, so the mixin cannot declare it as an attribute"
    if name.startswith("_"):
        return (
            "starts with '_', which the generated mixin keeps for its own names (and SQLAlchemy "
            "and Python for theirs)"
        )
    if name in _DECLARATIVE:
        return "is reserved by SQLAlchemy's declarative mapping"
    if name in _CLASS_BODY:
        return f"would hide the name {name!r} that the generated mixin's class body reads"
    if name in _AMBIGUOUS:
        return "is a name linters flag as easily misread (pycodestyle E741: l, O, I)"
    if len(name) > MAX_NAME_LENGTH:
        return (
            f"is {len(name)} characters long, and the generated mixin takes names of up to "
            f"{MAX_NAME_LENGTH} (PostgreSQL itself keeps only 63)"
        )
    return None


def template_fields(template: str) -> tuple[str, ...]:
    """The fields a (well-formed) template reads, in order, once each; ``{table}`` is not one."""
    names = [p for _, p, _, _ in string.Formatter().parse(template) if p]
    return tuple(dict.fromkeys(n for n in names if n != "table"))


def template_problems(
    template: str, allowed: Sequence[str], *, what: str, expected: str
) -> tuple[str | None, list[str]]:
    """What is wrong with a ``{placeholder}`` template whose placeholders must be among
    ``allowed``: why it cannot be read at all (else ``None``), and each placeholder it uses
    that is not allowed (or carries a format or conversion). ``what`` names the template in the
    messages (``message``, ``template``); ``expected`` says what a well-formed one is."""
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as e:
        return f"{what} {excerpt(template)} is malformed ({clip(str(e))}), expected {expected}", []
    shown = ", ".join("{" + clip(a, EXCERPT_LIMIT) + "}" for a in allowed)
    return None, [
        f"{what} {excerpt(template)} uses unknown placeholder {{{clip(placeholder, EXCERPT_LIMIT)}}}, "
        f"expected one of: {shown}"
        for _, placeholder, fmt, conv in parts
        if placeholder is not None and (placeholder not in allowed or fmt or conv)
    ]


def template_cycles(reads: Mapping[str, tuple[str, ...]]) -> list[tuple[str, ...]]:
    """The cycles of templates reading each other, each once, as ``(a, b, a)``, starting at the
    first field (in ``reads`` order) on it; ``reads`` maps each template field to the fields it
    reads."""
    cycles: list[tuple[str, ...]] = []
    done: set[str] = set()

    def visit(name: str, chain: tuple[str, ...]) -> None:
        if name in chain:
            cycle = chain[chain.index(name) :]
            if not any(set(cycle) == set(c[:-1]) for c in cycles):
                cycles.append((*cycle, name))
            return
        if name in done:
            return
        for need in reads.get(name, ()):
            visit(need, (*chain, name))
        done.add(name)

    for name in reads:
        visit(name, ())
    return cycles
