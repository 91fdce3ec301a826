"""What a revision script may not change in the interpreter that analyses the revisions.

A :class:`Guard` remembers that interpreter as it stood before the first revision ran: the
entries of ``sys.modules``, the attributes of every module loaded then and of the classes they
define (``sqlalchemy.Column.__init__``, ``envoxy.tables.judge_table``, ``builtins.print`` ...),
the signal handlers, the threads, ``sys.path`` and the working directory.

:meth:`Guard.settle` runs after every revision and is cheap: it puts ``sys.path`` and the
working directory back (revisions legitimately change them for their own imports), and reports
an edited ``sys.modules``, a changed signal handler or a thread still running. :meth:`Guard.verify`
compares every attribute (a few milliseconds for the ~50,000 of an interpreter with SQLAlchemy
and Alembic loaded), so the isolating process runs it every so often and, when it finds a change,
runs the revisions since the last clean check again one by one in a fresh process to find the
one that made it (:mod:`envoxy.migrations.isolation`). Where no fresh process can be had,
:meth:`Guard.restore` puts back what it can.
"""

from __future__ import annotations

import _thread
import builtins
import contextlib
import gc
import importlib
import os
import signal
import sys
import threading
import time
import types

# The originals, bound here: a revision that replaces builtins.all must not blind the guard.
from builtins import (  # noqa: UP029
    all,
    delattr,
    dict,
    enumerate,
    getattr,
    id,
    int,
    isinstance,
    len,
    list,
    map,
    max,
    set,
    setattr,
    sorted,
    str,
    type,
    vars,
    zip,
)
from collections.abc import Iterator
from operator import is_, methodcaller
from typing import Any

__all__ = ["Guard", "interrupted", "watching_interrupts"]

# The C module behind ``signal``: its getsignal() skips the enum conversion, which would cost
# more than the rest of a check.
_signal: Any = importlib.import_module("_signal")

# Modules whose attributes change by themselves while revisions run (streams, the interactive
# namespace, caches kept as module attributes): not compared.
_UNWATCHED_MODULES = frozenset({"__main__", "sys", "linecache", "tempfile", "warnings", "logging"})
_values_of = methodcaller("values")
_SHOWN = 3


_interrupts = {"seen": False}


def interrupted() -> bool:
    """Whether a ``KeyboardInterrupt`` now is the user's Ctrl-C (a SIGINT the process received)
    rather than one a revision raised. Outside :func:`watching_interrupts` (in the process that
    only runs revisions, which the terminal's Ctrl-C does not reach), never."""
    return _interrupts["seen"]


@contextlib.contextmanager
def watching_interrupts() -> Iterator[None]:
    """Tell a real SIGINT from a ``raise KeyboardInterrupt`` inside the block (main thread only)."""

    def received(signum: int, frame: Any) -> None:
        _interrupts["seen"] = True
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGINT, received)
    except ValueError:  # not the main thread: every KeyboardInterrupt ends the scan
        _interrupts["seen"] = True
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        _interrupts["seen"] = False


def _own_dict(owner: Any) -> dict[str, Any]:
    """The dict behind ``owner.__dict__`` (a class shows a read-only proxy of it)."""
    found = owner.__dict__
    if isinstance(found, dict):
        return found
    referents = gc.get_referents(found)
    return referents[0] if referents and isinstance(referents[0], dict) else {}


def _owners(modules: dict[str, Any]) -> list[Any]:
    """Every module loaded now and every class defined in one (heap types: those whose
    attributes Python code can set)."""
    owners: list[Any] = []
    seen: set[int] = set()
    for name, module in modules.items():
        if not isinstance(module, types.ModuleType) or name in _UNWATCHED_MODULES:
            continue
        if id(module) in seen:
            continue
        seen.add(id(module))
        owners.append(module)
        for value in list(vars(module).values()):
            if (
                isinstance(value, type)
                and value.__flags__ & (1 << 9)  # Py_TPFLAGS_HEAPTYPE
                and getattr(value, "__module__", None) == name
                and id(value) not in seen
            ):
                seen.add(id(value))
                owners.append(value)
    return owners


def _label(owner: Any) -> str:
    if isinstance(owner, types.ModuleType):
        return owner.__name__
    return f"{owner.__module__}.{owner.__qualname__}"


def _signals() -> list[int]:
    valid = getattr(signal, "valid_signals", None)
    if valid is None:
        return []
    uncatchable = {getattr(signal, n, None) for n in ("SIGKILL", "SIGSTOP")}
    return [int(s) for s in valid() if s not in uncatchable]


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)


class Guard:
    """Remembers the interpreter as it stands now; see the module's docstring."""

    def __init__(self, *, seconds: float) -> None:
        self._seconds = seconds
        self._modules = dict(sys.modules)
        self._module_names = list(self._modules)
        self._module_objects = list(self._modules.values())
        self._packages = {name.partition(".")[0] for name in self._modules}
        self._owners = _owners(self._modules)
        self._dicts = [_own_dict(o) for o in self._owners]
        self._copies = [d.copy() for d in self._dicts]
        self._lengths = list(map(len, self._dicts))
        # What is compared at every check: attributes that are not plain values (counters and
        # cached strings change by themselves), and the contents of envoxy's own tables.
        self._where: list[int] = []
        self._keys: list[str] = []
        for index, d in enumerate(self._dicts):
            keys = [key for key, value in d.items() if not isinstance(value, _PLAIN)]
            self._keys += keys
            self._where += [index] * len(keys)
        self._in = [self._dicts[i] for i in self._where]
        self._values = list(map(dict.get, self._in, self._keys))
        self._tables = [
            (f"{owner.__name__}.{key}", value, value.copy())
            for owner in self._owners
            if isinstance(owner, types.ModuleType) and owner.__name__.partition(".")[0] == "envoxy"
            for key, value in vars(owner).items()
            if isinstance(value, (dict, list, set)) and key.strip("_").isupper()  # tables, not caches
        ]
        self._signals = {s: _signal.getsignal(s) for s in _signals()}
        self._threads = set(threading.enumerate())
        self._thread_count = _thread._count()
        self._path, self._cwd = list(sys.path), os.getcwd()

    # -- after every revision ---------------------------------------------------------------------
    def settle(self) -> list[str]:
        """Put ``sys.path`` and the working directory back; say whether the revision left a
        thread running (waiting for it a while)."""
        sys.path[:] = self._path
        with contextlib.suppress(OSError):  # the directory is gone: nothing to go back to
            os.chdir(self._cwd)
        return self._check_threads()

    def _check_modules(self) -> list[str]:
        modules = sys.modules
        problems: list[str] = []
        if not all(map(is_, map(modules.get, self._module_names), self._module_objects)):
            for name, module in zip(self._module_names, self._module_objects, strict=True):
                if modules.get(name) is not module:
                    problems.append(f"sys.modules[{name!r}]")
                    modules[name] = module
        if len(modules) != len(self._modules) or problems:
            for name in [n for n in modules if n not in self._modules]:
                value = modules.get(name)
                if name.partition(".")[0] in self._packages and not isinstance(value, types.ModuleType):
                    problems.append(f"sys.modules[{name!r}]")
                    del modules[name]
        return [f"it changed {_listed(problems)}"] if problems else []

    def _check_signals(self) -> list[str]:
        changed = []
        get = _signal.getsignal
        for sig, handler in self._signals.items():
            if get(sig) is not handler:
                changed.append(_signal_name(sig))
                if handler is not None:
                    with contextlib.suppress(OSError, ValueError):  # not the main thread
                        _signal.signal(sig, handler)
        return [f"it changed the handler of {_listed(changed)}"] if changed else []

    def _check_threads(self) -> list[str]:
        deadline = time.monotonic() + self._seconds
        for thread in threading.enumerate():
            if thread not in self._threads:
                thread.join(max(0.0, deadline - time.monotonic()))
        left = [t for t in threading.enumerate() if t not in self._threads]
        hidden = _thread._count() - self._thread_count - len(left)
        while hidden > 0 and time.monotonic() < deadline:  # threads of the _thread module
            time.sleep(0.01)
            hidden = _thread._count() - self._thread_count - len(left)
        if not left and hidden <= 0:
            return []
        count = len(left) + max(hidden, 0)
        return [
            f"it left {count} thread{'s' if count != 1 else ''} running {self._seconds:g} s after it ended"
        ]

    # -- every so often ---------------------------------------------------------------------------
    def verify(self) -> list[str]:
        """What changed since the start (and put ``sys.modules`` and the signal handlers back):
        an entry of ``sys.modules``, a signal handler, a module, function, class or method that
        was there at the start replaced or removed, a method added that overrides an inherited
        one (or a module global that hides a builtin), one of envoxy's own tables edited."""
        problems = [*self._check_modules(), *self._check_signals()]
        changed = [self._label(i) for i in self._replaced()]
        changed += [f"{_label(self._owners[i])}.{key}" for i, key in self._shadowing()]
        changed += [label for label, table, contents in self._tables if not _same(table, contents)]
        return [*problems, f"it changed {_listed(changed)}"] if changed else problems

    def _replaced(self) -> list[int]:
        current = list(map(dict.get, self._in, self._keys))
        if all(map(is_, current, self._values)):
            return []
        return [i for i, (now, then) in enumerate(zip(current, self._values, strict=True)) if now is not then]

    def _label(self, entry: int) -> str:
        return f"{_label(self._owners[self._where[entry]])}.{self._keys[entry]}"

    def _shadowing(self) -> list[tuple[int, str]]:
        """Attributes added since the start that change what an existing name resolves to."""
        found: list[tuple[int, str]] = []
        lengths = list(map(len, self._dicts))
        if lengths == self._lengths:
            return found
        for index, (now, then) in enumerate(zip(lengths, self._lengths, strict=True)):
            if now == then:
                continue
            owner, d, copy = self._owners[index], self._dicts[index], self._copies[index]
            for key in [k for k in d if k not in copy]:
                if _shadows(owner, key, d[key]):
                    found.append((index, key))
                else:  # a submodule, a lazily made attribute: part of the interpreter from now on
                    copy[key] = d[key]
        self._lengths = list(map(len, self._copies))
        return found

    def restore(self) -> None:
        """Put back what :meth:`verify` compares (for an interpreter that cannot be replaced by a
        fresh one)."""
        for entry in self._replaced():
            owner, key = self._owners[self._where[entry]], self._keys[entry]
            with contextlib.suppress(AttributeError, TypeError):  # read-only: left as it is
                setattr(owner, key, self._values[entry])
        for index, key in self._shadowing():
            with contextlib.suppress(AttributeError, TypeError):
                delattr(self._owners[index], key)
        for _, table, contents in self._tables:
            if not _same(table, contents):
                _refill(table, contents)


_PLAIN = (int, float, complex, str, bytes, bool, type(None))


def _same(table: Any, contents: Any) -> bool:
    """Whether a dict, list or set holds the very objects ``contents`` (its copy) holds."""
    if len(table) != len(contents):
        return False
    if isinstance(table, dict):
        return list(table) == list(contents) and all(map(is_, table.values(), contents.values()))
    if isinstance(table, list):
        return all(map(is_, table, contents))
    return bool(table == contents)


def _refill(table: Any, contents: Any) -> None:
    table.clear()
    if isinstance(table, list):
        table.extend(contents)
    else:
        table.update(contents)


def _shadows(owner: Any, key: str, value: Any) -> bool:
    """Whether a new attribute changes what code that ran before sees: a module global that
    hides a builtin; on a class, anything but a plain value (a method overriding an inherited
    one, a property hiding an instance attribute)."""
    if isinstance(value, _PLAIN) or key.startswith(_MADE_LATER):
        return False
    if isinstance(owner, types.ModuleType):
        return key in vars(builtins)
    return True


_MADE_LATER = ("_generated_",)
"""Class attributes a library makes the first time a class is used (SQLAlchemy compiles its
traversal functions so): not a change."""


def _changed_keys(now: dict[str, Any], then: dict[str, Any]) -> list[str]:
    if len(now) == len(then) and all(map(is_, now.values(), then.values())) and list(now) == list(then):
        return []
    keys = [k for k, v in then.items() if now.get(k, now) is not v]
    return keys + [k for k in now if k not in then]


def _listed(names: list[str]) -> str:
    """The first few of ``names`` in order (the order modules were loaded in varies)."""
    names = sorted(set(names))
    shown = ", ".join(names[:_SHOWN])
    return shown if len(names) <= _SHOWN else f"{shown} and {len(names) - _SHOWN} more"
