"""``envoxy generate-mixin [-o FILE] [--check]`` through the real CLI."""

from __future__ import annotations

import json
import string
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from envoxy.mixin import mixin_source
from envoxy.rules import load_rules
from tests.conftest import DATA, REPO, run_cli
from tests.mixin.support import SHIPPED_RULES


def test_without_o_the_module_goes_to_stdout() -> None:
    result = run_cli("generate-mixin", "--rules", str(SHIPPED_RULES))
    assert (result.code, result.err) == (0, "")
    assert result.out == mixin_source(load_rules(SHIPPED_RULES))
    assert "sa.String(36)" in result.out and "sa.DateTime(timezone=False)" in result.out


def test_native_profile_changes_only_the_types(native_rules: Path) -> None:
    legacy = run_cli("generate-mixin", "--rules", str(SHIPPED_RULES)).out
    native = run_cli("generate-mixin", "--rules", str(native_rules)).out
    assert "id: Mapped[uuid.UUID] = mapped_column(\n        sa.Uuid()," in native
    assert (
        "created: Mapped[datetime.datetime] = mapped_column(\n        sa.DateTime(timezone=True),"
    ) in native
    assert "return datetime.datetime.now(datetime.timezone.utc)\n" in native
    assert "replace(tzinfo=None)" not in native and "replace(tzinfo=None)" in legacy


def test_write_then_check(tmp_path: Path, native_rules: Path) -> None:
    target = tmp_path / "app" / "envoxy_mixin.py"
    target.parent.mkdir()
    shown = str(target)
    missing = run_cli("generate-mixin", "--rules", str(SHIPPED_RULES), "-o", shown, "--check")
    assert (missing.code, missing.out) == (1, f"{shown} is missing; run 'envoxy generate-mixin -o {shown}'\n")
    assert not target.exists()

    wrote = run_cli("generate-mixin", "--rules", str(SHIPPED_RULES), "-o", shown)
    assert (wrote.code, wrote.out, wrote.err) == (0, f"wrote {shown}\n", "")
    assert target.read_text(encoding="utf-8") == mixin_source(load_rules(SHIPPED_RULES))
    assert [p.name for p in target.parent.iterdir()] == ["envoxy_mixin.py"]  # no temp file left

    fresh = run_cli("generate-mixin", "--rules", str(SHIPPED_RULES), "-o", shown, "--check")
    assert fresh.code == 0 and fresh.out.startswith(f"{shown} is up to date with ")

    before = target.read_text(encoding="utf-8")
    stale = run_cli("generate-mixin", "--rules", str(native_rules), "-o", shown, "--check")
    assert (stale.code, stale.out) == (1, f"{shown} is out of date; run 'envoxy generate-mixin -o {shown}'\n")
    assert target.read_text(encoding="utf-8") == before


def test_relative_output_is_below_the_current_directory(tmp_path: Path) -> None:
    result = run_cli("generate-mixin", "--rules", str(SHIPPED_RULES), "-o", "m.py", cwd=tmp_path)
    assert (result.code, result.out) == (0, "wrote m.py\n")
    assert (tmp_path / "m.py").is_file()


def test_check_needs_a_file() -> None:
    result = run_cli("generate-mixin", "--rules", str(SHIPPED_RULES), "--check")
    assert (result.code, result.out, result.err) == (
        2,
        "",
        "envoxy: --check compares against a file: name it with -o FILE\n",
    )


def test_unwritable_output_is_a_usage_error(tmp_path: Path) -> None:
    shown = str(tmp_path / "no-such-dir" / "m.py")
    result = run_cli("generate-mixin", "--rules", str(SHIPPED_RULES), "-o", shown)
    assert (result.code, result.out) == (2, "")
    assert result.err == f"envoxy: cannot write {shown}: No such file or directory\n"


TEMPLATES = REPO / "envoxy" / "mixin" / "templates"
# The generated module is formatted as ruff formats it at line length 100.
RUFF_FORMAT = [
    sys.executable,
    "-m",
    "ruff",
    "format",
    "--check",
    "--no-cache",
    "--isolated",
    "--line-length",
    "100",
    "--target-version",
    "py310",
]

CALLER_ONLY = "version: 1\nprofile: legacy\nfields:\n  note: {type: text, nullable: true}\n"


@pytest.mark.slow
def test_generated_modules_are_clean_typed_python(tmp_path: Path, native_rules: Path) -> None:
    """What a project commits passes ruff (check and format) and ``mypy --strict``, for the
    shipped rules in each built-in profile and for rules exercising the other generated code (hex ids,
    several templates, a template reading a timestamp or no field, stripped prefixes,
    caller-only fields); so do the template files its fixed code is copied from."""
    from tests.mixin.test_mixin_bulk import TWO_TEMPLATES
    from tests.mixin.test_mixin_listeners import CUSTOM

    mysql = DATA / "mixin" / "golden" / "mysql" / "rules.yaml"
    sources = {"legacy": SHIPPED_RULES, "native": native_rules, "mysql": mysql}
    for name, text in [("caller_only", CALLER_ONLY), ("custom", CUSTOM), ("two_templates", TWO_TEMPLATES)]:
        sources[name] = tmp_path / f"{name}.yaml"
        sources[name].write_text(text, encoding="utf-8")
    modules = tmp_path / "modules"
    modules.mkdir()
    for name, rules in sources.items():
        target = modules / f"mixin_{name}.py"
        result = run_cli("generate-mixin", "--rules", str(rules), "-o", str(target))
        assert (result.code, result.err) == (0, ""), name
    ruff = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--no-cache",
            "--isolated",
            "--line-length",
            "100",
            "--select",
            "E,F,W,I,B,UP,SIM",
            "--target-version",
            "py310",
            str(modules),
            str(TEMPLATES),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ruff.returncode == 0, ruff.stdout + ruff.stderr
    formatted = subprocess.run(
        [*RUFF_FORMAT, str(modules), str(TEMPLATES)], capture_output=True, text=True, check=False
    )
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr
    mypy = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--cache-dir",
            str(tmp_path / "mypy-cache"),
            str(modules),
            str(TEMPLATES),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert mypy.returncode == 0, mypy.stdout + mypy.stderr
    assert mypy.stdout.startswith("Success: no issues found in 12 source files"), mypy.stdout


def test_output_through_a_symlink_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "envoxy_mixin.py"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.py"
    link.symlink_to(real)
    result = run_cli("generate-mixin", "--rules", str(SHIPPED_RULES), "-o", str(link))
    assert (result.code, result.out, result.err) == (0, f"wrote {link}\n", "")
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == mixin_source(load_rules(SHIPPED_RULES))


def test_output_to_a_fifo_is_written_not_read(tmp_path: Path) -> None:
    """A FIFO is never read to compare (that would block) nor replaced: the module goes into it."""
    import os
    import sys

    fifo = tmp_path / "mixin.fifo"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "envoxy",
                "generate-mixin",
                "--rules",
                str(SHIPPED_RULES),
                "-o",
                str(fifo),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        received = os.read(reader, 1 << 16).decode("utf-8")
    finally:
        os.close(reader)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, f"wrote {fifo}\n", "")
    assert fifo.is_fifo()
    assert received == mixin_source(load_rules(SHIPPED_RULES))


def test_quotes_and_backslashes_in_rules_keep_the_module_valid(tmp_path: Path) -> None:
    """A template or profile name with '\"\"\"' or a backslash must not end the docstring."""
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        'version: 1\nprofile: "p\\"\\"\\"\\\\"\nprofiles:\n  "p\\"\\"\\"\\\\": {base: native}\n'
        "fields:\n  id: {type: uuid, primary_key: true, value: uuid4}\n"
        '  href: {type: text, value: {template: "/a/\\"\\"\\"\'{id}\\\\n"}}\n',
        encoding="utf-8",
    )
    result = run_cli("generate-mixin", "--rules", str(rules))
    assert (result.code, result.err) == (0, "")
    namespace: dict[str, object] = {}
    exec(compile(result.out, "envoxy_mixin.py", "exec"), namespace)
    render: Any = namespace["_render_href"]
    assert render("t", "X") == '/a/"""\'X\\n'
    assert 'from rules.yaml (profile: p\\"\\"\\"\\\\).\n' in result.out
    assert '    href  TEXT NOT NULL: /a/\\"\\"\\"\'{id}\\\\n on insert\n' in result.out


TRICKY_TEMPLATES = [
    "/v3/{table}/{id}",
    "{id}",
    "{table}",
    "plain text, no field",
    "{{literal braces}} {table}/{{{id}}}",
    "quotes ' \" \"\"\" ''' and a backslash \\ {id} \\n",
    'f"{id}" # not a comment',
    "unicode é ✓ 𝄞 {table}·{id}",
    "tab\there {id}",
]


@pytest.mark.parametrize("template", TRICKY_TEMPLATES)
def test_template_renders_as_str_format_would(tmp_path: Path, template: str) -> None:
    """The template becomes an f-string in the module: it must render what ``str.format`` does."""
    rules = tmp_path / "rules.yaml"
    quoted = json.dumps(template, ensure_ascii=False)  # a JSON string is a YAML string
    rules.write_text(
        "version: 1\nprofile: legacy\nfields:\n"
        "  id: {type: uuid, primary_key: true, value: uuid4}\n"
        f"  href: {{type: text, value: {{template: {quoted}}}}}\n",
        encoding="utf-8",
    )
    result = run_cli("generate-mixin", "--rules", str(rules))
    assert (result.code, result.err) == (0, "")
    namespace: dict[str, Any] = {}
    exec(compile(result.out, "envoxy_mixin.py", "exec"), namespace)
    reads_id = any(field == "id" for _, field, _, _ in string.Formatter().parse(template))
    for table, row_id in [("things", "0f0e"), ("a{b}", "{id}"), ("é", 'q"\\')]:
        rendered = namespace["_render_href"](table, *([row_id] if reads_id else []))
        assert rendered == template.format(table=table, id=row_id)
