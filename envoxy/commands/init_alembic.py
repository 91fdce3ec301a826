"""``envoxy init-alembic [DIR]``: an Alembic project whose env.py runs envoxy's gate."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from envoxy.cli import Context

HELP = "make an Alembic project (alembic.ini, DIR/env.py wired to envoxy's autogenerate gate, DIR/versions/)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "directory",
        nargs="?",
        default="alembic",
        metavar="DIR",
        help="the script directory to create (default: alembic)",
    )
    parser.add_argument(
        "--config",
        default="alembic.ini",
        metavar="FILE",
        help="the Alembic config file to write unless it exists (default: alembic.ini)",
    )


def run(args: argparse.Namespace, ctx: Context) -> int:
    from alembic.util import CommandError

    from envoxy.errors import UsageError
    from envoxy.tools.scaffold import init_alembic

    try:
        made = init_alembic(args.directory, args.config)
    except CommandError as e:
        raise UsageError(str(e)) from e
    except OSError as e:
        raise UsageError(f"cannot create {args.directory}: {e.strerror}") from e
    ctx.stdout.write(f"created {made.directory}/ (env.py, script.py.mako, README, versions/)\n")
    if made.wrote_config:
        ctx.stdout.write(
            f"wrote {made.config_file}: set envoxy.target_metadata to your models' "
            "MetaData (module:attribute) and export DATABASE_URL\n"
        )
    else:
        ctx.stdout.write(
            f"{made.config_file} exists and was left unchanged: point its "
            f"script_location at {made.directory}\n"
        )
    return 0
