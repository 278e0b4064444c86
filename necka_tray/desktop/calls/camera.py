"""A camera in use: a process other than Necka holds a ``/dev/video*`` device open.

Reads only the targets of ``/proc/<pid>/fd/*`` links (which files are open),
never the device; processes of other users cannot be read and are skipped.
PipeWire's own daemons may keep a camera open to list it: they do not count
(an app using the camera through PipeWire shows as a running camera node, see
``pipewire.py``), so for a holder its ``comm`` (the program name) is read too.
The /proc root is a parameter so tests give a fake tree.
"""

from __future__ import annotations

from necka_tray.texts.i18n import N_

import os
from pathlib import Path
from typing import Mapping


#: Programs that hold cameras open without anyone being on camera.
DEVICE_SERVERS = {"pipewire", "wireplumber", "pipewire-media-session"}


def holders(proc: Path, own_pid: int) -> list[int]:
    """Pids (other than ``own_pid`` and the device servers) with a ``/dev/video*`` file open."""
    found = []
    try:
        entries = list(proc.iterdir())
    except OSError:
        return found
    for entry in entries:
        if not entry.name.isdigit() or int(entry.name) == own_pid:
            continue
        try:
            fds = list((entry / "fd").iterdir())
        except OSError:  # gone, or another user's
            continue
        for fd in fds:
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("/dev/video"):
                if _comm(entry) not in DEVICE_SERVERS:
                    found.append(int(entry.name))
                break
    return found


def _comm(entry: Path) -> str:
    try:
        return (entry / "comm").read_text().strip()
    except OSError:
        return ""


class CameraHolders:
    name = "camera"

    def __init__(self, proc: Path = Path("/proc"), own_pid: int | None = None) -> None:
        self.proc = proc
        self.own_pid = os.getpid() if own_pid is None else own_pid

    def in_call(self) -> str | None:
        return N_("camera in use") if holders(self.proc, self.own_pid) else None


def open_source(env: Mapping[str, str]) -> CameraHolders | None:
    return CameraHolders() if Path("/proc/self/fd").is_dir() else None
