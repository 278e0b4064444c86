"""A camera in use: a process other than Necka holds a ``/dev/video*`` device open.

Reads only the targets of ``/proc/<pid>/fd/*`` links (which files are open),
never the device; processes of other users cannot be read and are skipped.
The /proc root is a parameter so tests give a fake tree.
"""

from __future__ import annotations

from necka_tray.i18n import N_

import os
from pathlib import Path
from typing import Mapping


def holders(proc: Path, own_pid: int) -> list[int]:
    """Pids (other than ``own_pid``) with a ``/dev/video*`` file open."""
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
                found.append(int(entry.name))
                break
    return found


class CameraHolders:
    name = "camera"

    def __init__(self, proc: Path = Path("/proc"), own_pid: int | None = None) -> None:
        self.proc = proc
        self.own_pid = os.getpid() if own_pid is None else own_pid

    def in_call(self) -> str | None:
        return N_("camera in use") if holders(self.proc, self.own_pid) else None


def open_source(env: Mapping[str, str]) -> CameraHolders | None:
    return CameraHolders() if Path("/proc/self/fd").is_dir() else None
