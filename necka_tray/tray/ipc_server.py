"""The tray's end of the control channel (``ipc.py`` is the client's, and the protocol).

The accept thread only accepts: each connection gets its own short-lived
thread (at most ``MAX_PEERS`` at once) and one total deadline for the
handshake and its request, so a stalled, silent or trickling peer loses only
its own connection while ``necka-tray status`` is answered beside it. The
request itself still runs on the app's one dispatcher thread (``post``).

Request ids make retries safe: the answers to the last ``REMEMBERED`` ids are
kept, and a repeated id gets the stored answer (or waits for the first run to
finish) instead of running the command again.

On Unix the accept thread waits in ``select`` on the socket and a wake-up
pipe (no timeout, no polling), so ``stop`` and ``recheck`` can reach it:
``recheck`` (on the app's minute tick) binds a new socket when a tmp cleaner
or a changed ``XDG_RUNTIME_DIR`` took the old one away.
"""

from __future__ import annotations

import logging
import os
import select
import socket
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, Callable

from necka_tray.store.fsutil import atomic_write
from necka_tray.store.paths import AppPaths
from necka_tray.tray import ipc
from necka_tray.tray.ipc import Channel
from necka_tray.i18n import N_, _

logger = logging.getLogger(__name__)

#: Connections served at once; more are closed at once (each lasts at most ``io_timeout`` + the reply).
MAX_PEERS = 8
#: Request ids whose answers are kept for retries.
REMEMBERED = 64
BUSY = N_("Necka is busy and did not answer in time; {what}")
_ID_CHARS = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-")


class _Run:
    """One request on its way through the dispatcher; its reply once ``done``."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.reply: dict[str, Any] = {}


class Server:
    """Answers control requests: ``handle(request) -> reply`` runs on the dispatcher via ``post``."""

    def __init__(self, paths: AppPaths, handle: Callable[[dict[str, Any]], dict[str, Any]],
                 post: Callable[..., None], reply_timeout: float = ipc.REPLY_TIMEOUT,
                 io_timeout: float = ipc.IO_TIMEOUT, max_peers: int = MAX_PEERS) -> None:
        self._paths = paths
        self._handle = handle
        self._post = post
        self._reply_timeout = reply_timeout
        self._io_timeout = io_timeout
        self._address = ipc.address(paths)
        self._unix = ipc.family(self._address) == "AF_UNIX"
        self._key = b""
        self._sock: socket.socket | None = None  # Unix
        self._listener: Any = None  # Windows: a multiprocessing.connection.Listener
        self._bound: tuple[int, int] | None = None  # the socket file's (device, inode)
        self._retired: list[socket.socket] = []  # replaced by recheck; closed by the accept thread
        self._wake_r = self._wake_w = -1
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._bind_lock = threading.Lock()
        self._peers = threading.BoundedSemaphore(max_peers)
        self._peer_threads: set[threading.Thread] = set()
        self._runs: OrderedDict[str, _Run] = OrderedDict()
        self._runs_lock = threading.Lock()

    @property
    def address(self) -> str:
        return self._address

    def start(self) -> None:
        """Bind the channel and serve on a daemon thread. Call only while holding ``instance.claim``.

        OSError (and ValueError for a socket path too long) if it cannot bind.
        """
        with self._bind_lock:
            self._bind()
        if self._unix:
            self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(target=self._serve, name="control-server", daemon=True)
        self._thread.start()
        logger.info("action=control-listen address=%s", self._address)

    def recheck(self) -> bool:
        """Bind again if the socket or key file is gone (True then); cheap when all is well."""
        if not self._unix or self._stopping.is_set():
            return False
        with self._bind_lock:
            if self._sock is None or self._stopping.is_set() or self._intact():
                return False
            old = self._sock
            try:
                self._bind()
            except (OSError, ValueError) as exc:
                logger.warning("action=control-rebind failed=%s", exc)
                return False
            self._retired.append(old)
        os.write(self._wake_w, b"x")  # the accept thread picks up the new socket
        logger.warning("action=control-rebind reason=socket-gone address=%s", self._address)
        return True

    def stop(self, timeout: float = ipc.REPLY_TIMEOUT + ipc.IO_TIMEOUT) -> None:
        """Stop accepting, let requests in progress finish (their replies are sent), remove the files."""
        if self._thread is None:
            return
        self._stopping.set()
        if self._unix:
            os.write(self._wake_w, b"x")
        else:
            try:  # accept() does not wake for close(): knock once
                from multiprocessing.connection import Client

                Client(self._address, family="AF_PIPE").close()
            except OSError:
                pass
        self._thread.join(timeout)
        for peer in list(self._peer_threads):
            peer.join(timeout)
        with self._bind_lock:
            if self._sock is not None:
                if self._intact():  # only our own socket file: a new Necka's stays
                    Path(self._address).unlink(missing_ok=True)
                    ipc.key_file(self._paths).unlink(missing_ok=True)
                for sock in (self._sock, *self._retired):
                    sock.close()
                self._sock, self._retired = None, []
                os.close(self._wake_r)
                os.close(self._wake_w)
            if self._listener is not None:
                self._listener.close()
                self._listener = None
        self._thread = None
        logger.info("action=control-stop")

    # -- binding -----------------------------------------------------------------------------------

    def _bind(self) -> None:
        # os.urandom is what secrets.token_bytes returns; the secrets module would load hmac and
        # OpenSSL (~3.7 MiB USS).
        if not self._unix:  # pragma: no cover - Windows
            from multiprocessing.connection import Listener

            self._key = os.urandom(32)
            atomic_write(ipc.key_file(self._paths), self._key, mode=0o600)
            self._listener = Listener(self._address, family="AF_PIPE", backlog=8)
            return
        self._prepare_socket_dir()
        key = os.urandom(32)
        sock = socket.socket(socket.AF_UNIX)
        try:
            sock.bind(self._address)
            os.chmod(self._address, 0o600)
            sock.listen(8)
            sock.setblocking(False)
            atomic_write(ipc.key_file(self._paths), key, mode=0o600)
        except BaseException:
            sock.close()
            raise
        info = os.stat(self._address)
        self._sock, self._key, self._bound = sock, key, (info.st_dev, info.st_ino)

    def _intact(self) -> bool:
        try:
            info = os.stat(self._address)
            key = ipc.key_file(self._paths).read_bytes()
        except OSError:
            return False
        return (info.st_dev, info.st_ino) == self._bound and key == self._key

    def _prepare_socket_dir(self) -> None:
        """The socket's directory must be ours and private; a stale socket (a crash) goes."""
        if len(self._address.encode()) > ipc.MAX_SOCKET_PATH:
            raise ValueError(f"the socket path {self._address} is too long for a Unix socket")
        directory = self._paths.run_dir
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        info = directory.stat()
        if info.st_uid != os.getuid():
            raise PermissionError(f"{directory} belongs to another user")
        os.chmod(directory, 0o700)
        Path(self._address).unlink(missing_ok=True)  # only the lock holder gets here

    # -- serving -----------------------------------------------------------------------------------

    def _serve(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            try:
                conn = self._accept()
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
            if conn is None:
                continue
            if self._stopping.is_set() or not self._peers.acquire(blocking=False):
                logger.info("action=control-drop stage=accept reason=%s",
                            "stopping" if self._stopping.is_set() else "too-many-peers")
                conn.close()
                continue
            peer = threading.Thread(target=self._serve_peer, args=(conn,), name="control-peer", daemon=True)
            self._peer_threads.add(peer)
            peer.start()

    def _accept(self) -> Any:
        """The next connection; None after a wake-up (stop, a new socket) or a peer already gone."""
        if not self._unix:
            return self._listener.accept()
        sock = self._sock
        ready, _, _ = select.select([sock, self._wake_r], [], [])
        if self._wake_r in ready:
            os.read(self._wake_r, 64)
            with self._bind_lock:
                for old in self._retired:
                    old.close()
                self._retired = []
            return None
        try:
            client, _ = sock.accept()
        except (BlockingIOError, InterruptedError, ConnectionAbortedError):
            return None
        return Channel(client, self._io_timeout)

    def _serve_peer(self, conn: Any) -> None:
        try:
            with conn:
                if isinstance(conn, Channel):
                    conn.expire_in(self._io_timeout)
                self._serve_one(conn)
        finally:
            self._peer_threads.discard(threading.current_thread())
            self._peers.release()

    def _serve_one(self, conn: Any) -> None:
        """One exchange; whatever a peer sends, it can only lose its own connection."""
        try:
            ipc.server_handshake(conn, self._key)
        except ipc.AuthenticationError:
            logger.warning("action=control-refused reason=wrong-key")
            return
        except Exception as exc:  # a peer that is not a Necka client, went away, or took too long
            logger.info("action=control-drop stage=handshake error=%s", type(exc).__name__)
            return
        try:
            data = conn.recv_bytes(ipc.MAX_REQUEST)
        except Exception as exc:  # too long (OSError), too slow (TimeoutError), closed (EOFError)
            logger.info("action=control-drop stage=read error=%s", type(exc).__name__)
            return
        reply = self.reply_to(data)
        try:
            if isinstance(conn, Channel):
                conn.expire_in(self._io_timeout)
            conn.send_bytes(ipc.encode(reply))
        except Exception as exc:
            logger.info("action=control-drop stage=reply error=%s", type(exc).__name__)

    def reply_to(self, data: bytes) -> dict[str, Any]:
        """The answer to one request's bytes: never raises, whatever they hold."""
        try:
            message = ipc.decode(data)
            request_id = _request_id(message.pop("id", None))
        except ValueError as exc:
            return {"ok": False, "error": _("bad request: {error}").format(error=exc)}
        run, first = self._run_for(request_id)
        if first:
            self._post(lambda: self._run(run, message))
        if not run.done.wait(self._reply_timeout):
            return {"ok": False, "pending": True, "error": _(BUSY).format(what=_(ipc.UNANSWERED))}
        return run.reply

    def _run_for(self, request_id: str | None) -> tuple[_Run, bool]:
        """The run of this id (``first``: a new one), remembering at most ``REMEMBERED`` ids."""
        if request_id is None:
            return _Run(), True
        with self._runs_lock:
            run = self._runs.get(request_id)
            if run is not None:
                self._runs.move_to_end(request_id)
                logger.info("action=control-retry id=%s done=%s", request_id, run.done.is_set())
                return run, False
            run = self._runs[request_id] = _Run()
            while len(self._runs) > REMEMBERED:
                self._runs.popitem(last=False)
            return run, True

    def _run(self, run: _Run, message: dict[str, Any]) -> None:
        """On the dispatcher thread: the request itself."""
        try:
            run.reply = self._handle(message)
        except Exception:
            logger.exception("action=control-request failed")
            run.reply = {"ok": False, "error": _("the request failed inside Necka (see its log)")}
        finally:
            run.done.set()


def _request_id(value: Any) -> str | None:
    """A request's id: None (an old client), or 1 to ``ipc.MAX_ID`` of ``[0-9A-Za-z_-]``."""
    if value is None:
        return None
    if not isinstance(value, str) or not 0 < len(value) <= ipc.MAX_ID or not set(value) <= _ID_CHARS:
        raise ValueError(f'"id" must be 1 to {ipc.MAX_ID} letters, digits, "-" or "_"')
    return value
