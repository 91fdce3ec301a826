"""The Alembic project scaffold: ``env.py`` wired to envoxy's gate, made with Alembic's own
``init`` from a template directory shipped in this package.

Two templates, differing only in how ``env.py`` runs the gate (see ``GATES``):

- ``plugin`` (Alembic 1.18+): ``autogenerate_plugins=["alembic.autogenerate.*", "envoxy.*"]``
  enables envoxy's Alembic plugin (:mod:`envoxy.tools.alembic_plugin`);
- ``hook`` (any Alembic): envoxy's ``process_revision_directives`` hook
  (:mod:`envoxy.tools.alembic_hooks`), chained after the project's own hooks.

By default the installed Alembic decides: the plugin where it has the plugin system, the hook
otherwise. ``envoxy init-alembic DIR`` calls :func:`init_alembic`;
``alembic init -t <template_dir()> DIR`` does the same (Alembic accepts an absolute template path).
"""

from __future__ import annotations

import contextlib
import io
import os
from argparse import Namespace
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

__all__ = ["GATES", "Gate", "Scaffold", "default_gate", "init_alembic", "template_dir"]

Gate = Literal["plugin", "hook"]
"""How the ``env.py`` a template writes runs envoxy's gate."""
GATES: tuple[Gate, ...] = get_args(Gate)


def default_gate() -> Gate:
    """``plugin`` when the installed Alembic has the plugin system (1.18+), else ``hook``."""
    from envoxy.tools.alembic_plugin import plugins_supported

    return "plugin" if plugins_supported() else "hook"


def template_dir(gate: Gate | None = None) -> Path:
    """The Alembic template directory (alembic.ini.mako, env.py, script.py.mako, README) for
    ``gate`` (default: :func:`default_gate`)."""
    return Path(__file__).resolve().parent / "templates" / (gate or default_gate())


@dataclass(frozen=True, slots=True, kw_only=True)
class Scaffold:
    """What :func:`init_alembic` made: the script directory and the config file, and whether
    the config file was written (an existing one is left untouched)."""

    directory: Path
    config_file: Path
    wrote_config: bool
    gate: Gate


def init_alembic(
    directory: str | os.PathLike[str] = "alembic",
    config_file: str | os.PathLike[str] = "alembic.ini",
    *,
    gate: Gate | None = None,
) -> Scaffold:
    """Make ``directory`` (env.py, script.py.mako, README, versions/) and ``config_file``, with
    ``env.py`` running the gate as ``gate`` says (default: :func:`default_gate`).

    Raises ``alembic.util.CommandError`` when ``directory`` exists and is not empty,
    ``config_file`` is not a file or cannot be written where it is named, or ``gate`` is
    ``plugin`` and the installed Alembic has no plugin system.
    """
    import alembic
    from alembic import command
    from alembic.config import Config
    from alembic.util import CommandError

    from envoxy.tools.alembic_plugin import plugins_supported

    if gate == "plugin" and not plugins_supported():
        raise CommandError(
            f"the plugin gate needs Alembic 1.18 or later (this is Alembic {alembic.__version__}); "
            "use the hook gate, or upgrade Alembic"
        )
    chosen: Gate = gate or default_gate()
    config_path = Path(config_file)
    existed = config_path.exists()
    # Checked before anything is made, so that a bad config path leaves no half-made project.
    if existed and not config_path.is_file():
        raise CommandError(
            f"{config_path} is not a file; give --config the Alembic config file to write or keep"
        )
    parent, made = config_path.parent.resolve(), Path(directory).resolve()
    if not existed and not (parent.is_dir() or parent == made or parent in made.parents):
        raise CommandError(f"cannot write {config_path}: no directory {config_path.parent}")
    config = Config(str(config_path), cmd_opts=Namespace(quiet=True))
    # Alembic prints its progress to sys.stdout even when quiet; the caller reports instead.
    with contextlib.redirect_stdout(io.StringIO()):
        command.init(config, str(directory), template=str(template_dir(chosen)))
    return Scaffold(directory=Path(directory), config_file=config_path, wrote_config=not existed, gate=chosen)
