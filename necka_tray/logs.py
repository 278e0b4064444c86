"""Logging: a rotated file in the user log dir, and warnings on stderr.

Warnings are written for people (one line, no traceback); the file keeps
the key=value details and tracebacks for bug reports.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path


def setup(log_file: Path | None, debug: bool = False) -> None:
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    console = logging.StreamHandler()
    console.setLevel(logging.DEBUG if debug else logging.WARNING)
    console.setFormatter(logging.Formatter("necka-tray: %(message)s"))
    root.addHandler(console)
    if log_file is None:
        return
    try:
        log_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handler = logging.handlers.RotatingFileHandler(log_file, maxBytes=512 * 1024, backupCount=3, encoding="utf-8")
    except OSError as exc:
        root.warning("cannot write the log file %s (%s); logging to the terminal only", log_file, exc)
        return
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root.addHandler(handler)
    # APScheduler logs every job run at INFO; that belongs in a debug log only.
    if not debug:
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
