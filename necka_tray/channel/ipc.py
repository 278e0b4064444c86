"""The private channel between ``necka-tray <command>`` and the running tray: the client side.

Who may talk to the tray, in layers:

- the rendezvous is a Unix socket in the user's runtime dir (0700), itself
  0600, so only this user's processes can connect; on Windows a named pipe,
  whose default ACL gives other users no write access. No TCP port, ever;
- both ends then prove they hold a key that the server writes at start into
  a 0600 file next to the socket: a challenge in both directions, answered
  with keyed BLAKE2b of a fresh random nonce (``server_handshake``,
  ``client_handshake``). CPython's own ``_blake2`` does it without OpenSSL:
  ``multiprocessing.connection``'s HMAC, used here before, loaded ~2 MiB of
  modules at start and ~3.7 MiB of libcrypto at the first command, for
  good, in a process that otherwise idles at ~15 MiB;
- a message is one JSON object as bytes behind a 4-byte length (``Channel``,
  with a size cap), never a pickle: a peer can send data, not code. ``decode``
  is strict (no NaN or infinities, integers of at most ``MAX_INT_DIGITS``),
  so a number that passes it fits every check after it.

Every exchange has one TOTAL deadline (``Channel``), not a timeout per read:
a peer that trickles a byte a second cannot stretch it. Windows keeps
``multiprocessing.connection``'s named pipes (its ``send_bytes``/``recv_bytes``
speak the same framing) with the same handshake on top.

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
import struct
import sys
import time
from pathlib import Path
from typing import Any

try:  # CPython's BLAKE2 module: ``hashlib`` would load OpenSSL's libcrypto to find it
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - another Python
    from hashlib import blake2b
try:  # what ``hmac.compare_digest`` is without OpenSSL (importing hmac loads it)
    from _operator import _compare_digest as compare_digest
except ImportError:  # pragma: no cover - another Python
    from hmac import compare_digest

from necka_tray.store.paths import AppPaths
from necka_tray.texts.i18n import N_, _

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
UNANSWERED = N_("the command may have taken effect: check `necka-tray status`")


class NotRunning(Exception):
    """No running Necka answers on this user's channel."""


class ControlError(Exception):
    """A Necka answered but the exchange failed (wrong key, garbled reply)."""


class Unanswered(ControlError):
    """The request was sent but its answer did not come in time: it may have been applied."""


class AuthenticationError(Exception):
    """The peer does not hold this user's key (the server refused it, or the server could not prove it)."""


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
        raise ControlError(_("cannot read the control key {path} ({error})").format(path=key_file(paths), error=exc.strerror)) from None
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


class Channel:
    """A connected Unix socket framed as ``!I`` length + bytes, every read and write ending by ``deadline``.

    The socket is non-blocking and each wait is a ``poll`` for what is left of
    the one deadline (TimeoutError after it), so stalling, silence and
    trickling all end on time, in either direction.
    """

    def __init__(self, sock: socket.socket, seconds: float = float("inf")) -> None:
        sock.setblocking(False)
        self._sock = sock
        self.deadline = float("inf")
        self.expire_in(seconds)

    def expire_in(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds

    def fileno(self) -> int:
        return self._sock.fileno()

    def close(self) -> None:
        self._sock.close()

    def __enter__(self) -> "Channel":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send_bytes(self, data: bytes) -> None:
        self._write_all(struct.pack("!I", len(data)) + data)

    def recv_bytes(self, maxlength: int) -> bytes:
        """One message; OSError if it announces more than ``maxlength`` (nothing of it is read)."""
        (size,) = struct.unpack("!I", self._read_exact(4))
        if size > maxlength:
            raise OSError(f"a message of {size} bytes (at most {maxlength})")
        return self._read_exact(size)

    def _wait(self, events: int) -> None:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the exchange took too long")
        poller = select.poll()
        poller.register(self._sock, events)
        if not poller.poll(None if left == float("inf") else int(left * 1000) + 1):
            raise TimeoutError("the exchange took too long")

    def _read_exact(self, size: int) -> bytes:
        data = bytearray()
        while len(data) < size:
            self._wait(select.POLLIN)
            try:
                chunk = self._sock.recv(min(size - len(data), 65536))
            except (BlockingIOError, InterruptedError):
                continue
            if not chunk:
                raise EOFError("the peer closed the connection")
            data += chunk
        return bytes(data)

    def _write_all(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            self._wait(select.POLLOUT)
            try:
                sent = self._sock.send(view, getattr(socket, "MSG_NOSIGNAL", 0))
            except (BlockingIOError, InterruptedError):
                continue
            view = view[sent:]


# -- the handshake ---------------------------------------------------------------

HELLO = b"necka-control/1 "
WELCOME = b"welcome "
REFUSED = b"refused"
NONCE = 32


def mac(key: bytes, label: bytes, nonce: bytes) -> bytes:
    """Keyed BLAKE2b; a key file of any length (a forged one too) is first hashed to one BLAKE2b takes."""
    if len(key) > 64:
        key = blake2b(key).digest()
    return blake2b(label + nonce, key=key, digest_size=32).digest()


def server_handshake(conn: Any, key: bytes) -> None:
    """The server's half: challenge the peer, then prove the key back. AuthenticationError if it has the wrong one.

    A fresh nonce per connection means an answer or a timing learnt from one
    connection is worth nothing on the next.
    """
    nonce = os.urandom(NONCE)
    conn.send_bytes(HELLO + nonce)
    answer = conn.recv_bytes(2 * NONCE)
    if len(answer) != 2 * NONCE or not compare_digest(answer[:NONCE], mac(key, b"client", nonce)):
        conn.send_bytes(REFUSED)
        raise AuthenticationError("the peer does not hold the key")
    conn.send_bytes(WELCOME + mac(key, b"server", answer[NONCE:]))


def client_handshake(conn: Any, key: bytes) -> None:
    """The client's half. AuthenticationError when refused; ValueError when the peer is no Necka server."""
    hello = conn.recv_bytes(len(HELLO) + NONCE)
    if len(hello) != len(HELLO) + NONCE or not hello.startswith(HELLO):
        raise ValueError("the peer did not send Necka's challenge")
    mine = os.urandom(NONCE)
    conn.send_bytes(mac(key, b"client", hello[len(HELLO):]) + mine)
    reply = conn.recv_bytes(len(WELCOME) + NONCE)
    if reply == REFUSED:
        raise AuthenticationError("the server refused the key")
    if not reply.startswith(WELCOME) or not compare_digest(reply[len(WELCOME):], mac(key, b"server", mine)):
        raise ValueError("the peer could not prove it holds the key")


def connect(addr: str, key: bytes, seconds: float = REPLY_TIMEOUT + IO_TIMEOUT) -> Any:
    """An authenticated connection to ``addr`` (a ``Channel``; on Windows a pipe connection).

    OSError when nobody listens; AuthenticationError, ValueError, EOFError or
    TimeoutError when the handshake fails (the connection is closed then).
    """
    if family(addr) == "AF_PIPE":  # pragma: no cover - Windows
        from multiprocessing.connection import Client

        conn = Client(addr, family="AF_PIPE")  # no deadline on Windows pipes
    else:
        sock = socket.socket(socket.AF_UNIX)
        if seconds != float("inf"):  # a full listen queue holds a blocking connect: for this long at most
            whole = int(min(seconds, 3600))
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO,
                            struct.pack("ll", whole, int((min(seconds, 3600) - whole) * 1e6)))
        try:
            sock.connect(addr)
        except BaseException:
            sock.close()
            raise
        conn = Channel(sock, seconds)
    try:
        client_handshake(conn, key)
    except BaseException:
        conn.close()
        raise
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
        conn = connect(addr, key, timeout)
    except (FileNotFoundError, ConnectionRefusedError):
        raise NotRunning("Necka is not running") from None
    except AuthenticationError:
        raise ControlError(_("the running Necka refused the key in {path}").format(path=key_file(paths))) from None
    except (EOFError, ValueError, TimeoutError) as exc:
        raise ControlError(_("the running Necka did not complete the handshake ({error})").format(
            error=type(exc).__name__)) from None
    except OSError as exc:
        raise ControlError(_("cannot connect to {address} ({error})").format(address=addr, error=exc.strerror or exc)) from None
    with conn:
        try:
            conn.send_bytes(encode({**message, "id": request_id or new_id()}))
        except (OSError, TimeoutError) as exc:
            raise ControlError(_("could not send the request ({error})").format(error=type(exc).__name__)) from None
        try:
            reply = decode(conn.recv_bytes(MAX_REPLY))
        except TimeoutError:
            raise Unanswered(_("Necka did not answer within {seconds} s; {what}").format(
                seconds=f"{timeout:g}", what=_(UNANSWERED))) from None
        except (OSError, EOFError, ValueError) as exc:
            raise Unanswered(_("no valid answer from the running Necka ({error}); {what}").format(
                error=type(exc).__name__, what=_(UNANSWERED))) from None
    if reply.get("pending"):
        raise Unanswered(str(reply.get("error") or _(UNANSWERED)))
    return reply
