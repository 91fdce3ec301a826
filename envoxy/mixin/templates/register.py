"""Template: ``register_envoxy_listeners``, with the bulk-insert hook or (for rules whose bulk
INSERTs the hook cannot fill) without it; the generator names the latter like the former."""

from __future__ import annotations

import threading

import sqlalchemy as sa
from sqlalchemy import event

from envoxy.mixin.templates._generated import EnvoxyMixin, _fill_on_insert
from envoxy.mixin.templates.bulk import _fill_bulk_insert

# @block lock
_lock = threading.Lock()


# @block register_envoxy_listeners
def register_envoxy_listeners(*, bulk_inserts: bool = True) -> None:
    """Fill the columns of every ``EnvoxyMixin`` model when the ORM flushes a new object,
    and the rows of bulk INSERTs into their tables.

    Idempotent and thread-safe. The mapper listener hangs on the mixin and propagates, so it
    covers models declared before and after this call and touches no other model. Without
    them the column defaults still fill every column at INSERT time.

    The bulk-insert hook hangs on every Engine and passes every statement it does not fill
    through unchanged; but once an Engine listener exists, SQLAlchemy dispatches events for every
    statement, a few microseconds each. ``bulk_inserts=False`` leaves bulk INSERTs to the column
    defaults (same values, slower) and registers no hook, or removes this module's.
    """
    with _lock:
        if not event.contains(EnvoxyMixin, "before_insert", _fill_on_insert):
            event.listen(EnvoxyMixin, "before_insert", _fill_on_insert, propagate=True, raw=True)
        hooked = event.contains(sa.Engine, "before_execute", _fill_bulk_insert)
        if bulk_inserts and not hooked:
            event.listen(sa.Engine, "before_execute", _fill_bulk_insert, retval=True)
        elif hooked and not bulk_inserts:
            event.remove(sa.Engine, "before_execute", _fill_bulk_insert)


# @block register_envoxy_listeners_without_bulk
def register_envoxy_listeners_without_bulk(*, bulk_inserts: bool = True) -> None:
    """Fill the columns of every ``EnvoxyMixin`` model when the ORM flushes a new object.

    Idempotent and thread-safe. The mapper listener hangs on the mixin and propagates, so it
    covers models declared before and after this call and touches no other model. Without
    them the column defaults still fill every column at INSERT time.

    ``bulk_inserts`` changes nothing here: these rules leave bulk INSERTs to the column
    defaults.
    """
    with _lock:
        if not event.contains(EnvoxyMixin, "before_insert", _fill_on_insert):
            event.listen(EnvoxyMixin, "before_insert", _fill_on_insert, propagate=True, raw=True)
