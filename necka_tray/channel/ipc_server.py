"""The tray's end of the control channel (``ipc.py`` is the client's, and the protocol).

On Unix one thread, the door (``ipc_gate.Gate``), accepts and runs every
handshake at once in one ``poll``, each on one total deadline, dropping the
oldest waiting connection when too many wait: a stalled, silent or
trickling peer, or a flood of them, loses only its own connections while
``necka-tray status`` is answered beside it. A proved request goes to a
short-lived worker thread (at most ``MAX_WORKERS`` at once, the rest queued),
which waits for the app's one dispatcher thread (``post``) and sends the reply.

Request ids make retries safe: the answers to the last ``REMEMBERED`` ids are
kept, and a repeated id gets the stored answer (or waits for the first run to
finish) instead of running the command again.

The door waits on the socket and a wake-up pipe (no timeout, no polling), so
``stop`` and ``recheck`` can reach it: ``recheck`` (on the app's minute tick)
binds a new socket when a tmp cleaner or a changed ``XDG_RUNTIME_DIR`` took
the old one away, or when the first bind failed (a full runtime folder).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections import OrderedDict, deque
from pathlib import Path
from typing import Any, Callable

from necka_tray.store.fsutil import atomic_write
from necka_tray.store.paths import AppPaths
from necka_tray.channel import instance, ipc
from necka_tray.channel.ipc import Channel
from necka_tray.texts.i18n import N_, _

logger = logging.getLogger(__name__)

#: Requests waiting for the app at once (one thread each); more wait in line for one of them.
MAX_WORKERS = 8
#: Proved requests waiting in that line, at most (a peer that holds the key is the user's own program).
MAX_QUEUED = 64
#: Connections served at once on Windows (a thread each); more are closed at once.
MAX_PEERS = 8
#: The kernel's queue of connections not yet accepted (the door drains it at once; a burst waits
#: there rather than making a client's connect wait): as long as the kernel allows (somaxconn).
BACKLOG = socket.SOMAXCONN
#: How a socket being made ends (``.<8 hex digits>.sk``): as long as ``control.sock``, so it fits sun_path too.
_TEMPORARY = ".sk"
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
        self._sock: socket.socket | None = None  # Unix; None while it cannot be bound
        self._problem: str | None = None  # why not, as last said
        self._listener: Any = None  # Windows: a multiprocessing.connection.Listener
        self._bound: tuple[int, int] | None = None  # the socket file's (device, inode)
        self._retired: list[socket.socket] = []  # replaced by recheck; closed by the accept thread
        self._wake_r = self._wake_w = -1
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._bind_lock = threading.Lock()
        self._peers = threading.BoundedSemaphore(max_peers)  # Windows
        self._peer_threads: set[threading.Thread] = set()
        self._queue: deque[tuple[Channel, bytes]] = deque()  # proved requests waiting for a worker
        self._workers = 0
        self._queue_lock = threading.Lock()
        self._runs: OrderedDict[str, _Run] = OrderedDict()
        self._runs_lock = threading.Lock()

    @property
    def address(self) -> str:
        return self._address

    @property
    def problem(self) -> str | None:
        """Why the channel cannot be made now (one line), or None when it is up."""
        return self._problem

    def start(self) -> None:
        """Bind the channel and serve on a daemon thread. Call only while holding ``instance.claim``.

        On Unix a bind that fails (a full or unusable runtime folder) is said once (``problem``)
        and tried again by each ``recheck``. On Windows, OSError if it cannot listen.
        """
        if self._unix:
            if len(self._address.encode()) > ipc.MAX_SOCKET_PATH:  # no retry can help
                raise ValueError(_("the socket path {path} is too long for a Unix socket").format(path=self._address))
            self._wake_r, self._wake_w = os.pipe()
            with self._bind_lock:
                try:
                    self._bind()
                except OSError as exc:
                    self._say(exc)
                else:
                    instance.note_channel(self._paths, None)  # a note a killed Necka left
        else:  # pragma: no cover - Windows
            self._bind()
        self._thread = threading.Thread(target=self._serve, name="control-server", daemon=True)
        self._thread.start()
        if self._sock is not None or not self._unix:
            logger.info("action=control-listen address=%s", self._address)

    def recheck(self) -> bool:
        """Bind again if the socket or key file is gone, or was never made (True then); cheap when all is well."""
        if not self._unix or self._stopping.is_set():
            return False
        with self._bind_lock:
            if self._thread is None or self._stopping.is_set() or self._sock is not None and self._intact():
                return False
            old, was = self._sock, self._problem
            try:
                self._bind()
            except OSError as exc:
                self._say(exc)
                return False
            if old is not None:
                self._retired.append(old)
            self._problem = None
        os.write(self._wake_w, b"x")  # the accept thread picks up the new socket
        if was is not None:
            logger.warning("%s", _("necka-tray commands reach this Necka again ({address}).").format(address=self._address))
            instance.note_channel(self._paths, None)
        else:
            logger.warning("action=control-rebind reason=socket-gone address=%s", self._address)
        return True

    def _say(self, exc: OSError) -> None:
        """Why the channel cannot be made: said once while it stays the same, and noted for the
        commands (``instance.channel_note``), which would otherwise only find no socket."""
        reason = _("cannot make its control socket in {folder} ({error})").format(
            folder=self._paths.run_dir, error=exc.strerror or exc)
        if reason == self._problem:
            logger.debug("action=control-rebind failed=%s", exc)
            return
        self._problem = reason
        logger.warning("%s", _("necka-tray commands cannot reach this Necka: {reason}; it tries again every "
                               "minute.").format(reason=reason))
        instance.note_channel(self._paths, reason)

    def stop(self, timeout: float = ipc.REPLY_TIMEOUT + ipc.IO_TIMEOUT) -> None:
        """Stop accepting, let requests in progress finish (their replies are sent), remove the files."""
        if self._thread is None:
            return
        self._stopping.set()
        if self._unix:
            os.write(self._wake_w, b"x")
        else:  # pragma: no cover - Windows
            try:  # accept() does not wake for close(): knock once
                from multiprocessing.connection import Client

                Client(self._address, family="AF_PIPE").close()
            except OSError:
                pass
        self._thread.join(timeout)
        for peer in list(self._peer_threads):
            peer.join(timeout)
        with self._bind_lock:
            if self._unix:
                if self._sock is not None and self._intact():  # only our own socket file: a new Necka's stays
                    Path(self._address).unlink(missing_ok=True)
                    ipc.key_file(self._paths).unlink(missing_ok=True)
                for sock in (*([self._sock] if self._sock is not None else []), *self._retired):
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
        """Key and socket appear together or not at all.

        The key is written first (atomically), the socket is bound under a temporary name beside
        it and renamed into place last: a client never finds a socket without its key, and a
        failure (a full runtime folder) leaves neither a half-made socket nor a key of its own.
        """
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
        temporary = str(self._paths.run_dir / f".{os.urandom(4).hex()}{_TEMPORARY}")
        sock = socket.socket(socket.AF_UNIX)
        try:
            sock.bind(temporary)
            os.chmod(temporary, 0o600)
            sock.listen(BACKLOG)
            sock.setblocking(False)
            atomic_write(ipc.key_file(self._paths), key, mode=0o600)
            os.replace(temporary, self._address)
        except BaseException:
            sock.close()
            try:
                os.unlink(temporary)
            except OSError:
                pass
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
        """The socket's directory must be ours and private; sockets half-made by a crash go."""
        directory = self._paths.run_dir
        directory.mkdir(exist_ok=True, mode=0o700)  # in the runtime folder: never the session's own
        info = directory.stat()
        if info.st_uid != os.getuid():
            raise PermissionError(f"{directory} belongs to another user")
        os.chmod(directory, 0o700)
        for stale in directory.glob(f".????????{_TEMPORARY}"):  # only the lock holder gets here
            stale.unlink(missing_ok=True)

    # -- serving -----------------------------------------------------------------------------------

    def _serve(self) -> None:
        if self._unix:
            self._serve_unix()
        else:  # pragma: no cover - Windows
            self._serve_windows()

    def _serve_unix(self) -> None:
        from necka_tray.channel.ipc_gate import Gate

        Gate(lambda: (self._sock, self._key), self._wake_r, self._woken, self._queue_request,
             self._io_timeout, self._stopping).run()

    def _woken(self) -> None:
        os.read(self._wake_r, 64)
        with self._bind_lock:
            for old in self._retired:
                old.close()
            self._retired = []

    def _queue_request(self, conn: Channel, data: bytes) -> None:
        """A proved request: to a worker thread now, or in line for the next free one."""
        with self._queue_lock:
            if self._stopping.is_set() or len(self._queue) >= MAX_QUEUED:
                logger.info("action=control-drop stage=request reason=%s",
                            "stopping" if self._stopping.is_set() else "queue-full")
                conn.close()
                return
            self._queue.append((conn, data))
            if self._workers >= MAX_WORKERS:
                return
            self._workers += 1
        worker = threading.Thread(target=self._work, name="control-request", daemon=True)
        self._peer_threads.add(worker)
        worker.start()

    def _work(self) -> None:
        try:
            while True:
                with self._queue_lock:
                    if not self._queue:
                        self._workers -= 1
                        return
                    conn, data = self._queue.popleft()
                with conn:
                    self._answer(conn, data)
        finally:
            self._peer_threads.discard(threading.current_thread())

    def _answer(self, conn: Any, data: bytes) -> None:
        reply = self.reply_to(data)
        try:
            if isinstance(conn, Channel):
                conn.expire_in(self._io_timeout)
            conn.send_bytes(ipc.encode(reply))
        except Exception as exc:
            logger.info("action=control-drop stage=reply error=%s", type(exc).__name__)

    def _serve_windows(self) -> None:  # pragma: no cover - Windows
        while not self._stopping.is_set():
            try:
                conn = self._listener.accept()
            except OSError as exc:
                if self._stopping.is_set():
                    return
                logger.warning("action=control-accept failed=%s", exc)
                self._stopping.wait(1)
                continue
            if self._stopping.is_set() or not self._peers.acquire(blocking=False):
                conn.close()
                continue
            peer = threading.Thread(target=self._serve_peer, args=(conn,), name="control-peer", daemon=True)
            self._peer_threads.add(peer)
            peer.start()

    def _serve_peer(self, conn: Any) -> None:  # pragma: no cover - Windows
        try:
            with conn:
                try:
                    ipc.server_handshake(conn, self._key)
                    data = conn.recv_bytes(ipc.MAX_REQUEST)
                except Exception as exc:  # a wrong key, not a Necka client, gone, too slow or too long
                    logger.info("action=control-drop stage=handshake error=%s", type(exc).__name__)
                    return
                self._answer(conn, data)
        finally:
            self._peer_threads.discard(threading.current_thread())
            self._peers.release()

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
