"""``envoxy validate --fix`` and ``--fix --diff`` through the real CLI.

Golden cases: ``tests/data/fix/<case>/before.json`` fixed is ``after.json`` byte for byte (styles:
indentation widths, tabs, CRLF, BOM, no final newline, one-line and minified files, empty
``fields``, escaped keys...); ``expected.json`` holds what ``--fix`` says on stderr and the rules
still reported afterwards. ``rules.yaml`` beside a case replaces the shipped rules.
``ENVOXY_REGENERATE_FIX_GOLDENS=1`` rewrites ``after.json`` and ``expected.json`` (review the diff).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from tests.conftest import DATA, CliResult, run_cli

CASES = sorted(p for p in (DATA / "fix").iterdir() if p.is_dir())
SHIPPED = DATA / "validate" / "rules.yaml"
REGENERATE = os.environ.get("ENVOXY_REGENERATE_FIX_GOLDENS") == "1"


def rules_of(case: Path) -> str:
    return str(case / "rules.yaml") if (case / "rules.yaml").exists() else str(SHIPPED)


def validate(tmp: Path, *argv: str, rules: str = str(SHIPPED)) -> CliResult:
    return run_cli("validate", "--rules", rules, *argv, cwd=tmp)


def remaining(result: CliResult) -> list[str]:
    return sorted({f["rule"] for f in json.loads(result.out)["findings"]})


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden(case: Path, tmp_path: Path) -> None:
    before = (case / "before.json").read_bytes()
    (tmp_path / "models").mkdir()
    model = tmp_path / "models" / "model.json"
    model.write_bytes(before)
    rules = rules_of(case)

    fixed = validate(tmp_path, "--fix", "--format", "json", "models/model.json", rules=rules)
    after = model.read_bytes()
    found = {"stderr": fixed.err.splitlines(), "remaining": remaining(fixed)}
    if REGENERATE:
        (case / "after.json").write_bytes(after)
        (case / "expected.json").write_text(
            json.dumps(found, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    assert after == (case / "after.json").read_bytes()
    assert found == json.loads((case / "expected.json").read_text(encoding="utf-8"))
    assert fixed.code == (1 if any(r != "unused-exemption" for r in found["remaining"]) else 0)
    if before == after:
        assert found["stderr"][-1] == "envoxy: --fix found nothing to fix"

    # Again: nothing changes, and what is reported is what was reported after the first fix.
    again = validate(tmp_path, "--fix", "--format", "json", "models/model.json", rules=rules)
    assert model.read_bytes() == after
    assert again.err.splitlines()[-1] == "envoxy: --fix found nothing to fix"
    assert again.out == fixed.out
    assert (again.code, remaining(again)) == (fixed.code, found["remaining"])


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_diff_writes_nothing_and_patch_and_git_apply_it(case: Path, tmp_path: Path) -> None:
    before, after = (case / "before.json").read_bytes(), (case / "after.json").read_bytes()
    (tmp_path / "models").mkdir()
    model = tmp_path / "models" / "model.json"
    model.write_bytes(before)

    shown = validate(tmp_path, "--fix", "--diff", "models/model.json", rules=rules_of(case))
    assert model.read_bytes() == before
    assert shown.code == (1 if before != after else 0)
    if before == after:
        assert shown.out == ""
        return
    assert shown.out.startswith("--- a/models/model.json\n+++ b/models/model.json\n@@ ")
    (tmp_path / "change.diff").write_text(shown.out, encoding="utf-8", newline="")
    for applier in (["patch", "-p1", "--binary", "-i", "change.diff"], ["git", "apply", "change.diff"]):
        model.write_bytes(before)
        done = subprocess.run(applier, cwd=tmp_path, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
        assert model.read_bytes() == after, applier


def test_a_directory_every_file_fixed_and_the_report_after(tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    for case in ("spaces-4", "tabs", "valid-unchanged", "parse-error", "duplicate-keys"):
        (models / f"{case}.json").write_bytes((DATA / "fix" / case / "before.json").read_bytes())
    result = validate(tmp_path, "--fix", "models")
    assert result.err == (
        "envoxy: --fix left models/duplicate-keys.json as it is: it repeats a key in an object, and a "
        "rewrite could change which of them counts\n"
        "envoxy: --fix left models/parse-error.json as it is: it is not valid JSON\n"
        "envoxy: --fix fixed 7 declarations in 2 files\n"
    )
    assert result.code == 1
    assert result.out.splitlines() == [
        "models/duplicate-keys.json:3:13: missing-field datum 'dupes' lacks required field 'created'",
        "models/duplicate-keys.json:3:13: missing-field datum 'dupes' lacks required field 'href'",
        "models/duplicate-keys.json:3:13: missing-field datum 'dupes' lacks required field 'updated'",
        "models/duplicate-keys.json:5:11: duplicate-key datum 'dupes' declares field 'id' 2 times in "
        "'fields'; the last declaration hides the others",
        "models/parse-error.json:5:3: parse-error invalid JSON: expecting property name enclosed in "
        "double quotes",
        "5 findings in 5 files: 5 errors, 0 warnings.",
        "Run 'envoxy explain missing-field' (or duplicate-key, parse-error) for why and how to fix.",
    ]
    for case in ("spaces-4", "tabs"):
        assert (models / f"{case}.json").read_bytes() == (DATA / "fix" / case / "after.json").read_bytes()


def test_exit_status_follows_what_remains(tmp_path: Path) -> None:
    (tmp_path / "m.json").write_bytes((DATA / "fix" / "spaces-4" / "before.json").read_bytes())
    result = validate(tmp_path, "--fix", "m.json")
    assert (result.code, result.out, result.err) == (
        0,
        "No findings in 1 file.\n",
        "envoxy: --fix fixed 4 declarations in 1 file\n",
    )


def test_diff_to_output_file(tmp_path: Path) -> None:
    (tmp_path / "m.json").write_bytes((DATA / "fix" / "tabs" / "before.json").read_bytes())
    result = validate(tmp_path, "--fix", "--diff", "--output", "fix.diff", "m.json")
    assert (result.code, result.out) == (1, "")
    assert (tmp_path / "fix.diff").read_text(encoding="utf-8").startswith("--- a/m.json\n+++ b/m.json\n")
    assert (tmp_path / "m.json").read_bytes() == (DATA / "fix" / "tabs" / "before.json").read_bytes()


@pytest.mark.parametrize(
    "argv",
    [["--diff", "m.json"], ["--fix", "--diff", "--format", "json", "m.json"]],
    ids=["diff-without-fix", "diff-with-format"],
)
def test_diff_usage_errors(argv: list[str], tmp_path: Path) -> None:
    (tmp_path / "m.json").write_text('{"fields": {}}', encoding="utf-8")
    result = validate(tmp_path, *argv)
    assert (result.code, result.out, result.err) == (
        2,
        "",
        "envoxy: --diff prints what --fix would change as a unified diff: use --fix --diff, without "
        "--format\n",
    )
    assert (tmp_path / "m.json").read_text(encoding="utf-8") == '{"fields": {}}'


def test_a_file_that_cannot_be_written_is_reported_and_the_rest_fixed(tmp_path: Path) -> None:
    models = tmp_path / "models"
    (models / "locked").mkdir(parents=True)
    for name in ("locked/a.json", "b.json"):
        (models / name).write_bytes((DATA / "fix" / "tabs" / "before.json").read_bytes())
    (models / "locked").chmod(stat.S_IRUSR | stat.S_IXUSR)  # no new file (the atomic write) there
    try:
        if os.access(models / "locked", os.W_OK):
            pytest.skip("this user can write to a read-only directory (root)")
        result = validate(tmp_path, "--fix", "models")
    finally:
        (models / "locked").chmod(stat.S_IRWXU)
    assert result.err.splitlines() == [
        "envoxy: --fix cannot write models/locked/a.json: Permission denied",
        "envoxy: --fix fixed 3 declarations in 1 file",
    ]
    assert result.code == 1
    assert (models / "b.json").read_bytes() == (DATA / "fix" / "tabs" / "after.json").read_bytes()


def test_a_failed_write_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As above for a user (root) whom permissions do not stop: the write itself fails."""
    import envoxy._io

    real = envoxy._io.atomic_write

    def failing(path: str | os.PathLike[str], data: str | bytes, *, follow: bool = True) -> None:
        if str(path).endswith("a.json"):
            raise PermissionError(13, "Permission denied")
        real(path, data, follow=follow)

    monkeypatch.setattr(envoxy._io, "atomic_write", failing)
    for name in ("a.json", "b.json"):
        (tmp_path / name).write_bytes((DATA / "fix" / "tabs" / "before.json").read_bytes())
    result = validate(tmp_path, "--fix", "a.json", "b.json")
    assert result.err.splitlines() == [
        "envoxy: --fix cannot write a.json: Permission denied",
        "envoxy: --fix fixed 3 declarations in 1 file",
    ]
    assert result.code == 1
    assert (tmp_path / "a.json").read_bytes() == (DATA / "fix" / "tabs" / "before.json").read_bytes()
    assert (tmp_path / "b.json").read_bytes() == (DATA / "fix" / "tabs" / "after.json").read_bytes()


def test_a_file_edited_while_fix_runs_keeps_the_edit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--fix`` reads every file, then writes the fixed ones: a file someone saved in between (an
    editor, a ``git checkout``) is left as they saved it, said so, and reported as it now is."""
    import envoxy.validate.fix
    from envoxy.validate.checker import Checker
    from envoxy.validate.discovery import Target

    real = envoxy.validate.fix.fix_file
    edited = b'{"table": "edited", "fields": {"id": {"type": "integer"}}}\n'

    def then_edited(checker: Checker, target: Target) -> envoxy.validate.fix.FileFix:
        fix = real(checker, target)
        if target.shown == "a.json":
            Path(tmp_path, "a.json").write_bytes(edited)
        return fix

    monkeypatch.setattr(envoxy.validate.fix, "fix_file", then_edited)
    for name in ("a.json", "b.json"):
        (tmp_path / name).write_bytes((DATA / "fix" / "tabs" / "before.json").read_bytes())
    result = validate(tmp_path, "--fix", "--format", "json", "a.json", "b.json")
    assert result.err.splitlines() == [
        "envoxy: --fix left a.json as it is: it changed while --fix ran (run --fix again)",
        "envoxy: --fix fixed 3 declarations in 1 file",
    ]
    assert (tmp_path / "a.json").read_bytes() == edited
    assert (tmp_path / "b.json").read_bytes() == (DATA / "fix" / "tabs" / "after.json").read_bytes()
    assert result.code == 1
    assert [(f["path"], f["table"], f["field"]) for f in json.loads(result.out)["findings"]] == [
        ("a.json", "edited", "created"),
        ("a.json", "edited", "href"),
        ("a.json", "edited", "updated"),
        ("a.json", "edited", "id"),
    ]


def test_a_symlink_is_followed_and_kept(tmp_path: Path) -> None:
    (tmp_path / "real.json").write_bytes((DATA / "fix" / "tabs" / "before.json").read_bytes())
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "link.json").symlink_to("../real.json")
    result = validate(tmp_path, "--fix", "models")
    assert result.code == 0, result.out + result.err
    assert (tmp_path / "models" / "link.json").is_symlink()
    assert (tmp_path / "real.json").read_bytes() == (DATA / "fix" / "tabs" / "after.json").read_bytes()


def test_permissions_are_kept(tmp_path: Path) -> None:
    model = tmp_path / "m.json"
    model.write_bytes((DATA / "fix" / "tabs" / "before.json").read_bytes())
    model.chmod(0o640)
    assert validate(tmp_path, "--fix", "m.json").code == 0
    assert stat.S_IMODE(model.stat().st_mode) == 0o640


def test_plain_validate_does_not_import_the_fixer(tmp_path: Path) -> None:
    import sys

    shutil.copy(DATA / "fix" / "spaces-4" / "before.json", tmp_path / "m.json")
    code = (
        "import sys\nfrom envoxy.cli import main\n"
        f"main(['validate', '--rules', {str(SHIPPED)!r}, 'm.json'])\n"
        "print('LOADED', sorted(m for m in sys.modules if m in ('envoxy.validate.fix', "
        "'envoxy.validate.layout')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.stdout.splitlines()[-1] == "LOADED []", done.stdout + done.stderr
