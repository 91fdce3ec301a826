"""Read a YAML file into plain data plus the line and column of every key and value.

Built on :func:`yaml.compose` (the safe composer) rather than a loader so that every node keeps
its mark. Only the YAML core tags are accepted: ``!!python/object`` and friends are refused, as are
duplicate keys (PyYAML silently keeps the last one), alias bombs, and strings holding a NUL
character or a lone surrogate (``"\\ud800"``), which no file name, table name or output stream can
carry. Every value with such a problem is read as ``None`` and its key path is recorded in
:attr:`YamlDocument.bad`, so later checks neither trust it nor complain about it again.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from envoxy.errors import EXCERPT_LIMIT, Problem, clip, excerpt

__all__ = ["KeyPath", "Location", "YamlDocument", "read_yaml"]

KeyPath = tuple[str | int, ...]
"""Where a value stands in a document: the keys and list indexes leading to it."""
_MAX_NODES = 200_000
# Real rules files nest fewer than ten levels; the checks after reading recurse per level.
MAX_DEPTH = 64

_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}


@dataclass(frozen=True, slots=True)
class Location:
    path: str
    line: int
    column: int


@dataclass(slots=True)
class YamlDocument:
    """A file's data, where each value (``values``) and mapping key (``keys``) stands, and the
    values that could not be read as written (``bad``: already reported)."""

    path: str
    data: Any
    values: dict[KeyPath, Location] = field(default_factory=dict)
    keys: dict[KeyPath, Location] = field(default_factory=dict)
    bad: set[KeyPath] = field(default_factory=set)


_TAG_MESSAGE = (
    "tag {tag} is not allowed (rules are read with a safe loader), expected plain "
    "YAML: strings, numbers, booleans, dates, lists and mappings"
)


def _tag(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag


class _Builder:
    def __init__(self, path: str) -> None:
        self.path = path
        self.doc = YamlDocument(path=path, data=None)
        self.problems: list[Problem] = []
        self.nodes = 0
        self._constructor = SafeConstructor()

    def _loc(self, node: yaml.Node) -> Location:
        return Location(self.path, node.start_mark.line + 1, node.start_mark.column + 1)

    def _problem(self, node: yaml.Node, message: str, bad: KeyPath | None = None) -> None:
        loc = self._loc(node)
        self.problems.append(Problem(path=self.path, line=loc.line, column=loc.column, message=message))
        if bad is not None:
            self.doc.bad.add(bad)

    def build(self, node: yaml.Node, path: KeyPath) -> Any:
        self.nodes += 1
        if self.nodes > _MAX_NODES:
            raise _TooLarge(node)
        self.doc.values[path] = self._loc(node)
        if len(path) >= MAX_DEPTH and isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            self._problem(
                node, f"nesting deeper than {MAX_DEPTH} levels, expected a shallower configuration", path
            )
            return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != "tag:yaml.org,2002:seq":
                self._problem(node, _TAG_MESSAGE.format(tag=excerpt(_tag(node.tag))), path)
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self._scalar(node, path)

    def _mapping(self, node: yaml.MappingNode, path: KeyPath) -> dict[str, Any]:
        if node.tag != "tag:yaml.org,2002:map":
            self._problem(node, _TAG_MESSAGE.format(tag=excerpt(_tag(node.tag))), path)
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._problem(
                    key_node,
                    "YAML merge keys ('<<') are not supported, expected "
                    "plain keys (use 'extends:' to share rules)",
                    path,
                )
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self._problem(key_node, "a mapping key must be a plain string, expected 'name: value'", path)
                continue
            key = self._scalar(key_node, None)
            if not isinstance(key, str):
                key = str(key_node.value)
            if key in out:
                first = self.doc.keys[(*path, key)]
                self._problem(
                    key_node,
                    f"duplicate key {excerpt(key)} (first at line {first.line}), expected each key once",
                    (*path, key),
                )
                continue
            unreadable = _unreadable_text(key)
            if unreadable:
                self._problem(key_node, f"the key {excerpt(key)} {unreadable}", (*path, key))
            self.doc.keys[(*path, key)] = self._loc(key_node)
            out[key] = self.build(value_node, (*path, key))
        return out

    def _scalar(self, node: yaml.Node, path: KeyPath | None) -> Any:
        """The value of a scalar node (``path`` None: a mapping key, which the caller checks)."""
        if node.tag not in _SCALAR_TAGS:
            self._problem(node, _TAG_MESSAGE.format(tag=excerpt(_tag(node.tag))), path)
            return None
        if node.tag == "tag:yaml.org,2002:bool" and node.value.lower() not in ("true", "false"):
            # YAML 1.2 booleans only: `off`, `no`, `yes`, `on` stay strings (`severity: {x: off}`).
            return node.value
        try:
            value = self._constructor.construct_object(node, deep=True)
        except (ConstructorError, ValueError) as e:
            if node.tag == "tag:yaml.org,2002:timestamp":
                self._problem(
                    node,
                    f"{excerpt(node.value)} is not a real date ({clip(str(e))}), "
                    "expected a date written YYYY-MM-DD",
                    path,
                )
            elif node.tag == "tag:yaml.org,2002:int" and hasattr(sys, "get_int_max_str_digits"):
                # The only int the resolver tags that int() refuses: more digits than it takes.
                # Said in envoxy's words, as the model validator says it: Python's differ by version.
                self._problem(
                    node,
                    f"{excerpt(node.value)} is an integer with more than {sys.get_int_max_str_digits()} "
                    "digits, expected a shorter number",
                    path,
                )
            else:
                self._problem(
                    node,
                    f"cannot read value {excerpt(node.value)} ({clip(str(e))}), expected a valid scalar",
                    path,
                )
            return None
        if isinstance(value, (dt.date, dt.datetime)):
            return value.isoformat()  # JSON-compatible; the compiler parses dates back
        if path is not None and isinstance(value, str):
            unreadable = _unreadable_text(value)
            if unreadable:
                self._problem(node, f"the string {excerpt(value)} {unreadable}", path)
                return None
        return value


_SURROGATES = re.compile("[\ud800-\udfff]")


def _unreadable_text(text: str) -> str | None:
    """What makes ``text`` unusable as a name, a path or output (a NUL, a lone surrogate), with
    what is expected instead; ``None`` for ordinary text."""
    if "\0" in text:
        return "holds a NUL character (U+0000), expected text without NUL characters"
    found = _SURROGATES.search(text)
    if found:
        return (
            f"holds a lone surrogate (U+{ord(found.group()):04X}), expected Unicode text (a character "
            "beyond U+FFFF is one \\U escape, not a pair of \\u escapes)"
        )
    return None


class _TooLarge(Exception):
    def __init__(self, node: yaml.Node) -> None:
        self.node = node


def _decode(raw: bytes, path: str) -> str | Problem:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        before = raw[: e.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        return Problem(
            path=path,
            line=line,
            column=column,
            message=f"invalid UTF-8 byte 0x{raw[e.start]:02x}, expected a UTF-8 text file",
        )


def read_yaml(raw: bytes, path: str) -> tuple[YamlDocument | None, list[Problem]]:
    """Parse ``raw`` (the bytes of ``path``); returns the document or the problems found."""
    text = _decode(raw, path)
    if isinstance(text, Problem):
        return None, [text]
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        what = _parser_text(e.problem or e.context or "invalid YAML")
        if mark is None:
            return None, [Problem(path=path, line=None, column=None, message=f"{what}, expected valid YAML")]
        return None, [
            Problem(
                path=path,
                line=mark.line + 1,
                column=mark.column + 1,
                message=f"invalid YAML: {what}, expected valid YAML syntax",
            )
        ]
    except yaml.reader.ReaderError as e:  # a control character: no mark, only an offset
        before = text[: e.position]
        char = e.character if isinstance(e.character, str) else chr(e.character)
        message = (
            "invalid YAML: a NUL character (U+0000) is not allowed, expected text without NUL characters"
            if char == "\0"
            else f"invalid YAML: character U+{ord(char):04X} is not allowed, "
            "expected printable text (write it as an escape inside double quotes)"
        )
        return None, [
            Problem(
                path=path,
                line=before.count("\n") + 1,
                column=e.position - before.rfind("\n"),
                message=message,
            )
        ]
    except yaml.YAMLError as e:
        return None, [Problem(path=path, line=None, column=None, message=f"invalid YAML: {clip(str(e))}")]
    except RecursionError:  # PyYAML's composer recurses once per level of nesting
        return None, [_too_deep(path)]
    if node is None:
        return None, [
            Problem(
                path=path,
                line=1,
                column=1,
                message="the file is empty, expected a mapping starting with 'version: 1'",
            )
        ]
    builder = _Builder(path)
    try:
        builder.doc.data = builder.build(node, ())
    except _TooLarge as e:
        loc = builder._loc(e.node)
        return None, [
            Problem(
                path=path,
                line=loc.line,
                column=loc.column,
                message=f"the document expands to more than {_MAX_NODES} nodes "
                "(an alias bomb?), expected a small configuration file",
            )
        ]
    except RecursionError:
        return None, [_too_deep(path)]
    return builder.doc, builder.problems


_QUOTED = re.compile("'[^']*'|\"[^\"]*\"")


def _parser_text(text: str) -> str:
    """A PyYAML problem text with the file's text it quotes (an alias, a tag handle, a
    character) cut to an excerpt."""

    def cut(quoted: re.Match[str]) -> str:
        inner = quoted.group()[1:-1]
        return quoted.group() if len(inner) <= EXCERPT_LIMIT else repr(inner[:EXCERPT_LIMIT]) + "…"

    return clip(_QUOTED.sub(cut, text), 3 * EXCERPT_LIMIT)


def _too_deep(path: str) -> Problem:
    return Problem(
        path=path,
        line=None,
        column=None,
        message="the document is nested too deeply, expected a small configuration file",
    )
