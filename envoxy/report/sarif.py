"""SARIF 2.1.0, positions in code points; ``tool.driver.rules`` is the rule catalog, each rule
with the same help ``envoxy explain`` prints (text and Markdown)."""

from __future__ import annotations

import json
from typing import Any, TextIO

from envoxy import __version__
from envoxy.findings import Finding, Report
from envoxy.report import rule_help
from envoxy.rules.catalog import RULES

__all__ = ["render", "to_sarif"]

_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _uri(path: str) -> str:
    """A relative path stays a relative URI reference; an absolute one becomes a ``file:`` URI."""
    import os
    from pathlib import Path
    from urllib.parse import quote

    if os.path.isabs(path):
        return Path(path).as_uri()
    if os.sep == "\\":  # a Windows separator; on POSIX a backslash is part of the name
        path = path.replace("\\", "/")
    uri = quote(path, safe="/:._-~")
    # A colon in the first segment would read as a scheme ("c:3.json"): RFC 3986 section 4.2.
    return "./" + uri if ":" in uri.split("/", 1)[0] else uri


def _result(f: Finding, index: dict[str, int]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": index[f.rule],
        "level": f.severity,
        "message": {"text": f.message},
    }
    location: dict[str, Any] = {}
    if f.path is not None:
        physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(f.path)}}
        if f.line is not None:
            region: dict[str, Any] = {"startLine": f.line}
            if f.column is not None:
                region["startColumn"] = f.column
            physical["region"] = region
        location["physicalLocation"] = physical
    if f.table is not None:
        name = f.table if f.field is None else f"{f.table}.{f.field}"
        location["logicalLocations"] = [{"name": name, "kind": "member" if f.field else "type"}]
    if location:
        result["locations"] = [location]
    pairs = (("pointer", f.pointer), ("table", f.table), ("field", f.field))
    props = {k: v for k, v in pairs if v is not None}
    if props:
        result["properties"] = props
    return result


def to_sarif(report: Report) -> dict[str, Any]:
    rule_ids = sorted(RULES)
    index = {rid: i for i, rid in enumerate(rule_ids)}
    rules = [
        {
            "id": rid,
            "name": "".join(w.capitalize() for w in rid.split("-")),
            "shortDescription": {"text": RULES[rid].short},
            "fullDescription": {"text": RULES[rid].help},
            "help": {"text": rule_help.text(RULES[rid]), "markdown": rule_help.markdown(RULES[rid])},
            "defaultConfiguration": {"level": RULES[rid].severity},
        }
        for rid in rule_ids
    ]
    return {
        "$schema": _SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "envoxy",
                        "version": __version__,
                        "informationUri": "https://github.com/envoxy/envoxy",
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [_result(f, index) for f in report.findings],
            }
        ],
    }


def render(report: Report, stream: TextIO, color: bool) -> None:
    json.dump(to_sarif(report), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
