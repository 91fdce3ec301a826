"""GitHub Actions workflow commands: ``::error file=…,line=…,col=…,title=…::message``."""

from __future__ import annotations

from typing import TextIO

from envoxy.findings import Finding, Report

__all__ = ["format_finding", "render"]


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def format_finding(f: Finding) -> str:
    props = []
    if f.path is not None:
        props.append(f"file={_prop(f.path)}")
        if f.line is not None:
            props.append(f"line={f.line}")
            if f.column is not None:
                props.append(f"col={f.column}")
    props.append(f"title={_prop(f.rule)}")
    where = "" if f.path is not None or not f.table else f"table {f.table}: "
    return f"::{f.severity} {','.join(props)}::{_data(where + f.message)}"


def render(report: Report, stream: TextIO, color: bool) -> None:
    for f in report.findings:
        stream.write(format_finding(f) + "\n")
