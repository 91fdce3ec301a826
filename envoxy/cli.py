"""The ``envoxy`` command: maps flags onto the library and its result onto an exit status.

Exit status: 0 no error finding; 1 at least one; 2 usage or configuration error. Each subcommand
lives in :mod:`envoxy.commands` as ``add_arguments(parser)`` + ``run(args, ctx)``; modules there
import only :mod:`argparse` at the top so that ``python -m envoxy.validate`` starts fast.
"""

from __future__ import annotations

import argparse
import importlib
import io
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TextIO, cast

from envoxy import __version__
from envoxy.errors import EnvoxyError, ProblemsError

if TYPE_CHECKING:
    from envoxy.findings import Report
    from envoxy.rules.model import RuleSet

__all__ = ["COMMANDS", "Context", "add_report_options", "main"]

COMMANDS: dict[str, str] = {
    "validate": "envoxy.commands.validate",
    "check-migrations": "envoxy.commands.check_migrations",
    "check-db": "envoxy.commands.check_db",
    "compile": "envoxy.commands.compile",
    "generate-mixin": "envoxy.commands.generate_mixin",
    "init-alembic": "envoxy.commands.init_alembic",
    "init": "envoxy.commands.init",
    "explain": "envoxy.commands.explain",
    "schema": "envoxy.commands.schema",
}
SHIPPED_DEFAULT_NOTE = (
    "envoxy: no rules.yaml here or above, so envoxy's shipped default rules apply "
    "(profile legacy); 'envoxy init' writes a rules.yaml inferred from this project\n"
)


class Command(Protocol):
    HELP: str

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace, ctx: Context) -> int: ...


@dataclass(slots=True)
class Context:
    """What a command needs from the outside world; tests pass their own streams."""

    rules_path: str | None
    stdout: TextIO
    stderr: TextIO
    cwd: Path = field(default_factory=Path.cwd)
    _rules: RuleSet | None = None

    def rules(self) -> RuleSet:
        """The rules in force (see :func:`envoxy.rules.load_rules`), loaded once, through the
        compiled-rules cache (:mod:`envoxy.rules.cache`)."""
        if self._rules is None:
            from envoxy.rules.cache import load_rules_cached

            self._rules = load_rules_cached(self.rules_path, cwd=self.cwd)
            if (self._rules.source or "").startswith("<"):  # said once: the rules load once
                self.stderr.write(SHIPPED_DEFAULT_NOTE)
        return self._rules

    def emit(self, report: Report, args: argparse.Namespace) -> int:
        """Render ``report`` as ``--format`` to ``--output`` (atomically) or stdout."""
        from envoxy.report import render, use_color

        fmt = getattr(args, "format", "text")
        output = getattr(args, "output", None)
        if self._rules is not None and self._rules.checks and not report.checks:
            from dataclasses import replace

            report = replace(report, checks=self._rules.checks)
        if output:
            from envoxy._io import atomic_write

            buffer = io.StringIO()
            render(report, fmt, buffer, color=False)
            try:
                atomic_write(output, buffer.getvalue())
            except OSError as e:
                raise EnvoxyError(f"cannot write --output {output}: {e.strerror}") from e
        else:
            render(report, fmt, self.stdout, color=use_color(self.stdout))
        return report.exit_code


def add_report_options(parser: argparse.ArgumentParser) -> None:
    """``--format`` (one choice per entry of the reporter table) and ``--output``, shared by every
    command that reports findings."""
    from envoxy.report import REPORTERS

    parser.add_argument(
        "--format", choices=tuple(REPORTERS), default="text", help="how to print findings (default: text)"
    )
    parser.add_argument(
        "--output", metavar="FILE", help="write the report to FILE (atomically) instead of standard output"
    )


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rules",
        metavar="PATH",
        help="rules file (default: $ENVOXY_RULES, else the nearest rules.yaml "
        "upward from here, else the one shipped with envoxy)",
    )


def _load(name: str) -> Command:
    return importlib.import_module(COMMANDS[name])


def build_parser(only: str | None = None, prog: str | None = None) -> argparse.ArgumentParser:
    if only is not None:
        module = _load(only)
        parser = argparse.ArgumentParser(prog=prog, description=module.HELP)
        _add_common(parser)
        module.add_arguments(parser)
        parser.set_defaults(command=only)
        return parser
    parser = argparse.ArgumentParser(
        prog=prog or "envoxy", description="Keep every table and model on the Envoxy table pattern."
    )
    parser.add_argument("--version", action="version", version=f"envoxy {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        module = _load(name)
        child = sub.add_parser(name, help=module.HELP, description=module.HELP)
        _add_common(child)
        module.add_arguments(child)
    return parser


class _Stdout(io.TextIOBase):
    """``sys.stdout`` for a command: when it is closed (``>&-``) or a write fails (a full disk),
    the command stops with a message saying so instead of an internal error."""

    def __init__(self, stream: TextIO | None) -> None:
        self._stream = stream

    def _target(self) -> TextIO:
        if self._stream is None:
            raise EnvoxyError(
                "standard output is closed, expected somewhere to write (or use "
                "--output FILE where the command has it)"
            )
        return self._stream

    def write(self, text: str) -> int:
        try:
            return self._target().write(text)
        except BrokenPipeError:
            raise
        except OSError as e:
            raise EnvoxyError(f"cannot write to standard output: {e.strerror or e}") from e

    def flush(self) -> None:
        if self._stream is None:
            return
        try:
            self._stream.flush()
        except BrokenPipeError:
            raise
        except OSError as e:
            raise EnvoxyError(f"cannot write to standard output: {e.strerror or e}") from e

    def isatty(self) -> bool:
        return self._stream is not None and self._stream.isatty()


def _explain_problems(error: ProblemsError, stderr: TextIO) -> None:
    from envoxy.report.escape import escape

    stderr.write(f"envoxy: {error.headline()}\n")
    for problem in error.problems:
        stderr.write(f"{escape(str(problem))}\n")


def main(
    argv: Sequence[str] | None = None,
    *,
    only: str | None = None,
    prog: str | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run the command line; returns the exit status instead of exiting."""
    out = stdout or cast(TextIO, _Stdout(sys.stdout))
    err = stderr or sys.stderr or io.StringIO()  # stderr closed (2>&-): messages are dropped
    parser = build_parser(only, prog)
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # argparse: --help (0) or a usage error (2)
        return int(e.code or 0)
    ctx = Context(rules_path=args.rules, stdout=out, stderr=err)
    try:
        code = _load(args.command).run(args, ctx)
        out.flush()
        return code
    except ProblemsError as e:
        _explain_problems(e, err)
        return 2
    except EnvoxyError as e:
        from envoxy.report.escape import escape  # a message may name a hostile path

        err.write(f"envoxy: {escape(str(e))}\n")
        return 2
    except KeyboardInterrupt:
        err.write("envoxy: interrupted\n")
        return 130
    except BrokenPipeError:
        return 1
    except Exception as e:  # a bug in envoxy: say so plainly; ENVOXY_DEBUG=1 shows the traceback
        if os.environ.get("ENVOXY_DEBUG"):
            raise
        err.write(
            f"envoxy: internal error ({type(e).__name__}: {e}); rerun with ENVOXY_DEBUG=1 and report it\n"
        )
        return 3


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
