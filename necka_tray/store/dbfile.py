"""What Necka does when one of its SQLite files fails it; shared by the job store and the history.

Three kinds of trouble, told apart by SQLite's error code:

- **broken**: SQLite says the file is damaged (``SQLITE_CORRUPT``, ``SQLITE_NOTADB``)
  or it fails ``PRAGMA quick_check``. It is moved aside as
  ``<name>.broken-<YYYYmmdd-HHMMSS>`` (with its -wal and -shm), a fresh file takes
  its place, and the user is told. Moved, never deleted: the history merges the
  events it can still read back in at the next start (``history_merge.py``).
- **locked**: another program holds a lock past the busy timeout (``SQLITE_BUSY``,
  ``SQLITE_LOCKED``). Locked is not broken: nothing is moved; the caller keeps its
  data in memory and writes it back when the lock is gone.
- **unwritable**: a full disk, a read-only folder, an I/O error. Nothing is moved;
  the caller keeps its data in memory and writes it back when a write works again.
- **newer**: a newer Necka wrote it (``TooNew``: its schema version is above ours).
  It is kept exactly as it is and never written; what would go into it waits, as
  for an unwritable file (``history_spool.py`` keeps it on disk).
- **deleted** while Necka runs (a cleaner, the user): not a fault. Every write opens
  the file by its path (``open_repairing``), never through a connection kept open,
  which would go on writing into the unlinked inode; so the next write makes the
  file again (the job store writes all it holds into it, the history what waits).

What waits is tried again on the scheduler's existing tick, 30 s after the first
failure and then at doubling intervals up to 10 min (``Faults``, used by the job
store and the history alike); the one exception is quitting, which tries once more
whatever the back-off.

Each problem is said once per file and kind per process (a warning in the log and
on stderr, and one notification through the reporter the app installs); a lock is
said only once it outlasts the first retry (a backup that reads the file for a
second is no news). A file is moved aside at most once per process, so a fault is
never a flood of messages nor a loop of fresh files.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Callable, TypeVar

T = TypeVar("T")

logger = logging.getLogger(__name__)

BROKEN = "broken"
LOCKED = "locked"
UNWRITABLE = "unwritable"
NEWER = "newer"
#: Seconds from a failed write to the first retry; each failure in a row doubles it, up to RETRY_MAX_S.
RETRY_FIRST_S = 30.0
RETRY_MAX_S = 600.0

_BROKEN_CODES = ("SQLITE_CORRUPT", "SQLITE_NOTADB")
_LOCKED_CODES = ("SQLITE_BUSY", "SQLITE_LOCKED")
_UNWRITABLE_CODES = ("SQLITE_FULL", "SQLITE_READONLY", "SQLITE_IOERR", "SQLITE_CANTOPEN", "SQLITE_PERM")
_BROKEN_WORDS = ("not a database", "malformed")
_LOCKED_WORDS = ("is locked", "is busy")
_UNWRITABLE_WORDS = ("disk is full", "readonly", "disk I/O error", "unable to open")


class Broken(sqlite3.DatabaseError):
    """The database answered, but fails its integrity check."""


class TooNew(Exception):
    """A newer Necka wrote the file (its schema version is above what this one knows)."""


def classify(exc: BaseException) -> str | None:
    """``BROKEN``, ``LOCKED``, ``UNWRITABLE``, ``NEWER``, or None for an error that is not about the file (a bug)."""
    if isinstance(exc, Broken):
        return BROKEN
    if isinstance(exc, TooNew):
        return NEWER
    if isinstance(exc, sqlite3.Error):
        name = getattr(exc, "sqlite_errorname", "") or ""
        if name.startswith(_BROKEN_CODES):
            return BROKEN
        if name.startswith(_LOCKED_CODES):
            return LOCKED
        if name.startswith(_UNWRITABLE_CODES):
            return UNWRITABLE
        text = str(exc)
        if any(w in text for w in _BROKEN_WORDS):
            return BROKEN
        if any(w in text for w in _LOCKED_WORDS):
            return LOCKED
        if any(w in text for w in _UNWRITABLE_WORDS):
            return UNWRITABLE
        return None
    if isinstance(exc, OSError):  # creating the file or its folder
        return UNWRITABLE
    return None


def check(conn: sqlite3.Connection) -> None:
    """Raise ``Broken`` unless the database passes a quick integrity check (cheap for small files)."""
    row = conn.execute("PRAGMA quick_check(1)").fetchone()
    if row is None or row[0] != "ok":
        raise Broken(f"integrity check failed: {row[0] if row else 'no answer'}")


def identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of the file now at ``path``, or None."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


_moved: set[Path] = set()


def move_aside(path: Path, opened: tuple[int, int] | None = None) -> Path | None:
    """Rename a broken database and its -wal/-shm to ``<name>.broken-<time>``; returns the new name.

    None when there is nothing to move, when this process moved this path once
    already (a fresh file that breaks again is not a reason to loop), or when the
    file at ``path`` is no longer the one we opened (``opened``, from
    ``identity``): another Necka process moved it first and made a fresh one.
    """
    path = Path(path)
    now = identity(path)
    if now is None or (opened is not None and now != opened) or path in _moved:
        return None
    _moved.add(path)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target, n = path.with_name(f"{path.name}.broken-{stamp}"), 0
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.broken-{stamp}-{n}")
    os.replace(path, target)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.replace(side, target.with_name(target.name + suffix))
    return target


# -- telling the user, once --------------------------------------------------------------------

_lock = threading.Lock()
_said: set[tuple[str, str]] = set()
_waiting: list[str] = []
_reporter: Callable[[str], None] | None = None


def aside_files(path: Path) -> list[Path]:
    """The copies ``move_aside`` made of ``path`` (not their -wal/-shm), oldest first."""
    prefix = path.name + ".broken-"
    try:
        names = os.listdir(path.parent)
    except OSError:
        return []
    return sorted(path.with_name(n) for n in names
                  if n.startswith(prefix) and not n.endswith(("-wal", "-shm", "-journal")))


def set_reporter(reporter: Callable[[str], None] | None) -> None:
    """Where problems go besides the log (the app's notifier); problems said before it is set wait."""
    global _reporter
    with _lock:
        _reporter = reporter
        waiting, _waiting[:] = list(_waiting), []
    for message in waiting if reporter else ():
        reporter(message)


def report(path: Path, kind: str, message: str) -> None:
    """Say ``message`` once for this file and kind of problem."""
    with _lock:
        key = (str(path), kind)
        if key in _said:
            return
        _said.add(key)
        reporter = _reporter
        if reporter is None:
            _waiting.append(message)
    logger.warning("%s", message)
    if reporter is not None:
        try:
            reporter(message)
        except Exception:  # a notifier failing must not turn a file problem into a crash
            logger.debug("reporter failed", exc_info=True)


def recovered(path: Path, kind: str) -> None:
    """The problem is gone: log it, and say it again if it comes back."""
    with _lock:
        _said.discard((str(path), kind))
    logger.info("action=db-recovered file=%s", path)


# -- opening, one way for every Necka database -------------------------------------------------


def create_private(path: Path) -> None:
    """Make sure the file exists with mode 0600 (and its folder 0700) before SQLite opens it.

    SQLite gives its -wal and -shm files the main file's permissions, so this covers all three;
    ``os.open``'s mode does not apply to a file that exists, hence the chmod."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    if os.name == "posix":
        os.chmod(path, 0o600)


def connect(path: Path, busy_timeout: float, isolation_level: str | None = "") -> sqlite3.Connection:
    """A connection in WAL mode that waits ``busy_timeout`` s for another writer, usable from any thread."""
    create_private(path)
    conn = sqlite3.connect(path, timeout=busy_timeout, isolation_level=isolation_level, check_same_thread=False)
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    except BaseException:
        conn.close()
        raise
    return conn


def open_repairing(path: Path, opener: Callable[[], T], said: str, opened: tuple[int, int] | None = None) -> T:
    """``opener()``; when SQLite calls the file damaged, move it aside (once per process), say
    ``said`` (formatted with ``path``, ``error`` and the new ``name``) and open a fresh one.

    ``opened``: the file's identity from before the first attempt (``identity``): a file that
    was not there then is not broken but being created by another Necka this very moment."""
    try:
        return opener()
    except (sqlite3.Error, OSError) as exc:
        if opened is None or classify(exc) != BROKEN:
            raise
        target = move_aside(Path(path), opened)
        if target is not None:
            report(path, BROKEN, said.format(path=path, error=exc, name=target))
        return opener()


# -- when a write fails: retry and say, one policy for every Necka database ---------------------


class Faults:
    """Whether a file that failed is due for another try, and what is said, for one file.

    ``say(kind, exc)`` gives the words for a fault of ``kind`` (each file has its own);
    when they are said is decided here. The caller keeps what could not be written
    (the job store: every job; the history: the waiting events) and writes it at the
    next ``due`` attempt. Not thread-safe: the caller holds its own lock.
    """

    def __init__(self, path: Path, say: Callable[[str, BaseException], str],
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.path = Path(path)
        self._say = say
        self._monotonic = monotonic
        self.kind: str | None = None  # the kind of the last failure; None while writes work
        self.failures = 0  # failures in a row
        self._retry_at = 0.0
        self._backoff = RETRY_FIRST_S

    def due(self) -> bool:
        """A write may be tried now: none failed, or the back-off has passed."""
        return self.kind is None or self._monotonic() >= self._retry_at

    def failed(self, exc: BaseException) -> str | None:
        """Note a failed write; its kind, or None when ``exc`` is not about the file (re-raise it)."""
        kind = classify(exc)
        if kind is None:
            return None
        self.kind, self.failures = kind, self.failures + 1
        now = self._monotonic()
        # Only a due try that failed waits longer for the next; one tried early (a new event wants
        # in) leaves the schedule as it was: a burst of clicks never pushes the retry to minutes.
        if now >= self._retry_at:
            self._retry_at = now + self._backoff
            self._backoff = min(self._backoff * 2, RETRY_MAX_S)
        logger.info("action=db-wait file=%s reason=%s retry_in=%.0fs", self.path.name, kind,
                    self._retry_at - self._monotonic())
        if kind != LOCKED or self.failures >= 2:  # a lock is news only once it lasts
            report(self.path, _said_as(kind), self._say(kind, exc))
        return kind

    def succeeded(self) -> None:
        """A write worked: what waited is saved; a fault that comes back is said again."""
        if self.kind is not None:
            recovered(self.path, _said_as(self.kind))
        self.kind, self.failures, self._backoff = None, 0, RETRY_FIRST_S


def _said_as(kind: str) -> str:
    # A write to a damaged file fails as "cannot save"; BROKEN is kept for "it was moved aside".
    return UNWRITABLE if kind == BROKEN else kind
