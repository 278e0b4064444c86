"""The control socket's door on Unix: many handshakes at once on one thread, and who gets dropped.

Any program of the user can connect to the socket (it is the user's own
0600 file), and one that connects and sends nothing costs the tray only a
file descriptor, not a thread: every connection that has not yet sent its
request waits here, in one ``poll`` with the accept socket, until it has
proved the key and sent its request (then ``serve(channel, request)`` takes
it), or its one total deadline passes. Nothing here blocks on a peer.

The number of such waiting connections is bounded, and a full door drops
the OLDEST waiting connection, never the new one: a real client answers the
challenge within milliseconds, so a flood of idle connections (or a peer
that reconnects without end) pushes out only its own older connections,
while the command that just arrived is served. A bigger listen backlog
would only delay the flood, and a fixed set of slots (the old way) let eight
silent peers turn every command away. Before the global bound, each peer
process (by its pid from ``SO_PEERCRED``, on Linux) may hold only
``PER_PEER`` waiting connections: a single flooding process then cannot push
out another process's connection at all.
"""

from __future__ import annotations

import logging
import os
import select
import socket
import struct
import threading
import time
from collections import OrderedDict
from typing import Callable

from necka_tray.channel import ipc

logger = logging.getLogger(__name__)

#: Connections that have not yet sent their request, at most (each is one file descriptor).
MAX_WAITING = 64
#: Of those, at most this many from one peer process.
PER_PEER = 4
#: Connections accepted per turn of the loop, so the answers of those waiting are read in between.
ACCEPT_BATCH = 16
_FRAME = struct.Struct("!I")
_NOSIGNAL = getattr(socket, "MSG_NOSIGNAL", 0)


class _Waiting:
    """One connection on its way through the handshake."""

    __slots__ = ("sock", "peer", "deadline", "key", "nonce", "inbuf", "outbuf", "proved", "closing")

    def __init__(self, sock: socket.socket, peer: int | None, deadline: float, key: bytes) -> None:
        self.sock, self.peer, self.deadline, self.key = sock, peer, deadline, key
        self.nonce = os.urandom(ipc.NONCE)
        self.inbuf = bytearray()
        self.outbuf = bytearray(_frame(ipc.HELLO + self.nonce))
        self.proved = False
        self.closing = False  # refused: close once the refusal is sent


def _frame(data: bytes) -> bytes:
    return _FRAME.pack(len(data)) + data


def peer_pid(sock: socket.socket) -> int | None:
    """The connecting process's pid (Linux), else None (then only the global bound applies)."""
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        return None
    try:
        pid, _uid, _gid = struct.unpack("3i", sock.getsockopt(socket.SOL_SOCKET, option, struct.calcsize("3i")))
    except OSError:
        return None
    return pid


class Gate:
    """Accepts on ``listening()`` and runs every handshake to its request; ``serve`` takes the rest."""

    def __init__(self, listening: Callable[[], tuple[socket.socket | None, bytes]], wake_fd: int,
                 on_wake: Callable[[], None], serve: Callable[[ipc.Channel, bytes], None],
                 io_timeout: float, stopping: threading.Event) -> None:
        self._listening = listening  # the current socket and its key (a rebind replaces both)
        self._wake_fd = wake_fd
        self._on_wake = on_wake
        self._serve = serve
        self._io_timeout = io_timeout
        self._stopping = stopping
        self._waiting: OrderedDict[int, _Waiting] = OrderedDict()  # fd -> connection, oldest first
        self._dropped = self._refused = 0
        self._dropped_logged = self._refused_logged = -60.0

    def run(self) -> None:
        """Until ``stopping`` is set; an accept that fails (e.g. out of descriptors) drops those
        waiting and backs off, then serves again."""
        failures = 0
        while not self._stopping.is_set():
            try:
                self._turn()
                failures = 0
            except OSError as exc:
                for fd in list(self._waiting):
                    self._close(fd)
                failures += 1
                logger.warning("action=control-accept failed=%s (%s)", failures, exc)
                self._stopping.wait(min(60, failures))
        for fd in list(self._waiting):
            self._close(fd)

    def _turn(self) -> None:
        sock, key = self._listening()
        poller = select.poll()
        poller.register(self._wake_fd, select.POLLIN)
        if sock is not None:  # None while the socket cannot be made (the next recheck wakes us)
            poller.register(sock, select.POLLIN)
        for fd, w in self._waiting.items():
            poller.register(fd, select.POLLIN | (select.POLLOUT if w.outbuf else 0))
        timeout = None
        if self._waiting:  # wake for the nearest deadline (the oldest is not always the nearest: none is longer)
            left = min(w.deadline for w in self._waiting.values()) - time.monotonic()
            timeout = max(0, int(left * 1000) + 1)
        events = dict(poller.poll(timeout))
        if self._wake_fd in events:
            self._on_wake()
            return  # the socket may have changed: poll again with the new one
        for fd, event in events.items():  # the answers of those waiting before any new connection
            if fd in self._waiting:
                self._step(fd, event)
        now = time.monotonic()
        for fd in [fd for fd, w in self._waiting.items() if w.deadline <= now]:
            self._drop(fd, "deadline")
        if sock is not None and sock.fileno() in events:
            self._accept(sock, key)
        self._log_drops()

    def _accept(self, sock: socket.socket, key: bytes) -> None:
        for _ in range(ACCEPT_BATCH):
            try:
                client, _addr = sock.accept()
            except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                return
            client.setblocking(False)
            self._admit(_Waiting(client, peer_pid(client), time.monotonic() + self._io_timeout, key))

    def _admit(self, new: _Waiting) -> None:
        if new.peer is not None:
            mine = [fd for fd, w in self._waiting.items() if w.peer == new.peer]
            if len(mine) >= PER_PEER:
                self._drop(mine[0], "crowded")
        if len(self._waiting) >= MAX_WAITING:
            self._drop(next(iter(self._waiting)), "crowded")
        self._waiting[new.sock.fileno()] = new
        self._flush(new.sock.fileno())  # the challenge goes out at once

    def _step(self, fd: int, event: int) -> None:
        w = self._waiting[fd]
        if event & select.POLLOUT and not self._flush(fd):
            return
        if not event & (select.POLLIN | select.POLLHUP | select.POLLERR):
            return
        limit = ipc.MAX_REQUEST if w.proved else 2 * ipc.NONCE
        try:
            chunk = w.sock.recv(max(1, _FRAME.size + limit - len(w.inbuf)))
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._drop(fd, "read")
            return
        if not chunk:
            self._drop(fd, "closed")
            return
        w.inbuf += chunk
        while fd in self._waiting and len(w.inbuf) >= _FRAME.size:
            (size,) = _FRAME.unpack_from(w.inbuf)
            limit = ipc.MAX_REQUEST if w.proved else 2 * ipc.NONCE
            if size > limit:
                self._drop(fd, "too-long")
                return
            if len(w.inbuf) < _FRAME.size + size:
                return
            message = bytes(w.inbuf[_FRAME.size:_FRAME.size + size])
            del w.inbuf[:_FRAME.size + size]
            if w.proved:
                self._hand_over(fd, message)
            else:
                self._answer(fd, message)

    def _answer(self, fd: int, answer: bytes) -> None:
        """The peer's answer to the challenge: the same checks as ``ipc.server_handshake``."""
        w = self._waiting[fd]
        if len(answer) != 2 * ipc.NONCE or not ipc.compare_digest(answer[:ipc.NONCE], ipc.mac(w.key, b"client", w.nonce)):
            self._refused += 1
            if time.monotonic() - self._refused_logged >= 60:  # a peer guessing keys fills no log
                logger.warning("action=control-refused reason=wrong-key count=%s", self._refused)
                self._refused, self._refused_logged = 0, time.monotonic()
            w.outbuf += _frame(ipc.REFUSED)
            w.closing = True
        else:
            w.proved = True
            w.outbuf += _frame(ipc.WELCOME + ipc.mac(w.key, b"server", answer[ipc.NONCE:]))
        self._flush(fd)

    def _hand_over(self, fd: int, request: bytes) -> None:
        w = self._waiting.pop(fd)
        if w.inbuf or w.outbuf:  # more than one request, or the welcome not yet taken: not a Necka client
            w.sock.close()
            return
        self._serve(ipc.Channel(w.sock, self._io_timeout), request)

    def _flush(self, fd: int) -> bool:
        """Send what is due to ``fd`` without blocking; False if the connection is gone."""
        w = self._waiting[fd]
        try:
            while w.outbuf:
                sent = w.sock.send(w.outbuf, _NOSIGNAL)
                del w.outbuf[:sent]
        except (BlockingIOError, InterruptedError):
            return True
        except OSError:
            self._drop(fd, "write")
            return False
        if w.closing:
            self._close(fd)
            return False
        return True

    def _drop(self, fd: int, reason: str) -> None:
        w = self._waiting.get(fd)
        logger.debug("action=control-drop stage=%s reason=%s peer=%s",
                     "request" if w is not None and w.proved else "handshake", reason, w and w.peer)
        if reason in ("crowded", "deadline"):
            self._dropped += 1
        self._close(fd)

    def _close(self, fd: int) -> None:
        w = self._waiting.pop(fd, None)
        if w is not None:
            w.sock.close()

    def _log_drops(self) -> None:
        """Connections dropped for crowding or silence: one log line a minute at most, not one each."""
        if self._dropped and time.monotonic() - self._dropped_logged >= 60:  # the first at once
            logger.info("action=control-drop reason=silent-or-crowded count=%s", self._dropped)
            self._dropped, self._dropped_logged = 0, time.monotonic()
