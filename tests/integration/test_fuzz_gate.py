"""Property test (Hypothesis) of the control socket's door, ``ipc_gate.Gate``: the framing and the
handshake it parses from any program of the user's, on a real socket.

Whatever bytes a peer sends, in whatever pieces (lengths that lie, answers of the wrong size, a
request before the welcome, more than one frame), the peer can only lose its own connection: the
door never raises, and a real client is answered right after it.
"""

from __future__ import annotations

import socket
import struct
import sys

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from necka_tray.store.paths import AppPaths  # noqa: E402
from necka_tray.channel import ipc, ipc_server  # noqa: E402

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="Unix sockets")


def frame(data: bytes) -> bytes:
    return struct.pack("!I", len(data)) + data


#: Pieces a peer might send: random bytes, frames of any size, lying length headers.
pieces = st.one_of(
    st.binary(max_size=80),
    st.binary(max_size=200).map(frame),
    st.integers(min_value=0, max_value=2**32 - 1).map(lambda n: struct.pack("!I", n)),
    st.just(frame(b"\0" * 2 * ipc.NONCE)),
)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    base = tmp_path_factory.mktemp("gate")
    paths = AppPaths(base / "c", base / "d", base / "l", base / "r")
    paths.ensure()
    answered = []
    srv = ipc_server.Server(paths, lambda request: answered.append(request) or {"ok": True}, post=lambda fn: fn(),
                            io_timeout=0.5)
    srv.start()
    yield paths, srv, answered
    srv.stop()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(pieces, max_size=6))
def test_whatever_a_peer_sends_it_loses_only_its_own_connection(server, sent):
    paths, srv, answered = server
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(srv.address)
        s.settimeout(5)
        try:
            for piece in sent:
                s.sendall(piece)
            s.shutdown(socket.SHUT_WR)
            while s.recv(65536):  # the challenge, perhaps a refusal, then the hang-up
                pass
        except OSError:  # the door hung up first
            pass
    assert srv._thread.is_alive()
    before = len(answered)
    assert ipc.request(paths, {"command": "status"}) == {"ok": True}
    assert len(answered) == before + 1  # nothing the fuzzer sent ran (it holds no key)
