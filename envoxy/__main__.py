"""``python -m envoxy``: the same as the ``envoxy`` command."""

from envoxy.cli import run

run()
