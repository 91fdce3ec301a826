"""The envoxy exception family: one root, structured fields, messages a person can act on.

Exceptions are for "cannot continue" only. A broken model file or revision script is a
finding (see :mod:`envoxy.findings`), not an exception.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "EXCERPT_LIMIT",
    "EnvoxyError",
    "Problem",
    "ProblemsError",
    "RulesError",
    "UsageError",
    "clip",
    "excerpt",
]

# How much of a file's own text a message may quote: enough to recognise a typo, too little to
# print a secret that an ``extends`` or ``--rules`` pointed at.
EXCERPT_LIMIT = 40


def _escaped(text: str) -> str:
    """``text`` with every non-printable character (controls, lone surrogates, bidi overrides)
    written as its Python escape, so a message stays one line and always encodes."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def clip(text: str, limit: int = 2 * EXCERPT_LIMIT) -> str:
    """At most ``limit`` characters of ``text`` (a message from a library that may quote the
    file), escaped; a cut is marked ``…``."""
    if len(text) <= limit:
        return _escaped(text)
    return _escaped(text[:limit]) + "…"


def excerpt(value: object, limit: int = EXCERPT_LIMIT) -> str:
    """A quoted, escaped and shortened rendering of ``value`` (text from a file) for a message:
    ``'sometime'``, ``'-----BEGIN OPENSSH PRIVATE KEY-----b3Bl'… (3243 characters)``."""
    text = value if isinstance(value, str) else str(value)
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}… ({len(text)} characters)"


class EnvoxyError(Exception):
    """Root of every error envoxy raises on purpose. The CLI turns it into exit status 2."""


class UsageError(EnvoxyError):
    """The command line names something that does not exist or cannot be used."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """One thing wrong with a rules file, at a place in it."""

    path: str
    line: int | None
    column: int | None
    message: str

    def __str__(self) -> str:
        # A file name can hold a newline (or start a CI workflow command): escaped, never cut.
        path = _escaped(self.path)
        if self.line is None:
            return f"{path}: {self.message}"
        return f"{path}:{self.line}:{self.column}: {self.message}"


class ProblemsError(EnvoxyError):
    """A file that cannot be used, with every problem found in it: the CLI prints ``headline``,
    then one line per problem."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def headline(self) -> str:
        n = len(self.problems)
        return f"the file has {n} problem{'s' if n != 1 else ''}:"

    def describe(self) -> str:
        """The headline, then one problem a line: what a person reads."""
        return "\n".join([self.headline(), *(str(p) for p in self.problems)])


class RulesError(ProblemsError):
    """``rules.yaml`` (or a file it extends) cannot be used; carries every problem found."""

    def headline(self) -> str:
        n = len(self.problems)
        return f"the rules file has {n} problem{'s' if n != 1 else ''}:"
