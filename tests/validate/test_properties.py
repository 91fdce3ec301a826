"""Property tests: whatever a model file holds, the validator reports and never crashes, and it
reports the same findings every time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import REPO, run_cli

RULES = str(REPO / "tests" / "data" / "validate" / "exemptions" / "rules.yaml")
SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "fields",
                    "datums",
                    "table",
                    "name",
                    "id",
                    "created",
                    "updated",
                    "href",
                    "type",
                    "format",
                    "description",
                ]
            )
            | st.text(max_size=5),
            children,
            max_size=4,
        )
    ),
    max_leaves=25,
)


def validate_twice(content: bytes) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "model.json").write_bytes(content)
        runs = [
            run_cli("--rules", RULES, "--format", "json", "model.json", only="validate", cwd=Path(tmp))
            for _ in range(2)
        ]
    first, second = runs
    assert first.code in (0, 1), first.err  # 2: usage, 3: internal error
    assert first.err == ""
    assert (first.code, first.out) == (second.code, second.out)
    report: dict[str, Any] = json.loads(first.out)
    assert first.code == (1 if report["summary"]["errors"] else 0)
    for finding in report["findings"]:
        if finding["path"] == "model.json" and finding["rule"] != "parse-error":
            assert finding["line"] is not None and finding["column"] is not None, finding
    return report


@pytest.mark.slow
@SETTINGS
@given(value=json_values)
def test_any_json_value_is_reported_not_crashed_on(value: object) -> None:
    validate_twice(json.dumps(value).encode())


@pytest.mark.slow
@SETTINGS
@given(value=json_values, where=st.sampled_from(["fields", "datums", "table", "declaration"]))
def test_any_json_value_inside_a_model(value: object, where: str) -> None:
    good = {"id": {}, "created": {}, "updated": {}, "href": {"description": "The path."}}
    documents = {
        "fields": {"table": "t", "fields": value},
        "datums": {"datums": [value, {"table": "t", "fields": good}]},
        "table": {"table": value, "fields": good},
        "declaration": {"datums": [{"table": "t", "fields": {**good, "href": value}}]},
    }
    validate_twice(json.dumps(documents[where], indent=1).encode())


@pytest.mark.slow
@SETTINGS
@given(content=st.binary(max_size=200))
def test_any_bytes_are_reported_not_crashed_on(content: bytes) -> None:
    validate_twice(content)


@pytest.mark.slow
@SETTINGS
@given(content=st.binary(max_size=60), position=st.integers(0, 200))
def test_any_bytes_spliced_into_a_model(content: bytes, position: int) -> None:
    model = json.dumps({"datums": [{"table": "t", "fields": {"id": {"type": "string"}}}]}).encode()
    validate_twice(model[:position] + content + model[position:])


def test_undecodable_names_reach_every_output_stream(tmp_path: Path) -> None:
    """Lone surrogates (a JSON escape, an undecodable file name) must not break a UTF-8 stdout."""
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "s.json").write_text('{"table": "bad\\ud800name", "fields": {"\\udfff": {}}}')
    os.mkdir(os.fsencode(tmp_path / "models") + b"/\xff-dir")
    (Path(os.fsdecode(os.fsencode(tmp_path / "models") + b"/\xff-dir")) / "x.json").write_text("[")
    for fmt in ("text", "json", "sarif", "github"):
        done = subprocess.run(
            [sys.executable, "-m", "envoxy.validate", "--rules", RULES, "--format", fmt, "models"],
            cwd=tmp_path,
            capture_output=True,
            env={**os.environ, "PYTHONIOENCODING": "utf-8", "ENVOXY_NO_CACHE": "1"},
        )
        assert done.returncode == 1, done.stderr
        assert done.stderr == b""
        out = done.stdout.decode("utf-8")
        assert "bad\\ud800name" in out.replace("\\\\", "\\")
        assert "udcff-dir" in out  # SARIF URL-quotes the backslash
