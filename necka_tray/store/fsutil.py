"""Crash-safe file writes.

A reader sees either the old file or the new one, never a half-written one:
the bytes go to a temporary file in the same directory, are flushed to disk,
and replace the target with one ``os.replace``. A process killed between the
two leaves its temporary file behind; the next write of the same file removes
such leftovers once they are old enough to be nobody's write in progress.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

#: A temporary file this old belongs to a write that was killed (a write takes milliseconds).
STALE_SECONDS = 10.0


def atomic_write(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Replace ``path`` with ``data`` atomically (readable by the user only)."""
    path = Path(path)
    _remove_stale_temporaries(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if os.name == "posix":
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(path.parent)


def _remove_stale_temporaries(path: Path) -> None:
    cutoff = time.time() - STALE_SECONDS
    for tmp in path.parent.glob(f".{path.name}.????????.tmp"):  # mkstemp's names, for this file only
        try:
            if tmp.stat().st_mtime < cutoff:
                tmp.unlink()
        except OSError:
            pass


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable (POSIX only; a no-op elsewhere)."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
