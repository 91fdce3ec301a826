"""Where a JSON Pointer's node stands in the original text: 1-based line and column.

Lines break at ``\\n`` (so ``\\r\\n`` is one break); columns count code points, a tab counting
one; a UTF-8 BOM is not counted. :func:`locate` walks only the path to each wanted node and
skips every other value with the C scanner of :mod:`json`, so locating costs about one more
parse of the file, whatever its size.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from json.decoder import scanstring  # type: ignore[attr-defined]
from json.scanner import make_scanner
from typing import Any

__all__ = ["Pointer", "format_pointer", "line_column", "locate", "spans"]

Pointer = tuple[str | int, ...]

_WS = re.compile(r"[ \t\n\r]*")
_MEMBER = re.compile(r'"([^"\\\x00-\x1f]*)"[ \t\n\r]*:[ \t\n\r]*')
_AFTER = re.compile(r"[ \t\n\r]*([,}])[ \t\n\r]*")
_skip = make_scanner(json.JSONDecoder(object_pairs_hook=tuple))  # type: ignore[arg-type]


def format_pointer(pointer: Pointer) -> str:
    """RFC 6901: ``("datums", 3, "fields")`` -> ``/datums/3/fields``."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in pointer)


def line_column(text: str, offsets: Iterable[int]) -> dict[int, tuple[int, int]]:
    """``{offset: (line, column)}``, counting newlines once across all offsets."""
    out: dict[int, tuple[int, int]] = {}
    line, pos = 1, 0
    for off in sorted(set(offsets)):
        line += text.count("\n", pos, off)
        pos = off
        out[off] = (line, off - text.rfind("\n", 0, off))
    return out


class _Trie(dict[Any, "_Trie"]):
    wanted = False


def _build(pointers: Iterable[Pointer]) -> _Trie:
    root = _Trie()
    for pointer in pointers:
        node = root
        for token in pointer:
            node = node.setdefault(token, _Trie())
        node.wanted = True
    return root


class _Walker:
    def __init__(self, text: str) -> None:
        self.text = text
        self.found: dict[Pointer, int] = {}

    def ws(self, idx: int) -> int:
        m = _WS.match(self.text, idx)
        return m.end() if m else idx

    def skip(self, idx: int) -> int:
        return int(_skip(self.text, idx)[1])

    def value(self, idx: int, trie: _Trie, here: Pointer) -> int:
        """Record wanted nodes inside the value at ``idx``; return the offset after it."""
        if trie.wanted:
            self.found[here] = idx
        char = self.text[idx] if idx < len(self.text) else ""
        if not trie or char not in ("{", "["):
            return self.skip(idx)
        if char == "{":
            return self.members(idx, trie, here)
        return self.items(idx, trie, here)

    def members(self, idx: int, trie: _Trie, here: Pointer) -> int:
        text = self.text
        idx = self.ws(idx + 1)
        if text[idx] == "}":
            return idx + 1
        while True:
            m = _MEMBER.match(text, idx)
            if m is not None:  # a key without escapes, the colon and the space around it
                key, idx = m.group(1), m.end()
            else:
                key, idx = scanstring(text, idx + 1)
                idx = self.ws(self.ws(idx) + 1)  # past ':'
            child = trie.get(key)
            if child is None:
                idx = self.skip(idx)
            else:
                self.forget((*here, key))  # a repeated key: the last occurrence counts
                idx = self.value(idx, child, (*here, key))
            m = _AFTER.match(text, idx)
            assert m is not None  # the text parsed: a ',' or the '}' follows
            if m.group(1) == "}":
                return m.end(1)
            idx = m.end()

    def items(self, idx: int, trie: _Trie, here: Pointer) -> int:
        idx = self.ws(idx + 1)
        if self.text[idx] == "]":
            return idx + 1
        i = 0
        while True:
            child = trie.get(i)
            idx = self.skip(idx) if child is None else self.value(idx, child, (*here, i))
            idx = self.ws(idx)
            if self.text[idx] == "]":
                return idx + 1
            idx = self.ws(idx + 1)
            i += 1

    def forget(self, prefix: Pointer) -> None:
        n = len(prefix)
        for p in [p for p in self.found if p[:n] == prefix]:
            del self.found[p]


def locate(text: str, pointers: Iterable[Pointer]) -> dict[Pointer, tuple[int, int]]:
    """``{pointer: (line, column)}`` for each pointer naming a node of ``text`` (valid JSON)."""
    walker = _Walker(text)
    walker.value(walker.ws(0), _build(pointers), ())
    where = line_column(text, walker.found.values())
    return {p: where[off] for p, off in walker.found.items()}


def spans(text: str, pointers: Iterable[Pointer]) -> dict[Pointer, tuple[int, int]]:
    """``{pointer: (start, end)}``: where the value each pointer names begins and ends in ``text``
    (valid JSON without repeated keys), as string offsets. For ``validate --fix``."""
    walker = _Walker(text)
    walker.value(walker.ws(0), _build(pointers), ())
    return {p: (off, walker.skip(off)) for p, off in walker.found.items()}
