"""SARIF 2.1.0, positions in code points; ``tool.driver.rules`` is the rule catalog, each rule
with the same help ``envoxy explain`` prints (text and Markdown).

Made to survive edits on GitHub code scanning: each result's
``partialFingerprints.primaryLocationLineHash`` hashes the rule and the finding's logical key
(never its line), so an alert keeps its identity when lines move; ``automationDetails.id`` names
the command (``envoxy/validate/``), so the analyses of different commands do not close each
other's alerts; and every result has a ``physicalLocation`` with a relative ``uri``, which code
scanning requires: a finding without a path (``check-db``'s) is placed at ``Report.anchor``.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import Any, TextIO

from envoxy import __version__
from envoxy.checks.model import Check
from envoxy.findings import Finding, Report
from envoxy.report import rule_help
from envoxy.rules.catalog import RULES

__all__ = ["fingerprints", "identity", "render", "to_sarif"]

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


def identity(f: Finding) -> str:
    """What the fingerprint hashes: the baseline key, else the finding's place by name."""
    if f.key is not None:
        return f.key
    return json.dumps([f.rule, f.path, f.table, f.field, f.pointer], ensure_ascii=True)


def fingerprints(findings: tuple[Finding, ...]) -> list[str]:
    """``primaryLocationLineHash`` of each finding: a hash of its identity, then ``:n`` for the
    n-th finding sharing it (in report order), as GitHub's own fingerprints number repeats."""
    seen: Counter[str] = Counter()
    out = []
    for f in findings:
        digest = hashlib.sha256(identity(f).encode("utf-8", "surrogatepass")).hexdigest()[:32]
        seen[digest] += 1
        out.append(f"{digest}:{seen[digest]}")
    return out


def _result(f: Finding, index: dict[str, int], fingerprint: str, anchor: str | None) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": index[f.rule],
        "level": f.severity,
        "message": {"text": f.message},
    }
    location: dict[str, Any] = {}
    path = f.path if f.path is not None else anchor
    if path is not None:
        physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(path)}}
        if f.path is not None and f.line is not None:
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
    result["partialFingerprints"] = {"primaryLocationLineHash": fingerprint}
    pairs = (("pointer", f.pointer), ("table", f.table), ("field", f.field))
    props = {k: v for k, v in pairs if v is not None}
    if props:
        result["properties"] = props
    return result


def _rule(rid: str, checks: dict[str, Check]) -> dict[str, Any]:
    """The reportingDescriptor of a rule or a check of ``rules.yaml`` (from its description); an
    id neither knows gets its id and name."""
    rule: dict[str, Any] = {"id": rid, "name": "".join(w.capitalize() for w in rid.split("-"))}
    info = RULES.get(rid)
    check = checks.get(rid)
    if info is None and check is not None:
        from envoxy.checks.help import check_markdown, check_short, check_text

        rule["shortDescription"] = {"text": check_short(check)}
        rule["fullDescription"] = {"text": " ".join(check.description.split()) or check_short(check)}
        rule["help"] = {"text": check_text(check), "markdown": check_markdown(check)}
        rule["defaultConfiguration"] = {"level": "none" if check.severity == "off" else check.severity}
    if info is not None:
        rule["shortDescription"] = {"text": info.short}
        rule["fullDescription"] = {"text": info.help}
        rule["help"] = {"text": rule_help.text(info), "markdown": rule_help.markdown(info)}
        rule["defaultConfiguration"] = {"level": info.severity}
    return rule


def to_sarif(report: Report) -> dict[str, Any]:
    checks = {c.id: c for c in report.checks}
    rule_ids = sorted(RULES.keys() | checks.keys() | {f.rule for f in report.findings})
    index = {rid: i for i, rid in enumerate(rule_ids)}
    rules = [_rule(rid, checks) for rid in rule_ids]
    marks = fingerprints(report.findings)
    sarif: dict[str, Any] = {
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
                "results": [
                    _result(f, index, mark, report.anchor)
                    for f, mark in zip(report.findings, marks, strict=True)
                ],
            }
        ],
    }
    if report.run_id is not None:
        sarif["runs"][0]["automationDetails"] = {"id": report.run_id}
    return sarif


def render(report: Report, stream: TextIO, color: bool) -> None:
    json.dump(to_sarif(report), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
