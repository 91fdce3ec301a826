"""Read a model file and parse it, or say exactly why and where it cannot be.

Two parsers, one result. orjson (when installed) parses most files; whenever it might differ
from :mod:`json` or the file might repeat a key (see :func:`_fast`), :mod:`json` parses it
again, noting every object that repeats a key (the last of them wins, as in every JSON parser),
and gives the exact error of a broken file. ``ENVOXY_NO_ORJSON=1`` forces the json path.

Nesting deeper than :data:`MAX_DEPTH` arrays and objects is refused as a parse error at the
bracket that crosses the limit, before the recursive C parser could hit Python's recursion limit.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import sys
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import accumulate
from types import MappingProxyType
from typing import Any, Literal, NamedTuple

from envoxy.validate.positions import line_column

try:  # optional speed-up, about twice as fast as json here; the json path decides whenever unsure
    import orjson as _orjson
except ImportError:  # pragma: no cover - exercised with ENVOXY_NO_ORJSON=1
    _orjson = None  # type: ignore[assignment]
if os.environ.get("ENVOXY_NO_ORJSON"):
    _orjson = None  # type: ignore[assignment]

__all__ = ["MAX_DEPTH", "Parsed", "Unparsable", "load", "parse", "read"]

MAX_DEPTH = 256

_BOM = b"\xef\xbb\xbf"
# A JSON string, or an unterminated one running to the end of the text.
_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*"?'
_STRINGS = re.compile(_STRING, re.S)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_TOKENS = re.compile(_STRING + r"|([\[{])|[\]}]", re.S)
_DELTA = {"[": 1, "{": 1, "]": -1, "}": -1}
_DANGLING_AT = re.compile(r"\s+(?:starting\s+)?at$")
_CONSTANTS = re.compile(_STRING + r"|(NaN|-?Infinity)", re.S)


_NO_REPEATS: Mapping[int, tuple[Any, dict[str, int]]] = MappingProxyType({})


class Parsed(NamedTuple):
    """A parsed file: its bytes (BOM removed), its root as dicts and lists, which parser read it,
    and the objects that repeat a key: ``id(object) -> (object, {key: times})``.

    A named tuple rather than a dataclass: one is made for every file checked, and a tuple is
    made in a third of the time."""

    data: bytes
    root: Any
    parser: Literal["orjson", "json"]
    repeats: Mapping[int, tuple[Any, dict[str, int]]] = _NO_REPEATS

    def repeated_keys(self, obj: Any) -> dict[str, int]:
        """The keys ``obj`` (an object of this file) repeats, with how often they occur."""
        found = self.repeats.get(id(obj))
        return found[1] if found is not None and found[0] is obj else {}

    def text(self) -> str:
        """The file as text, for positions (the parse has already checked it is UTF-8)."""
        return self.data.decode("utf-8")


@dataclass(frozen=True, slots=True)
class Unparsable:
    """Why a file could not be read or parsed, and where (1-based) when known."""

    message: str
    line: int | None = None
    column: int | None = None


class _Constant(ValueError):
    """NaN, Infinity and -Infinity are JavaScript, not JSON."""


def _refuse_constant(name: str) -> Any:
    raise _Constant(name)


_UNSURE = object()


def _sketch_byte(b: int) -> bytes:
    if 48 <= b <= 57:
        return b"0"
    return b"[" if b in b"[{" else b":" if b == 58 else b" "


# One pass over the bytes for the cheap checks of :func:`parse` and :func:`_fast`: digits -> "0",
# opening brackets -> "[", ":" kept, other punctuation -> " ", and the bulk of a file (letters,
# white space, quotes, non-ASCII bytes) dropped, so that the counts that follow run over a short
# sketch (a regex would cost ten times more). Dropping only ever joins runs of digits: a long
# integer is never missed, and a false alarm only sends the file down the json path.
_SKETCH = bytes(_sketch_byte(b)[0] for b in range(256))
_DROPPED = bytes(b for b in range(256) if b >= 128 or chr(b).isalpha() or b in b' \t\n\r"')
_LONG_INTEGER = b"0" * 19  # orjson turns integers past 64 bits into floats

# -- reading -----------------------------------------------------------------------------------

_READ_ERRORS: dict[int, str] = {
    errno.ENOENT: "is a broken symbolic link (its target does not exist)",
    errno.ELOOP: "is a symbolic link loop",
    errno.EACCES: "cannot be read: permission denied",
    errno.EPERM: "cannot be read: operation not permitted",
    errno.EISDIR: "is a directory, expected a JSON model file",
}
_FILE_KINDS: tuple[tuple[Any, str], ...] = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def _os_error(e: OSError) -> Unparsable:
    message = _READ_ERRORS.get(e.errno or 0)
    return Unparsable(message or f"cannot be read: {e.strerror or e}")


_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def _open_nonblocking(path: str, flags: int) -> int:
    return os.open(path, flags | _NONBLOCK)


def read(path: str, *, known_regular: bool = False) -> bytes | Unparsable:
    """The bytes of ``path``; anything but a readable regular file is :class:`Unparsable`.

    ``known_regular`` skips the ``stat`` before opening when the directory walk has already seen
    a plain file. Never opens a FIFO or a device (that could block forever); a file swapped for
    one after the walk is opened without blocking (``O_NONBLOCK``) and refused.
    """
    if not known_regular:
        try:
            st = os.stat(path)
        except OSError as e:
            return _os_error(e)
        if not stat.S_ISREG(st.st_mode):
            return _not_regular(st.st_mode)
    try:
        with open(path, "rb", buffering=0, opener=_open_nonblocking) as fh:
            return _read_fd(fh.fileno())
    except OSError as e:
        return _os_error(e)
    except MemoryError:
        return Unparsable("is too large to read into memory")


def _not_regular(mode: int) -> Unparsable:
    kind = next((name for test, name in _FILE_KINDS if test(mode)), "not a regular file")
    return Unparsable(f"is {kind}, expected a JSON model file")


def _read_fd(fd: int) -> bytes | Unparsable:
    """The whole file: one ``read`` of the size ``fstat`` gives, more only if it changed meanwhile
    (a short read, or a file that grew)."""
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        return _not_regular(st.st_mode)
    size = st.st_size
    data = os.read(fd, size + 1)
    if len(data) == size:
        return data
    chunks = [data]
    while chunk := os.read(fd, max(size, 1 << 16)):
        chunks.append(chunk)
    return b"".join(chunks)


# -- parsing -----------------------------------------------------------------------------------


def _at(text: str, offset: int, message: str) -> Unparsable:
    line, column = line_column(text, [offset])[offset]
    return Unparsable(message, line, column)


def _decode(body: bytes) -> str | Unparsable:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as e:
        before = body[: e.start]
        start = before.rfind(b"\n") + 1
        column = len(before[start:].decode("utf-8")) + 1
        return Unparsable(
            f"is not valid UTF-8 (byte 0x{body[e.start]:02x}), expected UTF-8 text",
            before.count(b"\n") + 1,
            column,
        )


def _deep_offset(text: str) -> int | None:
    """Offset of the bracket that opens level ``MAX_DEPTH + 1``, if any (strings ignored)."""
    brackets = _NOT_BRACKET.sub("", _STRINGS.sub("", text))
    if max(accumulate(_DELTA[c] for c in brackets), default=0) <= MAX_DEPTH:
        return None
    depth = 0
    for m in _TOKENS.finditer(text):
        token = m.group()
        if token[0] == '"':
            continue
        depth += 1 if m.group(1) else -1
        if depth > MAX_DEPTH:
            return m.start()
    return None  # unreachable: the count above found the same depth


def _first(pattern: re.Pattern[str], text: str) -> int | None:
    """Offset of the first match of ``pattern``'s group 1 outside strings."""
    for m in pattern.finditer(text):
        if m.group(1):
            return m.start(1)
    return None


def _json_error(text: str, e: json.JSONDecodeError) -> Unparsable:
    if not text.strip(" \t\n\r"):
        return Unparsable("the file is empty, expected a JSON object", e.lineno, e.colno)
    what = _DANGLING_AT.sub("", e.msg)  # "Unterminated string starting at": the position follows
    return Unparsable(f"invalid JSON: {what[:1].lower()}{what[1:]}", e.lineno, e.colno)


def _value_error(text: str, e: ValueError) -> Unparsable:
    if isinstance(e, _Constant):
        offset = _first(_CONSTANTS, text)
        message = f"invalid JSON: {e} is not a JSON value, expected a number, string or null"
    else:  # an integer longer than int() accepts (sys.get_int_max_str_digits())
        limit = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 0
        offset = _first(re.compile(_STRING + rf"|(-?\d{{{limit + 1},}})", re.S), text) if limit else None
        message = f"invalid JSON: an integer with more than {limit} digits, expected a shorter number"
    if offset is None:
        return Unparsable(message)
    return _at(text, offset, message)


def _fast(body: bytes, sketch: bytes) -> Any:
    """The root by orjson when it is sure to equal what :mod:`json` gives and no object repeats
    a key; else :data:`_UNSURE`.

    A repeated key is found by counting colons: every member has one outside strings, and the
    strings orjson writes back are the ones it read, so the input has more colons than the
    re-serialised document exactly when a member was dropped. That holds unless a string spells
    a colon ``\\u003a``; such files, and those with integers orjson would turn into floats
    (19 digits or more), take the :mod:`json` path.
    """
    # (a backslash is rare and found by memchr: the escape search only runs when there is one)
    if _orjson is None or (b"\\" in body and b"\\u003" in body) or _LONG_INTEGER in sketch:
        return _UNSURE
    try:
        root = _orjson.loads(body)
        again = _orjson.dumps(root)
    except (_orjson.JSONDecodeError, _orjson.JSONEncodeError):
        return _UNSURE  # the json path says exactly what is wrong, and where
    if sketch.count(b":") != again.count(b":"):
        return _UNSURE
    return root


def parse(data: bytes) -> Parsed | Unparsable:
    """Decode (UTF-8, BOM allowed) and parse ``data``."""
    body = data[len(_BOM) :] if data.startswith(_BOM) else data
    sketch = body.translate(_SKETCH, _DROPPED)
    text: str | None = None
    if sketch.count(b"[") > MAX_DEPTH:  # enough brackets to be too deep: look closer
        decoded = _decode(body)
        if isinstance(decoded, Unparsable):
            return decoded
        text = decoded
        offset = _deep_offset(text)
        if offset is not None:
            return _at(
                text,
                offset,
                f"nesting deeper than {MAX_DEPTH} levels, expected a "
                "shallower document (see the depth limit in docs/VALIDATE.md)",
            )
    root = _fast(body, sketch)
    if root is not _UNSURE:
        return Parsed(body, root, "orjson")
    if text is None:
        decoded = _decode(body)
        if isinstance(decoded, Unparsable):
            return decoded
        text = decoded
    repeats: dict[int, tuple[Any, dict[str, int]]] = {}

    def note_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) != len(pairs):
            counts = Counter(k for k, _ in pairs)
            repeats[id(obj)] = (obj, {k: n for k, n in counts.items() if n > 1})
        return obj

    decoder = json.JSONDecoder(object_pairs_hook=note_repeats, parse_constant=_refuse_constant)
    try:
        root = decoder.decode(text)
    except json.JSONDecodeError as e:
        return _json_error(text, e)
    except ValueError as e:
        return _value_error(text, e)
    except RecursionError:  # only if the caller's stack is already deep; no position to give
        return Unparsable(f"nesting too deep to parse here (limit {MAX_DEPTH} levels)")
    except MemoryError:
        return Unparsable("is too large to parse in memory")
    return Parsed(body, root, "json", repeats)


def load(path: str, *, known_regular: bool = False) -> Parsed | Unparsable:
    """:func:`read` then :func:`parse`."""
    data = read(path, known_regular=known_regular)
    if isinstance(data, Unparsable):
        return data
    return parse(data)
