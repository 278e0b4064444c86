"""Events that wait on disk while the history cannot be written, so none is ever lost.

The tray keeps events in memory while the history is locked, full or from a
newer Necka (``history_writer.py``), but a command (``necka-tray checkin 3``)
or a window without a tray ends at once, and the tray itself may quit before
the file works again. Those events go to ``history-waiting.jsonl`` beside the
history: one JSON object a line, rewritten atomically, under a lock file so
that a command adding to it and the tray emptying it never cross. Whoever
next writes the history (``write``) writes what waits there first, in the same
transaction, and empties it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from necka_tray.store import dbfile, fsutil

logger = logging.getLogger(__name__)

Pending = tuple[str, datetime, dict[str, Any]]  # (kind, ts, data), as History.record_many takes them


def spool_path(history_db: Path) -> Path:
    return Path(history_db).with_name(Path(history_db).stem + "-waiting.jsonl")


@contextlib.contextmanager
def _locked(history_db: Path) -> Iterator[Path]:
    path = spool_path(history_db)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path.with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield path
    finally:
        os.close(fd)  # closing releases the lock


def _read(path: Path) -> list[Pending]:
    """What waits in the file; a line that is not one of ours (bad bytes, bad JSON) is skipped."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    found, skipped = [], []
    for n, line in enumerate(raw.splitlines(), 1):
        try:
            item = json.loads(line.decode("utf-8"))
            found.append((str(item["kind"]), datetime.fromisoformat(item["ts"]), dict(item["data"])))
        except (ValueError, KeyError, TypeError):  # UnicodeDecodeError is a ValueError
            skipped.append(n)
    if skipped:  # not Necka's lines (nothing of the user's is in them): the log says which, once
        logger.info("action=history-spool-skip file=%s lines=%s", path, skipped[:20])
    return found


def _line(event: Pending) -> str:
    kind, ts, data = event
    from necka_tray.store.history import _row

    iso, kind, data_json = _row(kind, ts, data)  # refuses what the history would refuse, now
    return json.dumps({"kind": kind, "ts": iso, "data": json.loads(data_json)}, sort_keys=True)


def add(history_db: Path, events: Sequence[Pending]) -> Path:
    """Keep ``events`` on disk until the history can take them; returns the file. Raises OSError."""
    lines = [_line(e) for e in events]
    with _locked(history_db) as path:
        try:
            old = path.read_bytes()
        except FileNotFoundError:
            old = b""
        if old and not old.endswith(b"\n"):
            old += b"\n"
        fsutil.atomic_write(path, old + "".join(line + "\n" for line in lines).encode("utf-8"))
    logger.info("action=history-spool added=%s file=%s", len(lines), path)
    return path


def waiting(history_db: Path) -> bool:
    return spool_path(history_db).exists()


def write(history_db: Path, events: Sequence[Pending] = (), repair: bool = False) -> int:
    """Write what waits on disk, then ``events``, in one transaction; empty the spool. Raises what
    ``History`` raises (nothing is lost then: the spool stays as it was). Returns how many were written."""
    from necka_tray.store.history import History

    if not waiting(history_db):
        with History(history_db, repair=repair) as history:
            return history.record_many(events)
    with contextlib.ExitStack() as stack:
        try:
            path: Path | None = stack.enter_context(_locked(history_db))
            spooled = _read(path)
        except OSError as exc:  # a folder where it goes, no permission: the new events still go in
            logger.info("action=history-spool-unreadable file=%s error=%s", spool_path(history_db), exc)
            path, spooled = None, []
        with History(history_db, repair=repair) as history:
            count = history.record_many([*spooled, *events])
        if path is not None:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
    if spooled:
        logger.info("action=history-spool-written count=%s", len(spooled))
    return count


def is_file_fault(exc: BaseException) -> bool:
    """The history file failed (locked, full, broken, newer), not our code."""
    return dbfile.classify(exc) is not None
