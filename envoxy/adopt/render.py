"""Write the ``rules.yaml`` that ``envoxy init`` infers: the shipped default's text, comments and
shape, with the inferred profile, the model paths found and the baseline filled in."""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from typing import Any

__all__ = ["rules_text"]

_PROFILE_LINE = "profile: legacy\n"
_PATHS_LINE = "  paths: []\n"
_FIELDS = "\nfields:\n"


def _quote(text: str) -> str:
    r"""A YAML double-quoted scalar that reads back as ``text``: every character YAML does not
    allow raw, or reads as a line break (``\x85``, ``\u2028``), is escaped, and so is a lone
    surrogate (a file name that is not valid UTF-8), which YAML's ``\u`` escape gives back."""
    out = ['"']
    for c in text:
        o = ord(c)
        if c in '"\\':
            out.append("\\" + c)
        elif o < 0x20 or 0x7F <= o <= 0x9F:
            out.append(f"\\x{o:02x}")
        elif 0xD800 <= o <= 0xDFFF or o in (0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF):
            out.append(f"\\u{o:04x}")
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def _flow(value: Any) -> str:
    """A YAML flow value (mappings, lists, strings)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return _quote(str(value))


def _profile_block(name: str, spec: dict[str, Any]) -> str:
    lines = [
        "",
        "# The types this project's tables already use, where neither legacy nor native fits",
        "# (inferred by `envoxy init`).",
        "profiles:",
        f"  {name}:",
        f"    base: {spec['base']}",
        "    types:",
        *(f"      {logical}: {_flow(t)}" for logical, t in spec["types"].items()),
    ]
    return "\n".join(lines) + "\n"


def rules_text(
    *,
    profile: str = "legacy",
    profile_spec: dict[str, Any] | None = None,
    model_paths: Sequence[str] = (),
    baseline: str | None = None,
    inferred_from: Sequence[str] = (),
) -> str:
    """The shipped default rules, with these choices written in."""
    text = (resources.files("envoxy.rules") / "default.yaml").read_text(encoding="utf-8")
    for marker in (_PROFILE_LINE, _PATHS_LINE, _FIELDS):
        if marker not in text:  # the shipped file changed shape: fail loudly in the tests
            raise AssertionError(f"envoxy/rules/default.yaml lost {marker!r}")
    text = text.replace(_PROFILE_LINE, f"profile: {profile}\n", 1)
    if profile_spec is not None:
        text = text.replace(_FIELDS, _profile_block(profile, profile_spec) + _FIELDS, 1)
    text = text.replace(_PATHS_LINE, f"  paths: {_flow(list(model_paths))}\n", 1)
    if inferred_from:
        # escaped like a JSON string: a name holding a line break must not end the comment
        sources = ", ".join(_quote(s)[1:-1] for s in inferred_from)
        header_end = text.index("\nversion:")
        text = text[:header_end] + f"\n# Written by `envoxy init` from: {sources}." + text[header_end:]
    if baseline is not None:
        text += (
            "\n# Findings accepted for now: `--write-baseline` records them, a fixed one must be dropped\n"
            "# the same way (see envoxy's docs/ADOPTING.md). Relative to this file.\n"
            f"baseline: {_flow(baseline)}\n"
        )
    return text
