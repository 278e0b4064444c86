"""One Necka per user: an OS file lock held for the tray process's whole life.

The lock is taken before the tray exists, so two starts racing each other
cannot both get an icon; the loser hands over to the winner (``control.hand_over``).
The OS drops the lock when the holder ends, however it ends, so a crash leaves
nothing stale, and ``necka-tray quit`` learns that the app is gone by waiting
for the lock. Kept apart from ``ipc.py`` so the start-up path stays light.

The lock file lives in the DATA folder, next to the databases it protects,
not in the runtime folder: tmp cleaners and a changed ``XDG_RUNTIME_DIR``
take that away under a running Necka, and a lock on a deleted file locks
nothing for the next start. The holder writes its pid into the file.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import BinaryIO

from necka_tray.store.paths import AppPaths

LOCK_NAME = "instance.lock"
#: Why the running Necka's control channel cannot be made (one line), beside the lock; absent when it works.
CHANNEL_NOTE = "control.problem"


def claim(paths: AppPaths) -> BinaryIO | None:
    """Take the lock for this process's life; None if a Necka holds it. Keep the file open."""
    f = _lock_file(paths)
    try:
        _lock(f, blocking=False)
    except OSError:
        f.close()
        return None
    if _older_necka_runs(paths):
        f.close()
        return None
    try:  # who holds it, for a second start's message (the lock itself is what counts)
        f.truncate(0)
        f.write(f"{os.getpid()}\n".encode())
        f.flush()
    except OSError:
        pass
    note_channel(paths, None)  # a killed Necka's note is not this one's
    return f


def _older_necka_runs(paths: AppPaths) -> bool:
    """A Necka from before the lock moved to the data folder holds ``run_dir/instance.lock`` (an upgrade
    while it runs): it is the running one. The file is not created, and not kept locked."""
    legacy = paths.run_dir / LOCK_NAME
    if paths.run_dir == paths.data_dir or not legacy.exists():
        return False
    try:
        with open(legacy, "r+b") as f:
            _lock(f, blocking=False)
            _unlock(f)
    except OSError:
        return True
    return False


def holder(paths: AppPaths) -> tuple[int | None, float]:
    """The pid the lock holder wrote (None if unknown) and for how many seconds it has held the lock."""
    path = paths.data_dir / LOCK_NAME
    try:
        text = path.read_bytes()[:32].decode("ascii", "replace").strip()
        age = time.time() - path.stat().st_mtime
    except OSError:
        return None, 0.0
    return (int(text) if text.isascii() and text.isdigit() else None), age


def running(paths: AppPaths) -> int | None:
    """The pid of the Necka that holds the lock now, else None: for a command that finds no socket.

    Only looks: the pid written in the file must be alive, and the lock must be held (a shared
    lock cannot be had). The file of a Necka that ended keeps its pid, so both are asked.
    """
    pid, _age = holder(paths)
    if pid is None or sys.platform == "win32":
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:  # alive, another user's: not this user's Necka
        return None
    import fcntl

    try:
        f = open(paths.data_dir / LOCK_NAME, "rb")
    except OSError:
        return None
    with f:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return pid
        fcntl.flock(f.fileno(), fcntl.LOCK_UN)
    return None


def note_channel(paths: AppPaths, problem: str | None) -> None:
    """The running Necka says why commands cannot reach it (None: they can), for ``channel_note``."""
    from necka_tray.store.fsutil import atomic_write

    path = paths.data_dir / CHANNEL_NOTE
    try:
        if problem is None:
            path.unlink(missing_ok=True)
        else:
            atomic_write(path, problem.encode("utf-8"))
    except OSError:
        pass  # a data folder that cannot be written either: the commands say less, Necka runs on


def channel_note(paths: AppPaths) -> str | None:
    """What ``note_channel`` said last (one line), or None."""
    from necka_tray.store.fsutil import read_user_file

    try:
        text = read_user_file(paths.data_dir / CHANNEL_NOTE, 1000).decode("utf-8", "replace").strip()
    except OSError:
        return None
    return text.splitlines()[0] if text else None


def wait_released(paths: AppPaths, timeout: float) -> bool:
    """Block until no Necka holds the lock (it has quit); False after ``timeout`` s."""
    f = _lock_file(paths)
    done = threading.Event()

    def wait() -> None:
        while True:
            try:
                _lock(f, blocking=True)
            except OSError:
                if sys.platform == "win32":  # msvcrt gives up after 10 s: wait again
                    continue
                return
            _unlock(f)
            done.set()
            return

    threading.Thread(target=wait, name="wait-quit", daemon=True).start()
    released = done.wait(timeout)
    if released:
        f.close()
    return released


def _lock_file(paths: AppPaths) -> BinaryIO:
    """The lock file, opened for writing where it can be; a data folder the user made read-only
    must not stop Necka (it keeps its data in memory then), so the lock falls back to the
    existing file read-only, then to the folder itself (flock locks a directory as well)."""
    path = paths.data_dir / LOCK_NAME
    try:
        return os.fdopen(os.open(path, os.O_RDWR | os.O_CREAT, 0o600), "r+b")
    except OSError:
        if sys.platform == "win32":
            raise
    if path.is_dir():  # a folder where the lock file goes (made by hand, a sync tool): flock locks it as well
        return _FolderLock(os.open(path, os.O_RDONLY | os.O_DIRECTORY))
    try:
        return os.fdopen(os.open(path, os.O_RDONLY), "rb")
    except FileNotFoundError:
        return _FolderLock(os.open(paths.data_dir, os.O_RDONLY | os.O_DIRECTORY))


class _FolderLock:
    """The data folder's own descriptor, for flock (a file object cannot hold a directory)."""

    def __init__(self, fd: int) -> None:
        self._fd = fd

    def fileno(self) -> int:
        return self._fd

    def truncate(self, *_: object) -> None:
        raise OSError("a folder lock holds no pid")

    write = flush = truncate

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def _lock(f: BinaryIO, blocking: bool) -> None:
    if sys.platform == "win32":
        import msvcrt

        msvcrt.locking(f.fileno(), msvcrt.LK_LOCK if blocking else msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(f.fileno(), fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))


def _unlock(f: BinaryIO) -> None:
    if sys.platform == "win32":
        import msvcrt

        msvcrt.locking(f.fileno(), msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(f.fileno(), fcntl.LOCK_UN)
