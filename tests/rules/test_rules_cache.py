"""The compiled-rules cache follows every file of the ``extends`` chain, symbolic links included,
and the rules file the search would find now; it never blocks on or reads without bound a file
swapped for a device or a FIFO; and it writes its entries private without touching the umask.

(The cache's basics, damaged and foreign entries, are in tests/validate/test_cache.py.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from envoxy.errors import RulesError
from envoxy.rules.cache import load_rules_cached

NATIVE = "version: 1\nprofile: native\n"
LEGACY = "version: 1\nprofile: legacy\n"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("ENVOXY_CACHE_DIR", str(directory))
    monkeypatch.delenv("ENVOXY_NO_CACHE", raising=False)
    monkeypatch.delenv("ENVOXY_RULES", raising=False)
    monkeypatch.chdir(tmp_path)  # --rules names a file relative to where envoxy runs
    return directory


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The shown name of each rules file really read (each cache miss)."""
    import envoxy.rules.loader as loader

    calls: list[str] = []
    real = loader.read_rules

    def counting(path: Path, shown: str, **options: bool) -> loader.RawRules:
        calls.append(shown)
        return real(path, shown, **options)

    monkeypatch.setattr(loader, "read_rules", counting)
    return calls


def relink(link: Path, target: str) -> None:
    """Re-point ``link`` at ``target`` the way deployment tools do: a new link renamed over it."""
    fresh = link.with_name(link.name + ".new")
    fresh.symlink_to(target)
    os.replace(fresh, link)


@pytest.fixture
def chain(tmp_path: Path) -> Path:
    """rules.yaml extends base.yaml, a link to native.yaml; legacy.yaml and copy.yaml beside."""
    (tmp_path / "native.yaml").write_text(NATIVE)
    (tmp_path / "copy.yaml").write_text(NATIVE)
    (tmp_path / "legacy.yaml").write_text(LEGACY)
    (tmp_path / "base.yaml").symlink_to("native.yaml")
    (tmp_path / "rules.yaml").write_text("version: 1\nextends: base.yaml\n")
    return tmp_path


def test_a_link_in_the_chain_re_pointed_at_other_content(
    chain: Path, cache: Path, compiles: list[str]
) -> None:
    assert load_rules_cached("rules.yaml", cwd=chain).profile == "native"
    assert load_rules_cached("rules.yaml", cwd=chain).profile == "native"
    assert compiles == ["rules.yaml"]
    relink(chain / "base.yaml", "legacy.yaml")
    assert load_rules_cached("rules.yaml", cwd=chain).profile == "legacy"
    assert compiles == ["rules.yaml", "rules.yaml"]


def test_a_link_re_pointed_at_a_copy_with_the_same_bytes_is_a_miss(
    chain: Path, cache: Path, compiles: list[str]
) -> None:
    """Decided: a link that now leads to another file is a change, even with the same bytes."""
    load_rules_cached("rules.yaml", cwd=chain)
    relink(chain / "base.yaml", "copy.yaml")
    assert load_rules_cached("rules.yaml", cwd=chain).profile == "native"
    assert load_rules_cached("rules.yaml", cwd=chain).profile == "native"
    assert compiles == ["rules.yaml", "rules.yaml"]


def test_a_file_in_the_chain_replaced_by_a_link(tmp_path: Path, cache: Path, compiles: list[str]) -> None:
    (tmp_path / "base.yaml").write_text(NATIVE)
    (tmp_path / "legacy.yaml").write_text(LEGACY)
    (tmp_path / "rules.yaml").write_text("version: 1\nextends: base.yaml\n")
    assert load_rules_cached("rules.yaml", cwd=tmp_path).profile == "native"
    relink(tmp_path / "base.yaml", "legacy.yaml")
    assert load_rules_cached("rules.yaml", cwd=tmp_path).profile == "legacy"
    assert len(compiles) == 2


def test_the_top_file_replaced_by_a_link_to_the_same_bytes(
    tmp_path: Path, cache: Path, compiles: list[str]
) -> None:
    (tmp_path / "rules.yaml").write_text(NATIVE)
    (tmp_path / "copy.yaml").write_text(NATIVE)
    load_rules_cached("rules.yaml", cwd=tmp_path)
    relink(tmp_path / "rules.yaml", "copy.yaml")
    load_rules_cached("rules.yaml", cwd=tmp_path)
    assert len(compiles) == 2


def test_extends_through_a_linked_directory(tmp_path: Path, cache: Path, compiles: list[str]) -> None:
    """``sub`` is a link to ``org/team``: ``../base.yaml`` from it is ``org/base.yaml``, which
    the cache must follow, not the ``base.yaml`` beside ``sub`` that the shown name suggests."""
    (tmp_path / "org" / "team").mkdir(parents=True)
    (tmp_path / "org" / "base.yaml").write_text(NATIVE)
    (tmp_path / "base.yaml").write_text(LEGACY)
    (tmp_path / "org" / "team" / "rules.yaml").write_text("version: 1\nextends: ../base.yaml\n")
    (tmp_path / "sub").symlink_to("org/team")
    assert load_rules_cached("sub/rules.yaml", cwd=tmp_path).profile == "native"
    (tmp_path / "org" / "base.yaml").write_text(LEGACY)
    assert load_rules_cached("sub/rules.yaml", cwd=tmp_path).profile == "legacy"
    assert len(compiles) == 2


def test_a_rules_yaml_created_nearer_than_the_cached_one(
    tmp_path: Path, cache: Path, compiles: list[str]
) -> None:
    (tmp_path / "rules.yaml").write_text(NATIVE)
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert load_rules_cached(cwd=deep).profile == "native"
    assert load_rules_cached(cwd=deep).profile == "native"
    (tmp_path / "a" / "rules.yaml").write_text(LEGACY)
    assert load_rules_cached(cwd=deep).profile == "legacy"
    assert compiles == ["../../rules.yaml", "../rules.yaml"]


def test_a_rules_yaml_made_unreadable_after_caching_is_an_error(
    tmp_path: Path, cache: Path, compiles: list[str]
) -> None:
    """Found but not readable any more (here: a dangling link): an error, not the old entry
    and not a rules.yaml further up."""
    (tmp_path / "rules.yaml").write_text(LEGACY)
    project = tmp_path / "project"
    project.mkdir()
    (project / "real.yaml").write_text(NATIVE)
    (project / "rules.yaml").symlink_to("real.yaml")
    assert load_rules_cached(cwd=project).profile == "native"
    (project / "real.yaml").unlink()
    with pytest.raises(RulesError) as caught:
        load_rules_cached(cwd=project)
    assert [str(p) for p in caught.value.problems] == [
        "rules.yaml: is a broken symbolic link (its target does not exist), expected a readable rules file"
    ]


@pytest.mark.parametrize("swap", ["device", "fifo"])
def test_a_chain_file_swapped_for_a_device_or_fifo_is_a_miss_not_a_hang(tmp_path: Path, swap: str) -> None:
    (tmp_path / "base.yaml").write_text(NATIVE)
    (tmp_path / "rules.yaml").write_text("version: 1\nextends: base.yaml\n")
    env = {**os.environ, "ENVOXY_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("ENVOXY_NO_CACHE", None)
    command = [sys.executable, "-m", "envoxy", "compile", "--check", "--rules", "rules.yaml"]
    first = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert first.returncode == 1, first.stderr  # compiled (schemas/ is missing) and cached
    assert len(list((tmp_path / "cache").iterdir())) == 1
    (tmp_path / "base.yaml").unlink()
    if swap == "device":
        (tmp_path / "base.yaml").symlink_to("/dev/zero")
    else:
        os.mkfifo(tmp_path / "base.yaml")
    kind = "a character device" if swap == "device" else "a named pipe (FIFO)"
    hint = "" if swap == "device" else " (only --rules may name a pipe)"
    done = subprocess.run(
        command,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        preexec_fn=lambda: __import__("resource").setrlimit(
            __import__("resource").RLIMIT_AS, (2 * 1024**3, 2 * 1024**3)
        ),
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        f"envoxy: the rules file has 1 problem:\nbase.yaml: is {kind}, expected a regular file{hint}\n"
    )


def test_entries_are_private_and_the_umask_is_never_changed(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "rules.yaml").write_text(NATIVE)
    calls: list[int] = []
    real_umask = os.umask
    previous = real_umask(0)  # the most permissive umask: the entry must still be 0600
    try:

        def recording_umask(mask: int) -> int:
            calls.append(mask)
            return real_umask(mask)

        monkeypatch.setattr(os, "umask", recording_umask)
        load_rules_cached("rules.yaml", cwd=tmp_path)
        monkeypatch.undo()
    finally:
        real_umask(previous)
    (entry,) = cache.iterdir()
    assert calls == []
    assert entry.stat().st_mode & 0o777 == 0o600
    assert cache.stat().st_mode & 0o777 == 0o700
    assert sorted(p.name for p in cache.iterdir()) == [entry.name]  # no temporary file left
