"""The control channel under slow peers and retries (issue 12, items 3 and 6).

A silent or trickling peer must lose only its own connection, on one total
deadline, while a real ``necka-tray status`` is answered beside it; a command
retried with the same request id must never run twice, and a client whose
wait ran out must say the command may have taken effect.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from necka_tray.cli import remote
from necka_tray.store.paths import AppPaths
from necka_tray.channel import control, ipc, ipc_server
from necka_tray.schedule import jobs

from .test_control import Running

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="Unix sockets")

NECKA_TRAY = str(Path(sys.executable).with_name("necka-tray"))


@pytest.fixture
def user(tmp_path, monkeypatch):
    """The per-user dirs the CLI finds, pointed at tmp_path (so a subprocess finds the same)."""
    env = {}
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR"):
        (tmp_path / var).mkdir(mode=0o700)
        monkeypatch.setenv(var, str(tmp_path / var))
        env[var] = str(tmp_path / var)
    paths = AppPaths.for_user()
    paths.ensure()
    return paths, {**os.environ, **env}


def _silent(address: str, stop: threading.Event, closed_after: list) -> None:
    """Connects and sends nothing; notes when the server hangs up."""
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(address)
        start = time.monotonic()
        s.settimeout(30)
        try:
            while s.recv(4096):  # the server's challenge, then its hang-up
                pass
        except OSError:
            pass
        closed_after.append(time.monotonic() - start)


def _trickle(address: str, stop: threading.Event, closed_after: list) -> None:
    """Sends a length header, then one byte a second, for as long as it is let (each byte would
    restart a timeout per read: only a total deadline ends it)."""
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(address)
        start = time.monotonic()
        s.settimeout(1.0)
        try:
            s.sendall(b"\x00\x00\x00\x40")
            while not stop.is_set() and time.monotonic() - start < 60:
                s.sendall(b"x")
                try:
                    if s.recv(4096) == b"":
                        break
                except TimeoutError:
                    pass
        except OSError:
            pass
        closed_after.append(time.monotonic() - start)


def test_silent_and_trickling_peers_lose_only_their_own_connection(user):
    paths, env = user
    necka = Running(paths, io_timeout=4.0)  # served one after another, the silent peer alone would cost 4 s
    stop = threading.Event()
    silent, trickled = [], []
    peers = [threading.Thread(target=_silent, args=(necka.server.address, stop, silent)),
             threading.Thread(target=_trickle, args=(necka.server.address, stop, trickled))]
    try:
        for p in peers:
            p.start()
        time.sleep(0.3)  # the adversaries are connected and holding their connections
        start = time.monotonic()
        assert control.ask(paths, "status")["ok"]
        assert time.monotonic() - start < 1.0
        start = time.monotonic()
        out = subprocess.run([NECKA_TRAY, "status"], env=env, capture_output=True, text=True, timeout=30)
        took = time.monotonic() - start
        assert out.returncode == 0, out.stderr
        assert out.stdout.startswith("Necka is running")
        assert took < 3.0, f"necka-tray status took {took:.1f} s beside a slow peer"  # ~0.3 s: a Python start
        for p in peers:
            p.join(15)
        # One total deadline each (4 s), however the bytes arrive; then the connection is gone.
        assert silent and 3.5 < silent[0] < 7, silent
        assert trickled and 3.5 < trickled[0] < 7, trickled
    finally:
        stop.set()
        for p in peers:
            p.join(10)
        necka.stop()


def test_more_slow_peers_than_slots_cannot_lock_out_commands_for_long(user):
    paths, _ = user
    necka = Running(paths, io_timeout=1.0)
    stop = threading.Event()
    closed = []
    peers = [threading.Thread(target=_silent, args=(necka.server.address, stop, closed))
             for _ in range(ipc_server.MAX_PEERS + 4)]
    try:
        for p in peers:
            p.start()
        start = time.monotonic()
        deadline = start + 10
        while True:  # refused while the slots are full; answered once their deadline has passed
            try:
                if control.ask(paths, "status")["ok"]:
                    break
            except ipc.ControlError:
                assert time.monotonic() < deadline
                stop.wait(0.05)
        assert time.monotonic() - start < 3.0
    finally:
        stop.set()
        for p in peers:
            p.join(10)
        necka.stop()


# -- retries (item 6) -------------------------------------------------------------------------------


class SlowDispatcher:
    """Runs each posted call on a thread after ``delay`` s (an app busy with something else)."""

    def __init__(self, delay: float):
        self.delay = delay

    def post(self, fn, *args):
        timer = threading.Timer(self.delay, fn, args)
        timer.daemon = True
        timer.start()


def test_a_retry_with_the_same_id_gets_the_first_answer_and_never_runs_twice(user):
    paths, _ = user
    runs, ran = [], threading.Event()

    def handle(request):
        runs.append(request)
        ran.set()
        return {"ok": True, "message": f"Skipped ({len(runs)})."}

    slow = SlowDispatcher(2.0)
    server = ipc_server.Server(paths, handle, slow.post, reply_timeout=0.2)
    server.start()
    try:
        with pytest.raises(ipc.Unanswered, match=r"may have taken effect: check `necka-tray status`"):
            ipc.request(paths, {"command": "skip"}, request_id="retry-1")
        with pytest.raises(ipc.Unanswered):  # retried while the first is still on its way: not run again
            ipc.request(paths, {"command": "skip"}, request_id="retry-1")
        assert ran.wait(5)
        assert ipc.request(paths, {"command": "skip"}, request_id="retry-1") == {"ok": True, "message": "Skipped (1)."}
        assert ipc.request(paths, {"command": "skip"}, request_id="retry-1") == {"ok": True, "message": "Skipped (1)."}
        assert runs == [{"command": "skip"}]  # the id is the channel's: the handler never sees it
        server._reply_timeout = 5
        assert ipc.request(paths, {"command": "skip"})["message"] == "Skipped (2)."  # a new id is a new command
    finally:
        server.stop()


def test_the_remembered_ids_are_bounded(user):
    paths, _ = user
    server = ipc_server.Server(paths, lambda r: {"ok": True}, post=lambda fn: fn())
    for n in range(ipc_server.REMEMBERED * 3):
        assert server.reply_to(ipc.encode({"command": "status", "id": f"id{n}"})) == {"ok": True}
    assert len(server._runs) == ipc_server.REMEMBERED
    assert "id0" not in server._runs and f"id{ipc_server.REMEMBERED * 3 - 1}" in server._runs


@pytest.mark.parametrize("bad", [1, "", "x" * 65, "a b", "ü", [], {"a": 1}, True])
def test_a_bad_request_id_is_refused(bad):
    server = ipc_server.Server(AppPaths(Path("/nonexistent"), Path("/nonexistent"), Path("/nonexistent")),
                               lambda r: {"ok": True}, post=lambda fn: fn())
    reply = server.reply_to(ipc.encode({"command": "status", "id": bad}))
    assert reply["ok"] is False and '"id" must be' in reply["error"]


def test_a_client_whose_wait_runs_out_says_the_command_may_have_taken_effect(user, capsys, monkeypatch):
    """The CLI's own wait (not the server's) ends first: the same words, and exit code 4."""
    from necka_tray import cli

    paths, _ = user
    applied = threading.Event()
    server = ipc_server.Server(paths, lambda r: applied.set() or {"ok": True, "message": "Skipped."},
                               SlowDispatcher(1.5).post, reply_timeout=10)
    server.start()
    try:
        with pytest.raises(ipc.Unanswered, match="may have taken effect"):
            ipc.request(paths, {"command": "skip"}, timeout=0.5)
        assert applied.wait(5)  # it did take effect
        server._post, server._reply_timeout = SlowDispatcher(5).post, 2.0
        original = ipc.request
        monkeypatch.setattr(ipc, "request", lambda p, m, timeout=0, request_id=None: original(p, m, 0.5, request_id))
        assert cli.main(["skip"]) == 4
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "may have taken effect: check `necka-tray status`" in err
        assert "try again" not in err
    finally:
        server.stop()
        jobs.set_handler(None)


# -- one instance when the runtime folder vanishes (item 7) -----------------------------------------


def test_the_instance_lock_survives_the_runtime_folder_being_removed(user):
    import shutil

    from necka_tray.channel import instance

    paths, _ = user
    first = instance.claim(paths)
    try:
        assert first is not None
        shutil.rmtree(paths.run_dir)  # a tmp cleaner
        paths.ensure()
        assert instance.claim(paths) is None, "a second Necka would start beside the first"
        assert instance.holder(paths)[0] == os.getpid()
    finally:
        first.close()
    again = instance.claim(paths)
    assert again is not None
    again.close()


def test_a_second_start_that_cannot_reach_the_running_necka_says_so_and_exits_1(user, capsys, monkeypatch):
    import shutil

    from necka_tray.channel import instance

    paths, _ = user
    lock = instance.claim(paths)
    necka = Running(paths)
    try:
        shutil.rmtree(paths.run_dir)
        old = time.time() - 60  # the holder has long been up: not one still starting
        os.utime(paths.data_dir / instance.LOCK_NAME, (old, old))
        start = time.monotonic()
        assert control.hand_over(paths, timeout=5) == 1
        assert time.monotonic() - start < 2
        out, err = capsys.readouterr()
        assert out == "" and err.count("\n") == 1
        assert err.startswith(f"necka-tray: Necka is already running (pid {os.getpid()}) but cannot be reached at ")
        assert "its control socket is gone" in err

        # The next tick binds the socket again, and commands work again.
        jobs.set_tick_hook(necka.server.recheck)
        jobs.tick()
        assert necka.ask("status")["ok"]
        assert control.hand_over(paths, timeout=5) == 0
        assert capsys.readouterr().out.startswith("Necka is already running: ")
        assert necka.server.recheck() is False  # intact now: nothing to do
    finally:
        jobs.set_tick_hook(None)
        necka.stop()
        lock.close()


def test_a_necka_from_before_the_move_still_counts_as_running(user):
    """An upgrade while an older Necka runs: its lock is in the runtime folder."""
    from necka_tray.channel import instance

    paths, _ = user
    legacy = open(paths.run_dir / instance.LOCK_NAME, "w+b")
    try:
        instance._lock(legacy, blocking=False)
        assert instance.claim(paths) is None
    finally:
        legacy.close()
    mine = instance.claim(paths)
    assert mine is not None
    mine.close()


# -- a flood of idle connections (issue 27, item 2) --------------------------------------------------

_FLOODER = r"""
import socket, sys, time
address, count, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
held = []
if mode == "reconnect":
    print("ready", flush=True)
if mode == "hold":  # open COUNT connections that never send a byte, and keep them open
    for _ in range(count):
        s = socket.socket(socket.AF_UNIX)
        s.setblocking(False)
        try:
            s.connect(address)
        except (BlockingIOError, OSError):
            pass
        held.append(s)
    print("ready", flush=True)
    sys.stdin.read()
else:  # reconnect: keep COUNT connections open, each made again the moment the server drops it
    import selectors
    sel = selectors.DefaultSelector()
    def connect():
        s = socket.socket(socket.AF_UNIX)
        s.setblocking(False)
        try:
            s.connect(address)
        except OSError:
            pass
        sel.register(s, selectors.EVENT_READ)
    for _ in range(count):
        connect()
    end = time.monotonic() + 60
    while time.monotonic() < end:
        for key, _ in sel.select(1):
            try:
                data = key.fileobj.recv(4096)
            except OSError:
                data = b""
            if not data:  # dropped: connect again, at once
                sel.unregister(key.fileobj)
                key.fileobj.close()
                connect()
"""


def _flood(address: str, count: int, mode: str) -> subprocess.Popen:
    """Another process of the same user (so another peer) flooding the socket."""
    proc = subprocess.Popen([sys.executable, "-c", _FLOODER, address, str(count), mode],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline() == "ready\n"
    return proc


@pytest.mark.parametrize("mode, processes, count", [("hold", 1, 500), ("reconnect", 1, 50),
                                                     ("hold", 5, 100), ("reconnect", 5, 30)])
def test_a_flood_of_idle_connections_never_keeps_the_users_commands_out(user, mode, processes, count):
    """500 connections that send nothing, or peers reconnecting without end, from one process or
    several: a real client is still answered, every time, within a second (the flooders lose only
    their own connections: the door drops the oldest waiting one, and a peer's own first)."""
    paths, env = user
    necka = Running(paths)  # the real 2 s deadline: the flood outlasts it by far
    flooders = [_flood(necka.server.address, count, mode) for _ in range(processes)]
    try:
        for n in range(20):
            start = time.monotonic()
            assert control.ask(paths, "status")["ok"], n
            took = time.monotonic() - start
            assert took < 1.0, f"status {n} took {took:.2f} s under a flood"
        out = subprocess.run([NECKA_TRAY, "status"], env=env, capture_output=True, text=True, timeout=30)
        assert out.returncode == 0, out.stderr
        assert all(proc.poll() is None for proc in flooders)  # the flood went on all along
    finally:
        for proc in flooders:
            proc.kill()
            proc.wait(10)
        necka.stop()


# -- a runtime folder that is full, or removed (issue 27 item 3, issue 28 item 6) ---------------------


def _no_space(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _control_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.levelno >= logging.WARNING and r.name == "necka_tray.channel.ipc_server"]


def test_a_full_runtime_folder_is_said_once_leaves_nothing_half_made_and_recovers(user, monkeypatch, caplog, capsys):
    from necka_tray import cli
    from necka_tray.channel import instance

    paths, _ = user
    writes = ipc_server.atomic_write
    monkeypatch.setattr(ipc_server, "atomic_write", _no_space)  # the key cannot be written: a full tmpfs
    lock = instance.claim(paths)
    necka = Running(paths)  # the tray starts all the same
    try:
        assert list(paths.run_dir.iterdir()) == []  # no socket without its key, no temporary socket
        assert necka.server.problem and "No space left on device" in necka.server.problem
        assert necka.server.recheck() is False  # the minute tick tries again, and says nothing new
        assert necka.server.recheck() is False
        said = _control_warnings(caplog)
        assert len(said) == 1 and "No space left on device" in said[0] and "tries again every minute" in said[0]
        assert list(paths.run_dir.iterdir()) == []
        capsys.readouterr()

        # Every command says the truth, with its own exit code: a Necka runs, and why it cannot be reached.
        said = (f"Necka is running (pid {os.getpid()}) but commands cannot reach it: cannot make its control "
                f"socket in {paths.run_dir} (No space left on device); it tries again every minute.")
        for argv in (["status"], ["pause", "30m"], ["stretch"]):
            assert cli.main(argv) == remote.EXIT_NO_CHANNEL, argv
            out, err = capsys.readouterr()
            assert (out, err) == ("", f"necka-tray: {said}\n"), argv
        assert cli.main(["status", "--json"]) == remote.EXIT_NO_CHANNEL  # a script still gets its JSON
        out, err = capsys.readouterr()
        assert err == "" and json.loads(out) == {"running": True, "reachable": False, "pid": os.getpid(),
                                                 "problem": said, "paths": control.where(paths)}
        # A second start blames the full folder at once, not a missing socket.
        start = time.monotonic()
        assert control.hand_over(paths, timeout=5) == 1
        assert time.monotonic() - start < 1
        err = capsys.readouterr().err
        assert "No space left on device" in err and "socket is gone" not in err

        monkeypatch.setattr(ipc_server, "atomic_write", writes)  # space again: the next minute tick makes the channel
        jobs.set_tick_hook(necka.server.recheck)
        jobs.tick()
        assert necka.ask("status")["ok"]
        assert necka.server.problem is None and instance.channel_note(paths) is None
        assert "reach this Necka again" in _control_warnings(caplog)[-1]
        assert cli.main(["status"]) == 0
        instance.note_channel(paths, "a note a killed Necka left")
    finally:
        jobs.set_tick_hook(None)
        necka.stop()
        lock.close()
    again = instance.claim(paths)  # the next Necka: the old note is not its own
    try:
        assert instance.channel_note(paths) is None
    finally:
        again.close()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() != 0, reason="mounting a tmpfs needs root")
def test_a_runtime_folder_on_a_real_full_tmpfs(tmp_path, monkeypatch, caplog):
    """The issue's case itself: XDG_RUNTIME_DIR on a 64 KiB tmpfs filled to the last byte."""
    from necka_tray.channel import instance

    mount = tmp_path / "xdg-runtime"
    mount.mkdir(mode=0o700)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", str(mount)]).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        paths = AppPaths(tmp_path / "c", tmp_path / "d", tmp_path / "l", mount / "necka-tray")
        paths.ensure()
        filler = mount / "filler"
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            while True:
                os.write(fd, b"\0" * 512)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
        finally:
            os.close(fd)
        lock = instance.claim(paths)
        necka = Running(paths)
        try:
            assert list(paths.run_dir.iterdir()) == []  # nothing half-made (the bind alone would succeed)
            assert "No space left on device" in (necka.server.problem or "")
            assert instance.running(paths) == os.getpid()
            filler.unlink()  # space again
            assert necka.server.recheck() is True
            assert necka.ask("status")["ok"]
            assert sorted(p.name for p in paths.run_dir.iterdir()) == [ipc.KEY_NAME, ipc.SOCKET_NAME]
        finally:
            necka.stop()
            lock.close()
    finally:
        subprocess.run(["umount", "-l", str(mount)])


def test_commands_after_the_runtime_folder_is_removed_say_a_necka_runs_and_that_its_channel_is_rebuilt(user, capsys):
    import shutil

    from necka_tray import cli
    from necka_tray.channel import instance

    paths, _ = user
    lock = instance.claim(paths)
    necka = Running(paths)
    try:
        assert cli.main(["status"]) == 0
        shutil.rmtree(paths.run_dir)
        capsys.readouterr()
        for argv in (["status"], ["skip"], ["stretch"], ["info", "care"]):
            assert cli.main(argv) == remote.EXIT_NO_CHANNEL, argv
            out, err = capsys.readouterr()
            assert out == "" and err == (f"necka-tray: Necka is running (pid {os.getpid()}) but its control channel "
                                         "is being rebuilt; try again in a minute.\n"), (argv, err)
        necka.server.recheck()
        assert cli.main(["status"]) == 0
    finally:
        necka.stop()
        lock.close()
    capsys.readouterr()
    assert cli.main(["status"]) == remote.EXIT_NOT_RUNNING  # the lock is free: truly not running
    assert "Necka is not running." in capsys.readouterr().out
