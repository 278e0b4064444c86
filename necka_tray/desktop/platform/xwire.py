"""The tray's few X11 questions, asked over a plain socket.

The tray process asks the X server four things: is there a display, who holds
the XEmbed tray selection, how long the user has been idle (MIT-SCREEN-SAVER),
and whether the focused window is full screen. python-xlib answers them, but
importing it and opening a ``Display`` keeps ~2.5 MiB of heap for the life of
the process: an eighth of Necka's memory on a StatusNotifierItem desktop, where
nothing else in the tray needs Xlib (only the XEmbed icon does, and it brings
its own connection). These requests are the protocol's simplest: fixed
layouts, one reply each (X Window System Protocol, X11R7.7; the MIT-SCREEN-SAVER
extension), so this module speaks them itself.

Each call sends one request and reads until its reply or error. No events are
selected, so none arrive but ones the server sends anyway, which are skipped.
Every failure (refused connection, bad name, X error, a malformed or oversized
reply, no answer within ``TIMEOUT`` seconds) raises ``XWireError`` or
``OSError``: a hung X server cannot stall the app's dispatcher thread.
"""

from __future__ import annotations

import os
import socket
import struct
from pathlib import Path
from typing import NamedTuple

TIMEOUT = 5.0
MAX_REPLY = 1 << 20  # bytes; Necka's replies are a few dozen
MAX_XAUTHORITY = 1 << 20

ANY_PROPERTY_TYPE = 0
NONE = 0
POINTER_ROOT = 1

_COOKIE = b"MIT-MAGIC-COOKIE-1"
_ERRORS = ("", "Request", "Value", "Window", "Pixmap", "Atom", "Cursor", "Font", "Match", "Drawable", "Access", "Alloc",
           "Colormap", "GContext", "IDChoice", "Name", "Length", "Implementation")
_FAMILY_INTERNET, _FAMILY_INTERNET6, _FAMILY_LOCAL, _FAMILY_WILD = 0, 6, 256, 65535


class XWireError(Exception):
    """The X server could not be reached or answered with an error."""


class Screen(NamedTuple):
    root: int
    width: int
    height: int


class Geometry(NamedTuple):
    x: int
    y: int
    width: int
    height: int


def parse_display(name: str) -> tuple[str, int, int]:
    """``(host, number, screen)`` of ``[[protocol/]host]:number[.screen]``; host '' is this machine's socket."""
    host, colon, rest = name.rpartition(":")
    number, dot, screen = rest.partition(".")
    if not colon or not _digits(number) or (dot and not _digits(screen)) or int(number) > 59535:
        raise XWireError(f"not an X display name: {name!r}")
    protocol, slash, bare = host.partition("/")
    if slash and not host.startswith("/"):  # "unix/host:0", "tcp/host:0" (a path is no protocol)
        host = "" if protocol == "unix" else bare
    elif host == "unix":
        host = ""
    return host, int(number), int(screen or 0)


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 6


def _pad(data: bytes) -> bytes:
    return data + b"\0" * (-len(data) % 4)


class Connection:
    """One X connection, for one thread at a time."""

    def __init__(self, name: str | None = None) -> None:
        name = os.environ.get("DISPLAY", "") if name is None else name
        host, number, screen = parse_display(name)
        self._sock, local = _connect(host, number)
        self._seq = 0
        self._opcodes: dict[str, int] = {}
        try:
            self._sock.settimeout(TIMEOUT)
            self.screens = self._setup(_auth(host, number, local, self._sock))
            if screen >= len(self.screens):
                raise XWireError(f"{name!r}: the X server has no screen {screen}")
        except BaseException:
            self._sock.close()
            raise
        self.screen = self.screens[screen]

    def close(self) -> None:
        self._sock.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the requests Necka makes --------------------------------------

    def intern_atom(self, name: str, only_if_exists: bool = False) -> int:
        raw = name.encode("latin-1")
        reply = self._request(struct.pack("<BBHHxx", 16, only_if_exists, 2 + (len(raw) + 3) // 4, len(raw))
                              + _pad(raw))
        return _u32(reply, 8)

    def get_selection_owner(self, atom: int) -> int:
        return _u32(self._request(struct.pack("<BxHI", 23, 2, atom)), 8)

    def get_property(self, window: int, prop: int, type_: int = ANY_PROPERTY_TYPE,
                     max_items: int = 1024) -> list[int] | None:
        """The values of a format-32 property (atoms, windows, cardinals), or None if it is unset."""
        reply = self._request(struct.pack("<BxHIIIII", 20, 6, window, prop, type_, 0, max_items))
        fmt, got_type, count = reply[1], _u32(reply, 8), _u32(reply, 16)
        if got_type == NONE:
            return None
        if fmt != 32 or 32 + 4 * count > len(reply):
            return []
        return list(struct.unpack_from(f"<{count}I", reply, 32))

    def get_input_focus(self) -> int:
        """The focused window, or ``NONE`` / ``POINTER_ROOT``."""
        return _u32(self._request(struct.pack("<BxH", 43, 1)), 8)

    def query_parent(self, window: int) -> int:
        return _u32(self._request(struct.pack("<BxHI", 15, 2, window)), 12)

    def get_geometry(self, drawable: int) -> Geometry:
        return Geometry(*struct.unpack_from("<hhHH", self._request(struct.pack("<BxHI", 14, 2, drawable)), 12))

    def translate_coords(self, src: int, dst: int, x: int, y: int) -> tuple[int, int]:
        """(x, y) of ``src``'s point in ``dst``'s coordinates."""
        return struct.unpack_from("<hh", self._request(struct.pack("<BxHIIhh", 40, 4, src, dst, x, y)), 12)

    def has_extension(self, name: str) -> bool:
        return bool(self._opcode(name))

    def idle_ms(self) -> int:
        """Milliseconds since the last input (MIT-SCREEN-SAVER's QueryInfo)."""
        major = self._opcode("MIT-SCREEN-SAVER")
        if not major:
            raise XWireError("the X server has no MIT-SCREEN-SAVER extension")
        return _u32(self._request(struct.pack("<BBHI", major, 1, 2, self.screen.root)), 16)

    # -- the wire -------------------------------------------------------

    def _opcode(self, name: str) -> int:
        if name not in self._opcodes:
            raw = name.encode("latin-1")
            reply = self._request(struct.pack("<BxHHxx", 98, 2 + (len(raw) + 3) // 4, len(raw)) + _pad(raw))
            self._opcodes[name] = reply[9] if reply[8] else 0
        return self._opcodes[name]

    def _setup(self, auth: tuple[bytes, bytes]) -> list[Screen]:
        name, data = auth
        self._sock.sendall(struct.pack("<BxHHHHxx", 0x6C, 11, 0, len(name), len(data)) + _pad(name) + _pad(data))
        status, reason_len, _major, _minor, units = struct.unpack("<BBHHH", self._recv(8))
        body = self._recv(units * 4)
        if status != 1:
            reason = body[:reason_len] if status == 0 else body
            raise XWireError("the X server refused the connection: "
                             + (reason.decode("latin-1", "replace").strip() or "no reason given"))
        try:
            vendor_len, n_screens, n_formats = _u16(body, 16), body[20], body[21]
            offset = 32 + vendor_len + (-vendor_len % 4) + 8 * n_formats
            screens = []
            for _ in range(n_screens):
                root = _u32(body, offset)
                width, height = struct.unpack_from("<HH", body, offset + 20)
                n_depths, offset = body[offset + 39], offset + 40
                for _ in range(n_depths):
                    offset += 8 + 24 * _u16(body, offset + 2)
                screens.append(Screen(root, width, height))
        except (struct.error, IndexError):
            raise XWireError("the X server's greeting is malformed") from None
        if not screens:
            raise XWireError("the X server has no screens")
        return screens

    def _request(self, data: bytes) -> bytes:
        self._seq = (self._seq + 1) & 0xFFFF
        self._sock.sendall(data)
        while True:
            head = self._recv(32)
            kind, seq = head[0] & 0x7F, _u16(head, 2)
            if kind == 0:  # an error
                if seq == self._seq:
                    name = f" (Bad{_ERRORS[head[1]]})" if 0 < head[1] < len(_ERRORS) else ""
                    raise XWireError(f"X error {head[1]}{name} for request {data[0]}")
                continue
            extra = _u32(head, 4) * 4 if kind in (1, 35) else 0  # replies and GenericEvents have a tail
            if extra > MAX_REPLY:
                raise XWireError("the X server sent an oversized reply")
            body = self._recv(extra) if extra else b""
            if kind == 1 and seq == self._seq:
                return head + body

    def _recv(self, size: int) -> bytes:
        chunks, left = [], size
        while left:
            chunk = self._sock.recv(min(left, 65536))
            if not chunk:
                raise XWireError("the X server closed the connection")
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)


def _u16(data: bytes, offset: int) -> int:
    return struct.unpack_from("<H", data, offset)[0]


def _u32(data: bytes, offset: int) -> int:
    return struct.unpack_from("<I", data, offset)[0]


def _connect(host: str, number: int) -> tuple[socket.socket, bool]:
    """A connected socket and whether it is this machine's own (a Unix socket)."""
    if host and not host.startswith("/"):
        return socket.create_connection((host, 6000 + number), timeout=TIMEOUT), False
    path = host or f"/tmp/.X11-unix/X{number}"
    last: OSError | None = None
    for address in (path, "\0" + path):  # the file, then Linux's abstract name (what libxcb also tries)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(TIMEOUT)
        try:
            sock.connect(address)
            return sock, True
        except OSError as e:
            sock.close()
            last = last or e
    assert last is not None
    raise last


def _auth(host: str, number: int, local: bool, sock: socket.socket) -> tuple[bytes, bytes]:
    """The MIT-MAGIC-COOKIE-1 for this display from the Xauthority file, or no authorization."""
    from necka_tray.store.fsutil import read_user_file

    path = os.environ.get("XAUTHORITY") or os.path.join(os.path.expanduser("~"), ".Xauthority")
    try:
        data = read_user_file(Path(path), MAX_XAUTHORITY)
    except OSError:
        return b"", b""
    if not local:
        peer = sock.getpeername()[0]
        local = peer.startswith("127.") or peer == "::1"
    if local:
        wanted = {(_FAMILY_LOCAL, socket.gethostname().encode())}
    else:
        packed = socket.inet_pton(socket.AF_INET6 if ":" in peer else socket.AF_INET, peer)
        wanted = {(_FAMILY_INTERNET6 if ":" in peer else _FAMILY_INTERNET, packed)}
    for family, address, entry_number, name, cookie in xauthority_entries(data):
        if ((family, address) in wanted or family == _FAMILY_WILD) and entry_number in (b"", str(number).encode()) \
                and name == _COOKIE:
            return name, cookie
    return b"", b""


def xauthority_entries(data: bytes):
    """``(family, address, number, name, data)`` of each whole entry of an Xauthority file."""
    offset = 0
    while offset + 2 <= len(data):
        family = struct.unpack_from(">H", data, offset)[0]
        offset += 2
        fields = []
        for _ in range(4):
            if offset + 2 > len(data):
                return
            size = struct.unpack_from(">H", data, offset)[0]
            fields.append(data[offset + 2:offset + 2 + size])
            offset += 2 + size
        if offset > len(data):
            return
        yield (family, *fields)
