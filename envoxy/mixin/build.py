"""Make a mixin at run time by executing the generated module's source.

Executing the text ``envoxy generate-mixin`` writes (rather than keeping a second, hand-written
implementation) means the runtime mixin and a committed module cannot disagree.
"""

from __future__ import annotations

import hashlib
import linecache
import sys
import threading
import types

from envoxy.mixin.source import mixin_source
from envoxy.rules.model import RuleSet

__all__ = ["build_mixin", "build_mixin_module"]

_lock = threading.Lock()
_PACKAGE = "envoxy.mixin.built"


def build_mixin_module(rules: RuleSet) -> types.ModuleType:
    """The mixin module for ``rules``: ``EnvoxyMixin`` and ``register_envoxy_listeners``.

    Rules that produce the same source share one module (so one mixin class and one set of
    listeners); it is registered in :data:`sys.modules`, where SQLAlchemy resolves the mixin's
    ``Mapped[...]`` annotations.
    """
    source = mixin_source(rules)
    name = f"{_PACKAGE}_{hashlib.sha256(source.encode()).hexdigest()[:16]}"
    with _lock:
        module = sys.modules.get(name)
        if module is not None:
            return module
        filename = f"<envoxy mixin {name}>"
        # Tracebacks through the mixin then show its source lines.
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        module = types.ModuleType(name, doc=None)
        module.__dict__["__source__"] = source
        sys.modules[name] = module
        try:
            exec(compile(source, filename, "exec"), module.__dict__)
        except BaseException:
            del sys.modules[name]
            raise
        return module


def build_mixin(rules: RuleSet) -> type:
    """``EnvoxyMixin`` for ``rules``; see :func:`build_mixin_module` for its listeners."""
    mixin: type = build_mixin_module(rules).EnvoxyMixin
    return mixin
