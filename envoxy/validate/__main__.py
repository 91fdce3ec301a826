"""``python -m envoxy.validate``: the same as ``envoxy validate``."""

import sys

from envoxy.cli import main

sys.exit(main(only="validate", prog="python -m envoxy.validate"))
