"""How the tray records history: an event that cannot be written now waits in memory.

While the file cannot be written (locked by another program, a full disk, a
read-only folder, a history from a newer Necka) events wait, in order, and are
written in one transaction with the next event, or by ``flush`` on the
scheduler's existing tick, with a back-off between attempts (no timer of its
own). A locked file is said once if the lock outlasts the first retry, and is
never moved aside: only a file SQLite calls damaged is (``History(repair=True)``,
see ``dbfile.py``). What commands and windows left on disk while the file
failed (``history_spool.py``) is written first, with them. At most
``MAX_WAITING`` wait in memory; beyond that, and at quit, they go to that
spool on disk, so none is lost.

The tray calls it only from its history thread (``tray/history_reads.py``):
a write that waits for another program's lock never holds up the app.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from necka_tray.store import dbfile, history_spool
from necka_tray.store.history import History, HistoryError, _row
from necka_tray.i18n import _, ngettext

logger = logging.getLogger(__name__)

RETRY_FIRST_S = 30.0  # the first retry of waiting events, doubled after each failure
RETRY_MAX_S = 600.0


class HistoryWriter:
    MAX_WAITING = 10_000

    def __init__(self, path: str | os.PathLike[str], monotonic: Callable[[], float] = time.monotonic) -> None:
        self.path = Path(path)
        self._waiting: list[tuple[str, datetime, dict[str, Any]]] = []
        self._lock = threading.Lock()
        self._monotonic = monotonic
        self._retry_at = 0.0
        self._backoff = RETRY_FIRST_S
        self._fault: str | None = None  # the dbfile kind of the last failed write, None when fine
        self._failures = 0  # failed writes in a row

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def check(self) -> None:
        """At start: open the file once, so a damaged one is moved aside (and said) right away, then
        merge back what earlier moved-aside files still hold (``history_merge``)."""
        with self._lock:
            try:
                History(self.path, repair=True).close()
            except (sqlite3.Error, OSError, HistoryError) as exc:
                kind = dbfile.classify(exc)
                if kind is None:
                    raise
                report(self.path, kind, exc)
                return
            if dbfile.aside_files(self.path):  # the merge's code is loaded only when there is one to merge
                from necka_tray.store import history_merge

                history_merge.merge_aside_files(self.path)
            if history_spool.waiting(self.path):  # what commands left while the file failed
                self._write()

    def record(self, kind: str, ts: datetime, **data: Any) -> None:
        _row(kind, ts, data)  # a malformed event is a bug: raise now, not when it is written
        with self._lock:
            self._waiting.append((kind, ts, data))
            self._write()

    def flush(self, final: bool = False) -> None:
        """Write what waits (here or in the spool), once its back-off has passed (call on the
        scheduler's tick); ``final`` (at quit): try now, whatever the back-off, and spool what
        still cannot be written."""
        with self._lock:
            due = final or self._monotonic() >= self._retry_at
            if due and (self._waiting or history_spool.waiting(self.path)):
                self._write()
            if final and self._waiting:
                self._spool(len(self._waiting))

    def _spool(self, count: int) -> None:
        """Move the oldest ``count`` waiting events to the spool on disk (kept if even that fails)."""
        try:
            history_spool.add(self.path, self._waiting[:count])
        except (OSError, ValueError) as exc:
            logger.warning("action=history-spool failed (%s); %s events still wait in memory", exc, count)
            return
        del self._waiting[:count]

    def _write(self) -> None:
        try:
            history_spool.write(self.path, self._waiting, repair=True)
        except (sqlite3.Error, OSError, HistoryError) as exc:
            kind = dbfile.classify(exc)
            if kind is None:
                raise
            self._failed(kind, exc)
            return
        if self._fault is not None:
            logger.info("action=history-written waited=%s", len(self._waiting))
            dbfile.recovered(self.path, self._fault)
        self._waiting.clear()
        self._fault, self._failures, self._backoff = None, 0, RETRY_FIRST_S

    def _failed(self, kind: str, exc: Exception) -> None:
        if len(self._waiting) > self.MAX_WAITING:
            self._spool(len(self._waiting) - self.MAX_WAITING)
        del self._waiting[:-self.MAX_WAITING]  # only when even the spool failed
        self._fault, self._failures = kind, self._failures + 1
        self._retry_at = self._monotonic() + self._backoff
        self._backoff = min(self._backoff * 2, RETRY_MAX_S)
        logger.info("action=history-wait reason=%s waiting=%s retry_in=%.0fs", kind, len(self._waiting),
                    self._retry_at - self._monotonic())
        if kind == dbfile.LOCKED:
            if self._failures >= 2:  # it lasts: say so, once
                dbfile.report(self.path, kind, ngettext(
                    "Necka's history {path} is locked by another program ({error}); {count} event waits in memory "
                    "and is saved as soon as it is free. Nothing was moved or lost.",
                    "Necka's history {path} is locked by another program ({error}); {count} events wait in memory "
                    "and are saved as soon as it is free. Nothing was moved or lost.",
                    len(self._waiting)).format(path=self.path, error=exc, count=len(self._waiting)))
            return
        report(self.path, kind, exc)


def report(path: Path, kind: str, exc: Exception) -> None:
    """Say once (per file and kind) that the history cannot be written, and that nothing is lost."""
    if kind == dbfile.NEWER:
        message = _("Necka's history {path} is kept as it is ({error}); what happens now waits in {spool} "
                    "and is saved when a Necka that knows this history runs.")
    else:
        message = _("Necka cannot save its history to {path} ({error}); what happens now is "
                    "kept and saved as soon as the file can be written.")
    dbfile.report(path, dbfile.UNWRITABLE if kind == dbfile.BROKEN else kind, message.format(
        path=path, error=exc, spool=history_spool.spool_path(path)))
