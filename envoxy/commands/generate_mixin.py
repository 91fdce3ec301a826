"""Placeholder: being built (see the issue tracker)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from envoxy.cli import Context

HELP = "(not built yet)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace, ctx: Context) -> int:
    from envoxy.errors import EnvoxyError

    raise EnvoxyError("this command is not built yet")
