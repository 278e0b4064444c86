"""How the tray records history: an event that cannot be written now waits in memory.

While the file cannot be written (locked by another program, a full disk, a
read-only folder, a history from a newer Necka) events wait, in order, and are
written in one transaction with the next event, or by ``flush`` on the
scheduler's existing tick, with a back-off between attempts (no timer of its
own). When to retry and what is said when is ``dbfile.Faults``, the job
store's policy too: a locked file is said once if the lock outlasts the first
retry, and is never moved aside: only a file SQLite calls damaged is (``History(repair=True)``,
see ``dbfile.py``). What commands and windows left on disk while the file
failed (``history_spool.py``) is written first, with them. At most
``MAX_WAITING`` wait in memory; beyond that, and at quit, they go to that
spool on disk, so none is lost.

The tray calls it only from its history thread (``owner/history_reads.py``):
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
from necka_tray.texts.i18n import _, ngettext

logger = logging.getLogger(__name__)


class HistoryWriter:
    MAX_WAITING = 10_000

    def __init__(self, path: str | os.PathLike[str], monotonic: Callable[[], float] = time.monotonic) -> None:
        self.path = Path(path)
        self._waiting: list[tuple[str, datetime, dict[str, Any]]] = []
        self._lock = threading.Lock()
        self._faults = dbfile.Faults(self.path, self._words, monotonic)  # when to retry, what to say

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
            due = final or self._faults.due()
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
            if len(self._waiting) > self.MAX_WAITING:
                self._spool(len(self._waiting) - self.MAX_WAITING)
            del self._waiting[:-self.MAX_WAITING]  # only when even the spool failed
            if self._faults.failed(exc) is None:
                raise
            logger.info("action=history-wait waiting=%s", len(self._waiting))
            return
        if self._faults.kind is not None:
            logger.info("action=history-written waited=%s", len(self._waiting))
        self._faults.succeeded()
        self._waiting.clear()

    def _words(self, kind: str, exc: BaseException) -> str:
        """What ``dbfile.Faults`` says when a write of the history fails."""
        if kind == dbfile.LOCKED:
            return ngettext(
                "Necka's history {path} is locked by another program ({error}); {count} event waits in memory "
                "and is saved as soon as it is free. Nothing was moved or lost.",
                "Necka's history {path} is locked by another program ({error}); {count} events wait in memory "
                "and are saved as soon as it is free. Nothing was moved or lost.",
                len(self._waiting)).format(path=self.path, error=exc, count=len(self._waiting))
        return message(self.path, kind, exc)


def message(path: Path, kind: str, exc: BaseException) -> str:
    """That the history cannot be written, and that nothing is lost."""
    if kind == dbfile.NEWER:
        text = _("Necka's history {path} is kept as it is ({error}); what happens now waits in {spool} "
                 "and is saved when a Necka that knows this history runs.")
    else:
        text = _("Necka cannot save its history to {path} ({error}); what happens now is "
                 "kept and saved as soon as the file can be written.")
    return text.format(path=path, error=exc, spool=history_spool.spool_path(path))


def report(path: Path, kind: str, exc: Exception) -> None:
    """Say once (per file and kind) that the history cannot be written, and that nothing is lost."""
    dbfile.report(path, dbfile.UNWRITABLE if kind == dbfile.BROKEN else kind, message(path, kind, exc))
