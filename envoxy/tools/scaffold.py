"""The Alembic project scaffold: ``env.py`` wired to envoxy's gate, made with Alembic's own
``init`` from the template directory shipped in this package.

``envoxy init-alembic DIR`` calls :func:`init_alembic`; ``alembic init -t <template_dir()> DIR``
does the same (Alembic accepts an absolute template path).
"""

from __future__ import annotations

import contextlib
import io
import os
from argparse import Namespace
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Scaffold", "init_alembic", "template_dir"]


def template_dir() -> Path:
    """The Alembic template directory (alembic.ini.mako, env.py, script.py.mako, README)."""
    return Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True, slots=True, kw_only=True)
class Scaffold:
    """What :func:`init_alembic` made: the script directory and the config file, and whether
    the config file was written (an existing one is left untouched)."""

    directory: Path
    config_file: Path
    wrote_config: bool


def init_alembic(
    directory: str | os.PathLike[str] = "alembic", config_file: str | os.PathLike[str] = "alembic.ini"
) -> Scaffold:
    """Make ``directory`` (env.py, script.py.mako, README, versions/) and ``config_file``.

    Raises ``alembic.util.CommandError`` when ``directory`` exists and is not empty, or
    ``config_file`` is not a file or cannot be written where it is named.
    """
    from alembic import command
    from alembic.config import Config
    from alembic.util import CommandError

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
        command.init(config, str(directory), template=str(template_dir()))
    return Scaffold(directory=Path(directory), config_file=config_path, wrote_config=not existed)
