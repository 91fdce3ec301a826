"""The compiled-rules cache (envoxy.rules.cache): served only while every rules file is unchanged,
and a damaged, foreign or unwritable cache only costs speed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from envoxy.errors import RulesError
from envoxy.rules import cache as cache_module
from envoxy.rules import load_rules
from envoxy.rules.cache import cache_dir, load_rules_cached
from envoxy.rules.loader import RawRules
from tests.conftest import REPO

SHIPPED = (REPO / "rules.yaml").read_text(encoding="utf-8")


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("ENVOXY_CACHE_DIR", str(directory))
    monkeypatch.delenv("ENVOXY_NO_CACHE", raising=False)
    return directory


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records each real compilation (a cache miss)."""
    calls: list[str] = []
    import envoxy.rules.loader as loader

    real = loader.read_rules

    def counting(path: Path, shown: str, **options: bool) -> RawRules:
        calls.append(shown)
        return real(path, shown, **options)

    monkeypatch.setattr(loader, "read_rules", counting)
    return calls


def rules_file(tmp_path: Path, text: str = SHIPPED) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_second_load_is_served_from_the_cache(tmp_path: Path, cache: Path, compiles: list[str]) -> None:
    path = rules_file(tmp_path)
    first = load_rules_cached(path, cwd=tmp_path)
    second = load_rules_cached(path, cwd=tmp_path)
    assert compiles == [str(path)]
    assert first == second == load_rules(path, cwd=tmp_path)
    assert second.scope.applies("products") and not second.scope.applies("alembic_version")
    entries = list(cache.iterdir())
    assert len(entries) == 1
    assert entries[0].stat().st_mode & 0o077 == 0


def test_an_edit_invalidates(tmp_path: Path, cache: Path, compiles: list[str]) -> None:
    path = rules_file(tmp_path)
    assert load_rules_cached(path, cwd=tmp_path).profile == "legacy"
    rules_file(tmp_path, SHIPPED.replace("profile: legacy", "profile: native"))
    assert load_rules_cached(path, cwd=tmp_path).profile == "native"
    assert len(compiles) == 2


def test_an_edit_of_an_extended_file_invalidates(tmp_path: Path, cache: Path, compiles: list[str]) -> None:
    (tmp_path / "base.yaml").write_text(SHIPPED, encoding="utf-8")
    path = rules_file(tmp_path, "version: 1\nextends: base.yaml\n")
    assert load_rules_cached(path, cwd=tmp_path).profile == "legacy"
    assert load_rules_cached(path, cwd=tmp_path).profile == "legacy"
    (tmp_path / "base.yaml").write_text(SHIPPED.replace("profile: legacy", "profile: native"))
    assert load_rules_cached(path, cwd=tmp_path).profile == "native"
    assert len(compiles) == 2


@pytest.mark.parametrize("damage", [b"", b"garbage", b"envoxy-rules-cache-1\n" + b"\0" * 40])
def test_a_damaged_entry_is_a_miss(tmp_path: Path, cache: Path, compiles: list[str], damage: bytes) -> None:
    path = rules_file(tmp_path)
    expected = load_rules_cached(path, cwd=tmp_path)
    (entry,) = cache.iterdir()
    entry.write_bytes(damage)
    assert load_rules_cached(path, cwd=tmp_path) == expected
    assert len(compiles) == 2
    assert entry.read_bytes() != damage  # rewritten


def test_a_truncated_entry_is_a_miss(tmp_path: Path, cache: Path, compiles: list[str]) -> None:
    path = rules_file(tmp_path)
    expected = load_rules_cached(path, cwd=tmp_path)
    (entry,) = cache.iterdir()
    entry.write_bytes(entry.read_bytes()[:-10])
    assert load_rules_cached(path, cwd=tmp_path) == expected
    assert len(compiles) == 2


def test_an_entry_others_can_write_is_not_loaded(tmp_path: Path, cache: Path, compiles: list[str]) -> None:
    path = rules_file(tmp_path)
    load_rules_cached(path, cwd=tmp_path)
    (entry,) = cache.iterdir()
    entry.chmod(0o666)
    load_rules_cached(path, cwd=tmp_path)
    assert len(compiles) == 2


def test_an_unwritable_cache_only_costs_speed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, compiles: list[str]
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    monkeypatch.setenv("ENVOXY_CACHE_DIR", str(blocker / "cache"))
    path = rules_file(tmp_path)
    assert load_rules_cached(path, cwd=tmp_path) == load_rules_cached(path, cwd=tmp_path)
    assert len(compiles) == 2


def test_no_cache_switch(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, compiles: list[str]
) -> None:
    monkeypatch.setenv("ENVOXY_NO_CACHE", "1")
    assert cache_dir() is None
    path = rules_file(tmp_path)
    load_rules_cached(path, cwd=tmp_path)
    load_rules_cached(path, cwd=tmp_path)
    assert len(compiles) == 2
    assert not cache.exists()


def test_default_location_follows_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ENVOXY_CACHE_DIR", raising=False)
    monkeypatch.delenv("ENVOXY_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_dir() == tmp_path / "envoxy"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "envoxy"


def test_a_bad_rules_file_is_never_cached(tmp_path: Path, cache: Path) -> None:
    path = rules_file(tmp_path, "version: 1\nprofile: nosuch\n")
    for _ in range(2):
        with pytest.raises(RulesError):
            load_rules_cached(path, cwd=tmp_path)
    assert not cache.exists() or not any(cache.iterdir())


def test_the_key_covers_the_compiler_code(
    tmp_path: Path, cache: Path, compiles: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = rules_file(tmp_path)
    load_rules_cached(path, cwd=tmp_path)
    monkeypatch.setattr(cache_module, "_code_stamp", lambda: "another compiler")
    load_rules_cached(path, cwd=tmp_path)
    assert len(compiles) == 2
    assert len(os.listdir(cache)) == 2


def test_a_link_planted_at_an_entry_does_not_redirect_the_write(tmp_path: Path, cache: Path) -> None:
    path = rules_file(tmp_path)
    load_rules_cached(path, cwd=tmp_path)
    (entry,) = cache.iterdir()
    entry.unlink()
    victim = tmp_path / "victim.txt"
    victim.write_text("mine\n", encoding="utf-8")
    entry.symlink_to(victim)
    load_rules_cached(path, cwd=tmp_path)
    assert victim.read_text(encoding="utf-8") == "mine\n"
    assert not entry.is_symlink() and entry.stat().st_mode & 0o077 == 0
