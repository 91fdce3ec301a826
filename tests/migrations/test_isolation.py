"""Revision isolation (issue 10.1): nothing a revision script does changes how the other revisions
are judged, ends the scan or reaches envoxy's output.

Every case is a history ``a1 -> h1 -> c1`` where ``a1`` and ``c1`` break rules and ``h1`` is
hostile. The findings about ``a1`` and ``c1`` must be exactly those of the history without ``h1``
(or, for a revision whose hostility is harmless, of the history with a tame ``h1``), ``h1`` gets
the finding given, the exit status is 1 (``a1`` and ``c1`` have errors), the JSON parses and
nothing ``h1`` prints reaches the streams.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, run_cli

RULES = str(REPO / "rules.yaml")
MARK = "HOSTILE-OUTPUT"
STAMP = "TIMESTAMP WITHOUT TIME ZONE NOT NULL"

A1 = """\
import sqlalchemy as sa
from alembic import op

revision = "a1"
down_revision = None


def upgrade():
    op.create_table(
        "things",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("updated", sa.DateTime(), nullable=False),
        sa.Column("href", sa.Text(), nullable=False),
        sa.Column("note", sa.Text()),
    )
    op.create_table("bare", sa.Column("id", sa.String(36), primary_key=True))
"""

C1 = """\
import sqlalchemy as sa
from alembic import op

revision = "c1"
down_revision = {down!r}


def upgrade():
    op.alter_column("things", "created", existing_type=sa.DateTime(), nullable=True)
    op.add_column("things", sa.Column("extra", sa.Integer()))
    op.create_table("later", sa.Column("id", sa.Integer(), primary_key=True))
"""

H1 = """\
import sqlalchemy as sa
from alembic import op

revision = "h1"
down_revision = "a1"
{module}

def upgrade():
{upgrade}
    op.drop_column("things", "note")
"""


def write_history(root: Path, hostile: str | None, *, module: str = "", upgrade: str = "") -> Path:
    """``a1 -> h1 -> c1`` under ``root/versions`` (no ``h1`` when ``hostile`` is None)."""
    versions = root / "versions"
    versions.mkdir(parents=True)
    (versions / "a1_rev.py").write_text(A1, encoding="utf-8")
    (versions / "c1_rev.py").write_text(
        C1.format(down="h1" if hostile is not None else "a1"), encoding="utf-8"
    )
    if hostile is not None:
        body = textwrap.indent(textwrap.dedent(upgrade), "    ") if upgrade.strip() else ""
        (versions / "h1_rev.py").write_text(
            H1.format(module=textwrap.dedent(module), upgrade=body), encoding="utf-8"
        )
    return versions


def findings(out: str) -> list[tuple[Any, ...]]:
    report = json.loads(out)
    return [(f["rule"], f["path"], f["line"], f["message"]) for f in report["findings"]]


def check(root: Path, *extra: str) -> tuple[int, list[tuple[Any, ...]]]:
    result = run_cli("check-migrations", "versions", "--rules", RULES, "--format", "json", *extra, cwd=root)
    assert result.err == ""
    assert MARK not in result.out
    return result.code, findings(result.out)


def others(found: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return [f for f in found if f[1] != "versions/h1_rev.py"]


def hostile(found: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return [f for f in found if f[1] == "versions/h1_rev.py"]


def _unanalysable(why: str) -> list[tuple[Any, ...]]:
    return [
        (
            "unanalysable-revision",
            "versions/h1_rev.py",
            None,
            f"revision 'h1' could not be analysed: {why}; none of its ops were checked and the "
            "revisions after it were judged without them",
        )
    ]


def _stopped(why: str, line: int) -> list[tuple[Any, ...]]:
    return [
        (
            "unanalysable-revision",
            "versions/h1_rev.py",
            line,
            f"upgrade() of revision 'h1' could not be followed to its end ({why}); only the ops "
            "before it were checked",
        )
    ]


def _unimportable(why: str, line: int) -> list[tuple[Any, ...]]:
    return [("parse-error", "versions/h1_rev.py", line, f"revision file cannot be imported: {why}")]


# name -> (module-level code, upgrade() code, what h1 gets; None: judged as the tame h1 is)
CASES: dict[str, tuple[str, str, list[tuple[Any, ...]] | None]] = {
    "sys.modules['sqlalchemy'] = None": (
        "import sys\nsys.modules['sqlalchemy'] = None\n",
        "",
        _unanalysable("it changed sys.modules['sqlalchemy']"),
    ),
    "sys.modules edited in upgrade()": (
        "import sys\n",
        "sys.modules['envoxy.tables'] = None\ndel sys.modules['alembic.op']\n",
        _unanalysable("it changed sys.modules['alembic.op'], sys.modules['envoxy.tables']"),
    ),
    "SQLAlchemy monkeypatched": (
        "sa.Column.__init__ = lambda self, *a, **k: None\n",
        "",
        _unanalysable("it changed sqlalchemy.sql.schema.Column.__init__"),
    ),
    "SQLAlchemy method added": (
        "sa.DateTime.__eq__ = lambda self, other: True\n",
        "",
        _unanalysable("it changed sqlalchemy.sql.sqltypes.DateTime.__eq__"),
    ),
    "Alembic monkeypatched": (
        "from alembic.operations import ops\nops.AlterColumnOp.__init__ = ops.DropColumnOp.__init__\n",
        "",
        _unanalysable("it changed alembic.operations.ops.AlterColumnOp.__init__"),
    ),
    "envoxy monkeypatched": (
        "import envoxy.tables\nenvoxy.tables.judge_table = lambda *a, **k: []\n",
        "",
        _unanalysable("it changed envoxy.tables.judge_table"),
    ),
    "envoxy's op table emptied": (
        "from envoxy.migrations import schema\n",
        "schema._APPLY.clear()\n",
        _unanalysable("it changed envoxy.migrations.schema._APPLY"),
    ),
    "a builtin replaced": (
        "import builtins\nbuiltins.sorted = lambda *a, **k: []\n",
        "",
        _unanalysable("it changed builtins.sorted"),
    ),
    "the builtins the guard itself uses replaced": (
        "import builtins\nbuiltins.all = lambda values: True\nbuiltins.len = lambda value: 0\n",
        "",
        _unanalysable("it changed builtins.all, builtins.len"),
    ),
    "signal handler": (
        "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n",
        "",
        _unanalysable("it changed the handler of SIGINT"),
    ),
    "KeyboardInterrupt in upgrade()": (
        "",
        "raise KeyboardInterrupt('stop')\n",
        _stopped("KeyboardInterrupt: stop", 9),
    ),
    "SystemExit in upgrade()": ("", "raise SystemExit(0)\n", _stopped("SystemExit: 0", 9)),
    "a BaseException of its own in upgrade()": (
        "class Halt(BaseException):\n    pass\n",
        "raise Halt('halt')\n",
        _stopped("Halt: halt", 11),
    ),
    "KeyboardInterrupt at import": (
        "raise KeyboardInterrupt('at import')\n",
        "",
        _unimportable("KeyboardInterrupt: at import", 6),
    ),
    "SystemExit at import": ("raise SystemExit(3)\n", "", _unimportable("SystemExit: 3", 6)),
    "os._exit at import": (
        "import os\nos._exit(0)\n",
        "",
        _unimportable("ProcessExit: the revision called os._exit(0)", 7),
    ),
    "memory": (
        "",
        "hoard = bytearray(1 << 33)\n",
        _stopped("MemoryError:", 9),
    ),
    "prints everywhere": (
        f"import os, sys\nprint({MARK!r})\nprint({MARK!r}, file=sys.stderr)\nos.write(1, b{MARK!r})\n",
        f"print({MARK!r})\nos.write(2, b{MARK!r})\n",
        None,
    ),
    "atexit and __del__ that print": (
        "import atexit\n"
        f"atexit.register(print, {MARK!r})\n"
        "class Loud:\n"
        f"    def __del__(self):\n        print({MARK!r})\n"
        "kept = Loud()\n",
        "Loud()\n",
        None,
    ),
    "streams closed and redirected": (
        "import os, sys\n",
        "os.close(1)\n"
        "os.dup2(os.open(os.devnull, os.O_WRONLY), 2)\n"
        "sys.stdout.close()\n"
        f"print({MARK!r}, file=sys.stderr)\n",
        None,
    ),
}


@pytest.fixture(scope="module")
def absent(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, list[tuple[Any, ...]]]:
    return check(write_history(tmp_path_factory.mktemp("absent"), None).parent)


@pytest.fixture(scope="module")
def tame(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, list[tuple[Any, ...]]]:
    return check(write_history(tmp_path_factory.mktemp("tame"), "tame").parent)


def test_the_reference_histories(
    absent: tuple[int, list[tuple[Any, ...]]], tame: tuple[int, list[tuple[Any, ...]]]
) -> None:
    """What a1 and c1 break, without h1 and with a tame one (the cases compare against these)."""
    assert absent == (
        1,
        [
            (
                "missing-field",
                "versions/a1_rev.py",
                17,
                f"table 'bare' lacks required column 'created' ({STAMP})",
            ),
            (
                "missing-field",
                "versions/a1_rev.py",
                17,
                "table 'bare' lacks required column 'href' (TEXT NOT NULL)",
            ),
            (
                "missing-field",
                "versions/a1_rev.py",
                17,
                f"table 'bare' lacks required column 'updated' ({STAMP})",
            ),
            (
                "altered-field",
                "versions/c1_rev.py",
                9,
                "alter_column on required column 'things.created' makes it nullable; rules.yaml "
                f"expects 'created' {STAMP}",
            ),
            (
                "missing-field",
                "versions/c1_rev.py",
                11,
                f"table 'later' lacks required column 'created' ({STAMP})",
            ),
            (
                "missing-field",
                "versions/c1_rev.py",
                11,
                "table 'later' lacks required column 'href' (TEXT NOT NULL)",
            ),
            (
                "missing-field",
                "versions/c1_rev.py",
                11,
                f"table 'later' lacks required column 'updated' ({STAMP})",
            ),
            ("wrong-type", "versions/c1_rev.py", 11, "column 'later.id' is INTEGER, expected VARCHAR(36)"),
        ],
    )
    assert tame == absent


@pytest.mark.parametrize("case", list(CASES))
def test_a_hostile_revision_changes_nothing_else(
    case: str,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    absent: tuple[int, list[tuple[Any, ...]]],
    tame: tuple[int, list[tuple[Any, ...]]],
) -> None:
    module, upgrade, expected = CASES[case]
    code, found = check(write_history(tmp_path, case, module=module, upgrade=upgrade).parent)
    out, err = capfd.readouterr()
    assert (MARK not in out, MARK not in err) == (True, True)
    assert code == 1
    if expected is None:  # harmless to the scan: h1 is judged as the same revision without it
        assert found == tame[1]
    else:
        assert (others(found), hostile(found)) == (absent[1], expected)


def test_head_state_and_schema_after_sys_modules_edited(tmp_path: Path) -> None:
    module = "import sys\nsys.modules['sqlalchemy'] = None\n"
    reference = tmp_path / "reference"
    write_history(reference, None)
    root = tmp_path / "hostile"
    write_history(root, "sys.modules", module=module)
    code, found = check(root, "--head-state")
    assert code == 1
    assert others(found) == check(reference, "--head-state")[1]
    assert hostile(found) == _unanalysable("it changed sys.modules['sqlalchemy']")
    schema = run_cli("schema", "--from-migrations", "versions", "--format", "json", cwd=root)
    assert json.loads(schema.out) == json.loads(
        run_cli("schema", "--from-migrations", "versions", "--format", "json", cwd=reference).out
    )
    assert "versions/h1_rev.py: warning: revision 'h1' could not be analysed" in schema.err


def test_init_from_migrations_after_envoxy_monkeypatched(tmp_path: Path) -> None:
    module = "import envoxy.tables\nenvoxy.tables.judge_table = lambda *a, **k: []\n"
    reference, root = tmp_path / "reference", tmp_path / "hostile"
    write_history(reference, None)
    write_history(root, "patch", module=module)
    made = run_cli("init", "--from-migrations", "versions", cwd=root)
    assert (made.code, made.err) == (0, "")
    assert run_cli("init", "--from-migrations", "versions", cwd=reference).code == 0
    assert (root / "rules.yaml").read_text(encoding="utf-8") == (reference / "rules.yaml").read_text(
        encoding="utf-8"
    )


# -- revisions that end, hang or cut off the process that runs them: through a real process ------

PROBE = """
import json, sys
from pathlib import Path
from envoxy.migrations.loader import resolve_locations
from envoxy.migrations.scanner import scan
from envoxy.rules import load_rules

result = scan(resolve_locations("versions", Path.cwd()), load_rules(sys.argv[1]), seconds=0.5)
print(json.dumps([(f.rule, f.path, f.line, f.message) for f in result.findings]))
"""

DEADLY: dict[str, tuple[str, str, list[tuple[Any, ...]]]] = {
    "killed by a signal": (
        "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n",
        "",
        _unanalysable("it ended the process that ran it (SIGKILL)"),
    ),
    "every descriptor closed": (
        "import os\nos.closerange(0, 65536)\n",
        "",
        _unanalysable("it ended the process that ran it (exit status 70)"),
    ),
    "a busy loop that ignores the time limit": (
        "import signal\n",
        "signal.signal(signal.SIGALRM, signal.SIG_IGN)\nwhile True:\n    pass\n",
        _unanalysable("it was still running after 4 s"),
    ),
    "a thread left running": (
        "import threading, time\n"
        "def forever():\n    while True:\n        time.sleep(0.01)\n"
        "threading.Thread(target=forever, daemon=True).start()\n",
        "",
        _unanalysable("it left 1 thread running 0.5 s after it ended"),
    ),
}


def probe(root: Path) -> tuple[int, list[tuple[Any, ...]], str]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, RULES], cwd=root, capture_output=True, text=True, timeout=120
    )
    found = [tuple(f) for f in json.loads(proc.stdout)] if proc.returncode == 0 else []
    return proc.returncode, found, proc.stderr


@pytest.fixture(scope="module")
def probed(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Any, ...]]:
    root = tmp_path_factory.mktemp("probed")
    write_history(root, None)
    code, found, err = probe(root)
    assert (code, err) == (0, "")
    return found


@pytest.mark.parametrize("case", list(DEADLY))
def test_a_revision_ending_the_process_that_runs_it(
    case: str, tmp_path: Path, probed: list[tuple[Any, ...]], absent: tuple[int, list[tuple[Any, ...]]]
) -> None:
    module, upgrade, expected = DEADLY[case]
    write_history(tmp_path, case, module=module, upgrade=upgrade)
    code, found, err = probe(tmp_path)
    assert (code, err) == (0, "")
    assert sorted(probed) == sorted(absent[1])  # the scan does not sort; the command does
    assert (others(found), hostile(found)) == (probed, expected)


def test_the_command_after_a_deadly_revision(tmp_path: Path) -> None:
    write_history(tmp_path, "kill", module="import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n")
    proc = subprocess.run(
        [sys.executable, "-m", "envoxy.check_migrations", "versions", "--rules", RULES, "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (proc.returncode, proc.stderr) == (1, "")
    assert hostile(findings(proc.stdout)) == _unanalysable("it ended the process that ran it (SIGKILL)")


# -- without a worker process (no os.fork): the guard restores -----------------------------------


@pytest.mark.parametrize(
    "case",
    ["sys.modules['sqlalchemy'] = None", "envoxy monkeypatched", "signal handler", "SystemExit in upgrade()"],
)
def test_in_process_the_guard_restores(case: str, tmp_path: Path) -> None:
    import signal

    import envoxy.tables
    from envoxy.migrations.loader import resolve_locations
    from envoxy.migrations.scanner import scan
    from envoxy.rules import load_rules

    def scanned(root: Path) -> list[tuple[Any, ...]]:
        versions = resolve_locations("versions", root)
        result = scan(versions, load_rules(RULES), isolated=False)
        return [(f.rule, f.path, f.line, f.message) for f in result.findings]

    before = (dict(sys.modules), envoxy.tables.judge_table, signal.getsignal(signal.SIGALRM))
    module, upgrade, expected = CASES[case]
    write_history(tmp_path / "reference", None)
    write_history(tmp_path / "hostile", case, module=module, upgrade=upgrade)
    found = scanned(tmp_path / "hostile")
    after = (sys.modules, envoxy.tables.judge_table, signal.getsignal(signal.SIGALRM))
    assert (others(found), hostile(found)) == (scanned(tmp_path / "reference"), expected)
    assert all(after[0].get(k) is v for k, v in before[0].items())
    assert after[1:] == before[1:]
