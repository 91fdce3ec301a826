"""docs/CHECKS.md says what the code does: its checks are those of examples/checks/ (which the
tests run), its error listing is a golden case's exact output, its explain excerpt is real, and
README and docs/RULES.md link to it."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import DATA, REPO, run_cli

DOC = (REPO / "docs" / "CHECKS.md").read_text(encoding="utf-8")
EXAMPLES = REPO / "examples" / "checks"


def _checks(file: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / file).read_text(encoding="utf-8"))["checks"]
    return data


def _blocks(language: str) -> list[str]:
    """The fenced blocks of the page written in ``language`` (``""``: no language named)."""
    out: list[str] = []
    current: list[str] | None = None
    lang = ""
    for line in DOC.splitlines(keepends=True):
        if line.startswith("```"):
            if current is None:
                current, lang = [], line[3:].strip()
            else:
                if lang == language:
                    out.append("".join(current))
                current = None
        elif current is not None:
            current.append(line)
    return out


def test_every_check_shown_is_the_one_tested() -> None:
    known = {**_checks("rules.yaml"), **_checks("peers.yaml")}
    shown: dict[str, Any] = {}
    for block in _blocks("yaml"):
        if not block.startswith("  "):
            continue  # a whole rules.yaml, not a list of checks
        shown.update(yaml.safe_load("checks:\n" + block)["checks"])
    shown = {k: v for k, v in shown.items() if k in known or k in ("fk-columns-indexed",)}
    assert set(shown) >= {
        "snake-case-tables",
        "snake-case-columns",
        "table-name-length",
        "column-name-length",
        "money-not-float",
        "soft-delete-nullable",
        "json-as-jsonb",
        "primary-key-present",
        "name-casing",
        "prefer-text-to-varchar",
        "prefer-timestamptz-to-timestamp",
        "prefer-identity-to-serial",
        "index-referencing-column",
        "prefer-bigint-over-int",
        "ban-char-field",
    }
    for check_id, spec in shown.items():
        if check_id not in known:
            continue
        for key in ("scope", "where", "require", "builtin", "targets"):
            assert spec.get(key) == known[check_id].get(key), (check_id, key)
    for peer in (
        "name-casing",
        "prefer-jsonb-to-json",
        "prefer-text-to-varchar",
        "prefer-timestamptz-to-timestamp",
        "prefer-identity-to-serial",
        "index-referencing-column",
        "prefer-bigint-over-int",
        "ban-char-field",
    ):
        assert f"`{peer}`" in DOC and peer in _checks("peers.yaml")


def test_the_error_listing_is_a_golden_case() -> None:
    expected = (DATA / "rules" / "invalid" / "check-every-kind-at-once" / "expected.txt").read_text(
        encoding="utf-8"
    )
    assert expected in _blocks("")


def test_the_explain_excerpt_is_real(tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "rules.yaml", tmp_path / "rules.yaml")
    real = run_cli("explain", "money-not-float", cwd=tmp_path).out
    excerpt = next(b for b in _blocks("") if b.startswith("money-not-float (error by default)"))
    assert real.startswith(excerpt.replace("...\n", ""))


def test_linked_from_readme_and_rules() -> None:
    assert "(docs/CHECKS.md)" in (REPO / "README.md").read_text(encoding="utf-8")
    assert "(CHECKS.md)" in (REPO / "docs" / "RULES.md").read_text(encoding="utf-8")
