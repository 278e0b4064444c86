"""atomic_write: the old file or the new one, never half of one; and no litter left by killed writes."""

from __future__ import annotations

import os
import time

import pytest

from necka_tray.store import fsutil
from necka_tray.store.fsutil import atomic_write


def test_replaces_the_file_user_only(tmp_path):
    path = tmp_path / "config.toml"
    path.write_bytes(b"old")
    atomic_write(path, b"new")
    assert path.read_bytes() == b"new" and path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["config.toml"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "config.toml"
    path.write_bytes(b"old")
    monkeypatch.setattr(fsutil.os, "replace", lambda *a: (_ for _ in ()).throw(OSError(28, "No space left")))
    with pytest.raises(OSError):
        atomic_write(path, b"new")
    assert path.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["config.toml"]


def test_stale_temporaries_of_killed_writes_are_removed_by_the_next_write(tmp_path):
    path = tmp_path / "config.toml"
    stale = tmp_path / ".config.toml.abcd1234.tmp"  # as _create_temporary names them
    fresh = tmp_path / ".config.toml.efgh5678.tmp"  # maybe another writer's, right now
    other = tmp_path / ".config.toml.bak.ijkl9012.tmp"  # another file's (its own write cleans it)
    mine = tmp_path / "my.config.toml.notes.tmp"  # not ours at all
    for p in (stale, fresh, other, mine):
        p.write_bytes(b"x")
    old = time.time() - fsutil.STALE_SECONDS - 5
    for p in (stale, other, mine):
        os.utime(p, (old, old))
    atomic_write(path, b"new")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["config.toml", fresh.name, other.name, mine.name])


def test_a_temporary_name_already_taken_is_never_opened(tmp_path, monkeypatch):
    """O_EXCL: a file (or a planted link) with the next temporary name is left alone; another name is used."""
    path = tmp_path / "config.toml"
    taken = tmp_path / ".config.toml.00000000.tmp"
    taken.symlink_to(tmp_path / "elsewhere")
    draws = iter([b"\x00" * 4, b"\x00" * 4, b"\x12\x34\x56\x78"])
    monkeypatch.setattr(fsutil.os, "urandom", lambda n: next(draws))
    atomic_write(path, b"new")
    assert path.read_bytes() == b"new" and not (tmp_path / "elsewhere").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["config.toml", taken.name])


@pytest.mark.skipif(os.name != "posix", reason="symlinks and modes are POSIX")
def test_a_write_through_a_symlink_keeps_the_targets_mode_and_a_dangling_one_makes_a_private_file(tmp_path):
    target = tmp_path / "dotfiles" / "state.json"
    target.parent.mkdir()
    target.write_bytes(b"old")
    os.chmod(target, 0o644)
    link = tmp_path / "state.json"
    link.symlink_to(target)
    atomic_write(link, b"new")
    assert link.is_symlink() and target.read_bytes() == b"new" and target.stat().st_mode & 0o777 == 0o644
    atomic_write(link, b"newer", mode=0o600)  # the target's mode wins over the default
    assert target.stat().st_mode & 0o777 == 0o644
    target.unlink()
    atomic_write(link, b"fresh")
    assert target.read_bytes() == b"fresh" and target.stat().st_mode & 0o777 == 0o600
