"""What Necka exposes: no network sockets, files for the user's eyes only, no code from a peer.

The app runs as a user uses it (the menu opened, a setting changed, reminders
shown, a stretch session window, a ``necka-tray status``) while the test looks
at every process of its tree:

- no TCP or UDP socket, ever: each socket inode among the processes' file
  descriptors is looked up in ``/proc/net/{tcp,tcp6,udp,udp6}``;
- every file and directory it made is 0600 / 0700 (the instance lock, the
  control socket and its key included);
- the control channel takes JSON only: an authenticated peer sending a pickle
  whose unpickling would run a command gets an error, and the command never runs.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import threading
from pathlib import Path

from necka_tray.channel import ipc
from necka_tray.store.paths import AppPaths

from . import xdesk
from .necka_app import docked, menus, wait_menu

NET_TABLES = ("tcp", "tcp6", "udp", "udp6", "raw", "raw6")


def tree(pid: int) -> list[int]:
    """``pid`` and its descendants (children are listed per thread that started them)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for children in Path(f"/proc/{p}/task").glob("*/children"):
            try:
                todo += [int(c) for c in children.read_text().split()]
            except OSError:
                pass
    return out


def network_sockets(pids: list[int]) -> list[str]:
    """The processes' sockets that are in the kernel's TCP/UDP/raw tables (there should be none)."""
    inodes: dict[str, str] = {}
    for table in NET_TABLES:
        for line in Path(f"/proc/net/{table}").read_text().splitlines()[1:]:
            inodes[line.split()[9]] = table
    found = []
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            m = re.fullmatch(r"socket:\[(\d+)\]", target)
            if m and m[1] in inodes:
                found.append(f"pid {pid} fd {fd}: {inodes[m[1]]}")
    return found


class Watch(threading.Thread):
    """Looks at the sockets of the app and its children every 50 ms while the test drives it
    (the menu and session windows are short-lived processes)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.looks, self.found, self.pids = pid, 0, [], set()
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.05):
            pids = tree(self.pid)
            self.pids.update(pids)
            self.found += network_sockets(pids)
            self.looks += 1


def test_no_network_socket_private_files_and_no_pickles(desktop, start_necka, app_env, shot, tmp_path):
    necka = start_necka("--time-scale", "600")
    watch = Watch(necka.proc.pid)
    watch.start()
    icon = docked(desktop, necka)
    necka.wait_log(r"action=control-listen")
    with xdesk.keep_active(desktop.env):
        xdesk.wait_for(lambda: [n for n in desktop.notifications() if n["summary"] == "Posture check"], 20,
                       what="a reminder bubble")
        desktop.click(*icon.center, button=3)  # the menu, a process of its own
        wait_menu(desktop)
        desktop.key("Escape")
        xdesk.wait_for(lambda: not menus(desktop), 10, what="menu closed")
        status = subprocess.run([sys.executable, "-m", "necka_tray", "status"], env=app_env, capture_output=True,
                                text=True, timeout=30)
        assert status.returncode == 0, status.stderr
        desktop.click(*icon.center)  # a stretch session window (a fast one, at this time scale)
        necka.wait_log(r"action=session-end", 20)
    watch.done.set()
    watch.join(5)
    assert watch.looks >= 50 and len(watch.pids) >= 3, (watch.looks, watch.pids)  # the app, its menu, its session
    assert watch.found == [], watch.found

    # The control channel: authenticated, then a pickle instead of JSON.
    paths = _paths(app_env)
    marker = tmp_path / "pwned"
    reply = _send_authenticated_pickle(paths, _Evil(f"touch {marker}"))
    assert marker.exists() is False, "the server unpickled what a peer sent"
    assert reply is not None and reply["ok"] is False and "bad request" in reply["error"], reply  # read, refused
    again = subprocess.run([sys.executable, "-m", "necka_tray", "status"], env=app_env, capture_output=True,
                           text=True, timeout=30)
    assert again.returncode == 0 and "Necka is running" in again.stdout  # and it still answers

    # Everything Necka made: user-only.
    loose = []
    for base in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR"):
        root = Path(app_env[base]) / "necka-tray"
        for path in [root, *root.rglob("*")]:
            mode = stat.S_IMODE(path.lstat().st_mode)
            want = 0o700 if path.is_dir() else 0o600
            if mode & ~want & 0o777 or (path.is_dir() and mode != 0o700):
                loose.append(f"{oct(mode)} {path}")
    assert loose == [], loose
    assert list((Path(app_env["XDG_RUNTIME_DIR"]) / "necka-tray").glob("control.*"))


class _Evil:
    """Unpickling this runs a shell command: what a hostile peer would send."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self):
        return os.system, (self.command,)


def _paths(env: dict) -> AppPaths:
    saved = dict(os.environ)
    try:
        os.environ.update({k: env[k] for k in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME",
                                               "XDG_CACHE_HOME", "XDG_RUNTIME_DIR")})
        return AppPaths.for_user()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _send_authenticated_pickle(paths: AppPaths, obj) -> dict | None:
    """A peer that holds the key (the same user), sending a pickle as the request."""
    import pickle

    try:
        conn = ipc.connect(ipc.address(paths), ipc.read_key(paths), seconds=10)
    except (EOFError, OSError, ValueError):
        return None
    try:
        conn.send_bytes(pickle.dumps(obj))
        return ipc.decode(conn.recv_bytes(ipc.MAX_REPLY))
    except (EOFError, OSError, ValueError):
        return None
    finally:
        conn.close()
