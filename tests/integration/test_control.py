"""The control channel against a real app: every command round trip, and what it must refuse.

The app is the real ``App`` on the real scheduler and job store (the Harness of
test_app_scheduling), its control server is the real ``ipc_server.Server`` on a real
Unix socket, and the client is the CLI's own ``control.ask``.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from necka_tray.core.actions import Action
from necka_tray.channel import control
from necka_tray.channel import instance
from necka_tray.channel import ipc
from necka_tray.channel import ipc_server
from necka_tray.schedule import jobs
from necka_tray.core.reminders import Kind
from necka_tray.store.paths import AppPaths

from .test_app_scheduling import Harness

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="Unix sockets (Windows: named pipe, unit-tested)")


class Running:
    """A Harness app with its control server, as ``main.py`` wires them."""

    def __init__(self, paths: AppPaths, **server_kw):
        self.paths = paths
        self.h = Harness(paths).start()
        self.about = {"tray_backend": "fake", "pid": os.getpid(), "paths": control.where(paths)}
        self.server = ipc_server.Server(paths, control.Handler(self.h.app, self.about), self.h.dispatcher.post, **server_kw)
        self.server.start()

    def ask(self, command, **args):
        return control.ask(self.paths, command, **args)

    def stop(self):
        if self.h.thread.is_alive():
            self.h.stop()
        self.server.stop()
        jobs.set_handler(None)


@pytest.fixture
def paths(tmp_path):
    p = AppPaths(tmp_path / "config", tmp_path / "data", tmp_path / "log", tmp_path / "run")
    p.ensure()
    return p


@pytest.fixture
def necka(paths):
    r = Running(paths, io_timeout=1.0)
    yield r
    r.stop()


def minutes_until(iso: str) -> float:
    return (datetime.fromisoformat(iso) - datetime.now().astimezone()).total_seconds() / 60


# -- round trips -------------------------------------------------------------------


def test_status_reports_state_next_runs_paths_and_backend(necka, paths):
    reply = necka.ask("status")
    assert reply["ok"] is True
    status = reply["status"]
    assert status["state"] == "active" and status["paused_until"] is None and status["session_running"] is False
    stretch = status["reminders"]["stretch"]
    assert stretch["enabled"] and stretch["interval_minutes"] == 60 and stretch["minutes_left"] == 60
    assert abs(minutes_until(stretch["next"]) - 60) < 0.5
    assert status["reminders"]["posture"]["minutes_left"] == 20
    assert status["tray_backend"] == "fake"
    assert status["paths"] == {"config": str(paths.config_file), "data": str(paths.data_dir),
                               "logs": str(paths.log_dir)}
    assert status["tooltip"] == "Necka: stretch break in 60 min"
    json.dumps(status)  # plain JSON values only


def test_pause_for_minutes_then_resume(necka):
    reply = necka.ask("pause", minutes=60)
    assert reply["ok"] and reply["message"].startswith("Paused until ")
    until = necka.h.call(lambda: necka.h.scheduler.paused_until())
    assert abs((until - datetime.now().astimezone()) - timedelta(minutes=60)) < timedelta(seconds=5)
    assert reply["status"]["state"] == "paused"
    assert all(r["minutes_left"] is None for r in reply["status"]["reminders"].values())
    assert necka.h.records[-1][0] == "pause"

    reply = necka.ask("resume")
    assert reply["ok"] and reply["message"].startswith("Reminders are back on")
    assert necka.h.call(lambda: necka.h.scheduler.paused_until()) is None
    assert necka.ask("resume")["message"] == "Necka was not paused."


def test_pause_until_tomorrow_ends_at_six(necka):
    reply = necka.ask("pause", until="tomorrow")
    assert reply["ok"]
    until = datetime.fromisoformat(reply["status"]["paused_until"])
    assert (until.hour, until.minute) == (6, 0)
    assert timedelta(0) < until - datetime.now().astimezone() <= timedelta(days=1)


def test_pause_takes_seconds_as_fractional_minutes(necka):
    assert necka.ask("pause", minutes=1.5)["ok"]
    assert 1.3 < minutes_until(necka.ask("status")["status"]["paused_until"]) <= 1.5


def test_session_opens_once(necka):
    reply = necka.ask("session")
    assert reply == {**reply, "ok": True, "message": "Opened a stretch session."}
    assert necka.h.launcher.launched == 1 and reply["status"]["session_running"]
    assert necka.ask("session")["message"] == "A stretch session is already open."
    assert necka.h.launcher.launched == 1


def test_snooze_and_skip_move_the_stretch_break(necka):
    reply = necka.ask("snooze", minutes=10)
    assert reply["ok"], reply
    assert necka.ask("status")["status"]["reminders"]["stretch"]["minutes_left"] == 10
    reply = necka.ask("skip")
    assert reply["ok"], reply
    assert necka.h.records[-1][0] == "skip"
    assert necka.h.records[-2][0] == "snooze"


def test_refresh_redraws(necka):
    before = len(necka.h.view.views)
    assert necka.ask("refresh")["ok"]
    assert len(necka.h.view.views) > before


def test_quit_answers_then_stops_the_app(necka):
    reply = necka.ask("quit")
    assert reply == {"ok": True, "message": "Necka is quitting."}
    necka.h.thread.join(5)
    assert not necka.h.thread.is_alive(), "the dispatcher should have stopped"


# -- one instance ------------------------------------------------------------------


def test_one_instance_lock_is_released_when_its_holder_closes(paths):
    first = instance.claim(paths)
    assert first is not None
    assert instance.claim(paths) is None
    assert instance.wait_released(paths, 0.2) is False
    threading.Timer(0.2, first.close).start()
    assert instance.wait_released(paths, 5) is True
    again = instance.claim(paths)
    assert again is not None
    again.close()


def test_a_folder_where_the_instance_lock_goes_is_locked_itself(paths):
    """It stopped the tray's start with "cannot create the instance lock in ... ([Errno 21] Is a directory: 3)"."""
    (paths.data_dir / instance.LOCK_NAME).mkdir()
    first = instance.claim(paths)
    assert first is not None
    try:
        assert instance.claim(paths) is None  # still one Necka per user
    finally:
        first.close()
    again = instance.claim(paths)
    assert again is not None
    again.close()


def test_a_stale_socket_from_a_crash_is_replaced(paths):
    (paths.run_dir / ipc.SOCKET_NAME).write_text("left by a crash")
    r = Running(paths)
    try:
        assert r.ask("status")["ok"]
    finally:
        r.stop()
    assert not (paths.run_dir / ipc.SOCKET_NAME).exists() and not (paths.run_dir / ipc.KEY_NAME).exists()


def test_no_server_is_not_running(paths):
    with pytest.raises(ipc.NotRunning):
        control.ask(paths, "status")  # no key file
    (paths.run_dir / ipc.KEY_NAME).write_bytes(b"k" * 32)
    with pytest.raises(ipc.NotRunning):
        control.ask(paths, "status")  # a key left behind, nobody listening


# -- security ------------------------------------------------------------------------


def test_files_are_private(necka, paths):
    assert (paths.run_dir.stat().st_mode & 0o777) == 0o700
    assert (os.stat(necka.server.address).st_mode & 0o777) == 0o600
    assert ((paths.run_dir / ipc.KEY_NAME).stat().st_mode & 0o777) == 0o600


def test_a_wrong_key_is_refused_and_the_app_keeps_answering(necka, paths, caplog):
    with pytest.raises(ipc.AuthenticationError):
        ipc.connect(necka.server.address, b"not the key")
    (paths.run_dir / ipc.KEY_NAME).write_bytes(b"a forged key")
    with pytest.raises(ipc.ControlError, match="refused the key"):
        control.ask(paths, "status")
    (paths.run_dir / ipc.KEY_NAME).write_bytes(necka.server._key)
    assert necka.ask("status")["ok"]
    assert "action=control-refused reason=wrong-key" in caplog.text


def test_a_peer_guessing_keys_fills_no_log(necka, caplog):
    """Refusals are counted and said at most once a minute: 100 wrong keys are one log line."""
    for _ in range(100):
        with pytest.raises(ipc.AuthenticationError):
            ipc.connect(necka.server.address, os.urandom(32))
    assert necka.ask("status")["ok"]
    assert caplog.text.count("action=control-refused") == 1


def _as_nobody() -> list[str]:
    if os.geteuid() == 0 and shutil.which("runuser"):
        return ["runuser", "-u", "nobody", "--"]
    if shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode == 0:
        return ["sudo", "-n", "-u", "nobody", "--"]
    message = "needs root (runuser) or passwordless sudo to run a client as another user"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


CONNECT = """
import socket, sys
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(sys.argv[1])
    print("connected")
except OSError as e:
    print(type(e).__name__)
"""


def test_another_user_cannot_connect(tmp_path):
    """Only the socket's 0600 mode stands in the way here: its directory is opened up on purpose."""
    prefix = _as_nobody()
    top = Path(tempfile.mkdtemp(prefix="necka-ipc-"))  # /tmp/...: reachable by nobody, unlike tmp_path
    try:
        paths = AppPaths(tmp_path / "config", tmp_path / "data", tmp_path / "log", top / "run")
        paths.ensure()
        r = Running(paths)
        try:
            top.chmod(0o755)
            paths.run_dir.chmod(0o755)  # a careless runtime dir: the socket mode must still refuse
            sock = r.server.address

            def connect_as_nobody() -> str:
                out = subprocess.run([*prefix, "/usr/bin/python3", "-c", CONNECT, sock],
                                     capture_output=True, text=True, timeout=30)
                return out.stdout.strip() or out.stderr.strip()

            assert connect_as_nobody() == "PermissionError"
            key = subprocess.run([*prefix, "/bin/cat", str(paths.run_dir / ipc.KEY_NAME)], capture_output=True)
            assert key.returncode != 0 and key.stdout == b""
            # The control: with the socket opened up, the same client gets through, so
            # the refusal above came from the mode (and the key is then all that is left).
            os.chmod(sock, 0o666)
            assert connect_as_nobody() == "connected"
            os.chmod(sock, 0o600)
            assert r.ask("status")["ok"]
        finally:
            r.stop()
    finally:
        shutil.rmtree(top, ignore_errors=True)


# -- robustness ----------------------------------------------------------------------


def _authenticated(address: str, key: bytes) -> ipc.Channel:
    return ipc.connect(address, key)


def _raw(address: str, data: bytes) -> None:
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(address)
        try:
            s.sendall(data)
            s.settimeout(3)
            while s.recv(4096):
                pass
        except OSError:
            pass


def test_a_flood_of_malformed_and_oversized_messages_leaves_the_app_answering(necka, paths):
    addr, key = necka.server.address, necka.server._key
    replies = []

    def send_authenticated(payload: bytes):
        with _authenticated(addr, key) as c:
            c.send_bytes(payload)
            replies.append(ipc.decode(c.recv_bytes(ipc.MAX_REPLY)))

    def oversized():
        with _authenticated(addr, key) as c:
            with pytest.raises((EOFError, OSError)):  # dropped unread: no reply, maybe not even the body
                c.send_bytes(b"{" * (ipc.MAX_REQUEST + 1))
                c.recv_bytes(ipc.MAX_REPLY)

    def lying_header():
        with _authenticated(addr, key) as c:
            c._write_all(struct.pack("!I", 2**31 - 1))  # announces 2 GiB, sends nothing
            with pytest.raises((EOFError, OSError)):
                c.recv_bytes(ipc.MAX_REPLY)

    garbage = [b"", b"\xff\xfe\x00", b"not json", b"[1, 2]", b"42", b"null", b'"status"',
               b"[" * 5000 + b"]" * 5000, b'{"command": 1}', b'{"command": "rm -rf"}',
               b'{"command": "pause"}', b'{"command": "pause", "minutes": "60"}',
               b'{"command": "pause", "minutes": true}', b'{"command": "pause", "minutes": 1e999}',
               b'{"command": "pause", "minutes": -5}', b'{"command": "pause", "minutes": 100000}',
               b'{"command": "pause", "until": "next year"}', b'{"command": "status", "x": 1}',
               b'{"command": "snooze", "minutes": 2.5}', b'{"__class__": "os.system"}']
    for payload in garbage:
        send_authenticated(payload)
    assert len(replies) == len(garbage)
    assert all(r["ok"] is False and r["error"] for r in replies), [r for r in replies if r.get("ok")]
    assert replies[0]["error"].startswith("bad request")

    # Not even a handshake: raw bytes, a pickle, a stalled peer; then many at once.
    import pickle

    for data in (b"GET / HTTP/1.1\r\n\r\n", b"\x00" * 70000, pickle.dumps({"command": "quit"}), b""):
        _raw(addr, data)
    oversized()
    lying_header()
    # 30 peers at once are more than the server's MAX_PEERS: a peer beyond the limit is closed
    # at once (EOFError in the handshake), by design; any reply it does get must be a refusal.
    dropped = []

    def send_in_flood():
        try:
            send_authenticated(b"\x80garbage")
        except (EOFError, OSError) as exc:
            dropped.append(exc)

    threads = [threading.Thread(target=_raw, args=(addr, os.urandom(512))) for _ in range(20)]
    threads += [threading.Thread(target=send_in_flood) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    flood_replies = replies[len(garbage):]
    assert len(flood_replies) + len(dropped) == 10, (flood_replies, dropped)
    assert all(r["ok"] is False and r["error"] for r in flood_replies), flood_replies

    assert necka.h.thread.is_alive() and necka.server._thread.is_alive()
    assert necka.ask("status")["status"]["state"] == "active"
    assert necka.ask("pause", minutes=30)["ok"]  # and it still acts
    assert necka.h.call(lambda: necka.h.scheduler.paused_until()) is not None


def test_a_busy_app_gets_a_clear_error_not_a_hang(paths):
    started = threading.Event()
    server = ipc_server.Server(paths, lambda request: {"ok": True}, post=lambda fn: started.set(),  # never runs fn
                        reply_timeout=0.2)
    server.start()
    try:
        with pytest.raises(ipc.Unanswered) as err:
            control.ask(paths, "status")
        assert started.is_set()
        assert str(err.value) == ("Necka is busy and did not answer in time; "
                                  "the command may have taken effect: check `necka-tray status`")
    finally:
        server.stop()


def test_a_socket_path_too_long_is_a_clear_error(tmp_path):
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    paths = AppPaths(tmp_path / "c", tmp_path / "d", tmp_path / "l", deep)
    server = ipc_server.Server(paths, lambda r: r, post=lambda fn: fn())
    with pytest.raises(ValueError, match="too long for a Unix socket"):
        server.start()


def test_kinds_in_status_match_the_core(necka):
    assert set(necka.ask("status")["status"]["reminders"]) == {k.value for k in Kind}


# -- start at login from the menu ------------------------------------------------------------


class FakeAutostart:
    def __init__(self, fail: bool = False):
        self.on = False
        self.fail = fail

    def enabled(self):
        return self.on

    def set(self, on):
        if self.fail:
            raise PermissionError("read-only home")
        self.on = on


def login_item(h):
    return next(e for e in h.view.entries if e.label == "Start at login")


def test_start_at_login_menu_item_toggles_and_shows_in_status(necka):
    h = necka.h
    h.app.p.autostart = FakeAutostart()
    h.call(h.app.refresh)
    assert login_item(h).checked is False
    h.call(h.app.handle_action, Action("autostart"))
    assert h.app.p.autostart.on is True and login_item(h).checked is True
    assert necka.ask("status")["status"]["autostart"] is True
    h.call(h.app.handle_action, Action("autostart"))
    assert h.app.p.autostart.on is False and login_item(h).checked is False


def test_start_at_login_that_cannot_be_written_is_told_and_stays_off(necka):
    h = necka.h
    h.app.p.autostart = FakeAutostart(fail=True)
    h.call(h.app.handle_action, Action("autostart"))
    assert login_item(h).checked is False
    assert h.notifier.sent[-1] == ("Necka", "Could not turn start at login on: read-only home")


# -- issue 12 item 10: what a command did, and numbers no parser can be fooled by -----------------------


def test_snooze_while_paused_says_it_did_nothing_and_records_nothing(necka):
    assert necka.ask("pause", minutes=60)["ok"]
    before = list(necka.h.records)
    reply = necka.ask("snooze", minutes=10)
    assert reply["ok"] and reply["message"].startswith("Nothing snoozed: paused until "), reply
    assert necka.h.records == before
    assert reply["status"]["state"] == "paused"


@pytest.mark.parametrize("payload", [
    b'{"command": "pause", "minutes": 1' + b"0" * 400 + b"}",  # a 401-digit int: OverflowError in float()
    b'{"command": "pause", "minutes": 1' + b"0" * 5000 + b"}",  # over int()'s 4,300-digit limit
    b'{"command": "pause", "minutes": 1e400}',  # infinity spelt as a float
    b'{"command": "pause", "minutes": -1e400}',
    b'{"command": "pause", "minutes": NaN}',
    b'{"command": "snooze", "minutes": Infinity}',
    b'{"command": 1' + b"0" * 400 + b"}",
])
def test_oversized_numbers_on_the_socket_are_a_bad_request_not_an_exception(necka, payload, caplog):
    with _authenticated(necka.server.address, necka.server._key) as c:
        c.send_bytes(payload)
        reply = ipc.decode(c.recv_bytes(ipc.MAX_REPLY))
    assert reply["ok"] is False and reply["error"].startswith("bad request: not a JSON object ("), reply
    assert "Traceback" not in caplog.text and "OverflowError" not in caplog.text
    assert necka.ask("status")["ok"]


def test_a_huge_number_given_to_the_handler_directly_is_out_of_range(necka):
    handler = control.Handler(necka.h.app, {})
    assert necka.h.call(handler, {"command": "pause", "minutes": 10**400}) == \
        {"ok": False, "error": 'pause: "minutes" must be from 1 to 1440'}
