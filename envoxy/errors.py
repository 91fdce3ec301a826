"""The envoxy exception family: one root, structured fields, messages a person can act on.

Exceptions are for "cannot continue" only. A broken model file or revision script is a
finding (see :mod:`envoxy.findings`), not an exception.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["EnvoxyError", "Problem", "RulesError", "UsageError"]


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
        if self.line is None:
            return f"{self.path}: {self.message}"
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


class RulesError(EnvoxyError):
    """``rules.yaml`` (or a file it extends) cannot be used; carries every problem found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
