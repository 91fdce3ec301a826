"""Reporters: a name -> renderer table that also feeds the CLI's ``--format`` choices."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TextIO

from envoxy.findings import Report
from envoxy.report import github, json_report, sarif, text

__all__ = ["REPORTERS", "Renderer", "render", "use_color"]

Renderer = Callable[[Report, TextIO, bool], None]

REPORTERS: dict[str, Renderer] = {
    "text": text.render,
    "json": json_report.render,
    "sarif": sarif.render,
    "github": github.render,
}


def use_color(stream: TextIO) -> bool:
    """Colour only on a terminal, and never when ``NO_COLOR`` is set (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def render(report: Report, fmt: str, stream: TextIO, *, color: bool = False) -> None:
    REPORTERS[fmt](report, stream, color)
