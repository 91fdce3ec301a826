"""``EnvoxyMixin`` for the rules in force, and ``register_envoxy_listeners``.

The rules come from ``$ENVOXY_RULES``, else the nearest ``rules.yaml`` from the current directory
upward, else the default shipped with envoxy, read once when this module is first imported.

    from envoxy.db.envoxy_mixin import EnvoxyMixin, register_envoxy_listeners

    class Product(EnvoxyMixin, Base):
        __tablename__ = "products"
        name: Mapped[str]

    register_envoxy_listeners()  # once at start-up; idempotent
    # register_envoxy_listeners(bulk_inserts=False): no Engine-wide bulk-insert hook

A project that wants no runtime dependency on envoxy commits the module
``envoxy generate-mixin -o FILE`` writes instead: the same code, as a file.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from envoxy.mixin import build_mixin_module
from envoxy.rules import load_rules

__all__ = ["EnvoxyMixin", "register_envoxy_listeners"]

_module = build_mixin_module(load_rules())

# ``Any``: its columns depend on rules.yaml, so a type checker cannot know them. A project that
# wants them checked statically commits the generated module instead.
EnvoxyMixin: Any = _module.EnvoxyMixin
register_envoxy_listeners: Callable[..., None] = _module.register_envoxy_listeners
