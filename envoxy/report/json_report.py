"""The contract's JSON findings format: ``{"findings": [...], "summary": {...}}``."""

from __future__ import annotations

import json
from typing import TextIO

from envoxy.findings import Report

__all__ = ["render", "to_json"]


def to_json(report: Report) -> dict[str, object]:
    return {"findings": [f.to_json() for f in report.findings], "summary": report.summary()}


def render(report: Report, stream: TextIO, color: bool) -> None:
    json.dump(to_json(report), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
