"""The control channel's framing, deadline and key handshake, over real socket pairs.

Both halves of the handshake are Necka's own (keyed BLAKE2b, no OpenSSL), so
they are checked here against each other, against a wrong key, against a
server that does not hold the key, and against whatever bytes a peer sends
(Hypothesis).
"""

from __future__ import annotations

import socket
import struct
import subprocess
import sys
import threading

import pytest

from necka_tray.channel import ipc

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, strategies as st  # noqa: E402

KEY = b"k" * 32


def _pair(seconds: float = 5.0) -> tuple[ipc.Channel, ipc.Channel]:
    a, b = socket.socketpair(socket.AF_UNIX)
    return ipc.Channel(a, seconds), ipc.Channel(b, seconds)


def _handshake(server_key: bytes, client_key: bytes) -> tuple[BaseException | None, BaseException | None]:
    """Run both halves at once; what each raised (None: it passed)."""
    server, client = _pair()
    outcome: dict[str, BaseException | None] = {}

    def serve() -> None:
        try:
            ipc.server_handshake(server, server_key)
            outcome["server"] = None
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            outcome["server"] = exc
        finally:
            server.close()

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        ipc.client_handshake(client, client_key)
        outcome["client"] = None
    except BaseException as exc:  # noqa: BLE001
        outcome["client"] = exc
    finally:
        client.close()
        thread.join(10)
    return outcome["server"], outcome["client"]


def test_the_same_key_passes_both_ways():
    assert _handshake(KEY, KEY) == (None, None)


def test_a_wrong_key_is_refused_and_the_client_is_told():
    server_error, client_error = _handshake(KEY, b"not the key")
    assert isinstance(server_error, ipc.AuthenticationError)
    assert isinstance(client_error, ipc.AuthenticationError)


def test_a_server_without_the_key_cannot_pass_as_necka():
    """The client checks the server's proof too: another program on the socket learns nothing it can use."""
    server, client = _pair()
    impostor_done = threading.Event()

    def impostor() -> None:
        server.send_bytes(ipc.HELLO + b"n" * ipc.NONCE)
        server.recv_bytes(2 * ipc.NONCE)
        server.send_bytes(ipc.WELCOME + b"p" * 32)  # a guess at the proof
        impostor_done.set()

    thread = threading.Thread(target=impostor)
    thread.start()
    with pytest.raises(ValueError, match="could not prove"):
        ipc.client_handshake(client, KEY)
    thread.join(10)
    assert impostor_done.is_set()


def test_a_peer_that_is_not_necka_is_not_taken_for_one():
    server, client = _pair()
    server.send_bytes(b"HTTP/1.1 200 OK\r\n")
    with pytest.raises(ValueError, match="challenge"):
        ipc.client_handshake(client, KEY)


def test_keys_of_any_length_are_usable():
    """A forged key file may hold anything; BLAKE2b takes keys of at most 64 bytes."""
    for key in (b"x", b"y" * 64, b"z" * 65, b"w" * 10_000):
        assert ipc.mac(key, b"client", b"n") != ipc.mac(key + b"!", b"client", b"n")
    assert _handshake(b"z" * 65, b"z" * 65) == (None, None)


def test_frames_round_trip_and_an_oversized_one_is_refused_unread():
    a, b = _pair()
    a.send_bytes(b"")
    a.send_bytes(b"hello")
    assert b.recv_bytes(10) == b"" and b.recv_bytes(10) == b"hello"
    a.send_bytes(b"x" * 11)
    with pytest.raises(OSError, match="11 bytes"):
        b.recv_bytes(10)
    a._write_all(struct.pack("!I", 2**32 - 1))
    with pytest.raises(OSError, match="at most"):
        b.recv_bytes(ipc.MAX_REPLY)


def test_the_deadline_is_one_total_not_per_read():
    """Half a message is there; the rest never comes: the spent deadline ends the read, without waiting."""
    a, b = _pair()
    a._write_all(struct.pack("!I", 10) + b"abc")
    b.expire_in(0)
    with pytest.raises(TimeoutError):
        b.recv_bytes(100)
    b.expire_in(0)
    with pytest.raises(TimeoutError):
        b.send_bytes(b"late")


def test_a_closed_peer_is_an_end_of_file_not_a_hang():
    a, b = _pair()
    a._write_all(struct.pack("!I", 10) + b"abc")
    a.close()
    with pytest.raises(EOFError):
        b.recv_bytes(100)


def test_the_channel_needs_neither_multiprocessing_nor_openssl():
    """What the channel is for: the tray stays free of ~5 MiB it would carry for good after the first command."""
    code = (
        "import socket, sys, threading\n"
        "from necka_tray.channel import ipc, ipc_server\n"
        "a, b = socket.socketpair()\n"
        "s, c = ipc.Channel(a, 5), ipc.Channel(b, 5)\n"
        "t = threading.Thread(target=ipc.server_handshake, args=(s, b'k' * 32)); t.start()\n"
        "ipc.client_handshake(c, b'k' * 32); t.join()\n"
        "print(sorted(m for m in ('multiprocessing', 'hmac', 'hashlib', '_hashlib', 'tempfile') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


@given(st.lists(st.binary(max_size=80), max_size=4), st.booleans())
def test_whatever_a_peer_sends_the_server_handshake_ends_in_a_documented_error(chunks, framed):
    """Raw bytes or frames of anything: the server passes only a peer with the key, and never raises else."""
    server, client = _pair(seconds=2.0)
    try:
        for chunk in chunks:
            client._write_all(struct.pack("!I", len(chunk)) + chunk if framed else chunk)
        client.close()  # then nothing more comes: EOF, never a wait
        try:
            ipc.server_handshake(server, KEY)
        except (ipc.AuthenticationError, EOFError, OSError):
            return
        pytest.fail(f"a peer without the key passed: {chunks!r}")
    finally:
        server.close()
