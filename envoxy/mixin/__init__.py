"""The SQLAlchemy mixin, from column specs: generated as a standalone module, or built at run time.

- :func:`mixin_source` writes the module ``envoxy generate-mixin`` commits to a project;
- :func:`build_mixin` / :func:`build_mixin_module` execute that same source for any rules;
- :func:`register_listeners` registers the listeners of a mixin either one made.

Importing this package imports SQLAlchemy only when a mixin is built.
"""

from __future__ import annotations

import sys

from envoxy.mixin.build import build_mixin, build_mixin_module
from envoxy.mixin.plan import MixinError
from envoxy.mixin.source import mixin_source

__all__ = ["MixinError", "build_mixin", "build_mixin_module", "mixin_source", "register_listeners"]


def register_listeners(mixin: type, **options: bool) -> None:
    """Call ``register_envoxy_listeners(**options)`` of the module that defines ``mixin``."""
    module = sys.modules[mixin.__module__]
    module.register_envoxy_listeners(**options)
