"""The fixed code of the generated module, read from the template files as blocks.

A template file (``envoxy/mixin/templates/<file>.py``) is real Python, checked by ruff and mypy
like the rest of envoxy. Its code after the header is cut into blocks by ``# @block NAME``
comment lines; a block is copied into the generated module verbatim. :func:`pick` chooses
blocks by name or by a name they define, and adds the blocks of the same file whose names they
use, so a maker brings the helpers it calls.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["Block", "pick", "template_blocks"]

_MARKER = re.compile(r"^# @block (\S+)\n", re.MULTILINE)


@dataclass(frozen=True, slots=True, kw_only=True)
class Block:
    """One block of a template file: its code, the top-level names it defines and those it reads."""

    name: str
    code: str
    defines: frozenset[str]
    uses: frozenset[str]


def _defined(tree: ast.Module) -> frozenset[str]:
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return frozenset(names)


@cache
def template_blocks(file: str) -> tuple[Block, ...]:
    """The blocks of ``templates/<file>.py``, in file order."""
    text = (resources.files("envoxy.mixin.templates") / f"{file}.py").read_text(encoding="utf-8")
    parts = _MARKER.split(text)[1:]  # the header before the first marker is not copied
    blocks = []
    for name, code in zip(parts[::2], parts[1::2], strict=True):
        code = code.strip("\n")
        tree = ast.parse(code)
        uses = frozenset(n.id for n in ast.walk(tree) if isinstance(n, ast.Name))
        blocks.append(Block(name=name, code=code, defines=_defined(tree), uses=uses))
    return tuple(blocks)


def pick(file: str, wanted: Iterable[str], renames: Mapping[str, str] | None = None) -> list[str]:
    """The code of the blocks of ``file`` named in ``wanted`` or defining a name in it, and of
    the blocks of the same file they use, in file order; ``renames`` renames identifiers."""
    blocks = template_blocks(file)
    names = set(wanted)
    chosen = {b.name for b in blocks if b.name in names or b.defines & names}
    pending = list(chosen)
    while pending:
        name = pending.pop()
        block = next(b for b in blocks if b.name == name)
        for other in blocks:
            if other.name not in chosen and other.defines & block.uses:
                chosen.add(other.name)
                pending.append(other.name)
    codes = [b.code for b in blocks if b.name in chosen]
    for old, new in (renames or {}).items():
        codes = [re.sub(rf"\b{re.escape(old)}\b", new, code) for code in codes]
    return codes
