"""The template files that hold the generated module's fixed code: found from the installed
package, cut into blocks as the generator expects, and every block used."""

from __future__ import annotations

from importlib import resources

from envoxy.mixin.blocks import pick, template_blocks

FILES = ("values", "defaults", "bulk", "register")


def test_templates_are_package_resources() -> None:
    """Read through importlib.resources, as from a wheel: no path into the source tree."""
    root = resources.files("envoxy.mixin.templates")
    for file in FILES:
        assert (root / f"{file}.py").is_file()
        assert "# @block " in (root / f"{file}.py").read_text(encoding="utf-8")


def test_a_block_brings_the_blocks_it_uses_in_file_order() -> None:
    names = [b.name for b in template_blocks("values")]
    picked = pick("values", ["_new_uuid_text_batch"])
    expected = ["_new_uuid_text", "uuid4_bytes", "_new_uuid_text_batch"]
    assert picked == [b.code for b in template_blocks("values") if b.name in expected]
    assert names.index("_new_uuid_text") < names.index("uuid4_bytes") < names.index("_new_uuid_text_batch")


def test_renames_touch_whole_identifiers_only() -> None:
    (lock, code) = pick(
        "register",
        ["register_envoxy_listeners_without_bulk"],
        {"register_envoxy_listeners_without_bulk": "register_envoxy_listeners"},
    )
    assert lock == "_lock = threading.Lock()"
    assert code.startswith("def register_envoxy_listeners(*, bulk_inserts: bool = True) -> None:\n")
    assert "without_bulk" not in code


def test_blocks_carry_no_header_and_no_marker() -> None:
    for file in FILES:
        for block in template_blocks(file):
            assert "# @block" not in block.code
            assert "from __future__" not in block.code
            assert block.code == block.code.strip("\n")
