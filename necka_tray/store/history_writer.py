"""The tray's one way to write the history: an event that cannot be written now waits in memory.

While the tray runs it is the only writer of the history (the windows report
their sessions and check-ins to it, ``protocol.py``), so a full disk loses
nothing the user did until the tray quits.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from necka_tray.store import dbfile
from necka_tray.store.history import History, HistoryError, _row


class HistoryWriter:
    """How the tray records: an event that cannot be written now waits in memory.

    While the file cannot be written (a full disk, a read-only folder, a history
    from a newer Necka) events wait, in order, and are written in one transaction
    with the next event that can be; the trouble is said once (``dbfile.report``).
    At most ``MAX_WAITING`` wait; beyond that the oldest are dropped.
    """

    MAX_WAITING = 10_000

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._waiting: list[tuple[str, datetime, dict[str, Any]]] = []
        self._lock = threading.Lock()

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def check(self) -> None:
        """Open the file once at start, so a broken one is moved aside (and said) right away."""
        with self._lock:
            try:
                History(self.path, repair=True).close()
            except (sqlite3.Error, OSError, HistoryError) as exc:
                dbfile.report(self.path, dbfile.UNWRITABLE, f"Necka cannot use its history {self.path} ({exc}); "
                              "what happens now is kept and saved as soon as the file can be written.")

    def record(self, kind: str, ts: datetime, **data: Any) -> None:
        _row(kind, ts, data)  # a malformed event is a bug: raise now, not when it is written
        with self._lock:
            self._waiting.append((kind, ts, data))
            try:
                with History(self.path, repair=True) as history:
                    history.record_many(self._waiting)
            except (sqlite3.Error, OSError, HistoryError) as exc:
                if not isinstance(exc, HistoryError) and dbfile.classify(exc) is None:
                    raise
                del self._waiting[:-self.MAX_WAITING]
                dbfile.report(self.path, dbfile.UNWRITABLE,
                              f"Necka cannot save its history to {self.path} ({exc}); what happens now is "
                              "kept and saved as soon as the file can be written.")
                return
            if len(self._waiting) > 1:
                dbfile.recovered(self.path, dbfile.UNWRITABLE)
            self._waiting.clear()
