"""Hostile text in rules files, generated: NUL characters and lone surrogates wherever a string can
stand, very long values, and files that are not rules at all (secrets an ``extends`` points at).

Each is a rules problem at its line and column, never an internal error, and no message quotes
more than a short, escaped excerpt of what a file holds.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest

from envoxy.errors import EXCERPT_LIMIT
from tests.conftest import run_cli

NUL = "holds a NUL character (U+0000), expected text without NUL characters"


def surrogate(code: str) -> str:
    return (
        f"holds a lone surrogate (U+{code}), expected Unicode text (a character beyond U+FFFF is "
        "one \\U escape, not a pair of \\u escapes)"
    )


# (rules.yaml with {x} where a double-quoted string's text goes, "key" or "string")
PLACES = [
    ('version: 1\nprofile: "le{x}gacy"\n', "string"),
    ('version: 1\nextends: "base{x}.yaml"\n', "string"),
    ('version: 1\nextends: [org.yaml, "base{x}.yaml"]\n', "string"),
    ('version: 1\nexemptions:\n  "audit{x}": {{fields: [href], reason: append-only}}\n', "key"),
    ('version: 1\nexemptions:\n  audit: {{fields: [href], reason: "append{x}only"}}\n', "string"),
    ('version: 1\nexemptions:\n  audit: {{fields: ["hr{x}ef"], reason: append-only}}\n', "string"),
    ('version: 1\nscope: {{include: ["app_{x}*"]}}\n', "string"),
    ('version: 1\nfields:\n  id: {{type: uuid, description: "the{x}id"}}\n', "string"),
    ('version: 1\nfields:\n  "i{x}d": {{type: uuid}}\n', "key"),
    ('version: 1\nprofiles:\n  "ac{x}me": {{base: native}}\n', "key"),
    ('version: 1\nprofiles:\n  acme: {{types: {{uuid: {{sql: "UU{x}ID"}}}}}}\n', "string"),
    ('version: 1\nseverity: {{"wrong-type{x}": warning}}\n', "key"),
    ('version: 1\nmodels: {{paths: ["mod{x}els"]}}\n', "string"),
]
ESCAPES = [("\\0", "'\\x00'", NUL), ("\\x00", "'\\x00'", NUL), ("\\ud800", "'\\ud800'", surrogate("D800"))]
ESCAPES += [("\\udfff", "'\\udfff'", surrogate("DFFF")), ("\\U0000DC80", "'\\udc80'", surrogate("DC80"))]


@pytest.mark.parametrize(("template", "kind"), PLACES, ids=[str(i) for i in range(len(PLACES))])
@pytest.mark.parametrize(("escape", "shown", "message"), ESCAPES, ids=[e[0] for e in ESCAPES])
@pytest.mark.parametrize("command", [["compile", "--check"], ["validate", "models"]])
def test_nul_and_lone_surrogates_are_problems_at_their_place(
    tmp_path: Path, template: str, kind: str, escape: str, shown: str, message: str, command: list[str]
) -> None:
    text = template.format(x=escape)
    (tmp_path / "rules.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "org.yaml").write_text("version: 1\n", encoding="utf-8")
    (tmp_path / "models").mkdir()
    line_no, line = next((i, ln) for i, ln in enumerate(text.splitlines(), 1) if escape in ln)
    column = line.index('"') + 1  # the node starts at its opening quote
    value = line[column : line.index('"', column)].replace(escape, shown[1:-1])
    result = run_cli(*command, "--rules", "rules.yaml", cwd=tmp_path)
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "envoxy: the rules file has 1 problem:\n"
        f"rules.yaml:{line_no}:{column}: the {kind} '{value}' {message}\n"
    )


@pytest.mark.parametrize(
    ("raw", "line", "column"),
    [
        (b"version: 1\nprofile: leg\x00acy\n", 2, 13),
        (b"\x00version: 1\n", 1, 1),
        ("version: 1\n# caf\u00e9 \u2603 na\u00efve\x00\n".encode(), 2, 15),
        (b"version: 1\nexemptions:\n  audit:\n    reason: |\n      line one\n      \x00\n", 6, 7),
    ],
)
def test_nul_bytes_in_the_file_are_located(tmp_path: Path, raw: bytes, line: int, column: int) -> None:
    (tmp_path / "rules.yaml").write_bytes(raw)
    result = run_cli("compile", "--check", "--rules", "rules.yaml", cwd=tmp_path)
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "envoxy: the rules file has 1 problem:\n"
        f"rules.yaml:{line}:{column}: invalid YAML: a NUL character (U+0000) is not allowed, "
        "expected text without NUL characters\n"
    )


def test_a_lone_surrogate_encoded_in_the_file_is_invalid_utf8(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_bytes(b"version: 1\nprofile: le\xed\xa0\x80gacy\n")
    result = run_cli("compile", "--check", "--rules", "rules.yaml", cwd=tmp_path)
    assert result.err == (
        "envoxy: the rules file has 1 problem:\n"
        "rules.yaml:2:12: invalid UTF-8 byte 0xed, expected a UTF-8 text file\n"
    )


# -- nothing but a short excerpt of a file's content -------------------------------------------


def secret_files(secret: str) -> dict[str, str]:
    """Files an ``extends`` might point at, each holding ``secret``."""
    return {
        "shadow": f"root:$6${secret}:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n",
        "id_ed25519": f"-----BEGIN OPENSSH PRIVATE KEY-----\n{secret}\n-----END OPENSSH PRIVATE KEY-----\n",
        "service-account.json": json.dumps({"type": "service_account", "private_key": secret}),
        ".env": f"DATABASE_PASSWORD={secret}\nAPI_TOKEN: {secret}\n",
        "netrc": f"machine db.example login admin password {secret}\n",
        "kubeconfig": f"apiVersion: v1\nusers:\n- name: admin\n  user: {{token: {secret}}}\n",
        "one-line": secret,
        "flow": f"[{secret}, {secret}]",
        "number": "1" * 5000 + secret.replace("-", "").replace("_", "")[:0],
        "yaml-error": f"{secret}: [\n",
        "tagged": f"!!binary {secret}\n",
        "anchor": f"x: *{secret}\n",
    }


@pytest.mark.parametrize("name", sorted(secret_files("s")))
def test_extends_pointing_at_a_secret_never_prints_it(tmp_path: Path, name: str) -> None:
    secret = "S3CR3T-" + secrets.token_hex(48)
    (tmp_path / name).write_text(secret_files(secret)[name], encoding="utf-8")
    (tmp_path / "rules.yaml").write_text(f"version: 1\nextends: {name}\n", encoding="utf-8")
    result = run_cli("compile", "--check", "--rules", "rules.yaml", cwd=tmp_path)
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith("envoxy: the rules file has")
    assert f"{name}:" in result.err
    # at most an excerpt: never the whole secret, never more than EXCERPT_LIMIT of it
    assert secret[EXCERPT_LIMIT:] not in result.err
    assert secret[EXCERPT_LIMIT - 8 : EXCERPT_LIMIT + 8] not in result.err
    assert max(len(line) for line in result.err.splitlines()) < 400


@pytest.mark.parametrize(
    "name", ["shadow", "id_ed25519", "service-account.json", ".env", "netrc", "one-line", "flow"]
)
def test_files_that_are_not_rules_are_not_quoted_at_all(tmp_path: Path, name: str) -> None:
    secret = "S3CR3T-" + secrets.token_hex(48)
    (tmp_path / name).write_text(secret_files(secret)[name], encoding="utf-8")
    (tmp_path / "rules.yaml").write_text(f"version: 1\nextends: {name}\n", encoding="utf-8")
    result = run_cli("compile", "--check", "--rules", "rules.yaml", cwd=tmp_path)
    assert "S3CR3T" not in result.err
    assert result.err.count("\n") == 2  # the heading and one problem for the file


LONG = 200_000


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            f'version: 1\nprofile: "{"p" * LONG}"\n',
            f"rules.yaml:2:10: profile '{'p' * 40}'… ({LONG} characters) is not defined, "
            "expected one of: legacy, mysql, native",
        ),
        (
            f"version: 1\n? {'k' * LONG}\n: 1\n",
            f"rules.yaml:2:3: unknown key '{'k' * 40}'… ({LONG} characters) in the top level, "
            "expected one of: baseline, checks, exemptions, extends, fields, migrations, models, profile, "
            "profiles, scope, severity, version",
        ),
        (
            f"version: 1\nextends: {'e' * LONG}\n",
            f"rules.yaml:2:10: extends '{'e' * 40}'… ({LONG} characters), which does not exist, "
            "expected a path relative to this file",
        ),
        (
            f"version: 1\nversion: {'v' * LONG}\n",
            "rules.yaml:2:1: duplicate key 'version' (first at line 1), expected each key once",
        ),
        (
            f'version: 1\nexemptions:\n  t: {{fields: [href], reason: r, until: "{"2" * LONG}"}}\n',
            f"rules.yaml:3:41: exemptions.t.until is '{'2' * 40}'… ({LONG} characters), "
            "expected a date written YYYY-MM-DD",
        ),
        (
            f"version: 1\nexemptions:\n  t: {{fields: [href], reason: r, until: 2027-02-{'3' * LONG}}}\n",
            f"rules.yaml:3:41: exemptions.t.until is '2027-02-{'3' * 32}'… ({LONG + 8} characters), "
            "expected a date written YYYY-MM-DD",
        ),
        (
            f'version: 1\nfields:\n  href: {{type: text, value: {{template: "{"{"}{"t" * LONG}{"}"}"}}}}\n',
            f"rules.yaml:3:40: template '{{{'t' * 39}'… ({LONG + 2} characters) uses unknown placeholder "
            f"{{{'t' * 40}…}}, expected one of: {{table}}",
        ),
        (
            f'version: 1\nscope: {{include: ["[{"z" * LONG}-a]"]}}\n',
            f"rules.yaml:2:19: glob '[{'z' * 39}'… ({LONG + 4} characters) is malformed "
            "(bad character range z-a), expected a shell glob: *, ? and [...] with each range written "
            "low-high, such as [a-z]",
        ),
        (
            f'version: 1\nprofiles:\n  acme: {{types: {{uuid: {{sql: "{"S" * LONG}"}}}}}}\nprofile: acme\n',
            f"rules.yaml:3:30: '{'S' * 40}'… ({LONG} characters) is not a SQL type envoxy understands, "
            "expected a type such as VARCHAR(36), UUID, TEXT or TIMESTAMP WITH TIME ZONE",
        ),
        (
            f"version: 1\nmodels: {{paths: [{'9' * 5000}]}}\n",
            f"rules.yaml:2:18: '{'9' * 40}'… (5000 characters) is an integer with more than 4300 digits, "
            "expected a shorter number",
        ),
        (
            f"version: 1\nprofile: *{'a' * LONG}\n",
            f"rules.yaml:2:10: invalid YAML: found undefined alias '{'a' * 40}'…, expected valid YAML syntax",
        ),
        (
            f"version: 1\nprofile: !<tag:{'x' * LONG}> legacy\n",
            f"rules.yaml:2:10: tag 'tag:{'x' * 36}'… ({LONG + 4} characters) is not allowed (rules are "
            "read with a safe loader), expected plain YAML: strings, numbers, booleans, dates, lists "
            "and mappings",
        ),
    ],
    ids=[
        "value",
        "key",
        "extends",
        "duplicate",
        "date",
        "timestamp",
        "template",
        "glob",
        "sql",
        "integer",
        "alias",
        "tag",
    ],
)
def test_long_content_is_cut_to_an_excerpt(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "rules.yaml").write_text(text, encoding="utf-8")
    result = run_cli("compile", "--check", "--rules", "rules.yaml", cwd=tmp_path)
    assert (result.code, result.out) == (2, "")
    assert result.err == f"envoxy: the rules file has 1 problem:\n{message}\n"


def test_control_characters_in_an_excerpt_are_escaped(tmp_path: Path) -> None:
    text = 'version: 1\nprofile: "\\e[31m::error::x\\r\\u202e\\n"\n'
    (tmp_path / "rules.yaml").write_text(text, encoding="utf-8")
    result = run_cli("compile", "--check", "--rules", "rules.yaml", cwd=tmp_path)
    assert result.err == (
        "envoxy: the rules file has 1 problem:\n"
        "rules.yaml:2:10: profile '\\x1b[31m::error::x\\r\\u202e\\n' is not defined, "
        "expected one of: legacy, mysql, native\n"
    )


def test_a_long_models_path_is_cut_in_the_usage_error(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text(f"version: 1\nmodels: {{paths: [{'m' * LONG}]}}\n", encoding="utf-8")
    result = run_cli("validate", "--rules", "rules.yaml", cwd=tmp_path)
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        f"envoxy: models.paths entry '{'m' * 40}'… ({LONG} characters) of rules.yaml does not exist "
        f"(looked for {'m' * 80}…); fix rules.yaml or name paths on the command line\n"
    )
