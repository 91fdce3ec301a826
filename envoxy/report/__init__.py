"""Reporters: a name -> renderer table that also feeds the CLI's ``--format`` choices.

Adding an output format is one entry in :data:`REPORTERS` plus its module, which defines
``render(report, stream, color)``. The table names modules instead of importing them, so building
the command line (``python -m envoxy.validate --help``) imports no renderer; the one asked for is
imported when it renders.

:func:`render` is the entry point: it hands every renderer the report with each path, name and
message escaped (:mod:`envoxy.report.escape`), so no format can be made to print control
characters, terminal escapes or text that is not valid UTF-8.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, TextIO, cast

if TYPE_CHECKING:
    from envoxy.findings import Report

__all__ = ["REPORTERS", "Renderer", "render", "use_color"]

Renderer = Callable[["Report", TextIO, bool], None]


class _Renderers(Mapping[str, Renderer]):
    """Format name -> the ``render`` function of its module, imported on first use."""

    def __init__(self, modules: dict[str, str]) -> None:
        self._modules = modules

    def __getitem__(self, name: str) -> Renderer:
        return cast(Renderer, importlib.import_module(self._modules[name]).render)

    def __contains__(self, name: object) -> bool:
        return name in self._modules

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __len__(self) -> int:
        return len(self._modules)


REPORTERS: Mapping[str, Renderer] = _Renderers(
    {
        "text": "envoxy.report.text",
        "json": "envoxy.report.json_report",
        "sarif": "envoxy.report.sarif",
        "github": "envoxy.report.github",
        "gitlab": "envoxy.report.gitlab",
    }
)


def use_color(stream: TextIO) -> bool:
    """Colour only on a terminal, and never when ``NO_COLOR`` is set (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def render(report: Report, fmt: str, stream: TextIO, *, color: bool = False) -> None:
    """Write ``report`` to ``stream`` in the format named ``fmt`` (a key of :data:`REPORTERS`)."""
    from envoxy.report.escape import escape_report

    REPORTERS[fmt](escape_report(report), stream, color)
