"""Logging: a rotated file in the user log dir, and warnings on stderr.

Warnings are written for people (one line, no traceback); the file keeps
the key=value details and tracebacks for bug reports. A log file that cannot
be written (a full disk, a read-only folder) is said once on stderr instead of
a traceback per line, and is written again as soon as it can be.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from pathlib import Path
from necka_tray.texts.i18n import _


class _OneLine(logging.Formatter):
    """For people: the message, and what failed in a few words; the traceback is for the log file."""

    def format(self, record: logging.LogRecord) -> str:
        message = f"necka-tray: {record.getMessage()}"
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None:
            message += " " + _("({error}; details in the log file)").format(error=f"{type(exc).__name__}: {exc}")
        return message


class _LogFile(logging.handlers.RotatingFileHandler):
    failing = False

    def _open(self):
        """Readable by the user only, like every file of Necka's (the log names paths and times)."""
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        if os.name == "posix":
            os.fchmod(fd, 0o600)
        return os.fdopen(fd, self.mode, encoding=self.encoding, errors=self.errors)

    def emit(self, record: logging.LogRecord) -> None:
        self._failed = False
        super().emit(record)  # calls handleError on any failure
        if self.failing and not self._failed:
            self.failing = False
            sys.stderr.write("necka-tray: " + _("the log file {path} can be written again.").format(path=self.baseFilename) + "\n")

    def handleError(self, record: logging.LogRecord) -> None:
        self._failed = True
        if not self.failing:
            self.failing = True
            exc = sys.exc_info()[1]
            sys.stderr.write("necka-tray: " + _("cannot write the log file {path} ({error}); logging to the terminal "
                                                "only until it can.").format(path=self.baseFilename, error=exc) + "\n")


def setup(log_file: Path | None, debug: bool = False) -> None:
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    console = logging.StreamHandler()
    console.setLevel(logging.DEBUG if debug else logging.WARNING)
    console.setFormatter(logging.Formatter("necka-tray: %(message)s") if debug else _OneLine())
    root.addHandler(console)
    if log_file is None:
        return
    try:
        log_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handler = _LogFile(log_file, maxBytes=512 * 1024, backupCount=3, encoding="utf-8")
    except OSError as exc:
        root.warning("cannot write the log file %s (%s); logging to the terminal only", log_file, exc)
        return
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root.addHandler(handler)
    # APScheduler logs every job run at INFO; that belongs in a debug log only.
    if not debug:
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
