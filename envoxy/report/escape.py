"""One escaping for everything envoxy prints about a finding, in every format.

Paths, table and field names come from file systems, revision scripts, model files and live
databases: any of them may hold a newline, a carriage return, a terminal escape sequence, a bidi
override, a lone surrogate (an undecodable file name, a ``\\ud800`` JSON escape) or GitHub Actions
command text. :func:`escape` writes every character that :meth:`str.isprintable` rejects the way
Python's ``repr`` does (``\\n``, ``\\r``, ``\\t``, ``\\xNN``, ``\\uNNNN``, ``\\UNNNNNNNN``) and breaks
the ``##[`` that starts a GitHub Actions command anywhere in a line. Backslashes are left alone, so
a Windows-style name reads as written; the escaping is for safety, not a reversible encoding, and
escaping escaped text changes nothing.

What follows holds for every format:

- a finding is one line of ``text`` and one ``github`` command (no newline survives);
- no terminal control sequence and no invisible or direction-changing character is printed;
- the output encodes as UTF-8 (no lone surrogates), so ``json`` and ``sarif`` always write.

The text reporter adds the one rule that depends on where a string lands: a path that would start
its line with ``::`` (a workflow command) is written as ``./`` + path, the same file.
"""

from __future__ import annotations

import dataclasses

from envoxy.findings import Finding, Report

__all__ = ["escape", "escape_finding", "escape_report"]

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# GitHub Actions reads "##[command ...]" anywhere in a log line (its first command syntax).
_GITHUB_V1 = "##["
_GITHUB_V1_ESCAPED = "##\\x5b"


def _char(c: str) -> str:
    if c.isprintable():
        return c
    named = _NAMED.get(c)
    if named is not None:
        return named
    n = ord(c)
    if n < 0x100:
        return f"\\x{n:02x}"
    return f"\\u{n:04x}" if n < 0x10000 else f"\\U{n:08x}"


def escape(text: str) -> str:
    """``text`` with every non-printable character escaped and no GitHub ``##[`` command."""
    if not text.isprintable():
        text = "".join(map(_char, text))
    if _GITHUB_V1 in text:
        text = text.replace(_GITHUB_V1, _GITHUB_V1_ESCAPED)
    return text


def _optional(text: str | None) -> str | None:
    return None if text is None else escape(text)


def escape_finding(f: Finding) -> Finding:
    """``f`` with its rule, message, path, pointer, table and field escaped."""
    return dataclasses.replace(
        f,
        rule=escape(f.rule),
        message=escape(f.message),
        path=_optional(f.path),
        pointer=_optional(f.pointer),
        table=_optional(f.table),
        field=_optional(f.field),
    )


def escape_report(report: Report) -> Report:
    """``report`` with every finding escaped (:func:`escape_finding`), order and counts kept."""
    return dataclasses.replace(report, findings=tuple(escape_finding(f) for f in report.findings))
