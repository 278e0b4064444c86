"""The private channel between ``necka-tray <command>`` and the running tray: the client side.

Who may talk to the tray, in layers:

- the rendezvous is a Unix socket in the user's runtime dir (0700), itself
  0600, so only this user's processes can connect; on Windows a named pipe,
  whose default ACL gives other users no write access. No TCP port, ever;
- both ends then prove they hold a key that the server writes at start into
  a 0600 file next to the socket (``multiprocessing.connection``'s HMAC
  challenge, in both directions);
- a message is one JSON object as bytes (``send_bytes``/``recv_bytes`` with a
  size cap), never a pickle: a peer can send data, not code. ``decode`` is
  strict (no NaN or infinities, integers of at most ``MAX_INT_DIGITS``), so a
  number that passes it fits every check after it.

Every exchange has one TOTAL deadline (``DeadlineConnection``), not a timeout
per read: a peer that trickles a byte a second cannot stretch it.

Each request carries an ``id``; the server answers a repeated id with the
answer it already gave (``ipc_server.py``), so a retry never repeats an
action. When a request was sent but no answer came, ``Unanswered`` says the
command may have taken effect: never "try again".

The server is ``ipc_server.Server``; which process is the one running tray is
``instance.py``'s business.
"""

from __future__ import annotations

import json
import os
import select
import socket
import sys
import time
from multiprocessing import connection as mpc
from pathlib import Path
from typing import Any

from necka_tray.store.paths import AppPaths

SOCKET_NAME = "control.sock"
KEY_NAME = "control.key"
#: Largest request the server reads (the real ones are a few dozen bytes).
MAX_REQUEST = 16 * 1024
MAX_REPLY = 1024 * 1024
#: The longest a peer may take for the whole handshake and its request.
IO_TIMEOUT = 2.0
#: Longest the server waits for the app to answer a request.
REPLY_TIMEOUT = 5.0
#: The longest Unix socket path (sun_path is 108 bytes on Linux, 104 on macOS).
MAX_SOCKET_PATH = 103
#: Longest integer a message may hold (minutes are at most 1440; ids are text).
MAX_INT_DIGITS = 15
#: A request id: 1 to this many characters of ``[0-9a-zA-Z_-]``.
MAX_ID = 64
UNANSWERED = "the command may have taken effect: check `necka-tray status`"


class NotRunning(Exception):
    """No running Necka answers on this user's channel."""


class ControlError(Exception):
    """A Necka answered but the exchange failed (wrong key, garbled reply)."""


class Unanswered(ControlError):
    """The request was sent but its answer did not come in time: it may have been applied."""


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


def family(addr: str) -> str:
    return "AF_PIPE" if addr.startswith("\\\\") else "AF_UNIX"


def key_file(paths: AppPaths) -> Path:
    return paths.run_dir / KEY_NAME


def read_key(paths: AppPaths) -> bytes:
    try:
        key = key_file(paths).read_bytes()
    except FileNotFoundError:
        raise NotRunning("Necka is not running") from None
    except OSError as exc:
        raise ControlError(f"cannot read the control key {key_file(paths)} ({exc.strerror})") from None
    if not key:
        raise NotRunning("Necka is not running")
    return key


# -- messages ----------------------------------------------------------------


def encode(message: dict[str, Any]) -> bytes:
    return json.dumps(message, separators=(",", ":"), allow_nan=False).encode("utf-8")


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(f"a number of {len(text)} digits")
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError("a number too large")
    return value


def _constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def decode(data: bytes) -> dict[str, Any]:
    """One JSON object; ValueError for anything else (bad UTF-8, bad JSON, huge numbers, another type)."""
    try:
        message = json.loads(data.decode("utf-8"), parse_int=_int, parse_float=_float, parse_constant=_constant)
    except (UnicodeDecodeError, RecursionError) as exc:
        raise ValueError(f"not a JSON object ({type(exc).__name__})") from None
    except ValueError as exc:
        raise ValueError(f"not a JSON object ({str(exc)[:80]})") from None
    if not isinstance(message, dict):
        raise ValueError(f"not a JSON object (a {type(message).__name__})")
    return message


def new_id() -> str:
    return os.urandom(8).hex()


# -- one deadline per exchange -------------------------------------------------


class DeadlineConnection(mpc.Connection):
    """A Unix-socket connection whose reads and writes all end by ``deadline`` (time.monotonic).

    ``multiprocessing`` reads a message with as many ``os.read`` calls as the
    peer needs; each waits here only for what is left of the one deadline
    (TimeoutError after it), so stalling, silence and trickling all end on time.
    """

    deadline = float("inf")

    def _wait(self, events: int) -> None:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the exchange took too long")
        poller = select.poll()
        poller.register(self._handle, events)
        if not poller.poll(None if left == float("inf") else int(left * 1000) + 1):
            raise TimeoutError("the exchange took too long")

    def _read(self, handle: int, size: int) -> bytes:
        self._wait(select.POLLIN)
        return os.read(handle, size)

    def _write(self, handle: int, data: bytes) -> int:
        self._wait(select.POLLOUT)
        return os.write(handle, data)

    def _recv(self, size, read=None):  # type: ignore[override]
        return super()._recv(size, self._read)

    def _send(self, buf, write=None):  # type: ignore[override]
        return super()._send(buf, self._write)

    def expire_in(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds


def _connect(addr: str, seconds: float) -> mpc.Connection:
    if family(addr) == "AF_PIPE":
        return mpc.Client(addr, family="AF_PIPE")  # no deadline on Windows pipes
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.connect(addr)
    except BaseException:
        sock.close()
        raise
    conn = DeadlineConnection(sock.detach())
    conn.expire_in(seconds)
    return conn


# -- client --------------------------------------------------------------------


def request(paths: AppPaths, message: dict[str, Any], timeout: float = REPLY_TIMEOUT + IO_TIMEOUT,
            request_id: str | None = None) -> dict[str, Any]:
    """Send one request (with ``request_id``, else a new one) to the running Necka; its reply.

    NotRunning when nobody listens; Unanswered when the request went out but
    no answer came back (it may have been applied: resend only with the same
    id); ControlError when the exchange fails before that.
    """
    addr = address(paths)
    key = read_key(paths)
    try:
        conn = _connect(addr, timeout)
    except (FileNotFoundError, ConnectionRefusedError):
        raise NotRunning("Necka is not running") from None
    except OSError as exc:
        raise ControlError(f"cannot connect to {addr} ({exc.strerror or exc})") from None
    with conn:
        try:
            mpc.answer_challenge(conn, key)
            mpc.deliver_challenge(conn, key)
        except mpc.AuthenticationError:
            raise ControlError(f"the running Necka refused the key in {key_file(paths)}") from None
        except (OSError, EOFError, AssertionError) as exc:
            raise ControlError(f"the running Necka did not complete the handshake ({type(exc).__name__})") from None
        try:
            conn.send_bytes(encode({**message, "id": request_id or new_id()}))
        except OSError as exc:
            raise ControlError(f"could not send the request ({type(exc).__name__})") from None
        try:
            reply = decode(conn.recv_bytes(MAX_REPLY))
        except TimeoutError:
            raise Unanswered(f"Necka did not answer within {timeout:g} s; {UNANSWERED}") from None
        except (OSError, EOFError, ValueError) as exc:
            raise Unanswered(f"no valid answer from the running Necka ({type(exc).__name__}); {UNANSWERED}") from None
    if reply.get("pending"):
        raise Unanswered(str(reply.get("error") or UNANSWERED))
    return reply
