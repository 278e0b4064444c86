"""The session's runtime folder is the session's to make (issue 28 item 8).

``XDG_RUNTIME_DIR`` naming a folder that does not exist, a file, or another user's folder is
never created or used (as root, Necka made ``/nonexistent/x``): it is said in one line, and the
control socket lives in the data folder instead.
"""

from __future__ import annotations

import os
import sys

import pytest

from necka_tray.store import paths as paths_module
from necka_tray.store.paths import AppPaths

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG_RUNTIME_DIR is Linux's")


@pytest.fixture
def xdg(tmp_path, monkeypatch):
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(var, str(tmp_path / var))
    return tmp_path


def _unusable_runtime_folders(tmp_path):
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    theirs = tmp_path / "theirs"
    theirs.mkdir(mode=0o700)
    cases = [(tmp_path / "nonexistent" / "x", "does not exist"), (a_file, "is not a folder")]
    if os.geteuid() == 0:  # only root can give a folder away
        os.chown(theirs, 65534, 65534)
        cases.append((theirs, "belongs to another user"))
    return cases


def test_an_unusable_runtime_folder_is_never_made_said_in_one_line_and_the_data_folder_is_used(xdg, monkeypatch):
    for runtime, why in _unusable_runtime_folders(xdg):
        monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
        paths = AppPaths.for_user()
        paths.ensure()
        assert paths.runtime_dir is None and paths.run_dir == paths.data_dir, runtime
        assert not (xdg / "nonexistent").exists()
        assert not (runtime.is_dir() and (runtime / "necka-tray").exists())
        problem = paths_module.runtime_problem()
        assert problem == (f"the runtime folder {runtime} {why}; Necka keeps its control socket in its data "
                           "folder instead."), problem
        assert "\n" not in problem


def test_a_good_runtime_folder_is_used_and_nothing_is_said(xdg, monkeypatch):
    runtime = xdg / "run-user"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    paths = AppPaths.for_user()
    assert paths.runtime_dir == runtime / "necka-tray"
    assert paths_module.runtime_problem() is None


def test_the_channel_works_from_the_data_folder_when_the_runtime_folder_is_unusable(xdg, monkeypatch):
    from necka_tray.channel import ipc, ipc_server

    monkeypatch.setenv("XDG_RUNTIME_DIR", str(xdg / "nonexistent" / "x"))
    paths = AppPaths.for_user()
    paths.ensure()
    server = ipc_server.Server(paths, lambda request: {"ok": True, "message": "here"}, post=lambda fn: fn())
    server.start()
    try:
        assert ipc.address(paths) == str(paths.data_dir / ipc.SOCKET_NAME)
        assert ipc.request(AppPaths.for_user(), {"command": "status"})["message"] == "here"
    finally:
        server.stop()
    assert not (xdg / "nonexistent").exists()


def test_a_runtime_folder_where_necka_cannot_make_its_own_stops_nothing_but_the_channel(xdg, monkeypatch):
    """A full or read-only runtime folder (here, without root: a dangling link where Necka's folder goes):
    the folders Necka needs are made, a check-in goes into the history (not the spool, under a false
    cause), and the channel says why it cannot listen, then listens once it can (issue 27 item 3)."""
    from necka_tray.channel import instance, ipc, ipc_server
    from necka_tray.store.history import History
    from necka_tray.windows import checkin

    runtime = xdg / "run-user"
    runtime.mkdir(mode=0o700)
    (runtime / "necka-tray").symlink_to(xdg / "gone")  # mkdir: File exists; no folder either
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    paths = AppPaths.for_user()
    paths.ensure()  # the tray's start: no "cannot create Necka's folders"
    assert paths.data_dir.is_dir() and paths.config_dir.is_dir() and paths.log_dir.is_dir()
    assert checkin.record(4, "cli")
    with History(paths.history_db) as h:
        assert [e.data["rating"] for e in h.events("checkin")] == [4]
    assert not list(paths.data_dir.glob("history-waiting*.jsonl"))
    server = ipc_server.Server(paths, lambda request: {"ok": True, "message": "here"}, post=lambda fn: fn())
    server.start()
    try:
        assert server.problem == f"cannot make its control socket in {paths.run_dir} (File exists)"
        assert instance.channel_note(paths) == server.problem  # what a command says instead of "not running"
        (runtime / "necka-tray").unlink()  # room again
        assert server.recheck()
        assert ipc.request(paths, {"command": "status"})["message"] == "here"
    finally:
        server.stop()
