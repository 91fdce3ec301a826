"""``envoxy init-alembic [DIR] [--gate plugin|hook]``: an Alembic project whose env.py runs
envoxy's gate, through Alembic's plugin system (Alembic 1.18+) or the
``process_revision_directives`` hook."""

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
    from envoxy.tools.scaffold import GATES

    parser.add_argument(
        "--gate",
        choices=GATES,
        default=None,
        help="how env.py runs envoxy's rules: 'plugin' names envoxy's Alembic plugin in "
        "autogenerate_plugins (Alembic 1.18+), 'hook' passes process_revision_directives "
        "(default: plugin when the installed Alembic supports it, else hook)",
    )


_GATE_SAID = {
    "plugin": "env.py runs envoxy's rules as an Alembic plugin (autogenerate_plugins)\n",
    "hook": "env.py runs envoxy's rules in its process_revision_directives hook\n",
}


def run(args: argparse.Namespace, ctx: Context) -> int:
    from alembic.util import CommandError

    from envoxy.errors import UsageError
    from envoxy.tools.scaffold import init_alembic

    try:
        made = init_alembic(args.directory, args.config, gate=args.gate)
    except CommandError as e:
        raise UsageError(str(e)) from e
    except OSError as e:
        raise UsageError(f"cannot create {args.directory}: {e.strerror}") from e
    ctx.stdout.write(f"created {made.directory}/ (env.py, script.py.mako, README, versions/)\n")
    ctx.stdout.write(_GATE_SAID[made.gate])
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
