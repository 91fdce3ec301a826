"""``python -m envoxy.check_migrations``: the same as ``envoxy check-migrations``."""

import sys

from envoxy.cli import main

if __name__ == "__main__":
    sys.exit(main(only="check-migrations", prog="python -m envoxy.check_migrations"))
