"""Generated files, written the same way by every command that makes them: each is compared with
what is there, only changed ones are written (atomically), and with ``--check`` nothing is written
and every stale file is named."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from envoxy._io import atomic_write, read_existing
from envoxy.errors import UsageError

__all__ = ["Output", "sync"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Output:
    """One generated file: where it goes, how messages name it, and its content."""

    path: Path
    shown: str
    text: str


def _stale(outputs: Sequence[Output]) -> list[tuple[Output, bool]]:
    """The outputs whose file differs from their text, each with whether it is missing."""
    stale = []
    for output in outputs:
        try:
            current = read_existing(output.path)
        except OSError as e:
            raise UsageError(f"cannot read {output.shown}: {e.strerror}") from e
        if current != output.text.encode("utf-8"):
            stale.append((output, current is None))
    return stale


def sync(
    outputs: Sequence[Output],
    *,
    check: bool,
    name: str,
    source: str | None,
    command: str,
    stdout: TextIO,
    make_dirs: bool = False,
) -> int:
    """Bring ``outputs`` up to date with the rules in ``source``; returns the exit status.

    ``name`` names the outputs together (a directory, a file), ``command`` is what the user runs
    to update them. With ``check`` nothing is written: exit 1 naming each stale file. With
    ``make_dirs`` missing parent directories are created.
    """
    stale = _stale(outputs)
    if not stale:
        stdout.write(f"{name} is up to date with {source}\n")
        return 0
    if check:
        for output, missing in stale:
            stdout.write(f"{output.shown} {'is missing' if missing else 'is out of date'}; run '{command}'\n")
        return 1
    try:
        for output, _ in stale:
            if make_dirs:
                output.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(output.path, output.text)
    except OSError as e:
        raise UsageError(f"cannot write {name}: {e.strerror}") from e
    for output, _ in stale:
        stdout.write(f"wrote {output.shown}\n")
    return 0
