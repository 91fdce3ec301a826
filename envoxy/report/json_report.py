"""The contract's JSON findings format: ``{"findings": [...], "summary": {...}}``.

Baselined findings are listed too, in order among the others, each with ``"baselined": true``.
"""

from __future__ import annotations

import json
from typing import TextIO

from envoxy.findings import Report, sort_key

__all__ = ["render", "to_json"]


def to_json(report: Report) -> dict[str, object]:
    if not report.baselined:
        return {"findings": [f.to_json() for f in report.findings], "summary": report.summary()}
    accepted = {id(f) for f in report.baselined}
    every = sorted((*report.findings, *report.baselined), key=sort_key)
    findings = [{**f.to_json(), "baselined": True} if id(f) in accepted else f.to_json() for f in every]
    return {"findings": findings, "summary": report.summary()}


def render(report: Report, stream: TextIO, color: bool) -> None:
    json.dump(to_json(report), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
