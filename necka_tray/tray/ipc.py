"""The private channel between ``necka-tray <command>`` and the running tray.

Who may talk to the tray, in layers:

- the rendezvous is a Unix socket in the user's runtime dir (0700), itself
  0600, so only this user's processes can connect; on Windows a named pipe,
  whose default ACL gives other users no write access. No TCP port, ever;
- both ends then prove they hold a key that the server writes at start into
  a 0600 file next to the socket (``multiprocessing.connection``'s HMAC
  challenge, in both directions);
- a message is one JSON object as bytes (``send_bytes``/``recv_bytes`` with a
  size cap), never a pickle: a peer can send data, not code.

The server answers one connection at a time on its own thread, blocked in
``accept()`` while idle. Every read has a timeout, so a peer that stalls or
sends garbage costs at most a few seconds and is then dropped; the request
itself runs on the app's dispatcher thread (``post``), never on this one.

Which process is the one running tray is ``instance.py``'s business.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import struct
import sys
import threading
from multiprocessing import connection as mpc
from pathlib import Path
from typing import Any, Callable

from necka_tray.store.fsutil import atomic_write
from necka_tray.store.paths import AppPaths
from necka_tray.i18n import _

logger = logging.getLogger(__name__)

SOCKET_NAME = "control.sock"
KEY_NAME = "control.key"
#: Largest request the server reads (the real ones are a few dozen bytes).
MAX_REQUEST = 16 * 1024
MAX_REPLY = 1024 * 1024
#: Longest a peer may stall in the middle of an exchange.
IO_TIMEOUT = 2.0
#: Longest the server waits for the app to answer a request.
REPLY_TIMEOUT = 5.0
#: The longest Unix socket path (sun_path is 108 bytes on Linux, 104 on macOS).
MAX_SOCKET_PATH = 103


class NotRunning(Exception):
    """No running Necka answers on this user's channel."""


class ControlError(Exception):
    """A Necka answered but the exchange failed (wrong key, timeout, garbled reply)."""


# -- where -------------------------------------------------------------------


def address(paths: AppPaths) -> str:
    """The channel's address for this user: a socket path, or a pipe name on Windows."""
    if sys.platform == "win32":
        return pipe_name(os.environ.get("USERNAME", "user"))
    return str(paths.run_dir / SOCKET_NAME)


def pipe_name(user: str) -> str:
    """A per-user pipe name (pipe names are global on a Windows machine)."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in user)
    return rf"\\.\pipe\necka-tray-{safe}"


def _family(addr: str) -> str:
    return "AF_PIPE" if addr.startswith("\\\\") else "AF_UNIX"


def _key_file(paths: AppPaths) -> Path:
    return paths.run_dir / KEY_NAME


def read_key(paths: AppPaths) -> bytes:
    try:
        key = _key_file(paths).read_bytes()
    except FileNotFoundError:
        raise NotRunning("Necka is not running") from None
    except OSError as exc:
        raise ControlError(_("cannot read the control key {path} ({error})").format(path=_key_file(paths), error=exc.strerror)) from None
    if not key:
        raise NotRunning("Necka is not running")
    return key


# -- messages ----------------------------------------------------------------


def encode(message: dict[str, Any]) -> bytes:
    return json.dumps(message, separators=(",", ":")).encode("utf-8")


def decode(data: bytes) -> dict[str, Any]:
    """One JSON object; ValueError for anything else (bad UTF-8, bad JSON, another type)."""
    try:
        message = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, RecursionError) as exc:
        raise ValueError(f"not a JSON object ({type(exc).__name__})") from None
    if not isinstance(message, dict):
        raise ValueError(f"not a JSON object (a {type(message).__name__})")
    return message


def _limit_io(conn: mpc.Connection, seconds: float) -> None:
    """Make every blocking read and write on ``conn`` give up after ``seconds``.

    ``multiprocessing`` connections read with plain ``os.read``; the socket's
    own timeouts (SO_RCVTIMEO/SO_SNDTIMEO) make those fail with EAGAIN instead
    of waiting forever. Windows pipes have no such option (and no socket).
    """
    if sys.platform == "win32":
        return
    sock = socket.socket(fileno=conn.fileno())
    try:
        whole = int(seconds)
        timeval = struct.pack("@ll", whole, int((seconds - whole) * 1e6))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, timeval)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, timeval)
    finally:
        sock.detach()  # the connection still owns the descriptor


# -- client --------------------------------------------------------------------


def request(paths: AppPaths, message: dict[str, Any], timeout: float = REPLY_TIMEOUT + IO_TIMEOUT) -> dict[str, Any]:
    """Send one request to the running Necka and return its reply.

    NotRunning when nobody listens; ControlError when the exchange fails.
    """
    addr = address(paths)
    key = read_key(paths)
    try:
        conn = mpc.Client(addr, family=_family(addr))
    except (FileNotFoundError, ConnectionRefusedError):
        raise NotRunning("Necka is not running") from None
    except OSError as exc:
        raise ControlError(_("cannot connect to {address} ({error})").format(address=addr, error=exc.strerror or exc)) from None
    with conn:
        try:
            _limit_io(conn, timeout)
            mpc.answer_challenge(conn, key)
            mpc.deliver_challenge(conn, key)
        except mpc.AuthenticationError:
            raise ControlError(_("the running Necka refused the key in {path}").format(path=_key_file(paths))) from None
        except (OSError, EOFError, AssertionError) as exc:
            raise ControlError(_("the running Necka did not complete the handshake ({error})").format(
                error=type(exc).__name__)) from None
        try:
            conn.send_bytes(encode(message))
            return decode(conn.recv_bytes(MAX_REPLY))
        except (OSError, EOFError, ValueError) as exc:
            raise ControlError(_("no valid answer from the running Necka ({error})").format(error=type(exc).__name__)) from None


# -- server ------------------------------------------------------------------


class Server:
    """Answers control requests: ``handle(request) -> reply`` runs on the dispatcher via ``post``."""

    def __init__(self, paths: AppPaths, handle: Callable[[dict[str, Any]], dict[str, Any]],
                 post: Callable[..., None], reply_timeout: float = REPLY_TIMEOUT,
                 io_timeout: float = IO_TIMEOUT) -> None:
        self._paths = paths
        self._handle = handle
        self._post = post
        self._reply_timeout = reply_timeout
        self._io_timeout = io_timeout
        self._address = address(paths)
        self._key = b""
        self._listener: mpc.Listener | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    @property
    def address(self) -> str:
        return self._address

    def start(self) -> None:
        """Bind the channel and serve on a daemon thread. Call only while holding ``claim``.

        OSError (and ValueError for a socket path too long) if it cannot bind.
        """
        family = _family(self._address)
        if family == "AF_UNIX":
            self._prepare_socket_dir()
        # os.urandom is what secrets.token_bytes returns; the secrets module would load hmac and
        # OpenSSL (~3.9 MiB USS) at start, which multiprocessing imports itself at the first connection.
        self._key = os.urandom(32)
        atomic_write(_key_file(self._paths), self._key, mode=0o600)
        self._listener = mpc.Listener(self._address, family=family, backlog=8)
        if family == "AF_UNIX":
            os.chmod(self._address, 0o600)
        self._thread = threading.Thread(target=self._serve, name="control-server", daemon=True)
        self._thread.start()
        logger.info("action=control-listen address=%s", self._address)

    def stop(self, timeout: float = REPLY_TIMEOUT + IO_TIMEOUT) -> None:
        """Stop accepting, let a request in progress finish (its reply is sent), remove the files."""
        if self._listener is None:
            return
        self._stopping.set()
        if self._thread is not None and self._thread.is_alive():
            try:  # accept() does not wake for close(): knock once
                mpc.Client(self._address, family=_family(self._address)).close()
            except OSError:
                pass
            self._thread.join(timeout)
        self._listener.close()  # also unlinks the socket file
        self._listener = None
        _key_file(self._paths).unlink(missing_ok=True)
        logger.info("action=control-stop")

    def _prepare_socket_dir(self) -> None:
        """The socket's directory must be ours and private; a stale socket (a crash) goes."""
        if len(self._address.encode()) > MAX_SOCKET_PATH:
            raise ValueError(f"the socket path {self._address} is too long for a Unix socket")
        directory = self._paths.run_dir
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        info = directory.stat()
        if info.st_uid != os.getuid():
            raise PermissionError(f"{directory} belongs to another user")
        os.chmod(directory, 0o700)
        Path(self._address).unlink(missing_ok=True)  # only the lock holder gets here

    def _serve(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            try:
                conn = self._listener.accept()
            except OSError as exc:
                if self._stopping.is_set():
                    return
                failures += 1
                logger.warning("action=control-accept failed=%s (%s)", failures, exc)
                if failures >= 10:
                    logger.error("action=control-stop reason=accept-failures")
                    return
                self._stopping.wait(1)  # back off after an error, e.g. out of file descriptors
                continue
            failures = 0
            with conn:
                if not self._stopping.is_set():
                    self._serve_one(conn)

    def _serve_one(self, conn: mpc.Connection) -> None:
        """One exchange; whatever a peer sends, it can only lose its own connection."""
        try:
            _limit_io(conn, self._io_timeout)
            mpc.deliver_challenge(conn, self._key)
            mpc.answer_challenge(conn, self._key)
        except mpc.AuthenticationError:
            logger.warning("action=control-refused reason=wrong-key")
            return
        except Exception as exc:  # a peer that is not a Necka client, or went away
            logger.info("action=control-drop stage=handshake error=%s", type(exc).__name__)
            return
        try:
            data = conn.recv_bytes(MAX_REQUEST)
        except Exception as exc:  # too long (OSError), stalled (BlockingIOError), closed (EOFError)
            logger.info("action=control-drop stage=read error=%s", type(exc).__name__)
            return
        try:
            reply = self._answer(decode(data))
        except ValueError as exc:
            reply = {"ok": False, "error": _("bad request: {error}").format(error=exc)}
        try:
            conn.send_bytes(encode(reply))
        except Exception as exc:
            logger.info("action=control-drop stage=reply error=%s", type(exc).__name__)

    def _answer(self, message: dict[str, Any]) -> dict[str, Any]:
        """Run the request on the dispatcher thread and wait for its reply."""
        done = threading.Event()
        box: dict[str, dict[str, Any]] = {}

        def run() -> None:
            try:
                box["reply"] = self._handle(message)
            except Exception:
                logger.exception("action=control-request failed")
                box["reply"] = {"ok": False, "error": _("the request failed inside Necka (see its log)")}
            finally:
                done.set()

        self._post(run)
        if not done.wait(self._reply_timeout):
            return {"ok": False, "error": _("Necka is busy and did not answer in time; try again")}
        return box["reply"]
